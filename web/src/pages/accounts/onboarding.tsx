import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../../api';
import { DataTable } from '../../components/DataTable';
import { Alert, Details, Page, Panel, Spinner } from '../../components/Page';
import { StatusBadge } from '../../components/StatusBadge';
import { formatDateTime } from '../../format';
import { useLoad } from '../../hooks';
import type { OnboardingRequest } from './types';

/** Onboarding requests the tenant CRM sent through the API, newest first, with a lookup by id. */
export function OnboardingList() {
  const navigate = useNavigate();
  const [status, setStatus] = useState('');
  const [kind, setKind] = useState('');
  const [lookup, setLookup] = useState('');
  return (
    <Page title="Onboarding requests" subtitle="Accounts created or changed by your CRM through the onboarding API, with their outcome.">
      <DataTable<OnboardingRequest>
        load={(p, signal) => api.list('onboarding/requests', p, signal)}
        filters={{ status, kind }}
        defaultSort="-createdAt"
        rowKey={(r) => r.id}
        onRowClick={(r) => navigate(`/onboarding/requests/${r.id}`)}
        empty="No onboarding requests."
        toolbar={
          <>
            <select aria-label="Filter by status" value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="">All statuses</option>
              {['PENDING', 'COMPLETED', 'REJECTED'].map((s) => <option key={s}>{s}</option>)}
            </select>
            <select aria-label="Filter by kind" value={kind} onChange={(e) => setKind(e.target.value)}>
              <option value="">All kinds</option>
              {['enterprise', 'business-unit', 'billing-profile', 'enterprise-update'].map((k) => <option key={k}>{k}</option>)}
            </select>
            <form className="lookup" onSubmit={(e) => { e.preventDefault(); if (lookup.trim()) navigate(`/onboarding/requests/${lookup.trim()}`); }}>
              <input aria-label="Request id" placeholder="Request id…" value={lookup} onChange={(e) => setLookup(e.target.value)} />
              <button type="submit" className="btn btn-sm">Open</button>
            </form>
          </>
        }
        columns={[
          { header: 'Request', render: (r) => <Link to={`/onboarding/requests/${r.id}`} onClick={(e) => e.stopPropagation()}><code>{r.id.slice(0, 8)}</code></Link> },
          { header: 'Kind', key: 'kind' },
          { header: 'Status', render: (r) => <StatusBadge status={r.status} /> },
          { header: 'Callback', render: (r) => (r.callback ? <StatusBadge status={r.callback.status} /> : <span className="muted">none</span>) },
          { header: 'Received', sort: 'createdAt', render: (r) => formatDateTime(r.createdAt) },
          { header: 'Processed', render: (r) => formatDateTime(r.processedAt) },
        ]}
      />
    </Page>
  );
}

/** Links to what a completed request created, as far as the result names them. */
function resultLinks(result: unknown) {
  if (!result || typeof result !== 'object') return null;
  const r = result as Record<string, unknown>;
  const links: [string, string][] = [];
  if (typeof r.enterpriseId === 'string') links.push([`/enterprises/${r.enterpriseId}`, 'enterprise']);
  if (typeof r.businessUnitId === 'string') links.push([`/business-units/${r.businessUnitId}`, 'business unit']);
  if (typeof r.billingProfileId === 'string') links.push([`/billing-profiles/${r.billingProfileId}`, 'billing profile']);
  const many = Array.isArray(r.billingProfileIds) ? r.billingProfileIds.filter((x): x is string => typeof x === 'string') : [];
  many.forEach((id, i) => links.push([`/billing-profiles/${id}`, many.length > 1 ? `billing profile ${i + 1}` : 'billing profile']));
  if (!links.length) return null;
  return <>{links.map(([to, label], i) => <span key={to}>{i > 0 && ', '}<Link to={to}>{label}</Link></span>)}</>;
}

export function OnboardingDetail() {
  const { id } = useParams();
  const req = useLoad((signal) => api.get<OnboardingRequest>(`onboarding/requests/${id}`, undefined, signal), [id]);
  const crumbs = [{ label: 'Onboarding requests', to: '/onboarding' }];
  if (req.error) return <Page title="Onboarding request" crumbs={crumbs}><Alert>{req.error.detail}</Alert></Page>;
  const r = req.data;
  if (!r) return <Spinner />;
  return (
    <Page
      title={<>Onboarding request <code>{r.id.slice(0, 8)}</code></>}
      crumbs={crumbs}
      actions={r.status === 'PENDING' && <button type="button" className="btn" onClick={req.reload}>Refresh</button>}
    >
      <Panel title="Status">
        <Details items={[
          ['Status', <StatusBadge status={r.status} />],
          ['Kind', r.kind],
          ['Received', formatDateTime(r.createdAt)],
          ['Processed', formatDateTime(r.processedAt)],
          ['Created', resultLinks(r.result)],
          ['Callback', r.callback ? <><StatusBadge status={r.callback.status} /> {r.callback.attempts} attempt(s)</> : 'none asked for'],
          ['Callback URL', r.callback ? <code>{r.callback.url}</code> : null],
          ['Callback error', r.callback?.lastError ?? null],
          ['Id', <code>{r.id}</code>],
        ]} />
      </Panel>
      {r.errors && r.errors.length > 0 && (
        <Panel title="Why it was rejected">
          <table>
            <thead><tr><th>Field</th><th>Reason</th></tr></thead>
            <tbody>{r.errors.map((e, i) => <tr key={i}><td><code>{e.field}</code></td><td>{e.reason}</td></tr>)}</tbody>
          </table>
        </Panel>
      )}
      <Panel title="Request">
        <pre className="json">{JSON.stringify(r.request, null, 2)}</pre>
      </Panel>
      {r.result != null && (
        <Panel title="Result">
          <pre className="json">{JSON.stringify(r.result, null, 2)}</pre>
        </Panel>
      )}
    </Page>
  );
}
