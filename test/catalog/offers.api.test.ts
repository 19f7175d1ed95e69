import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { createTenantFixture, type TenantFixture } from '../support/fixtures';
import { iotPlan, MB, roamingPack } from '../../src/modules/catalog/catalog.fixtures';
import { auditOf, C, caller, countRows, createZones, eventsOf } from './helpers';

// Offers end to end: create, validate, version lifecycle with effective dates, history and comparison,
// retirement, deletion guarded by the subscription registry, cloning, the price calculator, roles and tenants.
const NOW = Date.parse('2025-03-01T00:00:00Z');
const DAY = 86_400_000;
const at = (days: number) => new Date(NOW + days * DAY).toISOString();
let t: TestPlatform;
let a: TenantFixture;
let b: TenantFixture;
let call: ReturnType<typeof caller>;
const inUse = new Map<string, number>();

beforeAll(async () => {
  t = await startTestPlatform({}, { now: () => new Date(NOW) });
  call = caller(t);
  a = await createTenantFixture(t.platform);
  b = await createTenantFixture(t.platform);
  await createZones(t, a.headers.tenantAdmin);
  // What inventory will register: SIMs holding an offer as their plan.
  t.platform.modules.catalog.registerSubscriptionCounter(async (_tx, _scope, ids) => new Map(ids.map((id) => [id, inUse.get(id) ?? 0])));
});
afterAll(async () => t.close());

describe('creating offers', () => {
  it('creates version 1 as a draft, with its audit record and events', async () => {
    const r = await call('POST', `${C}/offers`, a.headers.tenantAdmin, { code: 'IOT10', kind: 'PRIMARY', spec: iotPlan() });
    expect(r.statusCode).toBe(201);
    const offer = r.json();
    expect(offer).toMatchObject({ code: 'IOT10', name: 'IoT 10 MB', kind: 'PRIMARY', status: 'ACTIVE', currentVersion: null, latestVersion: 1, latestStatus: 'DRAFT' });
    expect(offer.latest.spec.allowances[0]).toMatchObject({ amount: 10 * MB, pooling: 'NONE', onExhaustion: 'OVERAGE' });
    expect(await eventsOf(t, offer.id)).toEqual(['catalog.offer.created', 'catalog.version.created']);
    expect(await auditOf(t, offer.id)).toEqual([{ action: 'create', entity_type: 'catalog_offer' }]);
  });

  it('refuses a bad offer naming every bad field, and saves nothing', async () => {
    const before = await countRows(t, 'catalog_offers', a.tenantId);
    const spec = { ...iotPlan(), usageItems: [{ usageType: 'DATA', zone: 'MARS', tariffPlan: 'data-home' }], oneTimeCharges: [{ code: 'X', kind: 'ACTIVATION', amount: '1' }, { code: 'X', kind: 'SIM_CARD', amount: '2' }] };
    const r = await call('POST', `${C}/offers`, a.headers.tenantAdmin, { code: 'BAD', kind: 'PRIMARY', spec });
    expect(r.statusCode).toBe(422);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.json().errors).toEqual(expect.arrayContaining([
      { field: 'spec.usageItems.0.zone', reason: "no zone MARS in the tenant's catalog zones" },
      { field: 'spec.usageTypes.1', reason: 'SMS_MO has no usage item (tariff plan)' },
      { field: 'spec.oneTimeCharges.1.code', reason: 'charge code X is used twice' },
    ]));
    const money = await call('POST', `${C}/offers`, a.headers.tenantAdmin, { code: 'BAD', kind: 'PRIMARY', spec: { ...iotPlan(), recurringCharges: [{ code: 'M', amount: '1.0000001' }] } });
    expect(money.json().errors).toEqual([{ field: 'spec.recurringCharges.0.amount', reason: 'must be a decimal amount in major units with at most 6 decimals, e.g. "1.20"' }]);
    expect(await countRows(t, 'catalog_offers', a.tenantId)).toBe(before);
    expect((await call('POST', `${C}/offers`, a.headers.tenantAdmin, { code: 'IOT10', kind: 'PRIMARY', spec: iotPlan() })).statusCode).toBe(409);
  });

  it('answers 409, never 500, when two requests create the same code at once', async () => {
    const results = await Promise.all([1, 2, 3].map(() => call('POST', `${C}/offers`, a.headers.tenantAdmin, { code: 'RACE', kind: 'PRIMARY', spec: iotPlan() })));
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409]);
    const bad = await call('PUT', `${C}/zones/bad code`, a.headers.tenantAdmin, { name: 'x', plmns: ['262'] });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].field).toBe('params.code');
  });

  it('validates a document as the editor types, without saving', async () => {
    const good = await call('POST', `${C}/offers/validate`, a.headers.tenantAdmin, { kind: 'SUPPLEMENTARY', spec: roamingPack() });
    expect(good.json()).toEqual({ valid: true, errors: [], warnings: [] });
    const bad = await call('POST', `${C}/offers/validate`, a.headers.tenantAdmin, { kind: 'SUPPLEMENTARY', spec: { ...roamingPack(), currency: 'eur' } });
    expect(bad.json()).toMatchObject({ valid: false, errors: [{ field: 'spec.currency' }] });
  });

  it('is written by catalog:write roles only, read by every role, and invisible to other tenants', async () => {
    expect((await call('POST', `${C}/offers`, a.headers.tenantCsr, { code: 'X1', kind: 'PRIMARY', spec: iotPlan() })).statusCode).toBe(403);
    expect((await call('POST', `${C}/offers`, a.headers.enterpriseAdmin, { code: 'X1', kind: 'PRIMARY', spec: iotPlan() })).statusCode).toBe(403);
    const list = await call('GET', `${C}/offers?kind=PRIMARY`, a.headers.enterpriseUser);
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((o: { code: string }) => o.code)).toEqual(['IOT10', 'RACE']);
    const id = list.json().items[0].id;
    expect((await call('GET', `${C}/offers/${id}`, b.headers.tenantAdmin)).statusCode).toBe(404);
    expect((await call('GET', `${C}/offers`, b.headers.tenantAdmin)).json().items).toEqual([]);
    expect((await call('GET', `${C}/offers/00000000-0000-4000-8000-000000000000`, a.headers.tenantAdmin)).statusCode).toBe(404);
  });
});

describe('row-level security on catalog tables', () => {
  it('shows another tenant none of the rows, whatever the query asks for', async () => {
    const { sql } = await import('kysely');
    const rows = await t.platform.core.dbs.tenant({ tenantId: b.tenantId }, async (tx) => ({
      offers: (await sql`select id from catalog_offers`.execute(tx)).rows.length,
      versions: (await sql`select id from catalog_offer_versions`.execute(tx)).rows.length,
      zones: (await sql`select id from catalog_zones`.execute(tx)).rows.length,
    }));
    expect(rows).toEqual({ offers: 0, versions: 0, zones: 0 });
    expect(await countRows(t, 'catalog_offers', a.tenantId)).toBeGreaterThan(0);
    await expect(t.platform.core.dbs.tenant({ tenantId: b.tenantId }, (tx) =>
      sql`insert into catalog_zones (tenant_id, code, name, plmns) values (${a.tenantId}, 'X', 'X', '{1}')`.execute(tx))).rejects.toThrow(/row-level security/);
  });
});

describe('versions and effective dates', () => {
  let id: string;
  beforeAll(async () => {
    id = (await call('GET', `${C}/offers?q=IOT10`, a.headers.tenantAdmin)).json().items[0].id;
  });

  it('edits the draft in place, freezes it on approval, and activates it from a date', async () => {
    const edited = await call('PATCH', `${C}/offers/${id}`, a.headers.tenantAdmin, { spec: iotPlan({ description: 'first cut' }) });
    expect(edited.json()).toMatchObject({ latestVersion: 1, latestStatus: 'DRAFT' });
    const approved = await call('POST', `${C}/offers/${id}/versions/1/approve`, a.headers.tenantAdmin);
    expect(approved.json()).toMatchObject({ status: 'APPROVED' });
    expect((await call('PATCH', `${C}/offers/${id}`, a.headers.tenantAdmin, { spec: iotPlan() })).statusCode).toBe(409);
    const past = await call('POST', `${C}/offers/${id}/versions/1/activate`, a.headers.tenantAdmin, { effectiveFrom: at(-1) });
    expect(past.statusCode).toBe(422);
    expect(past.json().errors[0].field).toBe('effectiveFrom');
    const active = await call('POST', `${C}/offers/${id}/versions/1/activate`, a.headers.tenantAdmin, {});
    expect(active.json()).toMatchObject({ status: 'ACTIVE', effectiveFrom: at(0), effectiveTo: null });
    expect((await call('POST', `${C}/offers/${id}/versions/1/activate`, a.headers.tenantAdmin, {})).statusCode).toBe(409);
  });

  it('never edits an active version: a change makes version 2, which takes effect later', async () => {
    const changed = iotPlan({ description: 'first cut' });
    changed.recurringCharges![0].amount = '3.00';
    const r = await call('PATCH', `${C}/offers/${id}`, a.headers.tenantAdmin, { spec: changed });
    expect(r.json()).toMatchObject({ currentVersion: 1, latestVersion: 2, latestStatus: 'DRAFT' });
    expect((await call('GET', `${C}/offers/${id}/versions/1`, a.headers.tenantAdmin)).json().spec.recurringCharges[0].amount).toBe('2.50');
    await call('POST', `${C}/offers/${id}/versions/2/approve`, a.headers.tenantAdmin);
    const tooEarly = await call('POST', `${C}/offers/${id}/versions/2/activate`, a.headers.tenantAdmin, { effectiveFrom: at(0) });
    expect(tooEarly.statusCode).toBe(422);
    const later = await call('POST', `${C}/offers/${id}/versions/2/activate`, a.headers.tenantAdmin, { effectiveFrom: at(10) });
    expect(later.json()).toMatchObject({ status: 'ACTIVE', effectiveFrom: at(10) });
    const v1 = (await call('GET', `${C}/offers/${id}/versions/1`, a.headers.tenantAdmin)).json();
    expect(v1).toMatchObject({ status: 'RETIRED', effectiveFrom: at(0), effectiveTo: at(10) });
    expect(await eventsOf(t, id)).toEqual(['catalog.offer.created', 'catalog.version.created', 'catalog.offer.updated', 'catalog.version.approved',
      'catalog.version.activated', 'catalog.version.created', 'catalog.offer.updated', 'catalog.version.approved', 'catalog.version.activated']);
  });

  it('resolves the version in force at any instant (half-open windows)', async () => {
    const catalog = t.platform.modules.catalog;
    const scope = { tenantId: a.tenantId };
    expect(await catalog.resolveOfferVersion(scope, id, new Date(NOW - 1))).toBeNull();
    expect((await catalog.resolveOfferVersion(scope, id, new Date(NOW)))!.version).toBe(1);
    expect((await catalog.resolveOfferVersion(scope, id, new Date(NOW + 10 * DAY - 1)))!.version).toBe(1);
    expect((await catalog.resolveOfferVersion(scope, id, new Date(NOW + 10 * DAY)))!.spec.recurringCharges[0].amount).toBe('3.00');
    expect((await call('GET', `${C}/offers/${id}/resolve?at=${at(11)}`, a.headers.enterpriseUser)).json().version).toBe(2);
    expect((await call('GET', `${C}/offers/${id}/resolve?at=${at(-1)}`, a.headers.tenantAdmin)).statusCode).toBe(404);
    // The engine's input follows the same dates.
    const before = await catalog.compileRatingCatalog(scope, { at: new Date(NOW + DAY), offerIds: [id] });
    expect(before.offers).toHaveLength(1);
    expect(await catalog.compileRatingCatalog(scope, { at: new Date(NOW - DAY), offerIds: [id] })).toMatchObject({ offers: [] });
  });

  it('shows the history and compares two versions field by field', async () => {
    const detail = (await call('GET', `${C}/offers/${id}`, a.headers.tenantAdmin)).json();
    expect(detail.versions.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual([[1, 'RETIRED'], [2, 'ACTIVE']]);
    const cmp = await call('GET', `${C}/offers/${id}/compare?from=1&to=2`, a.headers.tenantAdmin);
    expect(cmp.json().changes).toEqual([{ path: 'recurringCharges[MRC].amount', change: 'changed', before: '2.50', after: '3.00' }]);
  });

  it('starts a new draft from any version, one open draft at a time', async () => {
    const v3 = await call('POST', `${C}/offers/${id}/versions`, a.headers.tenantAdmin, { from: 1 });
    expect(v3.json()).toMatchObject({ version: 3, status: 'DRAFT', basedOn: 1 });
    expect(v3.json().spec.recurringCharges[0].amount).toBe('2.50');
    expect((await call('POST', `${C}/offers/${id}/versions`, a.headers.tenantAdmin, {})).statusCode).toBe(409);
  });
});

describe('selling, retiring and deleting', () => {
  it('sells within the sales window to the enterprises it is for; retiring stops sales but keeps rating', async () => {
    const catalog = t.platform.modules.catalog;
    const scope = { tenantId: a.tenantId };
    const r = await call('POST', `${C}/offers`, a.headers.tenantAdmin, { code: 'PRIV', kind: 'PRIMARY', spec: iotPlan({ name: 'Private', salesTo: at(5), availableTo: [a.enterpriseId] }) });
    const id = r.json().id;
    await call('POST', `${C}/offers/${id}/versions/1/approve`, a.headers.tenantAdmin);
    await call('POST', `${C}/offers/${id}/versions/1/activate`, a.headers.tenantAdmin, {});
    expect(await catalog.isSellableTo(scope, id, a.enterpriseId, new Date(NOW))).toBe(true);
    expect(await catalog.isSellableTo(scope, id, a.otherEnterpriseId, new Date(NOW))).toBe(false);
    expect(await catalog.isSellableTo(scope, id, a.enterpriseId, new Date(NOW + 5 * DAY))).toBe(false);
    expect(await catalog.isSellableTo(scope, id, a.enterpriseId, new Date(NOW - 1))).toBe(false);
    const retired = await call('POST', `${C}/offers/${id}/retire`, a.headers.tenantAdmin);
    expect(retired.json()).toMatchObject({ status: 'RETIRED' });
    expect(await catalog.isSellableTo(scope, id, a.enterpriseId, new Date(NOW))).toBe(false);
    expect((await catalog.resolveOfferVersion(scope, id, new Date(NOW)))!.offerStatus).toBe('RETIRED');
    expect((await catalog.compileRatingCatalog(scope, { at: new Date(NOW), offerIds: [id] })).offers).toHaveLength(1);
    expect(await eventsOf(t, id)).toContain('catalog.offer.retired');
  });

  it('refuses to delete an offer in use, deletes it once free', async () => {
    const id = (await call('POST', `${C}/offers`, a.headers.tenantAdmin, { code: 'GONE', kind: 'PRIMARY', spec: iotPlan() })).json().id;
    inUse.set(id, 3);
    const refused = await call('DELETE', `${C}/offers/${id}`, a.headers.tenantAdmin);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ subscriptions: 3 });
    inUse.delete(id);
    expect((await call('DELETE', `${C}/offers/${id}`, a.headers.tenantAdmin)).statusCode).toBe(204);
    expect((await call('GET', `${C}/offers/${id}`, a.headers.tenantAdmin)).statusCode).toBe(404);
    expect(await eventsOf(t, id)).toEqual(['catalog.offer.created', 'catalog.version.created', 'catalog.offer.deleted']);
  });

  it('counts SIMs that hold the offer as their plan (the inventory counter wired in the composition root)', async () => {
    const id = (await call('POST', `${C}/offers`, a.headers.tenantAdmin, { code: 'HELD', kind: 'PRIMARY', spec: iotPlan() })).json().id;
    const sim = await sql<{ id: string }>`insert into sims (tenant_id, iccid, imsi, ki_enc, key_id, plan_offer_id, state)
      values (${a.tenantId}, '8949000000000000001', '001010000000001', '\\x00'::bytea, '1', ${id}, 'ACTIVE') returning id`.execute(t.platform.core.dbs.db);
    const refused = await call('DELETE', `${C}/offers/${id}`, a.headers.tenantAdmin);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ subscriptions: 1 });
    await sql`update sims set state = 'TERMINATE' where id = ${sim.rows[0].id}`.execute(t.platform.core.dbs.db);
    expect((await call('DELETE', `${C}/offers/${id}`, a.headers.tenantAdmin)).statusCode).toBe(204);
  });

  it('clones an offer under a new code', async () => {
    const src = (await call('GET', `${C}/offers?q=IOT10`, a.headers.tenantAdmin)).json().items[0].id;
    const r = await call('POST', `${C}/offers/${src}/clone`, a.headers.tenantAdmin, { code: 'IOT10-B', name: 'IoT 10 MB (B)', version: 2 });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ code: 'IOT10-B', name: 'IoT 10 MB (B)', latestVersion: 1, latestStatus: 'DRAFT' });
    expect(r.json().latest.spec.recurringCharges[0].amount).toBe('3.00');
  });
});

describe('price calculator', () => {
  it('rates sample usage against a version and shows how each unit was charged', async () => {
    const id = (await call('GET', `${C}/offers?q=IOT10-B`, a.headers.tenantAdmin)).json().items[0].id;
    const r = await call('POST', `${C}/offers/${id}/rate`, a.headers.tenantCsr, {
      version: 1,
      usage: [
        { usageType: 'DATA', servingNetwork: '26201', quantity: 8 * MB },
        { usageType: 'DATA', servingNetwork: '26201', quantity: 4 * MB + 1 },
        { usageType: 'DATA', servingNetwork: '20810', quantity: 100 },
        { usageType: 'VOICE_MO', servingNetwork: '26201', quantity: 60 },
      ],
    });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.results[0]).toMatchObject({ status: 'RATED', charge: '0.00', allowanceUsed: 8 * MB, exhaustion: null });
    // 2 MB left in the allowance; 2 MB + 1 octet beyond it = 3 additional units at 0.50.
    expect(body.results[1]).toMatchObject({ status: 'RATED', charge: '1.50', allowanceUsed: 2 * MB, exhaustion: 'OVERAGE' });
    expect(body.results[2]).toMatchObject({ zone: 'EU', charge: '2.00', lines: [{ initialUnits: 1, additionalUnits: 0, billedQuantity: MB, charge: '2.00' }] });
    expect(body.results[3]).toMatchObject({ status: 'REJECTED', reason: 'NO_USAGE_TYPE_MAPPING' });
    expect(body.total).toBe('3.50');
    expect(body.allowancesLeft).toEqual([{ allowance: 'IOT10-B/data', side: 'REAL', remaining: 0 }]);
  });
});
