import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { createTenantFixture, type Headers, type TenantFixture } from '../support/fixtures';
import { simFile, SIM_HEADER, simLine } from '../support/sim-files';
import { systemContext } from '../../src/platform/auth';
import { deliverDueEvents } from '../../src/platform/events';
import { iotPlan } from '../../src/modules/catalog/catalog.fixtures';
import { createZones } from '../catalog/helpers';

let t: TestPlatform;
let f: TenantFixture;
let physical: string, esim: string, esimRace: string;
let plan: string, privatePlan: string;
let apn: string;
let bu: string;

const call = (method: 'GET' | 'POST' | 'PUT', url: string, headers: Headers, payload?: unknown) =>
  t.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
const address = { name: 'Acme Goods-in', street: '1 Dock Road', postcode: '20457', city: 'Hamburg', country: 'DE' };
const sys = () => t.platform.core.dbs.system.bind(t.platform.core.dbs);
const eventsOf = async (id: string) => (await sys()((tx) => sql<{ type: string }>`select type from outbox_events where aggregate_id = ${id} order by id`.execute(tx))).rows.map((r) => r.type);

async function loadFile(productId: string, body: string) {
  const r = await t.platform.modules.inventory.loadSims(systemContext(f.tenantId), { simProductId: productId, source: Readable.from([body]) });
  expect(r.errors).toEqual([]);
  expect(r.status).toBe('LOADED');
}
function esimFile(from: number, count: number, prefix: string): string {
  const lines = [SIM_HEADER + ',MATCHING_ID'];
  for (let i = from; i < from + count; i++) lines.push(`${simLine(i, { iccidPrefix: prefix })},MATCH-${prefix}-${i}`);
  return lines.join('\n');
}
async function product(name: string, formFactor: string) {
  const r = await call('POST', '/api/v1/sim-products', f.headers.tenantAdmin, { name, formFactor, vendor: 'Acme', profileType: 'M2M' });
  return r.json().id as string;
}
async function offer(code: string, spec: object) {
  const r = await call('POST', '/api/v1/catalog/offers', f.headers.tenantAdmin, { code, kind: 'PRIMARY', spec });
  expect(r.statusCode).toBe(201);
  const id = r.json().id;
  expect((await call('POST', `/api/v1/catalog/offers/${id}/versions/1/approve`, f.headers.tenantAdmin)).statusCode).toBe(200);
  expect((await call('POST', `/api/v1/catalog/offers/${id}/versions/1/activate`, f.headers.tenantAdmin, {})).statusCode).toBe(200);
  return id as string;
}

beforeAll(async () => {
  t = await startTestPlatform();
  f = await createTenantFixture(t.platform);
  bu = f.businessUnitIds[0];
  await sys()((tx) => sql`update tenants set plmns = '{00101}' where id = ${f.tenantId}`.execute(tx));
  await createZones(t, f.headers.tenantAdmin);
  plan = await offer('IOT10', iotPlan());
  privatePlan = await offer('PRIV', iotPlan({ name: 'Private', availableTo: [f.otherEnterpriseId] }));
  physical = await product('Industrial 4FF', '4FF');
  esim = await product('Consumer eSIM', 'ESIM');
  esimRace = await product('Race eSIM', 'ESIM');
  await loadFile(physical, simFile(1, 30, { iccidPrefix: '8949001' }));
  await loadFile(esim, esimFile(1001, 40, '8949002'));
  await loadFile(esimRace, esimFile(2001, 100, '8949003'));
  apn = (await call('POST', '/api/v1/apns', f.headers.tenantAdmin, { name: 'iot.acme', type: 'PRIVATE', ipAllocation: 'DYNAMIC', enterpriseIds: [f.enterpriseId] })).json().id;
  const pool = (await call('POST', '/api/v1/msisdn-pools', f.headers.tenantAdmin, { name: 'DE mobile', quarantineDays: 30 })).json().id;
  const numbers = await call('POST', `/api/v1/msisdn-pools/${pool}/numbers`, f.headers.tenantAdmin, { ranges: [{ from: '4915100000000', to: '4915100000299' }] });
  expect(numbers.json()).toEqual({ poolId: pool, loaded: 300 });
}, 120_000);
afterAll(async () => t?.close());

describe('eSIM orders', () => {
  it('allocate at once: SIMs, MSISDNs, plan and APN, in WARM, with history and events', async () => {
    const r = await call('POST', '/api/v1/orders', f.headers.enterpriseAdmin, { businessUnitId: bu, simProductId: esim, quantity: 3, offerId: plan, apnIds: [apn], externalId: 'PO-77' });
    expect(r.statusCode).toBe(201);
    const order = r.json();
    expect(order).toMatchObject({ state: 'COMPLETED', enterpriseId: f.enterpriseId, esim: true, quantity: 3, externalId: 'PO-77' });

    const alloc = (await call('GET', `/api/v1/orders/${order.id}/allocation`, f.headers.enterpriseUser)).json();
    expect(alloc.items).toHaveLength(3);
    expect(alloc.items.every((s: { msisdn: string; matchingId: string }) => /^49151/.test(s.msisdn) && s.matchingId.startsWith('MATCH-'))).toBe(true);
    const sims = (await call('GET', `/api/v1/inventory/sims?orderId=${order.id}`, f.headers.tenantAdmin)).json().items;
    expect(sims.map((s: { state: string; stockState: string; planOfferId: string; apnIds: string[]; enterpriseId: string; businessUnitId: string }) =>
      [s.state, s.stockState, s.planOfferId, s.apnIds, s.enterpriseId, s.businessUnitId]))
      .toEqual(Array(3).fill(['WARM', 'ALLOCATED', plan, [apn], f.enterpriseId, bu]));

    const detail = (await call('GET', `/api/v1/orders/${order.id}`, f.headers.enterpriseAdmin)).json();
    expect(detail.history.map((h: { fromState: string | null; toState: string }) => `${h.fromState}>${h.toState}`)).toEqual(['null>PENDING', 'PENDING>IN_PROGRESS', 'IN_PROGRESS>COMPLETED']);
    expect(await eventsOf(order.id)).toEqual(['orders.order.placed', 'orders.order.allocated', 'orders.order.completed']);
    expect(await eventsOf(sims[0].id)).toEqual(['inventory.sim.allocated']);
    const numbers = await sys()((tx) => sql<{ state: string; sim_id: string }>`select state, sim_id from msisdns where msisdn = any(${alloc.items.map((s: { msisdn: string }) => s.msisdn)})`.execute(tx));
    expect(numbers.rows.every((n) => n.state === 'ASSIGNED')).toBe(true);
    expect(new Set(numbers.rows.map((n) => n.sim_id))).toEqual(new Set(alloc.items.map((s: { id: string }) => s.id)));
  });

  it('is visible to its enterprise and the tenant, not to another enterprise; enterprise users cannot order', async () => {
    const r = await call('POST', '/api/v1/orders', f.headers.enterpriseAdmin, { businessUnitId: bu, simProductId: esim, quantity: 1 });
    expect(r.statusCode).toBe(201);
    expect((await call('GET', `/api/v1/orders/${r.json().id}`, f.headers.otherEnterpriseUser)).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/orders/${r.json().id}/allocation.csv`, f.headers.otherEnterpriseUser)).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/orders', f.headers.otherEnterpriseUser)).json().items).toEqual([]);
    expect((await call('GET', `/api/v1/orders/${r.json().id}`, f.headers.tenantCsr)).statusCode).toBe(200);
    expect((await call('POST', '/api/v1/orders', f.headers.enterpriseUser, { businessUnitId: bu, simProductId: esim, quantity: 1 })).statusCode).toBe(403);
    const other = await call('POST', '/api/v1/orders', f.headers.enterpriseAdmin, { businessUnitId: f.businessUnitIds[2], simProductId: esim, quantity: 1 });
    expect(other.statusCode).toBe(422);
    expect(other.json().errors).toEqual([{ field: 'businessUnitId', reason: 'is not a business unit of the ordering enterprise' }]);
  });
});

describe('physical orders', () => {
  it('go PENDING to the tenant IT system, are allocated by the worker, list their SIMs for logistics and complete on shipping', async () => {
    const r = await call('POST', '/api/v1/orders', f.headers.enterpriseAdmin, { businessUnitId: bu, simProductId: physical, quantity: 5, offerId: plan, deliveryAddress: address });
    expect(r.statusCode).toBe(201);
    const id = r.json().id;
    expect(r.json()).toMatchObject({ state: 'PENDING', esim: false, deliveryAddress: address });
    expect((await call('GET', `/api/v1/orders/${id}/allocation`, f.headers.tenantCsr)).json().items).toEqual([]);

    await deliverDueEvents(t.platform.core.dbs, t.platform.core.bus, { maxAttempts: 3 });
    const after = (await call('GET', `/api/v1/orders/${id}`, f.headers.tenantCsr)).json();
    expect(after.state).toBe('IN_PROGRESS');
    const csv = await call('GET', `/api/v1/orders/${id}/allocation.csv`, f.headers.tenantCsr);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('order_id,iccid,imsi,msisdn,eid,matching_id');
    expect(lines).toHaveLength(6);
    expect(lines.slice(1).every((l: string) => l.startsWith(`${id},8949001`))).toBe(true);

    const cancel = await call('POST', `/api/v1/orders/${id}/cancel`, f.headers.enterpriseAdmin, {});
    expect(cancel.statusCode).toBe(409);
    expect(cancel.json().detail).toContain('allocated already');
    expect((await call('POST', `/api/v1/orders/${id}/complete`, f.headers.enterpriseAdmin, {})).statusCode).toBe(403);
    const done = await call('POST', `/api/v1/orders/${id}/complete`, f.headers.tenantCsr, { trackingRef: 'DHL 123' });
    expect(done.json()).toMatchObject({ state: 'COMPLETED', trackingRef: 'DHL 123' });
  });

  it('can be cancelled while not yet allocated, and then never get SIMs', async () => {
    const r = await call('POST', '/api/v1/orders', f.headers.enterpriseAdmin, { businessUnitId: bu, simProductId: physical, quantity: 2, deliveryAddress: address });
    const id = r.json().id;
    const cancel = await call('POST', `/api/v1/orders/${id}/cancel`, f.headers.enterpriseAdmin, { reason: 'ordered twice' });
    expect(cancel.json()).toMatchObject({ state: 'CANCELLED', stateReason: 'ordered twice' });
    await deliverDueEvents(t.platform.core.dbs, t.platform.core.bus, { maxAttempts: 3 });
    expect((await call('GET', `/api/v1/orders/${id}/allocation`, f.headers.tenantCsr)).json()).toMatchObject({ state: 'CANCELLED', items: [] });
    expect(await eventsOf(id)).toEqual(['orders.order.placed', 'orders.order.cancelled']);
  });

  it('fail with the reason when stock ran short between placing and allocation', async () => {
    const stock = async () => (await sys()((tx) => sql<{ n: number }>`select count(*)::int as n from sims where sim_product_id = ${physical} and stock_state = 'AVAILABLE'`.execute(tx))).rows[0].n;
    const left = await stock();
    const first = (await call('POST', '/api/v1/orders', f.headers.enterpriseAdmin, { businessUnitId: bu, simProductId: physical, quantity: left - 1, deliveryAddress: address })).json();
    const second = (await call('POST', '/api/v1/orders', f.headers.enterpriseAdmin, { businessUnitId: bu, simProductId: physical, quantity: 2, deliveryAddress: address })).json();
    expect([first.state, second.state]).toEqual(['PENDING', 'PENDING']);
    await deliverDueEvents(t.platform.core.dbs, t.platform.core.bus, { maxAttempts: 3 });
    const a = (await call('GET', `/api/v1/orders/${first.id}`, f.headers.tenantCsr)).json();
    const b = (await call('GET', `/api/v1/orders/${second.id}`, f.headers.tenantCsr)).json();
    expect(a.state).toBe('IN_PROGRESS');
    expect(b).toMatchObject({ state: 'FAILED', stateReason: 'stock is short: 1 SIM(s) of this product are free, 2 ordered' });
    expect((await call('GET', `/api/v1/orders/${second.id}/allocation`, f.headers.tenantCsr)).json().items).toEqual([]);
    expect(await stock()).toBe(1);
    expect(await eventsOf(second.id)).toEqual(['orders.order.placed', 'orders.order.failed']);
  });

  it('need a delivery address', async () => {
    const r = await call('POST', '/api/v1/orders', f.headers.enterpriseAdmin, { businessUnitId: bu, simProductId: physical, quantity: 1 });
    expect(r.statusCode).toBe(422);
    expect(r.json().errors).toEqual([{ field: 'deliveryAddress', reason: 'is required for physical SIMs' }]);
  });
});

describe('approval', () => {
  it('holds orders until the tenant approves (SIMs start in the configured state) or rejects them', async () => {
    const set = await call('PUT', '/api/v1/orders/settings', f.headers.tenantAdmin, { requireApproval: true, initialSimState: 'READY', assignMsisdns: true });
    expect(set.statusCode).toBe(200);
    try {
      const a = (await call('POST', '/api/v1/orders', f.headers.enterpriseAdmin, { businessUnitId: bu, simProductId: esim, quantity: 2, offerId: plan })).json();
      expect(a.state).toBe('AWAITING_APPROVAL');
      expect((await call('GET', `/api/v1/orders/${a.id}/allocation`, f.headers.enterpriseAdmin)).json().items).toEqual([]);
      expect((await call('POST', `/api/v1/orders/${a.id}/approve`, f.headers.enterpriseAdmin)).statusCode).toBe(403);
      const approved = await call('POST', `/api/v1/orders/${a.id}/approve`, f.headers.tenantCsr);
      expect(approved.json().state).toBe('COMPLETED');
      const sims = (await call('GET', `/api/v1/inventory/sims?orderId=${a.id}`, f.headers.tenantAdmin)).json().items;
      expect(sims.map((s: { state: string }) => s.state)).toEqual(['READY', 'READY']);
      expect((await call('POST', `/api/v1/orders/${a.id}/approve`, f.headers.tenantCsr)).statusCode).toBe(409);

      const b = (await call('POST', '/api/v1/orders', f.headers.enterpriseAdmin, { businessUnitId: bu, simProductId: esim, quantity: 1 })).json();
      const rejected = await call('POST', `/api/v1/orders/${b.id}/reject`, f.headers.tenantAdmin, { reason: 'credit check' });
      expect(rejected.json()).toMatchObject({ state: 'CANCELLED', stateReason: 'rejected: credit check' });
      expect(await eventsOf(b.id)).toEqual(['orders.order.awaiting_approval', 'orders.order.rejected']);
    } finally {
      await call('PUT', '/api/v1/orders/settings', f.headers.tenantAdmin, { requireApproval: false, initialSimState: 'WARM', assignMsisdns: true });
    }
  });
});

describe('refusals', () => {
  it('refuses a suspended account, short stock and a plan not sellable to the enterprise, with the reason', async () => {
    const before = (await call('GET', '/api/v1/orders?limit=500', f.headers.tenantAdmin)).json().items.length;
    await sys()((tx) => sql`update business_units set status = 'SUSPENDED' where id = ${bu}`.execute(tx));
    const suspended = await call('POST', '/api/v1/orders', f.headers.enterpriseAdmin, { businessUnitId: bu, simProductId: esim, quantity: 1 });
    await sys()((tx) => sql`update business_units set status = 'ACTIVE' where id = ${bu}`.execute(tx));
    expect(suspended.statusCode).toBe(409);
    expect(suspended.json()).toMatchObject({ reason: 'ACCOUNT_NOT_ACTIVE', detail: 'the account is suspended: no SIMs can be ordered for it' });

    await sys()((tx) => sql`update enterprises set status = 'TERMINATED' where id = ${f.enterpriseId}`.execute(tx));
    const terminated = await call('POST', '/api/v1/orders', f.headers.tenantCsr, { enterpriseId: f.enterpriseId, businessUnitId: bu, simProductId: esim, quantity: 1 });
    await sys()((tx) => sql`update enterprises set status = 'ACTIVE' where id = ${f.enterpriseId}`.execute(tx));
    expect(terminated.json()).toMatchObject({ status: 409, reason: 'ACCOUNT_NOT_ACTIVE' });

    const short = await call('POST', '/api/v1/orders', f.headers.enterpriseAdmin, { businessUnitId: bu, simProductId: physical, quantity: 1000, deliveryAddress: address });
    expect(short.statusCode).toBe(409);
    expect(short.json()).toMatchObject({ reason: 'STOCK_SHORT', errors: [{ field: 'quantity', reason: expect.stringMatching(/^only \d+ in stock$/) }] });

    const notSellable = await call('POST', '/api/v1/orders', f.headers.enterpriseAdmin, { businessUnitId: bu, simProductId: esim, quantity: 1, offerId: privatePlan });
    expect(notSellable.statusCode).toBe(409);
    expect(notSellable.json()).toMatchObject({ reason: 'PLAN_NOT_SELLABLE', errors: [{ field: 'offerId' }] });

    const badApn = await call('POST', '/api/v1/orders', f.headers.otherEnterpriseUser, { businessUnitId: f.businessUnitIds[2], simProductId: esim, quantity: 1, apnIds: [apn] });
    expect(badApn.statusCode).toBe(403); // enterprise_user has no orders:place
    expect((await call('GET', '/api/v1/orders?limit=500', f.headers.tenantAdmin)).json().items.length).toBe(before);
  });
});

describe('concurrency', () => {
  it('25 parallel orders take 100 SIMs and 100 MSISDNs without any taken twice; further orders are refused for stock', async () => {
    const place = () => call('POST', '/api/v1/orders', f.headers.enterpriseAdmin, { businessUnitId: bu, simProductId: esimRace, quantity: 4 });
    const results = await Promise.all(Array.from({ length: 25 }, place));
    expect(results.map((r) => r.statusCode)).toEqual(Array(25).fill(201));
    const allocated = await sys()((tx) => sql<{ n: number; iccids: number; orders: number; msisdns: number }>`
      select count(*)::int as n, count(distinct iccid)::int as iccids, count(distinct order_id)::int as orders, count(distinct msisdn)::int as msisdns
        from sims where tenant_id = ${f.tenantId} and sim_product_id = ${esimRace} and stock_state = 'ALLOCATED'`.execute(tx));
    expect(allocated.rows[0]).toEqual({ n: 100, iccids: 100, orders: 25, msisdns: 100 });
    const perOrder = await sys()((tx) => sql<{ n: number }>`select count(*)::int as n from sims where order_id = any(${results.map((r) => r.json().id)}::uuid[]) group by order_id`.execute(tx));
    expect(perOrder.rows.map((r) => r.n)).toEqual(Array(25).fill(4));
    const numbers = await sys()((tx) => sql<{ n: number }>`select count(*)::int as n from msisdns m join sims s on s.tenant_id = m.tenant_id and s.id = m.sim_id
      where s.sim_product_id = ${esimRace} and m.state = 'ASSIGNED' and m.msisdn = s.msisdn`.execute(tx));
    expect(numbers.rows[0].n).toBe(100);

    const more = await Promise.all(Array.from({ length: 5 }, place));
    expect(more.map((r) => [r.statusCode, r.json().reason])).toEqual(Array(5).fill([409, 'STOCK_SHORT']));
  });
});

describe('TMF622', () => {
  it('creates and reads a product order in TMF shape', async () => {
    const r = await call('POST', '/tmf-api/productOrderingManagement/v4/productOrder', f.headers.tenantCsr, {
      externalId: 'CRM-9', relatedParty: [{ id: f.enterpriseId, role: 'customer', '@referredType': 'Organization' }],
      productOrderItem: [{ id: '1', action: 'add', quantity: 2, productOffering: { id: plan },
        product: { productSpecification: { id: esim }, productCharacteristic: [{ name: 'businessUnitId', value: bu }] } }],
    });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ externalId: 'CRM-9', state: 'completed', '@type': 'ProductOrder', productOrderItem: [{ quantity: 2, productOffering: { id: plan } }] });
    const got = await call('GET', `/tmf-api/productOrderingManagement/v4/productOrder/${r.json().id}`, f.headers.enterpriseUser);
    expect(got.json()).toMatchObject({ id: r.json().id, href: `/tmf-api/productOrderingManagement/v4/productOrder/${r.json().id}`, state: 'completed' });
    const two = await call('POST', '/tmf-api/productOrderingManagement/v4/productOrder', f.headers.tenantCsr, {
      relatedParty: [{ id: f.enterpriseId }], productOrderItem: [
        { id: '1', action: 'add', quantity: 1, product: { productSpecification: { id: esim }, productCharacteristic: [{ name: 'businessUnitId', value: bu }] } },
        { id: '2', action: 'add', quantity: 1, product: { productSpecification: { id: esim }, productCharacteristic: [{ name: 'businessUnitId', value: bu }] } }],
    });
    expect(two.statusCode).toBe(422);
    expect(two.json().errors).toEqual([{ field: 'productOrderItem', reason: 'must hold exactly one item (one SIM product per order)' }]);
  });
});
