import { describe, expect, it } from 'vitest';
import { applyImpacts } from './balances.fns';
import { compileCatalog } from './catalog.fns';
import { ratePrepared, rateUsage } from './rating.fns';
import { prepareSubscriber } from './subscriber.fns';
import {
  DAY,
  MB,
  T0,
  allowance,
  balances,
  data,
  money,
  subscriber,
  tariff,
  testCatalog,
  TYPICAL_CALENDAR,
} from './rating.fixtures';
import type { RatedUsage, RatingOutcome, RatingCatalogDefinition } from './rating.types';

const catalog = compileCatalog(testCatalog());

function rated(outcome: RatingOutcome): RatedUsage {
  if (outcome.status !== 'RATED') throw new Error(`expected RATED, got ${outcome.reason}: ${outcome.detail}`);
  return outcome;
}

describe('rateUsage: tariffs', () => {
  it('prices usage without allowances by the full formula, settlement apart', () => {
    const r = rated(rateUsage(catalog, subscriber(), balances(), data(1500)));
    expect(r.finalUsageType).toBe('DATA_HOME');
    expect(r.zone).toBe('HOME');
    expect(r.tariffPlanId).toBe('DATA_HOME');
    expect(r.lines).toEqual([
      expect.objectContaining({ tariffId: 'data-retail', initialUnits: 1, additionalUnits: 1, billedQuantity: 2048, charge: 20_000, payerCharge: 20_000, settlement: false }),
      expect.objectContaining({ tariffId: 'data-wholesale', initialUnits: 1, additionalUnits: 0, billedQuantity: MB, charge: 1_000, settlement: true }),
    ]);
    expect(r.charge).toBe(20_000);
    expect(r.settlementCharge).toBe(1_000);
    expect(r.moneyImpacts).toEqual([{ bucketId: 'main', amount: 20_000 }]);
    expect(r.allowanceImpacts).toEqual([]);
    expect(r.exhaustion).toBeNull();
  });

  it('converts a foreign-currency tariff half-even with the rate in force, and names the rate', () => {
    const r = rated(rateUsage(catalog, subscriber(), balances(), data(1500, { servingNetwork: '310260' })));
    expect(r.zone).toBe('WORLD');
    // 0.20 USD × 0.923457 = 0.1846914 EUR -> 184 691 micro-units
    expect(r.lines[0]).toMatchObject({ currency: 'USD', charge: 200_000, payerCharge: 184_691, exchangeRateId: 'USD-EUR-2024' });
    expect(r.charge).toBe(184_691);
  });

  it('splits a call at a time-type boundary: full formula first, additional units after', () => {
    // 17:59:00 in Berlin: 60 s of PEAK, then 60 s of OFF_PEAK.
    const call = { initialUsageType: 'VOICE_MO', servingNetwork: '26201', startedAt: Date.parse('2024-07-03T15:59:00Z'), quantity: 120 };
    const r = rated(rateUsage(catalog, subscriber(), balances(), call));
    expect(r.lines).toEqual([
      expect.objectContaining({ tariffId: 'voice-peak', timeType: 'PEAK', initialUnits: 1, additionalUnits: 0, charge: 600_000 }),
      expect.objectContaining({ tariffId: 'voice-off-peak', timeType: 'OFF_PEAK', initialUnits: 0, additionalUnits: 6, charge: 300_000 }),
    ]);
    expect(r.charge).toBe(900_000);
  });

  it('keeps a call shorter than the grace period free', () => {
    const call = { initialUsageType: 'VOICE_MO', servingNetwork: '26201', startedAt: T0, quantity: 2 };
    expect(rated(rateUsage(catalog, subscriber(), balances(), call)).charge).toBe(0);
  });

  it('floors the usage total at zero when a negative tariff outweighs the positive one', () => {
    const def = testCatalog();
    def.tariffPlans.push({
      id: 'TELESCOPE',
      unitType: 'SECOND',
      currency: 'EUR',
      currencySets: [
        {
          currency: 'EUR',
          timeTypes: {
            ANY: [
              tariff({ id: 'pos', unitType: 'SECOND', initialUnit: 60, initialCharge: '1.00', additionalUnit: 60, additionalCharge: '0' }),
              tariff({ id: 'neg', unitType: 'SECOND', initialUnit: 60, initialCharge: '-2.00', additionalUnit: 60, additionalCharge: '0' }),
            ],
          },
        },
      ],
    });
    def.offers[0].usageItems!.VOICE_HOME = 'TELESCOPE';
    const r = rated(rateUsage(compileCatalog(def), subscriber(), balances(), { initialUsageType: 'VOICE_MO', servingNetwork: '26201', startedAt: T0, quantity: 30 }));
    expect(r.lines.map((l) => l.charge)).toEqual([1_000_000, -2_000_000]);
    expect(r.charge).toBe(0);
    expect(r.moneyImpacts).toEqual([]);
  });
});

describe('rateUsage: allowances (§10-§11)', () => {
  it('pays covered usage from the allowance in whole chunks', () => {
    const r = rated(rateUsage(catalog, subscriber(), balances([allowance('own', 'PLAN_DATA', MB)]), data(1500)));
    expect(r.allowanceImpacts).toEqual([{ bucketId: 'own', amount: 2048 }]);
    expect(r.charge).toBe(0);
    expect(r.lines[0]).toMatchObject({ initialUnits: 0, additionalUnits: 0, charge: 0 });
    expect(r.exhaustion).toBeNull();
  });

  it('splits a usage straddling the end of the allowance exactly', () => {
    const r = rated(rateUsage(catalog, subscriber(), balances([allowance('own', 'PLAN_DATA', 3000)]), data(5000)));
    // 3000 octets covered (the last partial chunk included); 2000 uncovered -> 2 additional units of 1 KB.
    expect(r.allowanceImpacts).toEqual([{ bucketId: 'own', amount: 3000 }]);
    expect(r.lines[0]).toMatchObject({ initialUnits: 0, additionalUnits: 2, charge: 20_000 });
    expect(r.charge).toBe(20_000);
    expect(r.exhaustion).toBe('OVERAGE');
  });

  it('charges the full formula when the allowance is empty at the start', () => {
    const r = rated(rateUsage(catalog, subscriber(), balances([allowance('own', 'PLAN_DATA', 0)]), data(1500)));
    expect(r.lines[0]).toMatchObject({ initialUnits: 1, additionalUnits: 1, charge: 20_000 });
    expect(r.exhaustion).toBe('OVERAGE');
  });

  it('charges tariffs not eligible for allowances always (R3)', () => {
    const r = rated(rateUsage(catalog, subscriber(), balances([allowance('own', 'PLAN_DATA', 10 * MB)]), data(1500, { servingNetwork: '20801' })));
    expect(r.finalUsageType).toBe('DATA_EU');
    expect(r.allowanceImpacts).toEqual([{ bucketId: 'own', amount: 2048 }]);
    expect(r.lines.map((l) => [l.tariffId, l.charge])).toEqual([
      ['eu-retail', 0],
      ['eu-roaming-fee', 50_000],
    ]);
    expect(r.charge).toBe(50_000);
  });

  it('takes the offer unit charge size as the chunk (R1)', () => {
    const def = testCatalog();
    def.offers[0].unitChargeSize = { OCTET: MB };
    const r = rated(rateUsage(compileCatalog(def), subscriber(), balances([allowance('own', 'PLAN_DATA', 10 * MB)]), data(1500)));
    expect(r.allowanceImpacts).toEqual([{ bucketId: 'own', amount: MB }]);
  });

  it('spends the soonest-expiring allowance first, unless the template orders otherwise', () => {
    const addOn = allowance('addon', 'ADDON_DATA', 1500, { expiresAt: T0 + DAY });
    const plan = allowance('plan', 'PLAN_DATA', 10 * MB);
    const eu = data(2048, { servingNetwork: '20801' });
    expect(rated(rateUsage(catalog, subscriber(), balances([plan, addOn]), eu)).allowanceImpacts).toEqual([
      { bucketId: 'addon', amount: 1500 },
      { bucketId: 'plan', amount: 548 },
    ]);
    const templated = subscriber({ balancePriority: ['PLAN_DATA', 'ADDON_DATA'] });
    expect(rated(rateUsage(catalog, templated, balances([plan, addOn]), eu)).allowanceImpacts).toEqual([{ bucketId: 'plan', amount: 2048 }]);
  });

  it('breaks ties by higher priority, then the oldest bucket', () => {
    const a = allowance('a', 'PLAN_DATA', MB, { createdAt: T0 - 2 * DAY });
    const b = allowance('b', 'PLAN_DATA', MB, { createdAt: T0 - 3 * DAY });
    const c = allowance('c', 'PLAN_DATA', MB, { createdAt: T0 - DAY, priority: 5 });
    const r = rated(rateUsage(catalog, subscriber(), balances([a, b, c]), data(3 * MB)));
    expect(r.allowanceImpacts).toEqual([
      { bucketId: 'c', amount: MB },
      { bucketId: 'b', amount: MB },
      { bucketId: 'a', amount: MB },
    ]);
  });

  it('pays each chunk wholly from the own allowance or wholly from the pool, own first', () => {
    const own = allowance('own', 'PLAN_DATA', 1500);
    const pool = allowance('pool', 'POOL_DATA', 10_000, { side: 'SHADOW' });
    const r = rated(rateUsage(catalog, subscriber(), balances([own, pool]), data(3000)));
    // need 3072: the first 1 KB chunk from the own bucket; its 476 left cannot cover a chunk, so the pool pays.
    expect(r.allowanceImpacts).toEqual([
      { bucketId: 'own', amount: 1024 },
      { bucketId: 'pool', amount: 2048 },
    ]);
    const poolFirst = subscriber({ balanceSideOrder: 'SHADOW_THEN_REAL' });
    expect(rated(rateUsage(catalog, poolFirst, balances([own, pool]), data(3000))).allowanceImpacts).toEqual([{ bucketId: 'pool', amount: 3072 }]);
  });

  it('takes what is left on both sides only when neither covers a chunk', () => {
    const own = allowance('own', 'PLAN_DATA', 500);
    const pool = allowance('pool', 'POOL_DATA', 700, { side: 'SHADOW' });
    const r = rated(rateUsage(catalog, subscriber(), balances([own, pool]), data(3000)));
    expect(r.allowanceImpacts).toEqual([
      { bucketId: 'own', amount: 500 },
      { bucketId: 'pool', amount: 700 },
    ]);
    expect(r.lines[0]).toMatchObject({ additionalUnits: 2, charge: 20_000 }); // 1800 uncovered
  });

  it('ignores buckets not yet valid, expired, of another unit or not admitting the usage type', () => {
    const buckets = [
      allowance('future', 'PLAN_DATA', MB, { validFrom: T0 + 1 }),
      allowance('expired', 'PLAN_DATA', MB, { expiresAt: T0 }),
      allowance('sms', 'SMS_BUNDLE', 100),
      allowance('eu-only', 'ADDON_DATA', MB),
    ];
    const r = rated(rateUsage(catalog, subscriber(), balances(buckets), data(1500)));
    expect(r.allowanceImpacts).toEqual([]);
    expect(r.charge).toBe(20_000);
    expect(r.exhaustion).toBeNull();
  });

  it('applies the exhaustion policy: THROTTLE frees the rest, BLOCK still rates what happened offline', () => {
    const throttled = rated(rateUsage(catalog, subscriber(), balances([allowance('t', 'THROTTLED_DATA', 3000)]), data(5000)));
    expect(throttled.exhaustion).toBe('THROTTLE');
    expect(throttled.charge).toBe(0);
    const blocked = rated(rateUsage(catalog, subscriber(), balances([allowance('b', 'BLOCKED_DATA', 3000)]), data(5000)));
    expect(blocked.exhaustion).toBe('BLOCK');
    expect(blocked.charge).toBe(20_000);
  });

  it('counts SMS against an SMS bundle', () => {
    const sms = { initialUsageType: 'SMS_MO', servingNetwork: '26201', startedAt: T0, quantity: 1 };
    const r = rated(rateUsage(catalog, subscriber(), balances([allowance('bundle', 'SMS_BUNDLE', 1)]), sms));
    expect(r.allowanceImpacts).toEqual([{ bucketId: 'bundle', amount: 1 }]);
    expect(r.charge).toBe(0);
    const after = applyImpacts(balances([allowance('bundle', 'SMS_BUNDLE', 1)]), r);
    const next = rated(rateUsage(catalog, subscriber(), after, sms));
    expect(next.charge).toBe(50_000);
  });
});

describe('rateUsage: money balances', () => {
  const wallet = (amount: number) => money('wallet', 'WALLET', amount);

  it('pays from a prepaid wallet that covers the charge', () => {
    const r = rated(rateUsage(catalog, subscriber({ mainBalanceId: 'wallet' }), balances([], [wallet(100_000)]), data(1500)));
    expect(r.moneyImpacts).toEqual([{ bucketId: 'wallet', amount: 20_000 }]);
  });

  it('posts offline usage nobody can pay to the main balance, even below zero', () => {
    const r = rated(rateUsage(catalog, subscriber({ mainBalanceId: 'wallet' }), balances([], [wallet(10_000)]), data(1500)));
    expect(r.moneyImpacts).toEqual([{ bucketId: 'wallet', amount: 20_000 }]);
    const noMain = rated(rateUsage(catalog, subscriber({ mainBalanceId: undefined }), balances([], [wallet(10_000)]), data(1500)));
    expect(noMain.moneyImpacts).toEqual([]);
    expect(noMain.unpaid).toBe(20_000);
  });

  it('lets postpaid money go down to its credit limit, then the next side pays', () => {
    const account = money('acct', 'ACCOUNT_MAIN', 0, { side: 'SHADOW', creditLimit: 1_000_000 });
    const own = money('own', 'ACCOUNT_MAIN', 0, { creditLimit: 10_000 });
    const r = rated(rateUsage(catalog, subscriber(), balances([], [own, account]), data(1500)));
    expect(r.moneyImpacts).toEqual([{ bucketId: 'acct', amount: 20_000 }]);
  });
});

describe('rateUsage: guiding and classification', () => {
  const addOn = { id: 'oi-eu', offerId: 'EU_PACK', activatedAt: T0 - DAY, endsAt: T0 + 6 * DAY };
  const eu = data(1024, { servingNetwork: '21401' });

  it('prefers an active add-on to the primary offer', () => {
    const r = rated(rateUsage(catalog, subscriber({ offers: [...subscriber().offers, addOn] }), balances(), eu));
    expect(r.tariffPlanId).toBe('DATA_EU_PACK');
    expect(r.offerInstanceId).toBe('oi-eu');
    expect(r.charge).toBe(5_000);
  });

  it('ignores an add-on outside its active window, and follows the template priority', () => {
    const expired = { ...addOn, endsAt: T0 };
    expect(rated(rateUsage(catalog, subscriber({ offers: [...subscriber().offers, expired] }), balances(), eu)).tariffPlanId).toBe('DATA_EU');
    const templated = subscriber({ offers: [...subscriber().offers, addOn], tariffPlanPriority: ['DATA_EU', 'DATA_EU_PACK'] });
    expect(rated(rateUsage(catalog, templated, balances(), eu)).tariffPlanId).toBe('DATA_EU');
  });

  it('matches the longest network prefix, and accepts MCC-MNC with a dash', () => {
    expect(rated(rateUsage(catalog, subscriber(), balances(), data(1, { servingNetwork: '262-02' }))).zone).toBe('HOME');
    expect(rated(rateUsage(catalog, subscriber(), balances(), data(1, { servingNetwork: '26203' }))).zone).toBe('EU');
  });

  it('rejects usage it cannot classify or that no offer allows, never rating it free', () => {
    const noDefault: RatingCatalogDefinition = { ...testCatalog(), zones: testCatalog().zones!.slice(0, 2) };
    noDefault.usageTypeMappings = noDefault.usageTypeMappings.filter((m) => m.zone !== 'WORLD');
    expect(rateUsage(compileCatalog(noDefault), subscriber(), balances(), data(1, { servingNetwork: '310260' }))).toMatchObject({ status: 'REJECTED', reason: 'UNKNOWN_NETWORK' });
    expect(rateUsage(catalog, subscriber(), balances(), { ...data(1), initialUsageType: 'MMS' })).toMatchObject({ status: 'REJECTED', reason: 'NO_USAGE_TYPE_MAPPING' });
    expect(rateUsage(catalog, subscriber({ offers: [] }), balances(), data(1))).toMatchObject({ status: 'REJECTED', reason: 'USAGE_BARRED' });
    const voiceRoaming = { initialUsageType: 'VOICE_MO', servingNetwork: '20801', startedAt: T0, quantity: 10 };
    expect(rateUsage(catalog, subscriber(), balances(), voiceRoaming)).toMatchObject({ status: 'REJECTED', reason: 'NO_USAGE_TYPE_MAPPING' });
  });
});

describe('rateUsage: calendars of plans that have none (§9)', () => {
  // A voice pack whose plan has no calendar: it takes the default calendar of the SIM's active primary offer.
  const definition = testCatalog();
  const voicePack = ['PEAK', 'OFF_PEAK', 'WEEKEND'].map((timeType, i) => [
    timeType,
    [tariff({ id: `pack-${timeType}`, unitType: 'SECOND', initialUnit: 60, initialCharge: String((i + 1) / 10), additionalUnit: 60, additionalCharge: String((i + 1) / 10) })],
  ]);
  definition.tariffPlans.push({ id: 'VOICE_PACK', unitType: 'SECOND', currency: 'EUR', currencySets: [{ currency: 'EUR', timeTypes: Object.fromEntries(voicePack) }] });
  definition.calendars!.NIGHTS_ONLY = {
    ...TYPICAL_CALENDAR,
    dayTypes: { WEEKDAY: [{ start: '00:00:00', end: '24:00:00', timeType: 'OFF_PEAK' }], WEEKEND: TYPICAL_CALENDAR.dayTypes.WEEKEND },
  };
  definition.offers.push(
    { id: 'VOICE_PACK', kind: 'SUPPLEMENTARY', usageItems: { VOICE_HOME: 'VOICE_PACK' } },
    { id: 'DAY_PLAN', kind: 'PRIMARY', defaultCalendar: 'TYPICAL' },
    { id: 'NIGHT_PLAN', kind: 'PRIMARY', defaultCalendar: 'NIGHTS_ONLY' },
    { id: 'BARE_PLAN', kind: 'PRIMARY' },
  );
  const withDefaults = compileCatalog(definition);
  const pack = { id: 'oi-pack', offerId: 'VOICE_PACK', activatedAt: T0 - 30 * DAY };
  const call = (startedAt: number) => ({ initialUsageType: 'VOICE_MO', servingNetwork: '26201', startedAt, quantity: 60 });

  it("rates by the active primary offer's default calendar, and follows a change of primary offer", () => {
    // DAY_PLAN (TYPICAL) until T0 + 1 day, then NIGHT_PLAN (every weekday off-peak); T0 is a Wednesday noon.
    const sim = subscriber({
      offers: [{ id: 'oi-day', offerId: 'DAY_PLAN', activatedAt: T0 - 30 * DAY, endsAt: T0 + DAY }, { id: 'oi-night', offerId: 'NIGHT_PLAN', activatedAt: T0 + DAY }, pack],
    });
    // One preparation across the change, back and forth: what it keeps must follow the primary offer.
    const prepared = prepareSubscriber(withDefaults, sim, balances());
    const expected = [
      [T0, 'TYPICAL', 'PEAK', 100_000],
      [T0 + DAY, 'NIGHTS_ONLY', 'OFF_PEAK', 200_000],
      [T0 + 1, 'TYPICAL', 'PEAK', 100_000],
      [T0 + DAY - 1, 'TYPICAL', 'PEAK', 100_000],
    ] as const;
    for (const [at, calendarId, timeType, charge] of expected) {
      for (const outcome of [rateUsage(withDefaults, sim, balances(), call(at)), ratePrepared(prepared, call(at))]) {
        const part = rated(outcome);
        expect(part.tariffPlanId).toBe('VOICE_PACK');
        expect(part.session.calendarId).toBe(calendarId);
        expect(part.lines.map((l) => l.timeType)).toEqual([timeType]);
        expect(part.charge).toBe(charge);
      }
    }
  });

  it('rejects usage when no active primary offer gives a calendar', () => {
    const sim = subscriber({ offers: [{ id: 'oi-bare', offerId: 'BARE_PLAN', activatedAt: T0 - 30 * DAY }, pack] });
    expect(rateUsage(withDefaults, sim, balances(), call(T0))).toMatchObject({ status: 'REJECTED', reason: 'NO_CALENDAR' });
    expect(rateUsage(withDefaults, subscriber({ offers: [pack] }), balances(), call(T0))).toMatchObject({ status: 'REJECTED', reason: 'NO_CALENDAR' });
  });
});

describe('rateUsage: sessions in parts', () => {
  it('continues the unit count across parts and pins the plan chosen at the start', () => {
    const first = rated(rateUsage(catalog, subscriber(), balances(), data(100)));
    expect(first.charge).toBe(10_000); // the initial 1 KB unit
    // The add-on arriving mid-session does not change the plan of the running session.
    const later = subscriber({ offers: [...subscriber().offers, { id: 'oi-eu', offerId: 'EU_PACK', activatedAt: T0 }] });
    const second = rated(rateUsage(catalog, later, balances(), data(900, { startedAt: T0 + 60_000 }), first.session));
    expect(second.charge).toBe(0); // still inside the first unit
    const third = rated(rateUsage(catalog, later, balances(), data(100, { startedAt: T0 + 120_000 }), second.session));
    expect(third.charge).toBe(10_000);
    expect(third.session.quantity).toBe(1100);
    expect(third.tariffPlanId).toBe('DATA_HOME');
  });

  it('splits a call reported in parts exactly like the whole call', () => {
    const start = Date.parse('2024-07-03T15:59:00Z');
    const call = (startedAt: number, quantity: number) => ({ initialUsageType: 'VOICE_MO', servingNetwork: '26201', startedAt, quantity });
    const p1 = rated(rateUsage(catalog, subscriber(), balances(), call(start, 30)));
    const p2 = rated(rateUsage(catalog, subscriber(), balances(), call(start + 30_000, 45), p1.session));
    const p3 = rated(rateUsage(catalog, subscriber(), balances(), call(start + 75_000, 45), p2.session));
    expect(p1.charge + p2.charge + p3.charge).toBe(900_000);
    expect(p3.session.segments.map((s) => [s.timeType, s.quantity])).toEqual([
      ['PEAK', 60],
      ['OFF_PEAK', 60],
    ]);
  });

  it('refuses to continue a session on another catalog version', () => {
    const first = rated(rateUsage(catalog, subscriber(), balances(), data(100)));
    const v2 = compileCatalog({ ...testCatalog(), version: 'v2' });
    expect(() => rateUsage(v2, subscriber(), balances(), data(100), first.session)).toThrow(/catalog v1/);
  });
});

describe('rateUsage: accumulators', () => {
  const withAccumulators = subscriber({
    accumulators: [
      { id: 'acc-sessions', definitionId: 'SESSIONS' },
      { id: 'acc-volume', definitionId: 'DATA_VOLUME' },
      { id: 'acc-spend', definitionId: 'SPEND' },
      { id: 'acc-pool', definitionId: 'POOL_VOLUME' },
      { id: 'acc-peak', definitionId: 'PEAK_SECONDS' },
    ],
  });

  it('counts the session once, its units and money, and on the account only what the pool paid', () => {
    const own = allowance('own', 'PLAN_DATA', 1500);
    const pool = allowance('pool', 'POOL_DATA', 10_000, { side: 'SHADOW' });
    const first = rated(rateUsage(catalog, withAccumulators, balances([own, pool]), data(3000)));
    expect(first.accumulatorImpacts).toEqual([
      { accumulatorId: 'acc-sessions', delta: 1 },
      { accumulatorId: 'acc-volume', delta: 3000 },
      { accumulatorId: 'acc-pool', delta: 2048 },
    ]);
    const next = rated(rateUsage(catalog, withAccumulators, applyImpacts(balances([own, pool]), first), data(5000, { startedAt: T0 + 1000 }), first.session));
    expect(next.accumulatorImpacts.find((a) => a.accumulatorId === 'acc-sessions')).toBeUndefined();
    expect(next.accumulatorImpacts).toContainEqual({ accumulatorId: 'acc-volume', delta: 5000 });
  });

  it('counts units per time type', () => {
    const call = { initialUsageType: 'VOICE_MO', servingNetwork: '26201', startedAt: Date.parse('2024-07-03T15:59:00Z'), quantity: 120 };
    const r = rated(rateUsage(catalog, withAccumulators, balances(), call));
    expect(r.accumulatorImpacts).toContainEqual({ accumulatorId: 'acc-peak', delta: 60 });
    expect(r.accumulatorImpacts).toContainEqual({ accumulatorId: 'acc-spend', delta: 900_000 });
  });
});
