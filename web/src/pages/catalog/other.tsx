import { useState } from 'react';
import { api, ApiError, session } from '../../api';
import { useAuth } from '../../auth';
import { DataTable } from '../../components/DataTable';
import { Alert, Page, Panel, Spinner } from '../../components/Page';
import { StatusBadge } from '../../components/StatusBadge';
import { useLoad } from '../../hooks';
import { CatalogTabs } from './tabs';

interface Bundle { id: string; code: string; name: string; level: string; status: string; spec: { members: { offerId: string; kind: string }[]; requiredSelective: number; price: { recurring: string }; currency: string } }
interface Zone { id: string; code: string; name: string; plmns: string[] }

export function BundleList() {
  return (
    <Page title="Bundles" subtitle="Offers sold together at a bundle price: mandatory, optional and pick-N members.">
      <CatalogTabs />
      <DataTable<Bundle>
        load={(p, signal) => api.list('catalog/bundles', p, signal)}
        defaultSort="code"
        rowKey={(b) => b.id}
        empty="No bundles yet."
        columns={[
          { header: 'Code', key: 'code', sort: 'code' },
          { header: 'Name', key: 'name', sort: 'name' },
          { header: 'Level', key: 'level' },
          { header: 'Members', render: (b) => b.spec.members.map((m) => m.kind).join(', ') },
          { header: 'Pick', render: (b) => b.spec.requiredSelective || '—' },
          { header: 'Price', render: (b) => `${b.spec.price.recurring} ${b.spec.currency}` },
          { header: 'Status', render: (b) => <StatusBadge status={b.status} /> },
        ]}
      />
    </Page>
  );
}

export function ZoneList() {
  const auth = useAuth();
  const { data, error, reload } = useLoad((signal) => api.get<{ items: Zone[] }>('catalog/zones', undefined, signal), []);
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [plmns, setPlmns] = useState('');
  const [saveError, setSaveError] = useState<ApiError | null>(null);
  const save = async () => {
    setSaveError(null);
    try {
      await api.put(`catalog/zones/${encodeURIComponent(code.trim())}`, { name: name.trim(), plmns: plmns.split(/[\s,]+/).filter(Boolean) });
      setCode(''); setName(''); setPlmns('');
      reload();
    } catch (err) { setSaveError(err as ApiError); }
  };
  return (
    <Page title="Zones" subtitle="Rating zones: the home network and roaming zones as lists of PLMNs (MCC-MNC or MCC prefixes; * = every other network).">
      <CatalogTabs />
      {error && <Alert>{error.detail}</Alert>}
      {!data ? <Spinner /> : (
        <Panel>
          <table className="datatable"><thead><tr><th>Code</th><th>Name</th><th>PLMNs</th></tr></thead>
            <tbody>{data.items.map((z) => <tr key={z.id}><td>{z.code}</td><td>{z.name}</td><td>{z.plmns.join(', ')}</td></tr>)}</tbody>
          </table>
        </Panel>
      )}
      {auth.can('catalog:write') && (
        <Panel title="Add or replace a zone">
          <div className="field-row">
            <div className="field"><label htmlFor="zone-code">Code</label><input id="zone-code" value={code} onChange={(e) => setCode(e.target.value)} /></div>
            <div className="field"><label htmlFor="zone-name">Name</label><input id="zone-name" value={name} onChange={(e) => setName(e.target.value)} /></div>
          </div>
          <div className="field"><label htmlFor="zone-plmns">PLMNs</label><input id="zone-plmns" value={plmns} onChange={(e) => setPlmns(e.target.value)} placeholder="262-01, 262-02" /></div>
          {saveError && <Alert>{saveError.detail}{saveError.errors.length > 0 && <ul>{saveError.errors.map((e, i) => <li key={i}><code>{e.field}</code>: {e.reason}</li>)}</ul>}</Alert>}
          <button className="btn btn-primary" onClick={save}>Save zone</button>
        </Panel>
      )}
    </Page>
  );
}

export function CatalogReport() {
  const { data, error } = useLoad((signal) => api.get<{ header: string[]; rows: (string | number)[][] }>('catalog/report', undefined, signal), []);
  const download = async () => {
    const res = await fetch('/api/v1/catalog/report?format=csv', { headers: authHeaders() });
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = url; a.download = 'catalog-report.csv'; a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <Page title="Catalog report" subtitle="Plans, pay-as-you-go and overage prices and subscriptions, for revenue assurance." actions={<button className="btn" onClick={download}>Download CSV</button>}>
      <CatalogTabs />
      {error && <Alert>{error.detail}</Alert>}
      {!data ? <Spinner /> : (
        <Panel>
          <div style={{ overflowX: 'auto' }}>
            <table className="datatable"><thead><tr>{data.header.map((h) => <th key={h}>{h}</th>)}</tr></thead>
              <tbody>{data.rows.map((r, i) => <tr key={i}>{r.map((c, j) => <td key={j}>{c}</td>)}</tr>)}</tbody>
            </table>
          </div>
        </Panel>
      )}
    </Page>
  );
}

function authHeaders(): Record<string, string> {
  const h: Record<string, string> = {};
  if (session.token) h.authorization = `Bearer ${session.token}`;
  if (session.tenantId) h['x-tenant-id'] = session.tenantId;
  return h;
}
