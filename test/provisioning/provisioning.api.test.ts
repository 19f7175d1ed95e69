import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { apiKeyHeaders, createTenantFixture, type TenantFixture } from '../support/fixtures';
import { hlrPreset, signBody, startNetworkSimulator, type NetworkSimulator } from '../../src/modules/provisioning';
import { drain, seedSims } from '../lifecycle/helpers';

// The clock moves forward so retries with backoff become due; the outbox and HTTP sessions tolerate minutes.
let clock = new Date();
let t: TestPlatform;
let net: NetworkSimulator;

beforeAll(async () => {
  t = await startTestPlatform({}, { now: () => clock });
  net = await startNetworkSimulator({ token: 'sim-token' });
});
afterAll(async () => {
  await net?.close();
  await t?.close();
});

const OFFER = '5a0c2f7e-2222-4222-8222-000000000001';
const post = (url: string, headers: Record<string, string>, payload: unknown = {}) => t.app.inject({ method: 'POST', url, headers, payload: payload as object });
const get = (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });

/** Drains, moving the clock past every backoff, until nothing is pending any more. */
async function settleAll(rounds = 15) {
  for (let i = 0; i < rounds; i++) {
    await drain(t.platform);
    const open = await t.platform.core.dbs.system((tx) => sql<{ n: number }>`select count(*)::int as n from provisioning_deliveries where status in ('PENDING', 'IN_PROGRESS')`.execute(tx));
    if (open.rows[0].n === 0) return;
    clock = new Date(clock.getTime() + 16 * 60_000);
  }
}

async function tenantWith(targets: Record<string, unknown>[]): Promise<{ f: TenantFixture; ids: string[] }> {
  const f = await createTenantFixture(t.platform);
  const ids: string[] = [];
  for (const body of targets) {
    const res = await post('/api/v1/provisioning/targets', f.headers.tenantAdmin, body);
    if (res.statusCode !== 201) throw new Error(res.body);
    ids.push(res.json().id);
  }
  return { f, ids };
}
const hlr = (extra: Record<string, unknown> = {}) => ({ name: `hlr-${Math.random().toString(36).slice(2, 8)}`, kind: 'REST', config: hlrPreset(net.url), secret: 'sim-token', eventTypes: ['lifecycle.sim.*'], ...extra });

describe('targets', () => {
  it('validates the configuration and never returns secrets', async () => {
    const { f } = await tenantWith([]);
    const bad = await post('/api/v1/provisioning/targets', f.headers.tenantAdmin, { name: 'x', kind: 'REST', config: { baseUrl: 'not a url', requests: {} }, eventTypes: ['lifecycle.sim.nope'] });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['config.baseUrl', 'config.requests']));
    const ok = await post('/api/v1/provisioning/targets', f.headers.tenantAdmin, hlr({ name: 'main-hlr' }));
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ name: 'main-hlr', hasSecret: true, kind: 'REST' });
    expect(ok.body).not.toContain('sim-token');
    expect((await post('/api/v1/provisioning/targets', f.headers.tenantAdmin, hlr({ name: 'main-hlr' }))).statusCode).toBe(409);
    expect((await post('/api/v1/provisioning/targets', f.headers.enterpriseAdmin, hlr())).statusCode).toBe(403);
  });
});

describe('deliveries', () => {
  it('activating queues one delivery per subscribed target; each holds the SIM with the mapped profile (HLR and Cisco Control Center)', async () => {
    const { f, ids } = await tenantWith([
      hlr({ gate: 'MAPPED_OFFERS', offerProfiles: { [OFFER]: 'IOT-1GB' } }),
      { name: 'cisco-cc', kind: 'CISCO_CC', config: { baseUrl: net.url, username: 'api-user' }, secret: 'sim-token', eventTypes: ['lifecycle.sim.activated', 'lifecycle.sim.suspended'], offerProfiles: { [OFFER]: 'CC-RP-1GB' } },
    ]);
    const [s] = await seedSims(t.platform, f.tenantId, f.enterpriseId, 1, { planOfferId: OFFER });
    expect((await post(`/api/v1/sims/${s.id}/actions/activate`, f.headers.tenantAdmin)).statusCode).toBe(202);
    await settleAll();
    const list = (await get(`/api/v1/provisioning/deliveries?simId=${s.id}`, f.headers.tenantAdmin)).json().items;
    expect(list.map((d: { targetId: string; status: string; eventType: string }) => [d.targetId, d.status, d.eventType]).sort()).toEqual(
      [[ids[0], 'SUCCEEDED', 'lifecycle.sim.activated'], [ids[1], 'SUCCEEDED', 'lifecycle.sim.activated']].sort());
    expect(net.subscribers.get(s.imsi)).toMatchObject({ iccid: s.iccid, msisdn: s.msisdn, status: 'ACTIVE', profile: 'IOT-1GB' });
    expect(net.devices.get(s.iccid)).toMatchObject({ status: 'ACTIVATED', ratePlan: 'CC-RP-1GB' });
    expect((await get(`/api/v1/sims/${s.id}`, f.headers.tenantAdmin)).json().state).toBe('ACTIVE');

    // Suspending disables without deleting; Control Center shows DEACTIVATED.
    await post(`/api/v1/sims/${s.id}/actions/suspend`, f.headers.tenantAdmin);
    await settleAll();
    expect(net.subscribers.get(s.imsi)).toMatchObject({ status: 'SUSPENDED', profile: 'IOT-1GB' });
    expect(net.devices.get(s.iccid)?.status).toBe('DEACTIVATED');
  });

  it('skips a SIM whose offer has no provisioning service for the target, with the reason, and completes the change', async () => {
    const { f } = await tenantWith([hlr({ gate: 'MAPPED_OFFERS', offerProfiles: { [OFFER]: 'IOT-1GB' } })]);
    const [s] = await seedSims(t.platform, f.tenantId, f.enterpriseId, 1);
    await post(`/api/v1/sims/${s.id}/actions/activate`, f.headers.tenantAdmin);
    await settleAll();
    const [d] = (await get(`/api/v1/provisioning/deliveries?simId=${s.id}`, f.headers.tenantAdmin)).json().items;
    expect(d).toMatchObject({ status: 'SKIPPED', lastError: expect.stringContaining('has no provisioning service') });
    expect(net.subscribers.has(s.imsi)).toBe(false);
    const [h] = (await get(`/api/v1/sims/${s.id}/history`, f.headers.tenantAdmin)).json().items;
    expect(h).toMatchObject({ status: 'COMPLETED', outcome: expect.stringContaining('skipped') });
  });

  it('retries a failing target with backoff and keeps a SIM\'s events in order; other SIMs are not held up', async () => {
    const { f } = await tenantWith([hlr()]);
    const [a, b] = await seedSims(t.platform, f.tenantId, f.enterpriseId, 2);
    net.set({ failNext: 1, failStatus: 503 });
    await post(`/api/v1/sims/${a.id}/actions/activate`, f.headers.tenantAdmin);
    await drain(t.platform); // attempt 1 fails: the delivery waits for its backoff
    const [first] = (await get(`/api/v1/provisioning/deliveries?simId=${a.id}`, f.headers.tenantAdmin)).json().items;
    expect(first).toMatchObject({ status: 'PENDING', attempts: 1, lastError: 'HTTP 503: simulated network failure', lastResultCode: '503' });
    expect(new Date(first.nextAttemptAt).getTime()).toBeGreaterThan(clock.getTime() + 3000);
    // Meanwhile another SIM goes through.
    await post(`/api/v1/sims/${b.id}/actions/activate`, f.headers.tenantAdmin);
    await drain(t.platform);
    expect(net.subscribers.get(b.imsi)?.status).toBe('ACTIVE');

    net.set({ failNext: 1 }); // attempt 2 fails too
    await settleAll();
    expect((await get(`/api/v1/sims/${a.id}`, f.headers.tenantAdmin)).json().state).toBe('ACTIVE');
    await post(`/api/v1/sims/${a.id}/actions/suspend`, f.headers.tenantAdmin);
    await settleAll();
    await post(`/api/v1/sims/${a.id}/actions/resume`, f.headers.tenantAdmin);
    await settleAll();
    const seen = net.log.filter((l) => l.path === `/subscribers/${a.imsi}`).map((l) => `${l.status}:${(l.body as { status: string }).status}`);
    expect(seen).toEqual(['503:ACTIVE', '503:ACTIVE', '200:ACTIVE', '200:SUSPENDED', '200:ACTIVE']);
    const all = (await get(`/api/v1/provisioning/deliveries?simId=${a.id}&sort=id`, f.headers.tenantAdmin)).json().items;
    expect(all.map((d: { eventType: string; attempts: number }) => `${d.eventType}:${d.attempts}`)).toEqual(
      ['lifecycle.sim.activated:3', 'lifecycle.sim.suspended:1', 'lifecycle.sim.resumed:1']);
    // The key the network returned on create went with every later call (and is stored).
    const key = net.subscribers.get(a.imsi)!.subscriberKey;
    const later = net.log.filter((l) => l.path === `/subscribers/${a.imsi}` && l.status === 200).slice(1);
    for (const l of later) expect((l.body as { subscriberKey: string }).subscriberKey).toBe(key);
  });

  it('parks a delivery as DEAD after maxAttempts, alerts, blocks only that SIM\'s lane, and re-drives it on request', async () => {
    const { f } = await tenantWith([hlr({ maxAttempts: 2 })]);
    const [a, b] = await seedSims(t.platform, f.tenantId, f.enterpriseId, 2);
    net.set({ failNext: 2, failStatus: 503 });
    await post(`/api/v1/sims/${a.id}/actions/activate`, f.headers.tenantAdmin);
    await settleAll();
    const [dead] = (await get(`/api/v1/provisioning/deliveries?status=DEAD&simId=${a.id}`, f.headers.tenantAdmin)).json().items;
    expect(dead).toMatchObject({ attempts: 2, lastError: 'HTTP 503: simulated network failure (gave up after 2 attempts)' });
    const alert = await t.platform.core.dbs.system((tx) => sql<{ n: number }>`select count(*)::int as n from outbox_events where type = 'provisioning.delivery.dead' and aggregate_id = ${String(dead.id)}`.execute(tx));
    expect(alert.rows[0].n).toBe(1);
    expect((await get(`/api/v1/sims/${a.id}`, f.headers.tenantAdmin)).json()).toMatchObject({ state: 'READY', pendingState: null });

    // A new change of the same SIM waits behind the dead one; another SIM is not blocked.
    await post(`/api/v1/sims/${a.id}/actions/activate`, f.headers.tenantAdmin);
    await post(`/api/v1/sims/${b.id}/actions/activate`, f.headers.tenantAdmin);
    await settleAll(3);
    expect((await get(`/api/v1/sims/${b.id}`, f.headers.tenantAdmin)).json().state).toBe('ACTIVE');
    expect((await get(`/api/v1/sims/${a.id}`, f.headers.tenantAdmin)).json().pendingState).toBe('ACTIVE');
    expect((await get(`/api/v1/provisioning/deliveries/${dead.id}`, f.headers.tenantAdmin)).json()).toMatchObject({ status: 'DEAD', waitingBehind: 1 });
    expect(net.subscribers.has(a.imsi)).toBe(false);

    expect((await post(`/api/v1/provisioning/deliveries/${dead.id}/retry`, f.headers.tenantCsr)).statusCode).toBe(403);
    const redo = await post(`/api/v1/provisioning/deliveries/${dead.id}/retry`, f.headers.tenantAdmin);
    expect(redo.json()).toMatchObject({ status: 'PENDING', attempts: 0 });
    await settleAll();
    expect((await get(`/api/v1/sims/${a.id}`, f.headers.tenantAdmin)).json().state).toBe('ACTIVE');
    expect(net.subscribers.get(a.imsi)?.status).toBe('ACTIVE');
    expect((await post(`/api/v1/provisioning/deliveries/${dead.id}/retry`, f.headers.tenantAdmin)).statusCode).toBe(409);
  });

  it('running a delivery twice leaves the target unchanged after the first success', async () => {
    const { f } = await tenantWith([hlr()]);
    const [s] = await seedSims(t.platform, f.tenantId, f.enterpriseId, 1);
    await post(`/api/v1/sims/${s.id}/actions/activate`, f.headers.tenantAdmin);
    await settleAll();
    const before = { ...net.subscribers.get(s.imsi)! };
    await t.platform.core.dbs.system((tx) => sql`update provisioning_deliveries set status = 'PENDING', next_attempt_at = now() - interval '1 minute' where sim_id = ${s.id}`.execute(tx));
    await settleAll();
    const after = net.subscribers.get(s.imsi)!;
    expect({ ...after, updates: 0, updatedAt: '' }).toEqual({ ...before, updates: 0, updatedAt: '' });
    expect(after.updates).toBe(2);
  });

  it('completes a delivery the target accepted asynchronously when its result callback arrives', async () => {
    const cfg = hlrPreset(net.url);
    const { f, ids } = await tenantWith([hlr({ config: { ...cfg, success: { ...cfg.success, acceptedStatuses: [200], externalRefPath: 'subscriberKey' } } })]);
    const [s] = await seedSims(t.platform, f.tenantId, f.enterpriseId, 1);
    await post(`/api/v1/sims/${s.id}/actions/activate`, f.headers.tenantAdmin);
    await drain(t.platform);
    const [d] = (await get(`/api/v1/provisioning/deliveries?simId=${s.id}`, f.headers.tenantAdmin)).json().items;
    expect(d).toMatchObject({ status: 'IN_PROGRESS', externalRef: net.subscribers.get(s.imsi)!.subscriberKey });
    expect((await get(`/api/v1/sims/${s.id}`, f.headers.tenantAdmin)).json().pendingState).toBe('ACTIVE');
    const key = await apiKeyHeaders(t.platform, f.headers.tenantAdmin, { role: 'tenant_admin', name: 'hlr-callbacks' });
    const cb = await post('/api/v1/provisioning/notifications', key.headers, { eventId: 'cb-1', type: 'PROVISIONING_RESULT', targetId: ids[0], deliveryRef: d.externalRef, result: 'SUCCEEDED' });
    expect(cb.json()).toMatchObject({ status: 'APPLIED', duplicate: false });
    expect((await get(`/api/v1/sims/${s.id}`, f.headers.tenantAdmin)).json()).toMatchObject({ state: 'ACTIVE', pendingState: null });
  });

  it('reports the differences between the platform and the target', async () => {
    const { f, ids } = await tenantWith([hlr()]);
    const sims = await seedSims(t.platform, f.tenantId, f.enterpriseId, 3);
    for (const s of sims) await post(`/api/v1/sims/${s.id}/actions/activate`, f.headers.tenantAdmin);
    await settleAll();
    net.subscribers.delete(sims[0].imsi);
    net.subscribers.get(sims[1].imsi)!.status = 'SUSPENDED';
    const r = (await get(`/api/v1/provisioning/targets/${ids[0]}/reconciliation`, f.headers.tenantAdmin)).json();
    expect(r).toMatchObject({ checked: 3, matching: 1 });
    expect(r.differences.map((d: { iccid: string; problem: string }) => [d.iccid, d.problem])).toEqual([
      [sims[0].iccid, 'missing in target'], [sims[1].iccid, 'target shows SUSPENDED, expected ACTIVE']]);
    // The nightly job sends the same report as an event.
    const all = await t.platform.modules.provisioning.reconcileAll();
    expect(all.find((x) => x.targetId === ids[0])).toEqual({ targetId: ids[0], checked: 3, differences: 2 });
    const ev = await t.platform.core.dbs.system((tx) => sql<{ payload: { differences: unknown[] } }>`select payload from outbox_events
      where type = 'provisioning.reconciliation.completed' and aggregate_id = ${ids[0]}`.execute(tx));
    expect(ev.rows[0].payload.differences).toHaveLength(2);
  });
});

describe('account-level events', () => {
  it('delivers an order placed to a target that has a request for it, with the ids the event carries', async () => {
    const cfg = hlrPreset(net.url);
    const { f } = await tenantWith([hlr({
      eventTypes: ['orders.order.placed'],
      config: { ...cfg, requests: { ...cfg.requests, 'orders.order.placed': { method: 'POST', path: '/orders', body: { orderId: '{{event.payload.orderId}}', quantity: '{{event.payload.quantity}}' } } } },
    })]);
    const orderId = '9f3c1c2e-3333-4333-8333-000000000001';
    await t.platform.core.dbs.tenant({ tenantId: f.tenantId }, (tx) => t.platform.core.bus.record(tx, {
      type: 'orders.order.placed', tenantId: f.tenantId, aggregateType: 'order', aggregateId: orderId,
      payload: { orderId, enterpriseId: f.enterpriseId, businessUnitId: f.businessUnitIds[0], state: 'PLACED', esim: false, quantity: 25 },
    }));
    await settleAll();
    expect(net.orders).toContainEqual({ orderId, quantity: 25 });
    const [d] = (await get(`/api/v1/provisioning/deliveries?eventType=orders.order.placed`, f.headers.tenantAdmin)).json().items;
    expect(d).toMatchObject({ status: 'SUCCEEDED', simId: null, lane: f.enterpriseId });
  });
});

describe('inbound notifications', () => {
  it('accepts HMAC-signed notices, refuses bad signatures, de-duplicates, parks unknown SIMs and replays them', async () => {
    const secret = 'webhook-secret-0123456789';
    const { f, ids } = await tenantWith([hlr({ inboundSecret: secret })]);
    const [s] = await seedSims(t.platform, f.tenantId, f.enterpriseId, 1, { state: 'ACTIVE' });
    const send = (body: unknown, sig?: string, target = ids[0]) => {
      const raw = JSON.stringify(body);
      return t.app.inject({ method: 'POST', url: `/api/v1/provisioning/webhooks/${target}`, headers: { 'content-type': 'application/json', 'x-signature': sig ?? signBody(secret, raw) }, payload: raw });
    };
    const notice = { eventId: 'n-1', type: 'IMEI_CHANGED', iccid: s.iccid, imei: '35693803564381' };
    const ok = await send(notice);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'APPLIED', simId: s.id, detail: 'IMEI updated', duplicate: false });
    expect((await send(notice)).json()).toMatchObject({ status: 'APPLIED', duplicate: true });
    expect((await send(notice, signBody('wrong-secret-wrong-secret', JSON.stringify(notice)))).statusCode).toBe(401);
    expect((await send(notice, undefined, '00000000-0000-4000-8000-000000000000')).statusCode).toBe(401);
    expect((await get(`/api/v1/sims/${s.id}`, f.headers.tenantAdmin)).json().imei).toBe('35693803564381');

    const parked = await send({ eventId: 'n-2', type: 'IMEI_CHANGED', iccid: '8988300000000009999', imei: '35693803564382' });
    expect(parked.json()).toMatchObject({ status: 'UNMATCHED', simId: null });
    const unmatched = (await get('/api/v1/provisioning/notifications?status=UNMATCHED', f.headers.tenantAdmin)).json().items;
    expect(unmatched).toHaveLength(1);
    await t.platform.core.dbs.system((tx) => sql`update sims set iccid = '8988300000000009999' where id = ${s.id}`.execute(tx));
    const replay = await post(`/api/v1/provisioning/notifications/${unmatched[0].id}/replay`, f.headers.tenantAdmin);
    expect(replay.json()).toMatchObject({ status: 'APPLIED', simId: s.id });
    expect((await get(`/api/v1/sims/${s.id}`, f.headers.tenantAdmin)).json().imei).toBe('35693803564382');
  });

  it('needs the network:callback permission on the API route and validates the notice', async () => {
    const { f } = await tenantWith([]);
    const ent = await apiKeyHeaders(t.platform, f.headers.enterpriseAdmin, { role: 'enterprise_admin', enterpriseId: f.enterpriseId });
    expect((await post('/api/v1/provisioning/notifications', ent.headers, { eventId: 'x', type: 'USAGE' })).statusCode).toBe(403);
    const key = await apiKeyHeaders(t.platform, f.headers.tenantAdmin, { role: 'tenant_admin' });
    const bad = await post('/api/v1/provisioning/notifications', key.headers, { eventId: 'x', type: 'NOPE' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].field).toBe('body.type');
  });
});
