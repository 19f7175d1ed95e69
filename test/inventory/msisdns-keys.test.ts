import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { createTenantFixture, type TenantFixture } from '../support/fixtures';
import { simFile, kiOf } from '../support/sim-files';
import { systemContext } from '../../src/platform/auth';
import { open, parseKeyRing } from '../../src/platform/crypto';
import { kiContext } from '../../src/modules/inventory/loads.service';
import { simState } from '../../src/modules/inventory';

const OLD = '1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=';
const NEW = `2:${Buffer.alloc(32, 7).toString('base64')}`;
let clock = new Date('2026-01-10T00:00:00Z');
let t: TestPlatform;
let f: TenantFixture;

beforeAll(async () => {
  t = await startTestPlatform({ ENCRYPTION_KEYS: OLD }, { now: () => clock });
  f = await createTenantFixture(t.platform);
  await t.platform.core.dbs.system((tx) => sql`update tenants set plmns = '{00101}' where id = ${f.tenantId}`.execute(tx));
});
afterAll(async () => t?.close());

describe('MSISDN pools', () => {
  let pool: string;
  it('load ranges and lists all or nothing, refusing numbers already known', async () => {
    pool = (await t.app.inject({ method: 'POST', url: '/api/v1/msisdn-pools', headers: f.headers.tenantAdmin, payload: { name: 'NL', quarantineDays: 30 } })).json().id;
    const ok = await t.app.inject({ method: 'POST', url: `/api/v1/msisdn-pools/${pool}/numbers`, headers: f.headers.tenantAdmin,
      payload: { ranges: [{ from: '31612000000', to: '31612000009' }], list: ['+31612000100'] } });
    expect(ok.json()).toEqual({ poolId: pool, loaded: 11 });
    const dup = await t.app.inject({ method: 'POST', url: `/api/v1/msisdn-pools/${pool}/numbers`, headers: f.headers.tenantAdmin,
      payload: { list: ['31612000200', '31612000005'] } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().errors).toEqual([{ field: 'msisdn', reason: '31612000005 is already in a pool' }]);
    const bad = await t.app.inject({ method: 'POST', url: `/api/v1/msisdn-pools/${pool}/numbers`, headers: f.headers.tenantAdmin,
      payload: { ranges: [{ from: '31612000050', to: '31612000040' }], list: ['0612'] } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(['ranges.0.to', 'list.0']);
    const pools = (await t.app.inject({ url: '/api/v1/msisdn-pools', headers: f.headers.tenantCsr })).json().items;
    expect(pools).toEqual([{ id: pool, name: 'NL', quarantineDays: 30, counts: { FREE: 11, RESERVED: 0, ASSIGNED: 0, QUARANTINED: 0 } }]);
  });

  it('rest a released number for the quarantine period, then the schedule frees it', async () => {
    const inv = t.platform.modules.inventory;
    const product = await inv.createProduct(systemContext(f.tenantId), { name: 'P', formFactor: '4FF', vendor: 'V', profileType: 'M2M' });
    await inv.loadSims(systemContext(f.tenantId), { simProductId: product.id, source: Readable.from([simFile(1, 1)]) });
    const [sim] = (await inv.listSims({ tenantId: f.tenantId }, { limit: 1 })).items;
    // Lifecycle's MSISDN change: the SIM takes a number, then another; the first one goes to quarantine.
    await t.platform.core.dbs.tenant({ tenantId: f.tenantId }, async (tx) => {
      await simState.changeMsisdn(tx, f.tenantId, sim.id, '31612000001', clock);
      await simState.changeMsisdn(tx, f.tenantId, sim.id, '31612000002', clock);
    });
    const state = async (m: string) => (await t.platform.core.dbs.system((tx) => sql<{ state: string }>`select state from msisdns where msisdn = ${m}`.execute(tx))).rows[0].state;
    expect(await state('31612000001')).toBe('QUARANTINED');
    expect(await inv.freeQuarantinedMsisdns(new Date('2026-02-08T23:59:59Z'))).toBe(0);
    expect(await state('31612000001')).toBe('QUARANTINED');
    clock = new Date('2026-02-09T00:00:00Z');
    await t.platform.core.scheduler.sync(t.platform.core.dbs, clock);
    const ran = await t.platform.core.scheduler.runDue(t.platform.core.dbs, new Date('2026-02-09T00:15:00Z'));
    expect(ran).toContain('inventory.msisdn-quarantine');
    expect(await state('31612000001')).toBe('FREE');
    expect(await state('31612000002')).toBe('ASSIGNED');
  });
});

describe('key rotation', () => {
  it('re-seals every Ki/OPc under the newest key, keeping the values', async () => {
    const inv = t.platform.modules.inventory;
    const product = await inv.createProduct(systemContext(f.tenantId), { name: 'R', formFactor: '4FF', vendor: 'V', profileType: 'M2M' });
    await inv.loadSims(systemContext(f.tenantId), { simProductId: product.id, source: Readable.from([simFile(100, 5)]) });
    const before = await t.platform.core.dbs.system((tx) => sql<{ id: string; key_id: string; ki_enc: Buffer }>`select id, key_id, ki_enc from sims where tenant_id = ${f.tenantId} order by iccid`.execute(tx));
    expect(new Set(before.rows.map((r) => r.key_id))).toEqual(new Set(['1']));

    // A new key goes first in ENCRYPTION_KEYS; the old one stays so old values still open.
    t.platform.core.config.ENCRYPTION_KEYS = `${NEW},${OLD}`;
    const { createInventoryModule } = await import('../../src/modules/inventory');
    const rotated = await createInventoryModule({ ...t.platform.core, scheduler: new (t.platform.core.scheduler.constructor as new () => typeof t.platform.core.scheduler)() }).rotateKeys();
    expect(rotated).toBe(before.rows.length);
    const after = await t.platform.core.dbs.system((tx) => sql<{ id: string; iccid: string; key_id: string; ki_enc: Buffer }>`select id, iccid, key_id, ki_enc from sims where tenant_id = ${f.tenantId} order by iccid`.execute(tx));
    expect(new Set(after.rows.map((r) => r.key_id))).toEqual(new Set(['2']));
    const ring = parseKeyRing(NEW); // the new key alone opens every row now
    const last = after.rows.at(-1)!;
    expect(open({ keyId: last.key_id, blob: last.ki_enc }, ring, kiContext(last.id, 'ki')).toString('hex')).toBe(kiOf(104));
    expect(Buffer.from(after.rows[0].ki_enc).equals(Buffer.from(before.rows[0].ki_enc))).toBe(false);
  });
});
