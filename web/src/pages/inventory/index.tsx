import { useState } from 'react';
import { api, session, type FieldError } from '../../api';
import { DataTable } from '../../components/DataTable';
import { Alert, Details, Page, Panel } from '../../components/Page';
import { StatusBadge } from '../../components/StatusBadge';
import { formatDateTime } from '../../format';
import { useLoad } from '../../hooks';
import type { PageDef } from '../types';

export interface SimProduct { id: string; scope: 'HOST' | 'TENANT'; name: string; formFactor: string; vendor: string; profileType: string; active: boolean }
interface RowError { line: number; field: string; reason: string }
interface Load {
  id: string; simProductId: string; fileName: string | null; status: string; totalRows: number; loadedRows: number;
  errorCount: number; createdAt: string; finishedAt: string | null; errors?: RowError[];
}
interface Sim { id: string; iccid: string; imsi: string; msisdn: string | null; simProductId: string | null; stockState: string; state: string; enterpriseId: string | null; orderId: string | null }

/** Downloads an authenticated file (CSV) through the API and saves it under `name`. */
export async function download(path: string, name: string): Promise<void> {
  const headers: Record<string, string> = {};
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  if (session.tenantId) headers['x-tenant-id'] = session.tenantId;
  const res = await fetch(path, { headers });
  if (!res.ok) throw new Error(`download failed (${res.status})`);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

/**
 * Uploads a vendor file as the raw request body (streamed by the server), reporting upload progress; XHR because
 * fetch has no upload progress. Resolves with the load (201) or the problem with every bad row (422).
 */
function uploadFile(file: File, productId: string, onProgress: (sent: number) => void): Promise<{ ok: boolean; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/inventory/loads?simProductId=${encodeURIComponent(productId)}&fileName=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('content-type', 'text/csv');
    if (session.token) xhr.setRequestHeader('authorization', `Bearer ${session.token}`);
    if (session.tenantId) xhr.setRequestHeader('x-tenant-id', session.tenantId);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      let body: Record<string, unknown> = {};
      try { body = JSON.parse(xhr.responseText); } catch { body = { detail: xhr.responseText }; }
      resolve({ ok: xhr.status === 201, body });
    };
    xhr.onerror = () => reject(new Error('the server could not be reached'));
    xhr.send(file);
  });
}

/** Load a vendor output file with live progress, then see the outcome and every bad row. */
export function SimLoads() {
  const products = useLoad((s) => api.get<{ items: SimProduct[] }>('sim-products', undefined, s), []);
  const [productId, setProductId] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [sent, setSent] = useState<number | null>(null);
  const [result, setResult] = useState<{ ok: boolean; load?: Load; problem?: { detail: string; errorCount: number; loadId: string; errors: (FieldError & { line: number })[] } } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  const start = async () => {
    if (!file || !productId) return;
    setResult(null);
    setError(null);
    setSent(0);
    try {
      const r = await uploadFile(file, productId, setSent);
      if (r.ok) setResult({ ok: true, load: r.body as unknown as Load });
      else if (Array.isArray(r.body.errors) && typeof r.body.loadId === 'string') setResult({ ok: false, problem: r.body as never });
      else setError(String(r.body.detail ?? 'the upload failed'));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSent(null);
      setReload((n) => n + 1);
    }
  };
  const percent = file && sent !== null ? Math.min(100, Math.round((sent / Math.max(1, file.size)) * 100)) : 0;

  return (
    <Page title="SIM loads" subtitle="Load a vendor output file (ICCID, IMSI, Ki, OPc, PUK1, PUK2, PIN1; eSIM: EID, matching id). A file loads entirely or not at all.">
      <Panel title="New load">
        <div className="field-row">
          <div className="field">
            <label htmlFor="load-product">SIM product</label>
            <select id="load-product" value={productId} onChange={(e) => setProductId(e.target.value)}>
              <option value="">Choose…</option>
              {(products.data?.items ?? []).map((p) => <option key={p.id} value={p.id}>{p.name} ({p.formFactor}{p.scope === 'HOST' ? ', host' : ''})</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor="load-file">Vendor file (CSV)</label>
            <input id="load-file" type="file" accept=".csv,text/csv,text/plain" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          </div>
        </div>
        <button type="button" className="btn btn-primary" disabled={!file || !productId || sent !== null} onClick={start}>Load file</button>
        {sent !== null && (
          <div className="load-progress" data-testid="load-progress">
            <progress max={100} value={percent} aria-label="Upload progress" /> {percent}% sent — checking and loading rows…
          </div>
        )}
        {error && <Alert>{error}</Alert>}
        {result?.ok && result.load && (
          <Alert tone="success"><span data-testid="load-outcome">Loaded {result.load.loadedRows} SIMs from {result.load.fileName}.</span></Alert>
        )}
        {result && !result.ok && result.problem && (
          <>
            <Alert><span data-testid="load-outcome">Nothing was loaded: {result.problem.detail}</span></Alert>
            <table data-testid="row-report">
              <thead><tr><th>Line</th><th>Field</th><th>Reason</th></tr></thead>
              <tbody>{result.problem.errors.map((e, i) => <tr key={i}><td>{e.line}</td><td><code>{e.field}</code></td><td>{e.reason}</td></tr>)}</tbody>
            </table>
            <button type="button" className="btn btn-sm" onClick={() => download(`/api/v1/inventory/loads/${result.problem!.loadId}/errors.csv`, 'load-errors.csv')}>
              Download all {result.problem.errorCount} problems (CSV)
            </button>
          </>
        )}
      </Panel>
      <Panel title="Loads">
        <DataTable<Load>
          load={(p, signal) => api.list('inventory/loads', p, signal)}
          reloadKey={reload}
          rowKey={(l) => l.id}
          defaultSort="-createdAt"
          empty="No loads yet."
          columns={[
            { header: 'File', render: (l) => l.fileName ?? '—' },
            { header: 'Product', render: (l) => products.data?.items.find((p) => p.id === l.simProductId)?.name ?? l.simProductId.slice(0, 8) },
            { header: 'Status', render: (l) => <StatusBadge status={l.status} /> },
            { header: 'Rows', align: 'right', render: (l) => l.totalRows },
            { header: 'Loaded', align: 'right', render: (l) => l.loadedRows },
            { header: 'Problems', align: 'right', render: (l) => l.errorCount },
            { header: 'Started', sort: 'createdAt', render: (l) => formatDateTime(l.createdAt) },
          ]}
        />
      </Panel>
    </Page>
  );
}

/** The SIMs in stock and allocated, with the stock report download. */
export function SimStock() {
  const [stockState, setStockState] = useState('');
  const report = useLoad((s) => api.get<{ items: SimProduct[] }>('sim-products', undefined, s), []);
  return (
    <Page title="SIM stock" actions={<button type="button" className="btn" onClick={() => download('/api/v1/inventory/stock-report.csv', 'stock-report.csv')}>Stock report (CSV)</button>}>
      <DataTable<Sim>
        load={(p, signal) => api.list('inventory/sims', p, signal)}
        filters={{ stockState }}
        searchParam="q"
        searchPlaceholder="ICCID, IMSI or MSISDN starts with…"
        rowKey={(s) => s.id}
        defaultSort="iccid"
        toolbar={
          <select aria-label="Filter by stock state" value={stockState} onChange={(e) => setStockState(e.target.value)}>
            <option value="">All</option>
            {['AVAILABLE', 'ALLOCATED', 'RETIRED'].map((s) => <option key={s}>{s}</option>)}
          </select>
        }
        columns={[
          { header: 'ICCID', sort: 'iccid', render: (s) => <code>{s.iccid}</code> },
          { header: 'IMSI', render: (s) => <code>{s.imsi}</code> },
          { header: 'MSISDN', render: (s) => s.msisdn ?? '—' },
          { header: 'Product', render: (s) => report.data?.items.find((p) => p.id === s.simProductId)?.name ?? '—' },
          { header: 'Stock', render: (s) => <StatusBadge status={s.stockState} /> },
          { header: 'State', render: (s) => <StatusBadge status={s.state} /> },
        ]}
      />
    </Page>
  );
}

/** SIM products: host-wide ones and the tenant's own. */
export function SimProducts() {
  const products = useLoad((s) => api.get<{ items: SimProduct[] }>('sim-products', undefined, s), []);
  return (
    <Page title="SIM products">
      {products.error && <Alert>{products.error.detail}</Alert>}
      <Panel>
        <table>
          <thead><tr><th>Name</th><th>Form factor</th><th>Vendor</th><th>Profile</th><th>Scope</th></tr></thead>
          <tbody>{(products.data?.items ?? []).map((p) => (
            <tr key={p.id}><td>{p.name}</td><td>{p.formFactor}</td><td>{p.vendor}</td><td>{p.profileType}</td><td>{p.scope === 'HOST' ? 'host-wide' : 'tenant'}</td></tr>
          ))}</tbody>
        </table>
        {products.data && <Details items={[['Products', products.data.items.length]]} />}
      </Panel>
    </Page>
  );
}

export const inventoryPages: PageDef[] = [
  { path: '/inventory/loads', element: <SimLoads />, permission: 'inventory:write', nav: { label: 'SIM loads', section: 'Inventory', order: 10 } },
  { path: '/inventory/sims', element: <SimStock />, permission: 'inventory:read', nav: { label: 'SIM stock', section: 'Inventory', order: 20 } },
  { path: '/inventory/products', element: <SimProducts />, permission: 'inventory:read', nav: { label: 'SIM products', section: 'Inventory', order: 30 } },
];
