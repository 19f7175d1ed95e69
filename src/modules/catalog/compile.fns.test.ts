import { describe, expect, it } from 'vitest';
import { applyImpacts, compileCatalog, rateUsage, type AllowanceBucket, type RatedUsage, type RatingBalances, type RatingSubscriber } from '../rating';
import { parseOfferSpec } from './catalog.fns';
import { iotPlan, MB, roamingPack, ZONES } from './catalog.fixtures';
import type { OfferKind, OfferSpecInput } from './catalog.schemas';
import { compileOffers, ownAllowanceBuckets, poolContributions, type CompileOffer } from './compile.fns';

const ctx = { zones: new Set(ZONES.map((z) => z.code)) };
const PLAN = '11111111-1111-4111-8111-111111111111';
const PACK = '22222222-2222-4222-8222-222222222222';
const T = Date.parse('2025-03-05T12:00:00Z');

function offer(id: string, code: string, kind: OfferKind, input: OfferSpecInput): CompileOffer {
  const r = parseOfferSpec(kind, input, ctx);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return { id, code, kind, version: 1, spec: r.value };
}
const subscriber = (id: string, offers: { id: string; offerId: string }[]): RatingSubscriber => ({
  id, currency: 'EUR', timeZone: 'Europe/Berlin', offers: offers.map((o) => ({ ...o, activatedAt: 0 })),
});
const rated = (o: ReturnType<typeof rateUsage>): RatedUsage => {
  if (o.status !== 'RATED') throw new Error(`${o.reason}: ${o.detail}`);
  return o;
};

describe('compileOffers', () => {
  it('produces a definition the rating engine compiles, with names unique per offer', () => {
    const def = compileOffers(ZONES, [offer(PLAN, 'IOT10', 'PRIMARY', iotPlan()), offer(PACK, 'EU100', 'SUPPLEMENTARY', roamingPack())], 'v');
    expect(() => compileCatalog(def)).not.toThrow();
    expect(def.tariffPlans.map((p) => p.id)).toEqual(['IOT10/data-home', 'IOT10/data-roam', 'IOT10/sms', 'EU100/eu']);
    expect(def.offers.find((o) => o.id === PLAN)!.usageItems).toEqual({
      'DATA@HOME': 'IOT10/data-home', 'DATA@EU': 'IOT10/data-roam',
      'SMS_MO@HOME': 'IOT10/sms', 'SMS_MO@EU': 'IOT10/sms', 'SMS_MO@WORLD': 'IOT10/sms',
    });
    expect(def.allowanceDefinitions).toEqual([
      { id: 'IOT10/data', unitType: 'OCTET', level: 'SUBSCRIBER', includeUsageTypes: ['DATA@HOME'], onExhaustion: 'OVERAGE' },
      { id: 'EU100/eu-data', unitType: 'OCTET', level: 'SUBSCRIBER', includeUsageTypes: ['DATA@EU'], onExhaustion: 'OVERAGE' },
    ]);
  });

  it('rates through the engine: allowance first, then the tariff as overage; roaming priced by zone', () => {
    const plan = offer(PLAN, 'IOT10', 'PRIMARY', iotPlan());
    const catalog = compileCatalog(compileOffers(ZONES, [plan], 'v'));
    const sub = subscriber('s1', [{ id: 'i1', offerId: PLAN }]);
    let balances: RatingBalances = { allowances: ownAllowanceBuckets(plan, 's1', 0, null), money: [] };
    const first = rated(rateUsage(catalog, sub, balances, { initialUsageType: 'DATA', servingNetwork: '26201', startedAt: T, quantity: 8 * MB }));
    expect(first.charge).toBe(0);
    expect(first.allowanceImpacts).toEqual([{ bucketId: 's1/IOT10/data', amount: 8 * MB }]);
    balances = applyImpacts(balances, first);
    // 5 MB more: 2 MB left in the allowance, 3 MB at 0.50 each.
    const second = rated(rateUsage(catalog, sub, balances, { initialUsageType: 'DATA', servingNetwork: '26201', startedAt: T, quantity: 5 * MB }));
    expect(second.charge).toBe(1_500_000);
    expect(second.exhaustion).toBe('OVERAGE');
    const roaming = rated(rateUsage(catalog, sub, balances, { initialUsageType: 'DATA', servingNetwork: '20801', startedAt: T, quantity: MB + 1 }));
    expect(roaming.finalUsageType).toBe('DATA@EU');
    expect(roaming.charge).toBe(4_000_000);
    const sms = rated(rateUsage(catalog, sub, balances, { initialUsageType: 'SMS_MO', servingNetwork: '31001', startedAt: T, quantity: 1 }));
    expect(sms.zone).toBe('WORLD');
    expect(sms.charge).toBe(50_000);
  });

  it('guides roaming data to a supplementary pack before the primary plan', () => {
    const plan = offer(PLAN, 'IOT10', 'PRIMARY', iotPlan());
    const pack = offer(PACK, 'EU100', 'SUPPLEMENTARY', roamingPack());
    const catalog = compileCatalog(compileOffers(ZONES, [plan, pack], 'v'));
    const sub = subscriber('s1', [{ id: 'i1', offerId: PLAN }, { id: 'i2', offerId: PACK }]);
    const balances = { allowances: [...ownAllowanceBuckets(plan, 's1', 0, null), ...ownAllowanceBuckets(pack, 's1', 0, null)], money: [] };
    const r = rated(rateUsage(catalog, sub, balances, { initialUsageType: 'DATA', servingNetwork: '21401', startedAt: T, quantity: 50 * MB }));
    expect(r.tariffPlanId).toBe('EU100/eu');
    expect(r.charge).toBe(0);
    expect(r.allowanceImpacts).toEqual([{ bucketId: 's1/EU100/eu-data', amount: 50 * MB }]);
  });

  it('refuses usage types the offer does not cover (never free)', () => {
    const plan = offer(PLAN, 'IOT10', 'PRIMARY', iotPlan());
    const catalog = compileCatalog(compileOffers(ZONES, [plan], 'v'));
    const out = rateUsage(catalog, subscriber('s1', [{ id: 'i1', offerId: PLAN }]), { allowances: [], money: [] }, { initialUsageType: 'DATA', servingNetwork: '31001', startedAt: T, quantity: 10 });
    expect(out.status).toBe('REJECTED');
  });
});

describe('pooled allowances across many SIMs', () => {
  const SIMS = 50;
  const pooledPlan = offer(PLAN, 'POOL10', 'PRIMARY', iotPlan({ name: 'Pooled 10 MB' }, { pooling: 'ENTERPRISE', onExhaustion: 'OVERAGE' }));

  it('sizes the pool as the sum of its members\' allowances', () => {
    expect(poolContributions(Array.from({ length: SIMS }, () => pooledPlan))).toEqual(new Map([['POOL10/data', SIMS * 10 * MB]]));
    expect(compileOffers(ZONES, [pooledPlan], 'v').allowanceDefinitions![0].level).toBe('ACCOUNT');
  });

  it('lets light and heavy users share the pool, then charges overage once it is exhausted, never overdrawn', () => {
    const catalog = compileCatalog(compileOffers(ZONES, [pooledPlan], 'v'));
    const size = poolContributions(Array.from({ length: SIMS }, () => pooledPlan)).get('POOL10/data')!;
    // Every SIM holds a shadow of the one pool bucket: debits by any SIM lower what all of them see.
    const pool: AllowanceBucket = { id: 'pool:ent-1', definitionId: 'POOL10/data', side: 'SHADOW', amount: size, validFrom: 0, createdAt: 0 };
    let balances: RatingBalances = { allowances: [pool], money: [] };
    let charged = 0;
    let covered = 0;
    const outcomes: RatedUsage[] = [];
    // Ten heavy SIMs use 40 MB each (400 MB), then all 50 use 3 MB each (150 MB): 550 MB against a 500 MB pool.
    const usage = [...Array.from({ length: 10 }, (_, i) => [i, 40]), ...Array.from({ length: SIMS }, (_, i) => [i, 3])];
    for (const [sim, mb] of usage) {
      const r = rated(rateUsage(catalog, subscriber(`sim${sim}`, [{ id: `i${sim}`, offerId: PLAN }]), balances, { initialUsageType: 'DATA', servingNetwork: '26201', startedAt: T, quantity: mb * MB }));
      balances = applyImpacts(balances, r);
      charged += r.charge;
      covered += r.allowanceImpacts.reduce((s, x) => s + x.amount, 0);
      outcomes.push(r);
    }
    expect(covered).toBe(size);
    expect(balances.allowances[0].amount).toBe(0);
    // 50 MB beyond the pool at 0.50 per MB.
    expect(charged).toBe(25_000_000);
    const firstOverage = outcomes.findIndex((o) => o.charge > 0);
    expect(outcomes.slice(0, firstOverage).every((o) => o.exhaustion === null)).toBe(true);
    expect(outcomes.slice(firstOverage).every((o) => o.exhaustion === 'OVERAGE')).toBe(true);
  });

  it('with a BLOCK policy, reports the block once the pool is empty', () => {
    const blocking = offer(PLAN, 'POOLB', 'PRIMARY', iotPlan({}, { pooling: 'BUSINESS_UNIT', onExhaustion: 'BLOCK', allowanceMb: 1 }));
    const catalog = compileCatalog(compileOffers(ZONES, [blocking], 'v'));
    const pool: AllowanceBucket = { id: 'pool:bu', definitionId: 'POOLB/data', side: 'SHADOW', amount: 3 * MB, validFrom: 0, createdAt: 0 };
    let balances: RatingBalances = { allowances: [pool], money: [] };
    const results = [0, 1, 2, 3].map((i) => {
      const r = rated(rateUsage(catalog, subscriber(`b${i}`, [{ id: `bi${i}`, offerId: PLAN }]), balances, { initialUsageType: 'DATA', servingNetwork: '26201', startedAt: T, quantity: MB }));
      balances = applyImpacts(balances, r);
      return r.exhaustion;
    });
    expect(results).toEqual([null, null, null, 'BLOCK']);
  });
});
