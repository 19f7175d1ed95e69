import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiError, idempotencyKeyFor, newIdempotencyKey } from '../../api';
import { useAuth } from '../../auth';
import { DataTable } from '../../components/DataTable';
import { Alert, Details, Page, Panel, Spinner } from '../../components/Page';
import { StatusBadge } from '../../components/StatusBadge';
import { formatDateTime } from '../../format';
import { useLoad } from '../../hooks';
import { CatalogTabs } from './tabs';
import { SpecEditor, starterSpec } from './editor';
import { OFFER_KINDS, type Change, type Offer, type OfferDetail, type OfferKind, type Spec, type Version } from './types';

export function OfferList() {
  const auth = useAuth();
  const navigate = useNavigate();
  const [kind, setKind] = useState('');
  return (
    <Page title="Offers" subtitle="Primary plans, add-ons and account offers, with their versions."
      actions={auth.can('catalog:write') && <Link className="btn btn-primary" to="/catalog/offers/new">New offer</Link>}>
      <CatalogTabs />
      <DataTable<Offer>
        load={(p, signal) => api.list('catalog/offers', p, signal)}
        filters={{ kind }}
        searchParam="q"
        searchPlaceholder="Search code or name…"
        defaultSort="code"
        rowKey={(o) => o.id}
        onRowClick={(o) => navigate(`/catalog/offers/${o.id}`)}
        empty="No offers yet."
        toolbar={
          <select aria-label="Filter by kind" value={kind} onChange={(e) => setKind(e.target.value)}>
            <option value="">All kinds</option>
            {OFFER_KINDS.map((k) => <option key={k} value={k}>{k}</option>)}
          </select>
        }
        columns={[
          { header: 'Code', sort: 'code', render: (o) => <Link to={`/catalog/offers/${o.id}`} onClick={(e) => e.stopPropagation()}>{o.code}</Link> },
          { header: 'Name', key: 'name', sort: 'name' },
          { header: 'Kind', key: 'kind' },
          { header: 'In force', render: (o) => (o.currentVersion ? `v${o.currentVersion}` : <span className="muted">—</span>) },
          { header: 'Latest', render: (o) => <>v{o.latestVersion} <StatusBadge status={o.latestStatus} /></> },
          { header: 'Sales', render: (o) => <StatusBadge status={o.status} /> },
        ]}
      />
    </Page>
  );
}

export function OfferCreate() {
  const navigate = useNavigate();
  const [key] = useState(newIdempotencyKey);
  const [code, setCode] = useState('');
  const [kind, setKind] = useState<OfferKind>('PRIMARY');
  const [text, setText] = useState(() => starterSpec('PRIMARY'));
  const [error, setError] = useState<ApiError | null>(null);
  const save = async () => {
    setError(null);
    try {
      const body = { code: code.trim(), kind, spec: JSON.parse(text) };
      const created = await api.post<OfferDetail>('catalog/offers', body, { idempotencyKey: idempotencyKeyFor(key, body) });
      navigate(`/catalog/offers/${created.id}`);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError({ status: 0, detail: (err as Error).message }));
    }
  };
  return (
    <Page title="New offer" crumbs={[{ label: 'Offers', to: '/catalog/offers' }]}>
      <Panel>
        <div className="field-row">
          <div className="field"><label htmlFor="offer-code">Code</label><input id="offer-code" value={code} onChange={(e) => setCode(e.target.value)} /></div>
          <div className="field"><label htmlFor="offer-kind">Kind</label>
            <select id="offer-kind" value={kind} onChange={(e) => { const k = e.target.value as OfferKind; setKind(k); setText(starterSpec(k)); }}>
              {OFFER_KINDS.map((k) => <option key={k} value={k}>{k}</option>)}
            </select>
          </div>
        </div>
        <SpecEditor kind={kind} text={text} onChange={setText} />
        {error && <Alert>{error.detail}{error.errors.length > 0 && <ul>{error.errors.map((e, i) => <li key={i}><code>{e.field}</code>: {e.reason}</li>)}</ul>}</Alert>}
        <div className="form-actions"><button className="btn btn-primary" onClick={save}>Create offer</button></div>
      </Panel>
    </Page>
  );
}

export function OfferDetailPage() {
  const { id } = useParams();
  const auth = useAuth();
  const { data: o, error, reload } = useLoad((signal) => api.get<OfferDetail>(`catalog/offers/${id}`, undefined, signal), [id]);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  if (error) return <Page title="Offer" crumbs={[{ label: 'Offers', to: '/catalog/offers' }]}><Alert>{error.detail}</Alert></Page>;
  if (!o) return <Spinner />;
  const shown = o.current ?? o.latest;
  const spec = shown.spec as Spec;
  const act = async (fn: () => Promise<unknown>) => {
    setActionError(null);
    try { await fn(); reload(); } catch (err) { setActionError(err as ApiError); }
  };
  const canWrite = auth.can('catalog:write');
  return (
    <Page title={o.name} subtitle={<><code>{o.code}</code> · {o.kind} · <StatusBadge status={o.status} /></>}
      crumbs={[{ label: 'Offers', to: '/catalog/offers' }]}
      actions={canWrite && o.status === 'ACTIVE' && <button className="btn" onClick={() => act(() => api.post(`catalog/offers/${o.id}/retire`))}>Retire</button>}>
      {actionError && <Alert>{actionError.detail}{actionError.errors.length > 0 && <ul>{actionError.errors.map((e, i) => <li key={i}><code>{e.field}</code>: {e.reason}</li>)}</ul>}</Alert>}
      <Panel title={`Version ${shown.version} (${o.current ? 'in force' : 'newest'})`}>
        <Details items={[
          ['Currency', spec.currency], ['Payment mode', spec.paymentMode], ['Service category', spec.serviceCategory],
          ['Usage types', spec.usageTypes.join(', ') || '—'], ['Sales window', `${formatDateTime(spec.salesFrom ?? null)} – ${formatDateTime(spec.salesTo ?? null)}`],
        ]} />
      </Panel>
      <OfferContent spec={spec} />
      <VersionsPanel offer={o} canWrite={canWrite} act={act} />
      {canWrite && <DraftEditor offer={o} onSaved={reload} />}
      {/* Remounted when a version is added, so it compares the two newest by default. */}
      <ComparePanel key={o.versions.length} offer={o} />
      <CalculatorPanel offer={o} />
    </Page>
  );
}

/** Plans, tariffs, allowances, charges and rules of one version, read-only. */
function OfferContent({ spec }: { spec: Spec }) {
  return (
    <>
      <Panel title="Usage items and tariffs">
        <table className="datatable" data-testid="tariffs">
          <thead><tr><th>Usage type</th><th>Zone</th><th>Plan</th><th>Time type</th><th>Initial unit / charge</th><th>Additional unit / charge</th><th>Grace</th><th>Allowance</th></tr></thead>
          <tbody>
            {spec.usageItems.flatMap((item) => {
              const plan = spec.tariffPlans.find((p) => p.id === item.tariffPlan);
              const set = plan?.currencySets.find((s) => s.currency === plan.currency) ?? plan?.currencySets[0];
              return Object.entries(set?.timeTypes ?? {}).flatMap(([tt, tariffs]) => tariffs.map((t, i) => (
                <tr key={`${item.usageType}-${item.zone}-${tt}-${i}`}>
                  <td>{item.usageType}</td><td>{item.zone ?? 'every zone'}</td><td>{plan?.id}</td><td>{tt}{t.settlement ? ' (settlement)' : ''}</td>
                  <td>{t.initialUnit} {plan?.unitType} / {t.initialCharge} {t.currency}</td>
                  <td>{t.additionalUnit ?? t.initialUnit} / {t.additionalCharge ?? t.initialCharge}</td>
                  <td>{t.graceUnits ?? 0}</td><td>{t.eligibleForNonCurrency ? 'yes' : 'no'}</td>
                </tr>
              )));
            })}
          </tbody>
        </table>
      </Panel>
      <Panel title="Allowances">
        {spec.allowances.length === 0 ? <span className="muted">None.</span> : (
          <table className="datatable"><thead><tr><th>Id</th><th>Amount</th><th>Usage</th><th>Pooling</th><th>When used up</th></tr></thead>
            <tbody>{spec.allowances.map((a) => <tr key={a.id}><td>{a.id}</td><td>{a.amount.toLocaleString('en')} {a.unitType}</td><td>{a.usageTypes.join(', ')}{a.zones ? ` in ${a.zones.join(', ')}` : ''}</td><td>{a.pooling}</td><td>{a.onExhaustion}</td></tr>)}</tbody>
          </table>
        )}
      </Panel>
      <Panel title="Charges">
        <table className="datatable"><thead><tr><th>Code</th><th>Type</th><th>Amount</th><th>Terms</th></tr></thead>
          <tbody>
            {spec.recurringCharges.map((c) => <tr key={`rc-${c.code}`}><td>{c.code}</td><td>Recurring {c.frequency}</td><td>{c.amount} {spec.currency}</td><td>{c.timing}, {c.prorated ? 'prorated' : 'not prorated'}, in {c.simStates.join('/')}</td></tr>)}
            {spec.oneTimeCharges.map((c) => <tr key={`nrc-${c.code}`}><td>{c.code}</td><td>One-time {c.kind}</td><td>{c.amount} {spec.currency}</td><td /></tr>)}
          </tbody>
        </table>
        {spec.commitment && <p>Commitment: <code>{JSON.stringify(spec.commitment)}</code></p>}
        {spec.volumeTiers.length > 0 && <p>Volume tiers: {spec.volumeTiers.map((t) => `> ${t.fromSims} SIMs: ${t.discountPercent} %`).join('; ')}</p>}
      </Panel>
      <Panel title="Rules"><pre className="code">{Object.keys(spec.rules ?? {}).length ? JSON.stringify(spec.rules, null, 2) : 'No rules: generally available.'}</pre></Panel>
    </>
  );
}

function VersionsPanel({ offer, canWrite, act }: { offer: OfferDetail; canWrite: boolean; act: (fn: () => Promise<unknown>) => void }) {
  const [from, setFrom] = useState('');
  return (
    <Panel title="Version history">
      <table className="datatable" data-testid="versions">
        <thead><tr><th>Version</th><th>Status</th><th>Based on</th><th>In force from</th><th>Until</th><th /></tr></thead>
        <tbody>
          {offer.versions.map((v: Version) => (
            <tr key={v.version}>
              <td>v{v.version}</td><td><StatusBadge status={v.status} /></td><td>{v.basedOn ? `v${v.basedOn}` : '—'}</td>
              <td>{formatDateTime(v.effectiveFrom)}</td><td>{formatDateTime(v.effectiveTo)}</td>
              <td>
                {canWrite && v.status === 'DRAFT' && <button className="btn" onClick={() => act(() => api.post(`catalog/offers/${offer.id}/versions/${v.version}/approve`))}>Approve v{v.version}</button>}
                {canWrite && v.status === 'APPROVED' && (
                  <>
                    <input aria-label="Effective from" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
                    <button className="btn btn-primary" onClick={() => act(() => api.post(`catalog/offers/${offer.id}/versions/${v.version}/activate`, from ? { effectiveFrom: new Date(from).toISOString() } : {}))}>Activate v{v.version}</button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {canWrite && !offer.versions.some((v) => v.status === 'DRAFT' || v.status === 'APPROVED') && (
        <button className="btn" onClick={() => act(() => api.post(`catalog/offers/${offer.id}/versions`, {}))}>New version</button>
      )}
    </Panel>
  );
}

function DraftEditor({ offer, onSaved }: { offer: OfferDetail; onSaved: () => void }) {
  const draft = offer.latest.status === 'DRAFT' ? offer.latest : null;
  const [text, setText] = useState(() => JSON.stringify(offer.latest.spec, null, 2));
  const [error, setError] = useState<ApiError | null>(null);
  const [open, setOpen] = useState(false);
  if (!open) return <Panel title="Edit"><button className="btn" onClick={() => setOpen(true)}>{draft ? `Edit draft v${draft.version}` : 'Change (creates a new version)'}</button></Panel>;
  const save = async () => {
    setError(null);
    try {
      await api.patch(`catalog/offers/${offer.id}`, { spec: JSON.parse(text) });
      setOpen(false);
      onSaved();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError({ status: 0, detail: (err as Error).message }));
    }
  };
  return (
    <Panel title={draft ? `Edit draft v${draft.version}` : 'Change (creates a new version)'}>
      <SpecEditor kind={offer.kind} text={text} onChange={setText} offerId={offer.id} />
      {error && <Alert>{error.detail}</Alert>}
      <div className="form-actions"><button className="btn btn-primary" onClick={save}>Save draft</button><button className="btn" onClick={() => setOpen(false)}>Cancel</button></div>
    </Panel>
  );
}

function ComparePanel({ offer }: { offer: OfferDetail }) {
  const versions = offer.versions.map((v) => v.version);
  const [a, setA] = useState(String(versions[Math.max(0, versions.length - 2)]));
  const [b, setB] = useState(String(versions[versions.length - 1]));
  const { data, error } = useLoad((signal) => api.get<{ changes: Change[] }>(`catalog/offers/${offer.id}/compare`, { from: a, to: b }, signal), [offer.id, a, b, offer.latestVersion, offer.latest.id]);
  const show = (v: unknown) => (v === undefined ? <span className="muted">—</span> : <code>{JSON.stringify(v)}</code>);
  return (
    <Panel title="Compare versions">
      <label>From <select aria-label="Compare from" value={a} onChange={(e) => setA(e.target.value)}>{versions.map((v) => <option key={v} value={v}>v{v}</option>)}</select></label>{' '}
      <label>to <select aria-label="Compare to" value={b} onChange={(e) => setB(e.target.value)}>{versions.map((v) => <option key={v} value={v}>v{v}</option>)}</select></label>
      {error && <Alert>{error.detail}</Alert>}
      {data && (data.changes.length === 0 ? <p className="muted">No differences.</p> : (
        <table className="datatable" data-testid="compare"><thead><tr><th>Field</th><th>v{a}</th><th>v{b}</th></tr></thead>
          <tbody>{data.changes.map((c) => <tr key={c.path}><td><code>{c.path}</code></td><td>{show(c.before)}</td><td>{show(c.after)}</td></tr>)}</tbody>
        </table>
      ))}
    </Panel>
  );
}

interface RateResult {
  total: string;
  currency: string;
  results: { index: number; status: string; reason?: string; detail?: string; zone?: string; charge?: string; allowanceUsed?: number; exhaustion?: string | null;
    lines?: { tariff: string; timeType: string; initialUnits: number; additionalUnits: number; billedQuantity: number; charge: string }[] }[];
}

/** Price calculator: sample usage rated by the rating engine against this offer, unit by unit. */
function CalculatorPanel({ offer }: { offer: OfferDetail }) {
  const [rows, setRows] = useState([{ usageType: 'DATA', servingNetwork: '', quantity: '1048576' }]);
  const [version, setVersion] = useState(String(offer.currentVersion ?? offer.latestVersion));
  const [result, setResult] = useState<RateResult | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async () => {
    setError(null);
    try {
      setResult(await api.post<RateResult>(`catalog/offers/${offer.id}/rate`, {
        version: Number(version),
        usage: rows.map((r) => ({ usageType: r.usageType, ...(r.servingNetwork ? { servingNetwork: r.servingNetwork } : {}), quantity: Number(r.quantity) })),
      }));
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const set = (i: number, k: 'usageType' | 'servingNetwork' | 'quantity', v: string) => setRows(rows.map((r, j) => (j === i ? { ...r, [k]: v } : r)));
  return (
    <Panel title="Price calculator">
      <label>Version <select aria-label="Calculator version" value={version} onChange={(e) => setVersion(e.target.value)}>{offer.versions.map((v) => <option key={v.version} value={v.version}>v{v.version}</option>)}</select></label>
      <table className="datatable"><thead><tr><th>Usage type</th><th>Serving network (MCC-MNC)</th><th>Quantity</th></tr></thead>
        <tbody>{rows.map((r, i) => (
          <tr key={i}>
            <td><input aria-label={`Usage type ${i + 1}`} value={r.usageType} onChange={(e) => set(i, 'usageType', e.target.value)} /></td>
            <td><input aria-label={`Serving network ${i + 1}`} value={r.servingNetwork} onChange={(e) => set(i, 'servingNetwork', e.target.value)} /></td>
            <td><input aria-label={`Quantity ${i + 1}`} value={r.quantity} onChange={(e) => set(i, 'quantity', e.target.value)} /></td>
          </tr>
        ))}</tbody>
      </table>
      <button className="btn" onClick={() => setRows([...rows, { usageType: 'DATA', servingNetwork: '', quantity: '1' }])}>Add usage</button>{' '}
      <button className="btn btn-primary" onClick={run}>Rate</button>
      {error && <Alert>{error.detail}</Alert>}
      {result && (
        <div data-testid="calculator-result">
          <p><strong>Total: <span data-testid="calculator-total">{result.total}</span> {result.currency}</strong></p>
          <table className="datatable"><thead><tr><th>#</th><th>Outcome</th><th>Allowance used</th><th>Tariff lines (initial + additional units = billed → charge)</th><th>Charge</th></tr></thead>
            <tbody>{result.results.map((r) => (
              <tr key={r.index}>
                <td>{r.index + 1}</td>
                <td>{r.status === 'RATED' ? `${r.zone}${r.exhaustion ? ` (allowance used up: ${r.exhaustion})` : ''}` : `${r.reason}: ${r.detail}`}</td>
                <td>{r.allowanceUsed ?? '—'}</td>
                <td>{(r.lines ?? []).map((l, i) => <div key={i}><code>{l.tariff}</code> [{l.timeType}]: {l.initialUnits} + {l.additionalUnits} = {l.billedQuantity} → {l.charge}</div>)}</td>
                <td>{r.charge ?? '—'}</td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
