import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiError, idempotencyKeyFor, newIdempotencyKey, type Page as ApiPage } from '../../api';
import { useAuth } from '../../auth';
import { DataTable } from '../../components/DataTable';
import { CheckboxField, FieldRow, Form, SelectField, TextField, rules, useForm } from '../../components/Form';
import { Alert, Details, Page, Panel, Spinner } from '../../components/Page';
import { StatusBadge } from '../../components/StatusBadge';
import { formatDateTime } from '../../format';
import { useLoad } from '../../hooks';
import { download, type SimProduct } from '../inventory';
import type { PageDef } from '../types';

interface Order {
  id: string; enterpriseId: string; businessUnitId: string; simProductId: string; esim: boolean; quantity: number;
  offerId: string | null; apnIds: string[]; externalId: string | null; state: string; stateReason: string | null;
  trackingRef: string | null; createdAt: string; completedAt: string | null;
  deliveryAddress: { name: string; street: string; postcode: string; city: string; country: string } | null;
  history?: { seq: number; fromState: string | null; toState: string; reason: string | null; at: string }[];
}
interface Allocation { orderId: string; state: string; items: { id: string; iccid: string; imsi: string; msisdn: string | null; eid: string | null; matchingId: string | null }[] }
interface Named { id: string; name: string }

export function OrderList() {
  const navigate = useNavigate();
  const { can } = useAuth();
  const [state, setState] = useState('');
  const products = useLoad((s) => api.get<{ items: SimProduct[] }>('sim-products', undefined, s), []);
  return (
    <Page title="SIM orders" actions={can('orders:place') && <Link className="btn btn-primary" to="/orders/new">Place order</Link>}>
      <DataTable<Order>
        load={(p, signal) => api.list('orders', p, signal)}
        filters={{ state }}
        rowKey={(o) => o.id}
        defaultSort="-createdAt"
        onRowClick={(o) => navigate(`/orders/${o.id}`)}
        empty="No orders yet."
        toolbar={
          <select aria-label="Filter by state" value={state} onChange={(e) => setState(e.target.value)}>
            <option value="">All states</option>
            {['AWAITING_APPROVAL', 'PENDING', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'CANCELLED'].map((s) => <option key={s}>{s}</option>)}
          </select>
        }
        columns={[
          { header: 'Order', render: (o) => <Link to={`/orders/${o.id}`} onClick={(e) => e.stopPropagation()}><code>{o.id.slice(0, 8)}</code></Link> },
          { header: 'Product', render: (o) => products.data?.items.find((p) => p.id === o.simProductId)?.name ?? '—' },
          { header: 'Quantity', align: 'right', key: 'quantity' },
          { header: 'State', render: (o) => <StatusBadge status={o.state} /> },
          { header: 'PO', render: (o) => o.externalId ?? '—' },
          { header: 'Placed', sort: 'createdAt', render: (o) => formatDateTime(o.createdAt) },
        ]}
      />
    </Page>
  );
}

type NewOrder = {
  enterpriseId: string; businessUnitId: string; simProductId: string; quantity: string; offerId: string; apnId: string; externalId: string;
  name: string; street: string; postcode: string; city: string; country: string; confirm: boolean;
};

export function OrderCreate() {
  const navigate = useNavigate();
  const { user } = useAuth();
  const [key] = useState(newIdempotencyKey);
  const ownEnterprise = user?.enterpriseId ?? null;
  const products = useLoad((s) => api.get<{ items: SimProduct[] }>('sim-products', undefined, s), []);
  const offers = useLoad((s) => api.list<Named & { code: string }>('catalog/offers', { kind: 'PRIMARY', limit: 200 }, s), []);
  const apns = useLoad((s) => api.get<{ items: Named[] }>('apns', undefined, s), []);
  const enterprises = useLoad((s) => (ownEnterprise ? Promise.resolve({ items: [], nextCursor: null } as ApiPage<Named>) : api.list<Named>('enterprises', { limit: 200 }, s)), [ownEnterprise]);
  const form = useForm<NewOrder>({
    initial: { enterpriseId: ownEnterprise ?? '', businessUnitId: '', simProductId: '', quantity: '1', offerId: '', apnId: '', externalId: '',
      name: '', street: '', postcode: '', city: '', country: '', confirm: false },
    validate: (v) => {
      const physical = products.data?.items.find((p) => p.id === v.simProductId)?.formFactor !== 'ESIM';
      return {
        enterpriseId: rules.required(v.enterpriseId), businessUnitId: rules.required(v.businessUnitId), simProductId: rules.required(v.simProductId),
        quantity: rules.all(rules.required, rules.integer(1, 100000))(v.quantity),
        ...(physical && v.simProductId ? {
          name: rules.required(v.name), street: rules.required(v.street), postcode: rules.required(v.postcode), city: rules.required(v.city),
          country: rules.all(rules.required, rules.pattern(/^[A-Z]{2}$/, 'must be a two-letter country code'))(v.country),
        } : {}),
      };
    },
    onSubmit: async (v) => {
      const esim = products.data?.items.find((p) => p.id === v.simProductId)?.formFactor === 'ESIM';
      const body = {
        ...(ownEnterprise ? {} : { enterpriseId: v.enterpriseId }), businessUnitId: v.businessUnitId, simProductId: v.simProductId,
        quantity: Number(v.quantity), offerId: v.offerId || null, apnIds: v.apnId ? [v.apnId] : [], externalId: v.externalId || null,
        deliveryAddress: esim ? null : { name: v.name, street: v.street, postcode: v.postcode, city: v.city, country: v.country },
      };
      // Refusals (409 order-refused) name their field; the form shows the reason there and above the buttons.
      const o = await api.post<Order>('orders', body, { idempotencyKey: idempotencyKeyFor(key, body) });
      navigate(`/orders/${o.id}`);
    },
  });
  const units = useLoad((s) => (form.values.enterpriseId ? api.list<Named>(`enterprises/${form.values.enterpriseId}/business-units`, { limit: 200 }, s) : Promise.resolve({ items: [], nextCursor: null } as ApiPage<Named>)), [form.values.enterpriseId]);
  const chosen = products.data?.items.find((p) => p.id === form.values.simProductId);
  const physical = chosen && chosen.formFactor !== 'ESIM';
  return (
    <Page title="Place a SIM order" crumbs={[{ label: 'SIM orders', to: '/orders' }]}>
      <Panel>
        <Form form={form} submitLabel="Place order" onCancel={() => navigate('/orders')}>
          {!ownEnterprise && <SelectField field={form.field('enterpriseId')} label="Enterprise" required emptyLabel="Choose…" options={(enterprises.data?.items ?? []).map((e) => ({ value: e.id, label: e.name }))} />}
          <FieldRow>
            <SelectField field={form.field('businessUnitId')} label="Business unit" required emptyLabel="Choose…" options={(units.data?.items ?? []).map((u) => ({ value: u.id, label: u.name }))} />
            <SelectField field={form.field('simProductId')} label="SIM product" required emptyLabel="Choose…" options={(products.data?.items ?? []).filter((p) => p.active).map((p) => ({ value: p.id, label: `${p.name} (${p.formFactor})` }))} />
          </FieldRow>
          <FieldRow>
            <TextField field={form.field('quantity')} label="Quantity" type="number" required />
            <SelectField field={form.field('offerId')} label="Plan" emptyLabel="No plan yet" options={(offers.data?.items ?? []).map((o) => ({ value: o.id, label: `${o.code} — ${o.name}` }))} />
          </FieldRow>
          <FieldRow>
            <SelectField field={form.field('apnId')} label="APN" emptyLabel="None" options={(apns.data?.items ?? []).map((a) => ({ value: a.id, label: a.name }))} />
            <TextField field={form.field('externalId')} label="Your purchase order number" />
          </FieldRow>
          {physical && (
            <>
              <h3>Delivery address</h3>
              <FieldRow>
                <TextField field={form.field('name')} label="Recipient" required />
                <TextField field={form.field('street')} label="Street" required />
              </FieldRow>
              <FieldRow>
                <TextField field={form.field('postcode')} label="Postcode" required />
                <TextField field={form.field('city')} label="City" required />
              </FieldRow>
              <TextField field={form.field('country')} label="Country (ISO code)" required placeholder="DE" />
            </>
          )}
          {chosen?.formFactor === 'ESIM' && <CheckboxField field={form.field('confirm')} label="eSIM profiles are allocated at once" hint="No delivery needed: the allocation list carries each profile's matching id." />}
        </Form>
      </Panel>
    </Page>
  );
}

export function OrderDetail() {
  const { id } = useParams();
  const { can } = useAuth();
  const order = useLoad((s) => api.get<Order>(`orders/${id}`, undefined, s), [id]);
  const alloc = useLoad((s) => api.get<Allocation>(`orders/${id}/allocation`, undefined, s), [id, order.data?.state]);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const crumbs = [{ label: 'SIM orders', to: '/orders' }];
  if (order.error) return <Page title="Order" crumbs={crumbs}><Alert>{order.error.detail}</Alert></Page>;
  const o = order.data;
  if (!o) return <Spinner />;
  const act = async (action: string, body: unknown = {}) => {
    setBusy(action);
    setError(null);
    try {
      await api.post(`orders/${o.id}/${action}`, body);
      order.reload();
    } catch (e) {
      setError(e instanceof ApiError ? e.detail : (e as Error).message);
    } finally {
      setBusy(null);
    }
  };
  const actions = (
    <>
      {o.state === 'AWAITING_APPROVAL' && can('orders:approve') && <>
        <button type="button" className="btn btn-primary" disabled={!!busy} onClick={() => act('approve')}>Approve</button>
        <button type="button" className="btn" disabled={!!busy} onClick={() => { const r = window.prompt('Why is the order rejected?'); if (r) void act('reject', { reason: r }); }}>Reject</button>
      </>}
      {(o.state === 'AWAITING_APPROVAL' || o.state === 'PENDING') && can('orders:place') && <button type="button" className="btn" disabled={!!busy} onClick={() => act('cancel')}>Cancel order</button>}
      {o.state === 'IN_PROGRESS' && can('orders:approve') && <button type="button" className="btn btn-primary" disabled={!!busy} onClick={() => act('complete', {})}>Mark shipped</button>}
      <button type="button" className="btn" onClick={order.reload}>Refresh</button>
    </>
  );
  return (
    <Page title={<>Order <code>{o.id.slice(0, 8)}</code></>} crumbs={crumbs} actions={actions}>
      {error && <Alert>{error}</Alert>}
      <Panel title="Order">
        <Details items={[
          ['State', <span data-testid="order-state"><StatusBadge status={o.state} /></span>],
          ['Reason', o.stateReason],
          ['Quantity', o.quantity],
          ['Kind', o.esim ? 'eSIM (allocated at once)' : 'physical SIMs'],
          ['Purchase order', o.externalId],
          ['Delivery', o.deliveryAddress ? `${o.deliveryAddress.name}, ${o.deliveryAddress.street}, ${o.deliveryAddress.postcode} ${o.deliveryAddress.city}, ${o.deliveryAddress.country}` : null],
          ['Tracking', o.trackingRef],
          ['Placed', formatDateTime(o.createdAt)],
          ['Completed', formatDateTime(o.completedAt)],
        ]} />
      </Panel>
      <Panel title="History">
        <table data-testid="order-history">
          <thead><tr><th>When</th><th>From</th><th>To</th><th>Reason</th></tr></thead>
          <tbody>{(o.history ?? []).map((h) => <tr key={h.seq}><td>{formatDateTime(h.at)}</td><td>{h.fromState ?? '—'}</td><td><StatusBadge status={h.toState} /></td><td>{h.reason ?? ''}</td></tr>)}</tbody>
        </table>
      </Panel>
      <Panel title={`Allocation list (${alloc.data?.items.length ?? 0})`} actions={(alloc.data?.items.length ?? 0) > 0 && (
        <button type="button" className="btn btn-sm" onClick={() => download(`/api/v1/orders/${o.id}/allocation.csv`, `order-${o.id.slice(0, 8)}-allocation.csv`)}>Download CSV</button>
      )}>
        {alloc.data && alloc.data.items.length === 0 ? <p className="muted">No SIMs allocated yet.</p> : (
          <table data-testid="allocation">
            <thead><tr><th>ICCID</th><th>IMSI</th><th>MSISDN</th>{o.esim && <th>Matching id</th>}</tr></thead>
            <tbody>{(alloc.data?.items ?? []).map((s) => <tr key={s.id}><td><code>{s.iccid}</code></td><td><code>{s.imsi}</code></td><td>{s.msisdn ?? '—'}</td>{o.esim && <td><code>{s.matchingId}</code></td>}</tr>)}</tbody>
          </table>
        )}
      </Panel>
    </Page>
  );
}

export const ordersPages: PageDef[] = [
  { path: '/orders', element: <OrderList />, permission: 'orders:read', nav: { label: 'SIM orders', section: 'Orders', order: 10 } },
  { path: '/orders/new', element: <OrderCreate />, permission: 'orders:place' },
  { path: '/orders/:id', element: <OrderDetail />, permission: 'orders:read' },
];
