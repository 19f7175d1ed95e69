import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, newIdempotencyKey, type FieldError } from '../../api';
import { useAuth } from '../../auth';
import { DataTable } from '../../components/DataTable';
import { Alert, Details, Page, Panel, Spinner } from '../../components/Page';
import { StatusBadge } from '../../components/StatusBadge';
import { formatDateTime } from '../../format';
import { useLoad } from '../../hooks';
import { download } from '../inventory';
import { SIM_STATES, STATE_ACTIONS, TRANSITIONS, type SimState } from '../../../../src/modules/lifecycle/lifecycle.fns';
import type { PageDef } from '../types';
import { DeadLetters, type Delivery } from './deliveries';

export interface Sim {
  id: string; iccid: string; imsi: string; msisdn: string | null; enterpriseId: string | null; businessUnitId: string | null;
  state: SimState; pendingState: SimState | null; stateChangedAt: string; planOfferId: string | null; apnIds: string[];
  imei: string | null; imeiLock: boolean; createdAt: string;
}
interface Change {
  id: string; kind: string; action: string; fromState: string | null; toState: string | null; fromValue: unknown; toValue: unknown;
  party: string | null; status: string; scheduledFor: string | null; requestedAt: string; settledAt: string | null;
  requestedBy: { type: string; name?: string | null } | null; reason: string | null; outcome: string | null;
}
interface SimDetail extends Sim {
  holds: { party: string; reason: string | null; placedAt: string }[];
  testLimits: { dataBytes: number | null; sms: number | null; days: number | null; dataBytesUsed: number; smsUsed: number; endsAt: string | null; endedAt: string | null } | null;
  openChanges: Change[];
}
interface BulkJob { id: string; action: string; status: string; total: number; processed: number; succeeded: number; failed: number; progress: number }

const display = (s: string | null | undefined) => (s ? s.replace('TEST_ACTIVE', 'TEST-ACTIVE') : s);
const ACTION_LABELS: Record<string, string> = {
  ready: 'Make ready', 'test-activate': 'Test-activate', activate: 'Activate', suspend: 'Suspend', resume: 'Resume', terminate: 'Terminate',
};

function StateCell({ sim }: { sim: Pick<Sim, 'state' | 'pendingState'> }) {
  return (
    <span>
      <StatusBadge status={display(sim.state)} />
      {sim.pendingState && <span className="muted" data-testid="pending"> → {display(sim.pendingState)} (pending)</span>}
    </span>
  );
}

/** The SIM list: search by identifier, filter by state, plan and business unit; bulk actions on what the filter shows. */
export function SimList() {
  const auth = useAuth();
  const navigate = useNavigate();
  const [state, setState] = useState('');
  const [planOfferId, setPlan] = useState('');
  const [enterpriseId, setEnterprise] = useState('');
  const [businessUnitId, setBu] = useState('');
  const [q, setQ] = useState('');
  const [reload, setReload] = useState(0);
  const filters = { state, planOfferId, enterpriseId, businessUnitId };
  // Choices for the filters; a list the caller may not read simply leaves its filter out.
  const plans = useLoad((signal) => api.list<{ id: string; code: string; name: string }>('catalog/offers', { kind: 'PRIMARY', limit: 200 }, signal).catch(() => null), []);
  const enterprises = useLoad((signal) => api.list<{ id: string; name: string }>('enterprises', { limit: 200 }, signal).catch(() => null), []);
  const units = useLoad((signal) => enterpriseId
    ? api.list<{ id: string; name: string; unitId: string }>(`enterprises/${enterpriseId}/business-units`, { limit: 200 }, signal).catch(() => null)
    : Promise.resolve(null), [enterpriseId]);
  return (
    <Page title="SIMs" subtitle="Every SIM allocated to your enterprises, its state and any change the network is applying.">
      <DataTable<Sim>
        load={(p, signal) => api.list('sims', p, signal)}
        filters={filters}
        searchParam="q"
        searchPlaceholder="ICCID, IMSI, MSISDN or IMEI (prefix)…"
        defaultSort="iccid"
        reloadKey={reload}
        rowKey={(s) => s.id}
        onRowClick={(s) => navigate(`/sims/${s.id}`)}
        empty="No SIMs match."
        toolbar={
          <>
            <select aria-label="Filter by state" value={state} onChange={(e) => setState(e.target.value)}>
              <option value="">All states</option>
              {SIM_STATES.map((s) => <option key={s} value={s}>{display(s)}</option>)}
            </select>
            {plans.data && (
              <select aria-label="Filter by plan" value={planOfferId} onChange={(e) => setPlan(e.target.value)}>
                <option value="">All plans</option>
                {plans.data.items.map((o) => <option key={o.id} value={o.id}>{o.code} — {o.name}</option>)}
              </select>
            )}
            {enterprises.data && enterprises.data.items.length > 1 && (
              <select aria-label="Filter by enterprise" value={enterpriseId} onChange={(e) => { setEnterprise(e.target.value); setBu(''); }}>
                <option value="">All enterprises</option>
                {enterprises.data.items.map((x) => <option key={x.id} value={x.id}>{x.name}</option>)}
              </select>
            )}
            {enterprises.data && enterprises.data.items.length === 1 && !enterpriseId && (
              <button className="btn" type="button" onClick={() => setEnterprise(enterprises.data!.items[0].id)}>Filter by business unit…</button>
            )}
            {units.data && (
              <select aria-label="Filter by business unit" value={businessUnitId} onChange={(e) => setBu(e.target.value)}>
                <option value="">All business units</option>
                {units.data.items.map((u) => <option key={u.id} value={u.id}>{u.name} ({u.unitId})</option>)}
              </select>
            )}
          </>
        }
        columns={[
          { header: 'ICCID', sort: 'iccid', render: (s) => <Link to={`/sims/${s.id}`} onClick={(e) => e.stopPropagation()}>{s.iccid}</Link> },
          { header: 'IMSI', key: 'imsi', sort: 'imsi' },
          { header: 'MSISDN', sort: 'msisdn', render: (s) => s.msisdn ?? <span className="muted">—</span> },
          { header: 'State', sort: 'state', render: (s) => <StateCell sim={s} /> },
          { header: 'IMEI', render: (s) => s.imei ? `${s.imei}${s.imeiLock ? ' 🔒' : ''}` : <span className="muted">—</span> },
          { header: 'Changed', render: (s) => formatDateTime(s.stateChangedAt) },
        ]}
      />
      {auth.can('sims:manage') && <BulkPanel filters={{ ...filters, q }} onStarted={() => setReload((n) => n + 1)} setQ={setQ} />}
    </Page>
  );
}

/** Bulk action for the SIMs the filters select, or for a CSV of identifiers; shows the job's progress and result. */
function BulkPanel({ filters, onStarted }: { filters: Record<string, string>; onStarted: () => void; setQ: (q: string) => void }) {
  const [action, setAction] = useState('activate');
  const [reason, setReason] = useState('');
  const [csv, setCsv] = useState<File | null>(null);
  const [job, setJob] = useState<BulkJob | null>(null);
  const [error, setError] = useState<{ message: string; errors: FieldError[] } | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!job || job.status === 'COMPLETED' || job.status === 'FAILED') return;
    const timer = setTimeout(async () => setJob(await api.get<BulkJob>(`sims/bulk/${job.id}`)), 700);
    return () => clearTimeout(timer);
  }, [job]);

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const filter = Object.fromEntries(Object.entries(filters).filter(([, v]) => v));
      const body = csv ? { action, reason: reason || undefined, csv: await csv.text() } : { action, reason: reason || undefined, filter };
      setJob(await api.post<BulkJob>('sims/bulk', body, { idempotencyKey: newIdempotencyKey() }));
      onStarted();
    } catch (e) {
      const err = e as { message: string; errors?: FieldError[] };
      setError({ message: err.message, errors: err.errors ?? [] });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Panel title="Bulk action">
      <p className="muted">Applies to every SIM the filters above select, or to the SIMs listed in a CSV (one ICCID, IMSI, MSISDN or SIM id per line).</p>
      <div className="toolbar">
        <label>Action{' '}
          <select aria-label="Bulk action" value={action} onChange={(e) => setAction(e.target.value)}>
            {STATE_ACTIONS.map((a) => <option key={a} value={a}>{ACTION_LABELS[a]}</option>)}
          </select>
        </label>
        <input aria-label="Reason" placeholder="Reason (optional)" value={reason} onChange={(e) => setReason(e.target.value)} />
        <label>CSV (optional){' '}<input aria-label="SIM list (CSV)" type="file" accept=".csv,text/csv" onChange={(e) => setCsv(e.target.files?.[0] ?? null)} /></label>
        <button className="btn btn-primary" disabled={busy} onClick={start}>Start bulk action</button>
      </div>
      {error && (
        <Alert>
          {error.message}
          {error.errors.length > 0 && <ul>{error.errors.map((x, i) => <li key={i}>{x.field}: {x.reason}</li>)}</ul>}
        </Alert>
      )}
      {job && (
        <div data-testid="bulk-job">
          <Details items={[
            ['Job', `${ACTION_LABELS[job.action] ?? job.action} — ${job.status}`],
            ['Progress', <span data-testid="bulk-progress">{job.processed} / {job.total} ({job.progress}%)</span>],
            ['Outcome', <span data-testid="bulk-outcome">{job.succeeded} accepted, {job.failed} refused</span>],
          ]} />
          <progress max={100} value={job.progress} aria-label="Bulk job progress" />
          {job.status === 'COMPLETED' && <button className="btn" onClick={() => download(`/api/v1/sims/bulk/${job.id}/result.csv`, `bulk-${job.id}.csv`)}>Download result</button>}
        </div>
      )}
    </Panel>
  );
}

/** One SIM: state (and pending change), identifiers, plan, holds, test limits, actions, history and provisioning. */
export function SimPage() {
  const { id } = useParams();
  const auth = useAuth();
  const [reload, setReload] = useState(0);
  const sim = useLoad((signal) => api.get<SimDetail>(`sims/${id}`, undefined, signal), [id, reload]);
  const history = useLoad((signal) => api.list<Change>(`sims/${id}/history`, { limit: 100 }, signal), [id, reload]);
  const [error, setError] = useState<string | null>(null);
  const [reason, setReason] = useState('');

  if (sim.error) return <Page title="SIM"><Alert>{sim.error.message}</Alert></Page>;
  if (!sim.data) return <Page title="SIM"><Spinner /></Page>;
  const s = sim.data;
  const allowed = s.pendingState ? [] : STATE_ACTIONS.filter((a) => TRANSITIONS[s.state][a] || (a === 'suspend' && s.state === 'SUSPEND'));
  const act = async (action: string) => {
    setError(null);
    try {
      await api.post(`sims/${s.id}/actions/${action}`, { reason: reason || undefined }, { idempotencyKey: newIdempotencyKey() });
      setReason('');
      setReload((n) => n + 1);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <Page title={`SIM ${s.iccid}`} crumbs={[{ label: 'SIMs', to: '/sims' }, { label: s.iccid }]}>
      <Panel title="State">
        <Details items={[
          ['State', <span data-testid="sim-state"><StateCell sim={s} /></span>],
          ['Since', formatDateTime(s.stateChangedAt)],
          ['ICCID', s.iccid], ['IMSI', s.imsi], ['MSISDN', s.msisdn ?? '—'],
          ['IMEI', s.imei ? `${s.imei}${s.imeiLock ? ' (locked to this device)' : ''}` : '—'],
          ['Plan (offer)', s.planOfferId ?? '—'], ['APNs', s.apnIds.length ? s.apnIds.join(', ') : '—'],
          ['Suspended by', s.holds.length ? s.holds.map((h) => `${h.party}${h.reason ? ` (${h.reason})` : ''}`).join(', ') : '—'],
          ...(s.testLimits ? [['Test limits', `${s.testLimits.smsUsed}/${s.testLimits.sms ?? '∞'} SMS, ${s.testLimits.dataBytesUsed}/${s.testLimits.dataBytes ?? '∞'} bytes${s.testLimits.endsAt ? `, until ${formatDateTime(s.testLimits.endsAt)}` : ''}`] as [string, string]] : []),
        ]} />
        {auth.can('sims:manage') && (
          <div className="toolbar">
            <input aria-label="Reason for the change" placeholder="Reason (optional)" value={reason} onChange={(e) => setReason(e.target.value)} />
            {allowed.map((a) => <button key={a} className="btn" onClick={() => act(a)}>{ACTION_LABELS[a]}</button>)}
            {s.holds.length > 0 && !allowed.includes('resume') && <button className="btn" onClick={() => act('resume')}>Resume</button>}
            {s.pendingState && <span className="muted">The network is applying a change; actions are available when it settles.</span>}
          </div>
        )}
        {error && <Alert>{error}</Alert>}
      </Panel>
      {auth.can('sims:manage') && s.state !== 'TERMINATE' && <ChangePanel sim={s} onChanged={() => setReload((n) => n + 1)} />}
      <Panel title="History">
        {history.data ? (
          <table className="table" data-testid="history">
            <thead><tr><th>When</th><th>Change</th><th>From</th><th>To</th><th>Who</th><th>Why</th><th>Status</th><th>Outcome</th></tr></thead>
            <tbody>
              {history.data.items.map((c) => (
                <tr key={c.id}>
                  <td>{formatDateTime(c.scheduledFor ?? c.requestedAt)}</td>
                  <td>{c.action}{c.party ? ` (${c.party})` : ''}</td>
                  <td>{c.kind === 'STATE' || c.kind === 'HOLD' ? display(c.fromState) : JSON.stringify(c.fromValue)}</td>
                  <td>{c.kind === 'STATE' || c.kind === 'HOLD' ? display(c.toState) : JSON.stringify(c.toValue)}</td>
                  <td>{c.requestedBy?.name ?? c.requestedBy?.type ?? '—'}</td>
                  <td>{c.reason ?? '—'}</td>
                  <td><StatusBadge status={c.status} /></td>
                  <td>{c.outcome ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : <Spinner />}
      </Panel>
      {auth.can('provisioning:read') && <SimDeliveries simId={s.id} reloadKey={reload} />}
    </Page>
  );
}

/** Plan, APN, MSISDN and IMEI-lock changes (each asynchronous: the network applies it, then it settles). */
function ChangePanel({ sim, onChanged }: { sim: SimDetail; onChanged: () => void }) {
  const plans = useLoad((signal) => api.list<{ id: string; code: string; name: string }>('catalog/offers', { kind: 'PRIMARY', limit: 200 }, signal).catch(() => null), []);
  const apns = useLoad((signal) => api.get<{ id: string; name: string }[] | { items: { id: string; name: string }[] }>('apns', undefined, signal).catch(() => null), []);
  const [plan, setPlan] = useState('');
  const [apn, setApn] = useState('');
  const [msisdn, setMsisdn] = useState('');
  const [imei, setImei] = useState(sim.imei ?? '');
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const apnList = Array.isArray(apns.data) ? apns.data : apns.data?.items ?? [];
  const send = async (path: string, body: unknown, done: string) => {
    setMessage(null);
    try {
      await api.post(`sims/${sim.id}/${path}`, body, { idempotencyKey: newIdempotencyKey() });
      setMessage({ tone: 'success', text: done });
      onChanged();
    } catch (e) {
      setMessage({ tone: 'error', text: (e as Error).message });
    }
  };
  const busy = !!sim.pendingState || sim.openChanges.some((c) => c.status === 'PENDING');
  return (
    <Panel title="Change plan, APN, MSISDN or device lock">
      {busy && <p className="muted">A change is being applied by the network; new changes wait until it settles.</p>}
      <div className="toolbar">
        <select aria-label="New plan" value={plan} onChange={(e) => setPlan(e.target.value)}>
          <option value="">Plan…</option>
          {(plans.data?.items ?? []).map((o) => <option key={o.id} value={o.id}>{o.code} — {o.name}</option>)}
        </select>
        <button className="btn" disabled={!plan || busy} onClick={() => send('plan', { offerId: plan }, 'Plan change requested.')}>Change plan</button>
      </div>
      <div className="toolbar">
        <select aria-label="APN" value={apn} onChange={(e) => setApn(e.target.value)}>
          <option value="">APN…</option>
          {apnList.map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
        </select>
        <button className="btn" disabled={!apn || busy} onClick={() => send('apns', { apnIds: [apn] }, 'APN change requested.')}>Change APN</button>
      </div>
      <div className="toolbar">
        <input aria-label="New MSISDN" placeholder="MSISDN (empty: next free number)" value={msisdn} onChange={(e) => setMsisdn(e.target.value.trim())} />
        <button className="btn" disabled={busy} onClick={() => send('msisdn', msisdn ? { msisdn } : {}, 'MSISDN change requested.')}>Change MSISDN</button>
      </div>
      <div className="toolbar">
        <input aria-label="Device IMEI" placeholder="IMEI" value={imei} onChange={(e) => setImei(e.target.value.trim())} />
        {sim.imeiLock
          ? <button className="btn" disabled={busy} onClick={() => send('imei-lock', { locked: false }, 'Unlock requested.')}>Unlock device</button>
          : <button className="btn" disabled={busy} onClick={() => send('imei-lock', { locked: true, ...(imei ? { imei } : {}) }, 'Device lock requested.')}>Lock to device</button>}
      </div>
      {message && <Alert tone={message.tone}>{message.text}</Alert>}
    </Panel>
  );
}

function SimDeliveries({ simId, reloadKey }: { simId: string; reloadKey: number }) {
  const rows = useLoad((signal) => api.list<Delivery>('provisioning/deliveries', { simId, limit: 50 }, signal), [simId, reloadKey]);
  return (
    <Panel title="Provisioning deliveries">
      {rows.error && <Alert>{rows.error.message}</Alert>}
      {rows.data ? (
        <table className="table" data-testid="sim-deliveries">
          <thead><tr><th>#</th><th>Event</th><th>Target</th><th>Status</th><th>Attempts</th><th>Last error</th><th>Updated</th></tr></thead>
          <tbody>
            {rows.data.items.map((d) => (
              <tr key={d.id}>
                <td>{d.id}</td><td>{d.eventType.replace('lifecycle.sim.', '')}</td><td>{d.targetName}</td><td><StatusBadge status={d.status} /></td>
                <td>{d.attempts}/{d.maxAttempts}</td><td>{d.lastError ?? '—'}</td><td>{formatDateTime(d.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : <Spinner />}
    </Panel>
  );
}

/** SIM screens (lifecycle) and the provisioning dead-letter view. */
export const simsPages: PageDef[] = [
  { path: '/sims', element: <SimList />, permission: 'sims:read', nav: { label: 'SIMs', section: 'SIMs', order: 10 } },
  { path: '/sims/:id', element: <SimPage />, permission: 'sims:read' },
  { path: '/provisioning/dead-letters', element: <DeadLetters />, permission: 'provisioning:read', nav: { label: 'Dead letters', section: 'Provisioning', order: 10 } },
];
