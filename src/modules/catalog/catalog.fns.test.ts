import { describe, expect, it } from 'vitest';
import { applyOverrides, checkBundleSelection, diffSpecs, isInSalesWindow, parseBundleSpec, parseOfferSpec, parseOverrides, toCsv, volumeDiscountPercent } from './catalog.fns';
import { iotPlan, roamingPack, ZONES } from './catalog.fixtures';
import type { OfferSpec } from './catalog.schemas';

const ctx = { zones: new Set(ZONES.map((z) => z.code)) };
const ok = (kind: 'PRIMARY' | 'SUPPLEMENTARY' | 'ACCOUNT', input: unknown): OfferSpec => {
  const r = parseOfferSpec(kind, input, ctx);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
};
const errorsOf = (kind: 'PRIMARY' | 'SUPPLEMENTARY' | 'ACCOUNT', input: unknown) => {
  const r = parseOfferSpec(kind, input, ctx);
  return r.ok ? [] : r.errors;
};

describe('parseOfferSpec', () => {
  it('accepts a complete IoT plan and fills defaults', () => {
    const spec = ok('PRIMARY', iotPlan());
    expect(spec.serviceCategory).toBe('IOT_CONNECTIVITY');
    expect(spec.allowances[0].pooling).toBe('NONE');
    expect(spec.rules).toEqual({});
  });

  it('lists every bad field at once, not just the first', () => {
    const bad = iotPlan({ currency: 'euro', usageItems: [{ usageType: 'DATA', zone: 'MARS', tariffPlan: 'nope' }] });
    const shape = errorsOf('PRIMARY', bad);
    expect(shape.map((e) => e.field)).toEqual(['spec.currency']);
    const refs = errorsOf('PRIMARY', { ...iotPlan(), usageItems: [{ usageType: 'DATA', zone: 'MARS', tariffPlan: 'nope' }] });
    expect(refs).toEqual(expect.arrayContaining([
      { field: 'spec.usageItems.0.tariffPlan', reason: 'no tariff plan nope in this offer' },
      { field: 'spec.usageItems.0.zone', reason: "no zone MARS in the tenant's catalog zones" },
      { field: 'spec.usageTypes.1', reason: 'SMS_MO has no usage item (tariff plan)' },
    ]));
  });

  it('rejects money with more than 6 decimals and zero-length units', () => {
    const spec = iotPlan();
    spec.tariffPlans![0].currencySets[0].timeTypes.ANY[0].initialCharge = '0.0000001';
    spec.tariffPlans![2].currencySets[0].timeTypes.ANY[0].initialUnit = 0;
    const fields = errorsOf('PRIMARY', spec).map((e) => e.field);
    expect(fields).toContain('spec.tariffPlans.0.currencySets.0.timeTypes.ANY.0.initialCharge');
    expect(fields).toContain('spec.tariffPlans.2.currencySets.0.timeTypes.ANY.0.initialUnit');
  });

  it('allows at most five concurrent tariffs per time type', () => {
    const spec = iotPlan();
    const t = spec.tariffPlans![2].currencySets[0].timeTypes.ANY[0];
    spec.tariffPlans![2].currencySets[0].timeTypes.ANY = [t, t, t, t, t, t];
    expect(errorsOf('PRIMARY', spec)).toEqual([{ field: 'spec.tariffPlans.2.currencySets.0.timeTypes.ANY', reason: 'at most 5 concurrent tariffs' }]);
  });

  it('checks calendars with the engine: a gap between slots is refused', () => {
    const spec = iotPlan({
      calendars: { week: { timeTypes: ['PEAK', 'OFF'], dayTypes: { D: [{ start: '00:00:00', end: '08:00:00', timeType: 'OFF' }, { start: '09:00:00', end: '24:00:00', timeType: 'PEAK' }] }, weekdays: { MON: 'D', TUE: 'D', WED: 'D', THU: 'D', FRI: 'D', SAT: 'D', SUN: 'D' }, exceptions: [] } },
    });
    const errors = errorsOf('PRIMARY', spec);
    expect(errors).toHaveLength(1);
    expect(errors[0].field).toBe('spec.calendars.week');
    expect(errors[0].reason).toMatch(/GAP/);
  });

  it('needs a tariff for each time type of the plan calendar', () => {
    const spec = iotPlan({
      calendars: { week: { timeTypes: ['PEAK', 'OFF'], dayTypes: { D: [{ start: '00:00:00', end: '08:00:00', timeType: 'OFF' }, { start: '08:00:00', end: '24:00:00', timeType: 'PEAK' }] }, weekdays: { MON: 'D', TUE: 'D', WED: 'D', THU: 'D', FRI: 'D', SAT: 'D', SUN: 'D' }, exceptions: [] } },
    });
    spec.tariffPlans![2].calendar = 'week';
    const fields = errorsOf('PRIMARY', spec).map((e) => e.reason);
    expect(fields).toEqual(expect.arrayContaining(['no tariffs for time type PEAK of calendar week', 'calendar week has no time type ANY']));
  });

  it('refuses a negative tariff that could pay from allowances', () => {
    const spec = iotPlan();
    spec.tariffPlans![0].currencySets[0].timeTypes.ANY.push({ unitType: 'OCTET', currency: 'EUR', initialUnit: 1, initialCharge: '-0.10', additionalUnit: 1, additionalCharge: '0', eligibleForNonCurrency: true });
    expect(errorsOf('PRIMARY', spec).map((e) => e.field)).toEqual(['spec.tariffPlans.0.currencySets.0.timeTypes.ANY.1.eligibleForNonCurrency']);
  });

  it('keeps kinds apart: primary offers never expire, account offers carry no usage', () => {
    expect(errorsOf('PRIMARY', iotPlan({ expiry: { duration: { value: 1, unit: 'DAY' } } })).map((e) => e.field)).toEqual(['spec.expiry']);
    expect(errorsOf('SUPPLEMENTARY', roamingPack())).toEqual([]);
    const account = errorsOf('ACCOUNT', iotPlan()).map((e) => e.field);
    expect(account).toEqual(expect.arrayContaining(['spec.usageItems', 'spec.usageTypes', 'spec.allowances.0.pooling']));
    expect(errorsOf('SUPPLEMENTARY', roamingPack({ rules: { transition: { offers: [], bundles: [] } } })).map((e) => e.field)).toEqual(['spec.rules.transition']);
  });

  it('refuses an allowance no tariff may draw from, and unit types that do not match', () => {
    const spec = iotPlan();
    spec.tariffPlans![0].currencySets[0].timeTypes.ANY[0].eligibleForNonCurrency = false;
    expect(errorsOf('PRIMARY', spec).map((e) => e.reason)).toEqual(['no tariff of the covered usage types is eligibleForNonCurrency, so the allowance could never be used']);
    const wrongUnit = iotPlan();
    wrongUnit.allowances![0].unitType = 'EVENT';
    expect(errorsOf('PRIMARY', wrongUnit).map((e) => e.field)).toContain('spec.allowances.0.usageTypes.0');
  });

  it('checks charges, commitments and volume tiers', () => {
    const errors = errorsOf('PRIMARY', iotPlan({
      recurringCharges: [{ code: 'A', amount: '1', frequency: 'EVERY_N_DAYS' }, { code: 'A', amount: '-1' }],
      commitment: { metric: 'ACTIVE_SUBSCRIBERS', committedValue: '10.5', earlyTermination: { kind: 'FIXED' } },
      volumeTiers: [{ fromSims: 10, discountPercent: '5' }, { fromSims: 5, discountPercent: '10' }],
    }));
    expect(errors.map((e) => e.field)).toEqual(['spec.recurringCharges.1.amount']);
    const deeper = errorsOf('PRIMARY', iotPlan({
      recurringCharges: [{ code: 'A', amount: '1', frequency: 'EVERY_N_DAYS' }, { code: 'A', amount: '1' }],
      commitment: { metric: 'ACTIVE_SUBSCRIBERS', committedValue: '10.5', earlyTermination: { kind: 'FIXED' } },
      volumeTiers: [{ fromSims: 10, discountPercent: '5' }, { fromSims: 5, discountPercent: '10' }],
    })).map((e) => e.field);
    expect(deeper).toEqual(expect.arrayContaining([
      'spec.recurringCharges.1.code', 'spec.recurringCharges.0.everyNDays', 'spec.commitment.committedValue', 'spec.commitment.perSubscriberRate',
      'spec.commitment.earlyTermination.amount', 'spec.commitment.minimumTermMonths', 'spec.volumeTiers.0.fromSims', 'spec.volumeTiers.1.fromSims',
    ]));
  });

  it('refuses a sales window that ends before it starts', () => {
    expect(errorsOf('PRIMARY', iotPlan({ salesFrom: '2025-02-01T00:00:00Z', salesTo: '2025-01-01T00:00:00Z' })).map((e) => e.field)).toEqual(['spec.salesTo']);
  });
});

describe('sales window', () => {
  it('is half-open [salesFrom, salesTo)', () => {
    const w = { salesFrom: '2025-01-01T00:00:00Z', salesTo: '2025-02-01T00:00:00Z' };
    expect(isInSalesWindow(w, new Date('2024-12-31T23:59:59Z'))).toBe(false);
    expect(isInSalesWindow(w, new Date('2025-01-01T00:00:00Z'))).toBe(true);
    expect(isInSalesWindow(w, new Date('2025-02-01T00:00:00Z'))).toBe(false);
    expect(isInSalesWindow({}, new Date())).toBe(true);
  });
});

describe('diffSpecs', () => {
  it('reports changed prices by entry key, ignoring order', () => {
    const a = ok('PRIMARY', iotPlan());
    const b = ok('PRIMARY', iotPlan({ name: 'IoT 10 MB v2' }));
    b.recurringCharges[0].amount = '3.00';
    b.oneTimeCharges.reverse();
    const changes = diffSpecs(a, b);
    expect(changes).toEqual([
      { path: 'name', change: 'changed', before: 'IoT 10 MB', after: 'IoT 10 MB v2' },
      { path: 'recurringCharges[MRC].amount', change: 'changed', before: '2.50', after: '3.00' },
    ]);
    expect(diffSpecs(a, a)).toEqual([]);
  });
});

describe('price agreement overrides', () => {
  const spec = ok('PRIMARY', iotPlan());
  it('replace the named prices in a copy only', () => {
    const parsed = parseOverrides({ tariffs: { 'data-home/ANY/0': { additionalCharge: '0.20' } }, recurringCharges: { MRC: '1.00' }, allowances: { data: 5 } }, spec);
    expect(parsed.ok).toBe(true);
    const applied = applyOverrides(spec, parsed.ok ? parsed.value : null);
    expect(applied.tariffPlans[0].currencySets[0].timeTypes.ANY[0].additionalCharge).toBe('0.20');
    expect(applied.tariffPlans[0].currencySets[0].timeTypes.ANY[0].initialCharge).toBe('0.50');
    expect(applied.recurringCharges[0].amount).toBe('1.00');
    expect(applied.allowances[0].amount).toBe(5);
    expect(spec.recurringCharges[0].amount).toBe('2.50');
  });
  it('must name entries the offer has', () => {
    const parsed = parseOverrides({ tariffs: { 'x/ANY/0': { initialCharge: '1' } }, oneTimeCharges: { NOPE: '1' } }, spec);
    expect(parsed.ok ? [] : parsed.errors.map((e) => e.field)).toEqual(['overrides.tariffs.x/ANY/0', 'overrides.oneTimeCharges.NOPE']);
  });
});

describe('bundles', () => {
  const P = '11111111-1111-4111-8111-111111111111';
  const S1 = '22222222-2222-4222-8222-222222222222';
  const S2 = '33333333-3333-4333-8333-333333333333';
  const S3 = '44444444-4444-4444-8444-444444444444';
  const kinds = new Map([[P, 'PRIMARY' as const], [S1, 'SUPPLEMENTARY' as const], [S2, 'SUPPLEMENTARY' as const], [S3, 'SUPPLEMENTARY' as const]]);
  const spec = { name: 'Fleet', currency: 'EUR', price: { recurring: '9.00' }, requiredSelective: 2, members: [{ offerId: P, kind: 'MANDATORY' }, { offerId: S1, kind: 'SELECTIVE' }, { offerId: S2, kind: 'SELECTIVE' }, { offerId: S3, kind: 'SELECTIVE' }] };

  it('needs exactly one mandatory primary offer in a subscriber bundle', () => {
    expect(parseBundleSpec('SUBSCRIBER', spec, kinds).ok).toBe(true);
    const none = parseBundleSpec('SUBSCRIBER', { ...spec, members: spec.members.slice(1) }, kinds);
    expect(none.ok ? [] : none.errors.map((e) => e.reason)).toContain('a subscriber bundle has exactly one primary offer (found 0)');
    const tooMany = parseBundleSpec('SUBSCRIBER', { ...spec, requiredSelective: 4 }, kinds);
    expect(tooMany.ok ? [] : tooMany.errors.map((e) => e.field)).toEqual(['spec.requiredSelective']);
  });

  it('accepts exactly N selective members (pick 2 of 3)', () => {
    const b = parseBundleSpec('SUBSCRIBER', spec, kinds);
    if (!b.ok) throw new Error('bundle');
    expect(checkBundleSelection(b.value, [P, S1, S2])).toEqual([]);
    expect(checkBundleSelection(b.value, [P, S1])[0].reason).toMatch(/exactly 2/);
    expect(checkBundleSelection(b.value, [P, S1, S2, S3])[0].reason).toMatch(/at most 2/);
  });
});

describe('volume tiers', () => {
  it('puts a count on an edge into the lower band', () => {
    const tiers = [{ fromSims: 0, discountPercent: '0' }, { fromSims: 100, discountPercent: '5' }, { fromSims: 1000, discountPercent: '10' }];
    expect(volumeDiscountPercent(tiers, 100)).toBe('0');
    expect(volumeDiscountPercent(tiers, 101)).toBe('5');
    expect(volumeDiscountPercent(tiers, 1001)).toBe('10');
  });
});

describe('toCsv', () => {
  it('quotes cells with commas, quotes and new lines', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"'], [1, null]])).toBe('a,b\r\n"x,y","say ""hi"""\r\n1,\r\n');
  });
});
