import { Fragment, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useAuth } from '../../auth';
import { api } from '../../api';
import { DataTable } from '../../components/DataTable';
import { Page } from '../../components/Page';
import { formatDateTime } from '../../format';

export interface AuditEntry {
  id: number;
  tenantId: string | null;
  enterpriseId: string | null;
  actorType: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  ip: string | null;
  at: string;
}

/** Fields whose value differs between before and after (top level), for a compact change summary. */
export function changedFields(before: unknown, after: unknown): string[] {
  const b = (before && typeof before === 'object' ? before : {}) as Record<string, unknown>;
  const a = (after && typeof after === 'object' ? after : {}) as Record<string, unknown>;
  return [...new Set([...Object.keys(b), ...Object.keys(a)])]
    .filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]));
}

/** The audit trail: who changed what, when, from where; filter by entity, action and time. */
export function AuditTrail() {
  // Filters can come from the address, so any screen can link to an entity's history (see auditLink); a new
  // address starts the screen again with its filters.
  const [params] = useSearchParams();
  return <AuditTrailView key={params.toString()} />;
}

function AuditTrailView() {
  const [params, setParams] = useSearchParams();
  const [entityType, setEntityType] = useState(params.get('entityType') ?? '');
  const [action, setAction] = useState(params.get('action') ?? '');
  const entityId = params.get('entityId') ?? '';
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [open, setOpen] = useState<number | null>(null);
  const iso = (local: string) => (local ? new Date(local).toISOString() : undefined);
  return (
    <Page title="Audit trail" subtitle="Every change made through the console, the API and the platform itself.">
      <DataTable<AuditEntry>
        load={(p, signal) => api.list('audit', p, signal)}
        filters={{ entityType: entityType.trim(), entityId, action: action.trim(), from: iso(from), to: iso(to) }}
        defaultSort="-at"
        rowKey={(e) => String(e.id)}
        onRowClick={(e) => setOpen((o) => (o === e.id ? null : e.id))}
        empty="No audit entries match."
        toolbar={
          <div className="filters">
            <input aria-label="Entity type" placeholder="Entity type, e.g. enterprise" value={entityType} onChange={(e) => setEntityType(e.target.value)} />
            <input aria-label="Action" placeholder="Action, e.g. create" value={action} onChange={(e) => setAction(e.target.value)} />
            <label>From <input aria-label="From" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} /></label>
            <label>To <input aria-label="To" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} /></label>
            {entityId && (
              <span className="chip" data-testid="entity-filter">
                entity <code>{entityId.slice(0, 8)}</code>
                <button type="button" aria-label="Clear entity filter" onClick={() => { params.delete('entityId'); setParams(params); }}>×</button>
              </span>
            )}
          </div>
        }
        columns={[
          { header: 'When', sort: 'at', render: (e) => formatDateTime(e.at) },
          { header: 'Who', render: (e) => <>{e.actorName ?? e.actorId ?? '—'} <span className="muted">({e.actorType})</span></> },
          { header: 'Action', render: (e) => <code>{e.action}</code> },
          { header: 'Entity', render: (e) => <>{e.entityType} {e.entityId && <code className="muted">{e.entityId.slice(0, 8)}</code>}</> },
          {
            header: 'Changes',
            render: (e) => (open === e.id ? <AuditDiff entry={e} /> : <span className="muted">{changedFields(e.before, e.after).slice(0, 4).join(', ') || '—'}</span>),
          },
          { header: 'Request', render: (e) => (e.requestId ? <code className="muted">{e.requestId.slice(0, 8)}</code> : '—') },
        ]}
      />
    </Page>
  );
}

function AuditDiff({ entry }: { entry: AuditEntry }) {
  const b = (entry.before ?? {}) as Record<string, unknown>;
  const a = (entry.after ?? {}) as Record<string, unknown>;
  const fields = changedFields(entry.before, entry.after);
  return (
    <div className="diff" onClick={(ev) => ev.stopPropagation()}>
      {fields.length === 0 ? <span className="muted">no field changes</span> : (
        <dl>
          {fields.map((f) => (
            <Fragment key={f}>
              <dt>{f}</dt>
              <dd>
                {f in b && <del>{JSON.stringify(b[f])}</del>} {f in a && <ins>{JSON.stringify(a[f])}</ins>}
              </dd>
            </Fragment>
          ))}
        </dl>
      )}
      <div className="muted small">request {entry.requestId ?? '—'} · ip {entry.ip ?? '—'} · entity {entry.entityId ?? '—'}</div>
    </div>
  );
}

/** The address of one entity's history in the audit trail. */
export function auditLink(entityType: string, entityId: string): string {
  return `/audit?entityType=${encodeURIComponent(entityType)}&entityId=${encodeURIComponent(entityId)}`;
}

/** A "History" button for detail screens, shown to users who may read the audit trail. */
export function HistoryLink({ entityType, entityId }: { entityType: string; entityId: string }) {
  const auth = useAuth();
  if (!auth.can('audit:read')) return null;
  return <Link className="btn" to={auditLink(entityType, entityId)}>History</Link>;
}
