import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { createTenantFixture, type TenantFixture } from '../support/fixtures';
import { iotPlan, MB, roamingPack } from '../../src/modules/catalog/catalog.fixtures';
import { C, caller, countRows, createZones, eventsOf } from './helpers';

// Rules (transition, exclusion, prerequisites), bundles, enterprise price agreements and host templates.
const NOW = Date.parse('2025-03-01T00:00:00Z');
let t: TestPlatform;
let a: TenantFixture;
let call: ReturnType<typeof caller>;
const ids: Record<string, string> = {};

async function activeOffer(code: string, kind: 'PRIMARY' | 'SUPPLEMENTARY' | 'ACCOUNT', spec: unknown): Promise<string> {
  const r = await call('POST', `${C}/offers`, a.headers.tenantAdmin, { code, kind, spec });
  if (r.statusCode !== 201) throw new Error(`${code}: ${r.body}`);
  const id = r.json().id;
  await call('POST', `${C}/offers/${id}/versions/1/approve`, a.headers.tenantAdmin);
  const act = await call('POST', `${C}/offers/${id}/versions/1/activate`, a.headers.tenantAdmin, {});
  if (act.statusCode !== 200) throw new Error(`${code}: ${act.body}`);
  return id;
}

beforeAll(async () => {
  t = await startTestPlatform({}, { now: () => new Date(NOW) });
  call = caller(t);
  a = await createTenantFixture(t.platform);
  await createZones(t, a.headers.tenantAdmin);
  ids.basic = await activeOffer('BASIC', 'PRIMARY', iotPlan({ name: 'Basic' }));
  ids.pro = await activeOffer('PRO', 'PRIMARY', iotPlan({ name: 'Pro' }));
  ids.legacy = await activeOffer('LEGACY', 'PRIMARY', iotPlan({ name: 'Legacy' }));
  ids.nbiot = await activeOffer('NBIOT', 'PRIMARY', iotPlan({ name: 'NB-IoT only' }));
  // Basic may move to Pro only; Legacy has no transition rule.
  const basicSpec = iotPlan({ name: 'Basic', rules: { transition: { offers: [ids.pro], bundles: [] } } });
  await call('PATCH', `${C}/offers/${ids.basic}`, a.headers.tenantAdmin, { spec: basicSpec });
  await call('POST', `${C}/offers/${ids.basic}/versions/2/approve`, a.headers.tenantAdmin);
  await call('POST', `${C}/offers/${ids.basic}/versions/2/activate`, a.headers.tenantAdmin, { effectiveFrom: new Date(NOW + 60_000).toISOString() });
  ids.eu = await activeOffer('EU100', 'SUPPLEMENTARY', roamingPack({ rules: { prerequisite: { offers: [ids.basic, ids.pro], bundles: [] } } }));
  ids.world = await activeOffer('WORLD', 'SUPPLEMENTARY', roamingPack({ name: 'World pack', rules: { exclusion: { offers: [ids.eu], bundles: [] } } }));
});
afterAll(async () => t.close());

describe('transition rules (checkPlanTransition)', () => {
  it('allows only the listed targets once the rule is in force, and any target without a rule', async () => {
    const catalog = t.platform.modules.catalog;
    const scope = { tenantId: a.tenantId };
    const later = new Date(NOW + 120_000);
    expect(await catalog.checkPlanTransition(undefined, scope, ids.basic, ids.pro, later)).toEqual({ allowed: true, rule: null, reason: null });
    expect(await catalog.checkPlanTransition(undefined, scope, ids.basic, ids.legacy, later)).toMatchObject({ allowed: false, rule: 'TRANSITION' });
    // Before version 2 takes effect, Basic had no transition rule.
    expect((await catalog.checkPlanTransition(undefined, scope, ids.basic, ids.legacy, new Date(NOW))).allowed).toBe(true);
    expect((await catalog.checkPlanTransition(undefined, scope, ids.legacy, ids.nbiot, later)).allowed).toBe(true);
    expect(await catalog.checkPlanTransition(undefined, scope, ids.legacy, ids.eu, later)).toMatchObject({ allowed: false, rule: 'NOT_PRIMARY' });
    // A SIM without a plan may take any sellable primary offer; the same plan again is no transition.
    expect((await catalog.checkPlanTransition(undefined, scope, null, ids.legacy, later)).allowed).toBe(true);
    expect(await catalog.checkPlanTransition(undefined, scope, ids.legacy, ids.legacy, later)).toMatchObject({ allowed: false, rule: 'SAME_OFFER' });
    // Inside the caller's transaction too.
    const inTx = await t.platform.core.dbs.tenant(scope, (tx) => catalog.checkPlanTransition(tx, scope, ids.basic, ids.legacy, later));
    expect(inTx.allowed).toBe(false);
  });

  it('refuses a retired target', async () => {
    await call('POST', `${C}/offers/${ids.nbiot}/retire`, a.headers.tenantAdmin);
    const r = await call('POST', `${C}/rules/check-transition`, a.headers.tenantCsr, { fromOfferId: ids.legacy, toOfferId: ids.nbiot });
    expect(r.json()).toMatchObject({ allowed: false, rule: 'NOT_SELLABLE' });
  });
});

describe('order rules', () => {
  it('needs a prerequisite plan for the roaming pack', async () => {
    const refused = await call('POST', `${C}/rules/check-order`, a.headers.tenantCsr, { offerId: ids.eu, held: [ids.legacy] });
    expect(refused.json()).toMatchObject({ allowed: false, rule: 'PREREQUISITE' });
    expect((await call('POST', `${C}/rules/check-order`, a.headers.tenantCsr, { offerId: ids.eu, held: [ids.pro] })).json().allowed).toBe(true);
  });

  it('exclusion beats everything, both ways and within one order', async () => {
    // The world pack excludes the EU pack: adding EU to a holder of World is refused by World's rule.
    const r = await call('POST', `${C}/rules/check-order`, a.headers.tenantCsr, { offerId: ids.eu, held: [ids.pro, ids.world] });
    expect(r.json()).toMatchObject({ allowed: false, rule: 'EXCLUSION' });
    const same = await call('POST', `${C}/rules/check-order`, a.headers.tenantCsr, { offerId: ids.world, held: [ids.pro], adding: [ids.eu] });
    expect(same.json().rule).toBe('EXCLUSION');
    const removed = await call('POST', `${C}/rules/check-order`, a.headers.tenantCsr, { offerId: ids.eu, held: [ids.pro, ids.world], removing: [ids.world] });
    expect(removed.json().allowed).toBe(true);
  });

  it('refuses an order that would leave a held add-on without its prerequisite', async () => {
    // Adding Legacy while removing Pro: the EU pack needs Basic or Pro.
    const r = await call('POST', `${C}/rules/check-order`, a.headers.tenantCsr, { offerId: ids.legacy, held: [ids.pro, ids.eu], removing: [ids.pro] });
    expect(r.json()).toMatchObject({ allowed: false, rule: 'PREREQUISITE' });
    const alsoRemoved = await call('POST', `${C}/rules/check-order`, a.headers.tenantCsr, { offerId: ids.legacy, held: [ids.pro, ids.eu], removing: [ids.pro, ids.eu] });
    expect(alsoRemoved.json().allowed).toBe(true);
  });

  it('refuses rules naming offers that do not exist', async () => {
    const r = await call('POST', `${C}/offers`, a.headers.tenantAdmin, { code: 'DANGLING', kind: 'SUPPLEMENTARY', spec: roamingPack({ rules: { exclusion: { offers: ['00000000-0000-4000-8000-000000000000'], bundles: [] } } }) });
    expect(r.statusCode).toBe(422);
    expect(r.json().errors).toEqual([{ field: 'spec.rules.exclusion.offers.0', reason: 'no offer 00000000-0000-4000-8000-000000000000 in this catalog' }]);
  });
});

describe('bundles', () => {
  it('creates a pick-N bundle with its price and refuses malformed ones', async () => {
    const spec = { name: 'Fleet starter', currency: 'EUR', price: { recurring: '9.00', oneTime: '0' }, requiredSelective: 1,
      members: [{ offerId: ids.pro, kind: 'MANDATORY' }, { offerId: ids.eu, kind: 'SELECTIVE' }, { offerId: ids.world, kind: 'SELECTIVE' }] };
    const r = await call('POST', `${C}/bundles`, a.headers.tenantAdmin, { code: 'FLEET', level: 'SUBSCRIBER', spec });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ code: 'FLEET', name: 'Fleet starter', level: 'SUBSCRIBER', spec: { requiredSelective: 1, price: { recurring: '9.00' } } });
    expect(await eventsOf(t, r.json().id)).toEqual(['catalog.bundle.created']);
    const twoPrimaries = await call('POST', `${C}/bundles`, a.headers.tenantAdmin, { code: 'BAD', level: 'SUBSCRIBER', spec: { ...spec, members: [...spec.members, { offerId: ids.legacy, kind: 'OPTIONAL' }] } });
    expect(twoPrimaries.statusCode).toBe(422);
    expect(twoPrimaries.json().errors).toEqual([{ field: 'spec.members', reason: 'a subscriber bundle has exactly one primary offer (found 2)' }]);
    const account = await call('POST', `${C}/bundles`, a.headers.tenantAdmin, { code: 'BAD2', level: 'ACCOUNT', spec });
    expect(account.json().errors.map((e: { field: string }) => e.field)).toEqual(['spec.members.0.offerId', 'spec.members.1.offerId', 'spec.members.2.offerId']);
  });

  it('keeps bundle members from being deleted', async () => {
    const r = await call('DELETE', `${C}/offers/${ids.eu}`, a.headers.tenantAdmin);
    expect(r.statusCode).toBe(409);
    expect(r.json().detail).toMatch(/member of bundle\(s\) FLEET/);
  });
});

describe('enterprise price agreements', () => {
  it('gives one enterprise its own prices without copying the offer', async () => {
    const r = await call('POST', `${C}/agreements`, a.headers.tenantAdmin, {
      enterpriseId: a.enterpriseId, offerId: ids.pro, name: 'Acme ICB', validFrom: new Date(NOW).toISOString(),
      overrides: { tariffs: { 'data-home/ANY/0': { initialCharge: '0.10', additionalCharge: '0.10' } }, recurringCharges: { MRC: '1.00' } },
    });
    expect(r.statusCode).toBe(201);
    const catalog = t.platform.modules.catalog;
    const scope = { tenantId: a.tenantId };
    const own = await catalog.compileRatingCatalog(scope, { at: new Date(NOW), offerIds: [ids.pro], enterpriseId: a.enterpriseId });
    const std = await catalog.compileRatingCatalog(scope, { at: new Date(NOW), offerIds: [ids.pro], enterpriseId: a.otherEnterpriseId });
    const price = (d: typeof own) => d.tariffPlans.find((p) => p.id === 'PRO/data-home')!.currencySets[0].timeTypes.ANY[0].additionalCharge;
    expect(price(own)).toBe('0.10');
    expect(price(std)).toBe('0.50');
    const calc = await call('POST', `${C}/offers/${ids.pro}/rate`, a.headers.tenantAdmin, { enterpriseId: a.enterpriseId, usage: [{ usageType: 'DATA', servingNetwork: '26201', quantity: 12 * MB }] });
    expect(calc.json()).toMatchObject({ agreement: r.json().id, total: '0.20' });
  });

  it('refuses overlapping agreements and unknown entries, and hides them from other enterprises', async () => {
    const overlap = await call('POST', `${C}/agreements`, a.headers.tenantAdmin, { enterpriseId: a.enterpriseId, offerId: ids.pro, name: 'Again', validFrom: new Date(NOW + 1000).toISOString(), overrides: {} });
    expect(overlap.statusCode).toBe(409);
    const unknown = await call('POST', `${C}/agreements`, a.headers.tenantAdmin, { enterpriseId: a.otherEnterpriseId, offerId: ids.pro, name: 'X', validFrom: new Date(NOW).toISOString(), overrides: { recurringCharges: { NOPE: '1' } } });
    expect(unknown.json().errors).toEqual([{ field: 'overrides.recurringCharges.NOPE', reason: 'no such recurring charge' }]);
    expect((await call('GET', `${C}/agreements`, a.headers.enterpriseUser)).json().items).toHaveLength(1);
    expect((await call('GET', `${C}/agreements`, a.headers.otherEnterpriseUser)).json().items).toHaveLength(0);
  });
});

describe('host templates', () => {
  it('are defined by the host and copied into a tenant as a new offer', async () => {
    expect((await call('POST', `${C}/templates`, a.headers.tenantAdmin, { code: 'TPL-IOT', name: 'IoT starter', kind: 'PRIMARY', spec: iotPlan({ usageItems: [{ usageType: 'DATA', tariffPlan: 'data-home' }, { usageType: 'SMS_MO', tariffPlan: 'sms' }], allowances: [] }) })).statusCode).toBe(403);
    const tpl = iotPlan({ name: 'IoT starter', usageItems: [{ usageType: 'DATA', tariffPlan: 'data-home' }, { usageType: 'SMS_MO', tariffPlan: 'sms' }], allowances: [{ id: 'data', unitType: 'OCTET', amount: MB, usageTypes: ['DATA'] }] });
    const host = { authorization: a.headers.hostAdmin.authorization };
    const created = await call('POST', `${C}/templates`, host, { code: 'TPL-IOT', name: 'IoT starter', kind: 'PRIMARY', spec: tpl });
    expect(created.statusCode).toBe(201);
    const list = await call('GET', `${C}/templates`, a.headers.tenantAdmin);
    expect(list.json().items.map((x: { code: string }) => x.code)).toContain('TPL-IOT');
    const before = await countRows(t, 'catalog_offers', a.tenantId);
    const copy = await call('POST', `${C}/templates/${created.json().id}/copy`, a.headers.tenantAdmin, { code: 'STARTER', name: 'Starter' });
    expect(copy.statusCode).toBe(201);
    expect(copy.json()).toMatchObject({ code: 'STARTER', name: 'Starter', latestStatus: 'DRAFT' });
    expect(await countRows(t, 'catalog_offers', a.tenantId)).toBe(before + 1);
  });
});
