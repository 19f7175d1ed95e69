import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { apiKeyHeaders, createTenantFixture, type TenantFixture } from '../support/fixtures';
import { startNetworkSimulator, type NetworkSimulator } from '../../src/modules/provisioning';
import { SIM_STATES, STATE_ACTIONS, TRANSITIONS } from '../../src/modules/lifecycle/lifecycle.fns';
import { addHlrTarget, drain, seedMsisdnPool, seedSims } from './helpers';
import { createZones } from '../catalog/helpers';
import { iotPlan } from '../../src/modules/catalog/catalog.fixtures';

let t: TestPlatform;
let f: TenantFixture;
let net: NetworkSimulator;

beforeAll(async () => {
  t = await startTestPlatform();
  f = await createTenantFixture(t.platform);
  net = await startNetworkSimulator({ token: 'sim-token' });
  await addHlrTarget(t.platform, f.headers.tenantAdmin, net.url);
});
afterAll(async () => {
  await net?.close();
  await t?.close();
});

const post = (url: string, headers: Record<string, string>, payload: unknown = {}) => t.app.inject({ method: 'POST', url, headers, payload: payload as object });
const get = (url: string, headers: Record<string, string> = f.headers.tenantAdmin) => t.app.inject({ method: 'GET', url, headers });
const act = (id: string, action: string, headers = f.headers.tenantAdmin, body: unknown = {}) => post(`/api/v1/sims/${id}/actions/${action}`, headers, body);
const sim = async (id: string) => (await get(`/api/v1/sims/${id}`)).json();

describe('transition table through the API', () => {
  it('accepts exactly the allowed transitions from every state and refuses the rest with the reason', async () => {
    for (const state of SIM_STATES) {
      // One SIM per action, in `state` (a SUSPEND SIM is held by the tenant, so the tenant may resume it).
      const sims = await seedSims(t.platform, f.tenantId, f.enterpriseId, STATE_ACTIONS.length, { state, holds: state === 'SUSPEND' ? ['TENANT'] : [] });
      for (const [i, action] of STATE_ACTIONS.entries()) {
        const to = TRANSITIONS[state][action];
        const res = await act(sims[i].id, action);
        if (state === 'SUSPEND' && action === 'suspend') {
          expect(res.statusCode, `${action} from ${state}`).toBe(409); // already suspended by the tenant
          continue;
        }
        if (to) {
          expect(res.statusCode, `${action} from ${state}: ${res.body}`).toBe(202);
          expect(res.json().sim).toMatchObject({ state, pendingState: to });
          expect(res.json().change).toMatchObject({ status: 'PENDING', fromState: state, toState: to, action });
        } else {
          expect(res.statusCode, `${action} from ${state}`).toBe(409);
          expect(res.json().type).toBe('https://opencmp.dev/problems/conflict');
          expect(res.json().errors[0].field).toBe('action');
        }
      }
    }
  });

  it('walks a SIM through its life against the network: pending, then settled, with history', async () => {
    const [s] = await seedSims(t.platform, f.tenantId, f.enterpriseId, 1);
    const pool = await seedMsisdnPool(t.platform, f.tenantId, ['4915100000001']);
    void pool;
    await t.platform.core.dbs.system((tx) => sql`update sims set msisdn = '4915100000001' where id = ${s.id}`.execute(tx));
    await t.platform.core.dbs.system((tx) => sql`update msisdns set state = 'ASSIGNED', sim_id = ${s.id} where msisdn = '4915100000001'`.execute(tx));

    expect((await act(s.id, 'test-activate', f.headers.tenantAdmin, { reason: 'bench test' })).statusCode).toBe(202);
    expect((await sim(s.id))).toMatchObject({ state: 'READY', pendingState: 'TEST_ACTIVE' });
    const again = await act(s.id, 'activate');
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toBe('a change to TEST-ACTIVE is still being applied by the network');
    await drain(t.platform);
    expect(await sim(s.id)).toMatchObject({ state: 'TEST_ACTIVE', pendingState: null });
    expect(net.subscribers.get(s.imsi)).toMatchObject({ status: 'TEST', iccid: s.iccid });

    for (const [action, state, hlr] of [['activate', 'ACTIVE', 'ACTIVE'], ['suspend', 'SUSPEND', 'SUSPENDED'], ['resume', 'ACTIVE', 'ACTIVE']] as const) {
      expect((await act(s.id, action)).statusCode).toBe(202);
      await drain(t.platform);
      expect((await sim(s.id)).state).toBe(state);
      expect(net.subscribers.get(s.imsi)?.status).toBe(hlr);
    }
    const key = net.subscribers.get(s.imsi)!.subscriberKey;
    expect((await act(s.id, 'terminate', f.headers.tenantAdmin, { reason: 'contract ended' })).statusCode).toBe(202);
    await drain(t.platform);
    expect((await sim(s.id)).state).toBe('TERMINATE');
    expect(net.subscribers.has(s.imsi)).toBe(false);
    // TERMINATE is final; the MSISDN is in quarantine; the target's key is retired.
    expect((await act(s.id, 'resume')).statusCode).toBe(409);
    const m = await t.platform.core.dbs.system((tx) => sql<{ state: string; sim_id: string | null }>`select state, sim_id from msisdns where msisdn = '4915100000001'`.execute(tx));
    expect(m.rows[0]).toEqual({ state: 'QUARANTINED', sim_id: null });
    const prov = (await get(`/api/v1/provisioning/sims/${s.id}`)).json();
    expect(prov[0].keys).toEqual([{ name: 'subscriberKey', value: key, retiredAt: expect.any(String) }]);

    const history = (await get(`/api/v1/sims/${s.id}/history?sort=requestedAt`)).json().items;
    expect(history.map((h: { action: string; status: string; fromState: string; toState: string }) => `${h.action}:${h.fromState}->${h.toState}:${h.status}`)).toEqual([
      'test-activate:READY->TEST_ACTIVE:COMPLETED', 'activate:TEST_ACTIVE->ACTIVE:COMPLETED', 'suspend:ACTIVE->SUSPEND:COMPLETED',
      'resume:SUSPEND->ACTIVE:COMPLETED', 'terminate:ACTIVE->TERMINATE:COMPLETED',
    ]);
    expect(history[0]).toMatchObject({ reason: 'bench test', requestedBy: { type: 'user', id: f.users.tenantAdmin.id }, outcome: expect.stringContaining('applied') });
  });

  it('rolls a change back with the reason when the network refuses it', async () => {
    const [s] = await seedSims(t.platform, f.tenantId, f.enterpriseId, 1);
    net.set({ failNext: 1, failStatus: 400 });
    expect((await act(s.id, 'activate')).statusCode).toBe(202);
    await drain(t.platform);
    const after = await sim(s.id);
    expect(after).toMatchObject({ state: 'READY', pendingState: null });
    const [h] = (await get(`/api/v1/sims/${s.id}/history`)).json().items;
    expect(h).toMatchObject({ action: 'activate', status: 'FAILED', outcome: expect.stringContaining('HTTP 400: simulated network failure') });
    // The DEAD delivery blocks this SIM's lane until an operator discards it; then the SIM can be activated.
    const dead = (await get(`/api/v1/provisioning/deliveries?status=DEAD&simId=${s.id}`)).json().items;
    expect(dead).toHaveLength(1);
    expect((await post(`/api/v1/provisioning/deliveries/${dead[0].id}/cancel`, f.headers.tenantAdmin, { reason: 'refused by HLR, retried below' })).statusCode).toBe(200);
    expect((await act(s.id, 'activate')).statusCode).toBe(202);
    await drain(t.platform);
    expect((await sim(s.id)).state).toBe('ACTIVE');
  });
});

describe('suspension by several parties', () => {
  it('keeps the SIM suspended while any party holds it; each party lifts only its own hold', async () => {
    const [s] = await seedSims(t.platform, f.tenantId, f.enterpriseId, 1, { state: 'ACTIVE' });
    expect((await act(s.id, 'suspend', f.headers.enterpriseAdmin, { reason: 'device stolen' })).statusCode).toBe(202);
    await drain(t.platform);
    const byTenant = await act(s.id, 'suspend', f.headers.tenantAdmin, { reason: 'fraud check' });
    expect(byTenant.statusCode).toBe(202);
    expect(byTenant.json().change).toMatchObject({ kind: 'HOLD', status: 'COMPLETED', party: 'TENANT' });
    expect((await sim(s.id)).holds.map((h: { party: string }) => h.party)).toEqual(['ENTERPRISE', 'TENANT']);

    const wrong = await act(s.id, 'resume', f.headers.tenantAdmin);
    expect(wrong.statusCode).toBe(202); // lifts the tenant's hold only
    expect(wrong.json().change).toMatchObject({ kind: 'HOLD', status: 'COMPLETED' });
    expect(await sim(s.id)).toMatchObject({ state: 'SUSPEND', pendingState: null, holds: [{ party: 'ENTERPRISE' }] });
    const notHeld = await act(s.id, 'resume', f.headers.tenantAdmin);
    expect(notHeld.statusCode).toBe(409);
    expect(notHeld.json().detail).toBe('the SIM is not suspended by TENANT; it is held by ENTERPRISE');

    expect((await act(s.id, 'resume', f.headers.enterpriseAdmin)).statusCode).toBe(202);
    await drain(t.platform);
    expect(await sim(s.id)).toMatchObject({ state: 'ACTIVE', holds: [] });
  });

  it('dunning suspends every SIM of the account, blocks activations, and its resume reaches only SIMs nobody else holds', async () => {
    const g = await createTenantFixture(t.platform);
    await addHlrTarget(t.platform, g.headers.tenantAdmin, net.url);
    const active = await seedSims(t.platform, g.tenantId, g.enterpriseId, 3, { state: 'ACTIVE' });
    const [ready] = await seedSims(t.platform, g.tenantId, g.enterpriseId, 1);
    const [other] = await seedSims(t.platform, g.tenantId, g.otherEnterpriseId, 1, { state: 'ACTIVE' });
    expect((await act(active[0].id, 'suspend', g.headers.enterpriseAdmin)).statusCode).toBe(202);
    await drain(t.platform);

    const res = await post(`/api/v1/sims/accounts/${g.enterpriseId}/suspend`, g.headers.tenantAdmin, { reason: 'invoice 42 overdue' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ requested: 3, accepted: 3, refused: [] });
    await drain(t.platform);
    for (const s of active) expect((await t.app.inject({ url: `/api/v1/sims/${s.id}`, headers: g.headers.tenantAdmin })).json().state).toBe('SUSPEND');
    expect((await t.app.inject({ url: `/api/v1/sims/${other.id}`, headers: g.headers.tenantAdmin })).json().state).toBe('ACTIVE');
    expect(net.subscribers.get(active[1].imsi)?.status).toBe('SUSPENDED');
    const blocked = await act(ready.id, 'activate', g.headers.tenantAdmin);
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json().detail).toBe('the account is suspended: no new activations until it is resumed');
    expect((await post(`/api/v1/sims/accounts/${g.enterpriseId}/suspend`, g.headers.enterpriseAdmin)).statusCode).toBe(403);

    const resumed = await t.platform.modules.lifecycle.resumeAccount(g.tenantId, g.enterpriseId);
    expect(resumed).toMatchObject({ requested: 3, accepted: 3 });
    await drain(t.platform);
    const states = await Promise.all(active.map(async (s) => (await t.app.inject({ url: `/api/v1/sims/${s.id}`, headers: g.headers.tenantAdmin })).json()));
    expect(states.map((s) => s.state)).toEqual(['SUSPEND', 'ACTIVE', 'ACTIVE']);
    expect(states[0].holds).toEqual([expect.objectContaining({ party: 'ENTERPRISE' })]);
    expect((await act(ready.id, 'activate', g.headers.tenantAdmin)).statusCode).toBe(202);
  });
});

describe('account status', () => {
  it('refuses activations under a suspended enterprise (accounts) but lets its SIMs be terminated', async () => {
    const g = await createTenantFixture(t.platform);
    const [a, b2] = await seedSims(t.platform, g.tenantId, g.otherEnterpriseId, 2, { businessUnitId: g.businessUnitIds[2] });
    await t.platform.core.dbs.system((tx) => sql`update enterprises set status = 'SUSPENDED' where id = ${g.otherEnterpriseId}`.execute(tx));
    const r = await act(a.id, 'activate', g.headers.tenantAdmin);
    expect(r.statusCode).toBe(409);
    expect(r.json().detail).toBe('the account is suspended: no new activations until it is resumed');
    expect((await act(b2.id, 'terminate', g.headers.tenantAdmin)).statusCode).toBe(202);
    await t.platform.core.dbs.system((tx) => sql`update enterprises set status = 'ACTIVE' where id = ${g.otherEnterpriseId}`.execute(tx));
    expect((await act(a.id, 'activate', g.headers.tenantAdmin)).statusCode).toBe(202);
  });
});

describe('scheduled changes', () => {
  it('applies a change when due and not before; a cancelled one never applies', async () => {
    const [a, b] = await seedSims(t.platform, f.tenantId, f.enterpriseId, 2);
    const at = new Date(Date.now() + 3600_000).toISOString();
    const res = await act(a.id, 'activate', f.headers.tenantAdmin, { at, reason: 'go-live' });
    expect(res.statusCode).toBe(202);
    expect(res.json().change).toMatchObject({ status: 'SCHEDULED', scheduledFor: at, toState: 'ACTIVE' });
    expect(res.json().sim.pendingState).toBeNull();
    const cancelMe = (await act(b.id, 'activate', f.headers.tenantAdmin, { at })).json().change.id;
    const cancelled = await t.app.inject({ method: 'DELETE', url: `/api/v1/sims/${b.id}/changes/${cancelMe}`, headers: f.headers.tenantAdmin });
    expect(cancelled.json().status).toBe('CANCELLED');
    const ev = await t.platform.core.dbs.system((tx) => sql<{ type: string }>`select type from outbox_events where aggregate_id = ${b.id} order by id`.execute(tx));
    expect(ev.rows.map((r) => r.type)).toEqual(['lifecycle.change.cancelled']);

    expect(await t.platform.modules.lifecycle.runScheduledChanges(new Date())).toBe(0);
    expect(await t.platform.modules.lifecycle.runScheduledChanges(new Date(Date.now() + 3601_000))).toBe(1);
    await drain(t.platform);
    expect((await sim(a.id)).state).toBe('ACTIVE');
    expect((await sim(b.id)).state).toBe('READY');
    const [h] = (await get(`/api/v1/sims/${a.id}/history`)).json().items;
    expect(h).toMatchObject({ id: res.json().change.id, status: 'COMPLETED', scheduledFor: at, reason: 'go-live' });
  });
});

describe('test mode', () => {
  it('moves to ACTIVE by itself when the SMS limit is reached (usage from the network) or the days are over', async () => {
    const [a, b] = await seedSims(t.platform, f.tenantId, f.enterpriseId, 2);
    expect((await act(a.id, 'test-activate', f.headers.tenantAdmin, { testLimits: { sms: 3, dataBytes: null, days: null } })).statusCode).toBe(202);
    expect((await act(b.id, 'test-activate', f.headers.tenantAdmin, { testLimits: { days: 2 } })).statusCode).toBe(202);
    await drain(t.platform);
    const key = await apiKeyHeaders(t.platform, f.headers.tenantAdmin, { role: 'tenant_admin', name: 'network' });
    const usage = (eventId: string, sms: number) => post('/api/v1/provisioning/notifications', key.headers, { eventId, type: 'USAGE', iccid: a.iccid, sms });
    expect((await usage('u1', 2)).json()).toMatchObject({ status: 'APPLIED', detail: 'usage counted', simId: a.id });
    expect((await usage('u1', 2)).json()).toMatchObject({ duplicate: true }); // the same notice twice counts once
    expect((await sim(a.id)).testLimits).toMatchObject({ sms: 3, smsUsed: 2, endedAt: null });
    expect((await usage('u2', 1)).json().detail).toBe('usage counted; test limit reached: SIM activated');
    await drain(t.platform);
    expect((await sim(a.id))).toMatchObject({ state: 'ACTIVE', testLimits: { endReason: 'activated' } });

    expect(await t.platform.modules.lifecycle.runTestExpiry(new Date())).toBe(0);
    expect(await t.platform.modules.lifecycle.runTestExpiry(new Date(Date.now() + 2 * 86_400_000 + 1000))).toBe(1);
    await drain(t.platform);
    expect((await sim(b.id)).state).toBe('ACTIVE');
    const [h] = (await get(`/api/v1/sims/${b.id}/history`)).json().items;
    expect(h).toMatchObject({ action: 'activate', party: 'SYSTEM', reason: 'test period of 2 days ended' });
  });
});

describe('plan, APN, MSISDN and IMEI', () => {
  it('changes them asynchronously and pushes them to the network', async () => {
    const [s] = await seedSims(t.platform, f.tenantId, f.enterpriseId, 1, { state: 'ACTIVE' });
    await seedMsisdnPool(t.platform, f.tenantId, ['4915200000001', '4915200000002']);
    // A real plan from the catalog: created, approved and in force.
    await createZones(t, f.headers.tenantAdmin);
    const created = await post('/api/v1/catalog/offers', f.headers.tenantAdmin, { code: 'IOT10', kind: 'PRIMARY', spec: iotPlan() });
    expect(created.statusCode).toBe(201);
    const offer = created.json().id;
    expect((await post(`/api/v1/catalog/offers/${offer}/versions/1/approve`, f.headers.tenantAdmin)).statusCode).toBe(200);
    expect((await post(`/api/v1/catalog/offers/${offer}/versions/1/activate`, f.headers.tenantAdmin, {})).statusCode).toBe(200);
    const unsellable = await post(`/api/v1/sims/${s.id}/plan`, f.headers.enterpriseAdmin, { offerId: '7b0e6f8e-1111-4111-8111-000000000001' });
    expect(unsellable.statusCode).toBe(409);
    expect(unsellable.json().detail).toContain('has no version in force');
    const plan = await post(`/api/v1/sims/${s.id}/plan`, f.headers.enterpriseAdmin, { offerId: offer, reason: 'more data' });
    expect(plan.statusCode).toBe(202);
    expect(plan.json().sim.planOfferId).toBe(offer);
    expect((await post(`/api/v1/sims/${s.id}/plan`, f.headers.enterpriseAdmin, { offerId: offer })).statusCode).toBe(409); // one change at a time
    await drain(t.platform);

    const apn = await t.platform.core.dbs.system((tx) => sql<{ id: string }>`insert into apns (tenant_id, name, type, ip_allocation)
      values (${f.tenantId}, 'iot.test', 'PRIVATE', 'DYNAMIC') returning id`.execute(tx));
    const apnId = apn.rows[0].id;
    expect((await post(`/api/v1/sims/${s.id}/apns`, f.headers.tenantAdmin, { apnIds: ['7b0e6f8e-1111-4111-8111-00000000ffff'] })).statusCode).toBe(409);
    expect((await post(`/api/v1/sims/${s.id}/apns`, f.headers.tenantAdmin, { apnIds: [apnId] })).statusCode).toBe(202);
    await drain(t.platform);
    expect(net.subscribers.get(s.imsi)?.apnIds).toEqual([apnId]);

    const old = s.msisdn;
    const ms = await post(`/api/v1/sims/${s.id}/msisdn`, f.headers.tenantAdmin, { msisdn: '4915200000002' });
    expect(ms.statusCode).toBe(202);
    expect((await post(`/api/v1/sims/${s.id}/msisdn`, f.headers.tenantAdmin, { msisdn: 'abc' })).statusCode).toBe(422);
    await drain(t.platform);
    expect(net.subscribers.get(s.imsi)?.msisdn).toBe('4915200000002');
    expect((await sim(s.id)).msisdn).toBe('4915200000002');
    void old;

    expect((await post(`/api/v1/sims/${s.id}/imei-lock`, f.headers.tenantAdmin, { locked: true })).statusCode).toBe(409); // no IMEI known yet
    expect((await post(`/api/v1/sims/${s.id}/imei-lock`, f.headers.tenantAdmin, { locked: true, imei: '35693803564380' })).statusCode).toBe(202);
    await drain(t.platform);
    expect(net.subscribers.get(s.imsi)).toMatchObject({ imei: '35693803564380', imeiLock: true });

    // The network reports another device: an event is raised, the locked IMEI stays.
    const key = await apiKeyHeaders(t.platform, f.headers.tenantAdmin, { role: 'tenant_admin', name: 'hlr-notices' });
    const r = await post('/api/v1/provisioning/notifications', key.headers, { eventId: 'imei-1', type: 'IMEI_CHANGED', imsi: s.imsi, imei: '35693803564399' });
    expect(r.json()).toMatchObject({ status: 'APPLIED', detail: 'IMEI differs from the locked device: event raised' });
    expect((await sim(s.id))).toMatchObject({ imei: '35693803564380', imeiLock: true });
    const ev = await t.platform.core.dbs.system((tx) => sql<{ payload: { imei: string; locked: boolean } }>`select payload from outbox_events
      where type = 'lifecycle.sim.imei_changed' and aggregate_id = ${s.id}`.execute(tx));
    expect(ev.rows.map((e) => e.payload)).toEqual([expect.objectContaining({ imei: '35693803564399', previousImei: '35693803564380', locked: true })]);
  });
});

describe('roll-back of value changes', () => {
  it('gives the SIM its old MSISDN back when the network refuses the new one, and frees the new one', async () => {
    const [s] = await seedSims(t.platform, f.tenantId, f.enterpriseId, 1, { state: 'ACTIVE', withMsisdn: false });
    await seedMsisdnPool(t.platform, f.tenantId, ['4915300000001', '4915300000002']);
    expect((await post(`/api/v1/sims/${s.id}/msisdn`, f.headers.tenantAdmin, { msisdn: '4915300000001' })).statusCode).toBe(202);
    await drain(t.platform);
    net.set({ failNext: 1, failStatus: 422 });
    expect((await post(`/api/v1/sims/${s.id}/msisdn`, f.headers.tenantAdmin, { msisdn: '4915300000002' })).statusCode).toBe(202);
    expect((await sim(s.id)).msisdn).toBe('4915300000002');
    await drain(t.platform);
    expect((await sim(s.id)).msisdn).toBe('4915300000001');
    const nums = await t.platform.core.dbs.system((tx) => sql<{ msisdn: string; state: string; sim_id: string | null }>`select msisdn, state, sim_id from msisdns
      where msisdn in ('4915300000001', '4915300000002') order by msisdn`.execute(tx));
    expect(nums.rows).toEqual([{ msisdn: '4915300000001', state: 'ASSIGNED', sim_id: s.id }, { msisdn: '4915300000002', state: 'FREE', sim_id: null }]);
    const [h] = (await get(`/api/v1/sims/${s.id}/history`)).json().items;
    expect(h).toMatchObject({ kind: 'MSISDN', status: 'FAILED', outcome: expect.stringContaining('HTTP 422') });
    const dead = (await get(`/api/v1/provisioning/deliveries?status=DEAD&simId=${s.id}`)).json().items;
    await post(`/api/v1/provisioning/deliveries/${dead[0].id}/cancel`, f.headers.tenantAdmin, { reason: 'number refused by the HLR' });
  });

  it('activates a test SIM when the network says its test quota is exhausted, once however often it is said', async () => {
    const [s] = await seedSims(t.platform, f.tenantId, f.enterpriseId, 1);
    await act(s.id, 'test-activate');
    await drain(t.platform);
    const key = await apiKeyHeaders(t.platform, f.headers.tenantAdmin, { role: 'tenant_admin', name: 'quota' });
    const notice = { eventId: `q-${s.id}`, type: 'QUOTA_EXHAUSTED', iccid: s.iccid };
    expect((await post('/api/v1/provisioning/notifications', key.headers, notice)).json()).toMatchObject({ status: 'APPLIED', detail: 'test allowance used up: SIM activated' });
    expect((await post('/api/v1/provisioning/notifications', key.headers, notice)).json()).toMatchObject({ duplicate: true });
    expect((await post('/api/v1/provisioning/notifications', key.headers, { ...notice, eventId: `q2-${s.id}` })).json().status).toBe('IGNORED');
    await drain(t.platform);
    expect((await sim(s.id)).state).toBe('ACTIVE');
    const activations = (await get(`/api/v1/sims/${s.id}/history`)).json().items.filter((h: { action: string }) => h.action === 'activate');
    expect(activations).toHaveLength(1);
  });
});

describe('bulk actions', () => {
  it('schedules a bulk change for a later date', async () => {
    const sims = await seedSims(t.platform, f.tenantId, f.enterpriseId, 3);
    const at = new Date(Date.now() + 86_400_000).toISOString();
    const job = await post('/api/v1/sims/bulk', f.headers.tenantAdmin, { action: 'activate', simIds: sims.map((s) => s.id), at });
    await drain(t.platform);
    expect((await get(`/api/v1/sims/bulk/${job.json().id}`)).json()).toMatchObject({ status: 'COMPLETED', succeeded: 3, scheduledFor: at });
    for (const s of sims) expect((await sim(s.id))).toMatchObject({ state: 'READY', openChanges: [expect.objectContaining({ status: 'SCHEDULED' })] });
    expect(await t.platform.modules.lifecycle.runScheduledChanges(new Date(Date.now() + 86_400_000 + 1000))).toBe(3);
    await drain(t.platform);
    for (const s of sims) expect((await sim(s.id)).state).toBe('ACTIVE');
  });

  it('runs a CSV job with progress, per-SIM outcome and a downloadable result', async () => {
    const sims = await seedSims(t.platform, f.tenantId, f.enterpriseId, 5);
    const bad = await post('/api/v1/sims/bulk', f.headers.tenantAdmin, { action: 'activate', csv: 'iccid\nnot-an-id\n' + sims[0].iccid + '\n' + sims[0].iccid });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([
      { field: 'csv.line 2.identifier', reason: '"not-an-id" is not an ICCID, IMSI, MSISDN or SIM id' },
      { field: 'csv.line 4.identifier', reason: `${sims[0].iccid} repeats line 3` },
    ]);
    const csv = ['iccid', ...sims.slice(0, 4).map((s) => s.iccid), '8988399999999999999'].join('\n');
    const job = await post('/api/v1/sims/bulk', f.headers.tenantAdmin, { action: 'activate', csv, reason: 'roll-out' });
    expect(job.statusCode).toBe(202);
    expect(job.json()).toMatchObject({ status: 'QUEUED', total: 5, processed: 0, source: 'CSV' });
    await drain(t.platform);
    const done = (await get(`/api/v1/sims/bulk/${job.json().id}`)).json();
    expect(done).toMatchObject({ status: 'COMPLETED', total: 5, processed: 5, succeeded: 4, failed: 1, progress: 100 });
    const items = (await get(`/api/v1/sims/bulk/${job.json().id}/items`)).json().items;
    expect(items.map((i: { outcome: string; changeStatus: string | null }) => `${i.outcome}/${i.changeStatus}`)).toEqual(
      ['ACCEPTED/COMPLETED', 'ACCEPTED/COMPLETED', 'ACCEPTED/COMPLETED', 'ACCEPTED/COMPLETED', 'REFUSED/null']);
    const file = await get(`/api/v1/sims/bulk/${job.json().id}/result.csv`);
    expect(file.headers['content-type']).toContain('text/csv');
    const lines = file.body.trim().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[5]).toBe('5,8988399999999999999,,REFUSED,,,no SIM matches this identifier');
    for (const s of sims.slice(0, 4)) expect(net.subscribers.get(s.imsi)?.status).toBe('ACTIVE');
    expect((await sim(sims[4].id)).state).toBe('READY');
  });

  it('runs a filter job and reports refused SIMs one by one', async () => {
    const bu = f.businessUnitIds[1];
    const sims = await seedSims(t.platform, f.tenantId, f.enterpriseId, 3, { state: 'ACTIVE', businessUnitId: bu });
    await seedSims(t.platform, f.tenantId, f.enterpriseId, 1, { state: 'SUSPEND', businessUnitId: bu, holds: ['TENANT'] });
    const job = await post('/api/v1/sims/bulk', f.headers.enterpriseAdmin, { action: 'suspend', filter: { businessUnitId: bu } });
    expect(job.statusCode).toBe(202);
    await drain(t.platform);
    const done = (await get(`/api/v1/sims/bulk/${job.json().id}`, f.headers.enterpriseAdmin)).json();
    expect(done).toMatchObject({ status: 'COMPLETED', total: 4, succeeded: 4, failed: 0 }); // the held SIM gets the enterprise's hold
    for (const s of sims) expect((await sim(s.id)).state).toBe('SUSPEND');
    // Another enterprise never sees the job or the SIMs.
    expect((await get(`/api/v1/sims/bulk/${job.json().id}`, f.headers.otherEnterpriseUser)).statusCode).toBe(404);
    expect((await get(`/api/v1/sims/${sims[0].id}`, f.headers.otherEnterpriseUser)).statusCode).toBe(404);
  });
});

describe('SIM list', () => {
  it('searches by identifier prefix and filters by state; enterprise users see their own SIMs only', async () => {
    const [s] = await seedSims(t.platform, f.tenantId, f.otherEnterpriseId, 1, { state: 'ACTIVE' });
    const mine = (await get(`/api/v1/sims?q=${s.iccid.slice(0, 19)}`, f.headers.otherEnterpriseUser)).json();
    expect(mine.items.map((x: { id: string }) => x.id)).toEqual([s.id]);
    expect((await get(`/api/v1/sims?q=${s.iccid}`, f.headers.enterpriseUser)).json().items).toEqual([]);
    const active = (await get(`/api/v1/sims?state=ACTIVE&limit=500`)).json().items;
    expect(active.length).toBeGreaterThan(0);
    expect(active.every((x: { state: string }) => x.state === 'ACTIVE')).toBe(true);
    expect((await act(s.id, 'suspend', f.headers.enterpriseUser)).statusCode).toBe(403); // enterprise users read only
  });
});
