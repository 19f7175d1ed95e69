import { describe, expect, it } from 'vitest';
import { CatalogValidationError, compileCatalog, validateCatalog } from './catalog.fns';
import { tariff, testCatalog } from './rating.fixtures';
import type { RatingCatalogDefinition, TariffDefinition } from './rating.types';

const reasons = (def: RatingCatalogDefinition) => validateCatalog(def).map((i) => `${i.severity}:${i.reason}`);

function withVoiceTariffs(tariffs: TariffDefinition[]): RatingCatalogDefinition {
  const def = testCatalog();
  def.tariffPlans.push({ id: 'X', unitType: 'SECOND', currency: 'EUR', currencySets: [{ currency: 'EUR', timeTypes: { ANY: tariffs } }] });
  return def;
}

const perSecond = (overrides: Partial<TariffDefinition> = {}) =>
  tariff({ unitType: 'SECOND', initialUnit: 1, initialCharge: '0.01', additionalUnit: 1, additionalCharge: '0.01', ...overrides });

describe('compileCatalog validation', () => {
  it('accepts the test catalog', () => {
    expect(validateCatalog(testCatalog())).toEqual([]);
  });

  it('allows 1 to 5 concurrent tariffs per time type', () => {
    expect(reasons(withVoiceTariffs(Array.from({ length: 5 }, () => perSecond())))).toEqual([]);
    expect(reasons(withVoiceTariffs(Array.from({ length: 6 }, () => perSecond())))).toEqual(['ERROR:TOO_MANY_CONCURRENT_TARIFFS']);
    expect(reasons(withVoiceTariffs([]))).toEqual(['ERROR:NO_TARIFFS']);
  });

  it('checks negative tariffs: a positive partner (warning), no grace, no allowance eligibility', () => {
    const negative = perSecond({ initialCharge: '-0.01', additionalCharge: '-0.01' });
    expect(reasons(withVoiceTariffs([negative]))).toEqual(['WARNING:NEGATIVE_TARIFF_WITHOUT_PARTNER']);
    expect(reasons(withVoiceTariffs([perSecond({ graceUnits: 3 }), negative]))).toEqual(['ERROR:NEGATIVE_TARIFF_WITH_GRACE']);
    expect(reasons(withVoiceTariffs([perSecond(), { ...negative, eligibleForNonCurrency: true }]))).toEqual(['ERROR:NEGATIVE_TARIFF_NON_CURRENCY']);
  });

  it('reports tariff, unit-type, calendar and reference errors with their path', () => {
    const def = withVoiceTariffs([perSecond({ unitType: 'OCTET' }), perSecond({ additionalUnit: 0 })]);
    def.tariffPlans[0].calendar = 'NOPE';
    def.offers[0].usageItems!.GHOST = 'NO_SUCH_PLAN';
    def.usageTypeMappings.push({ initialUsageType: 'DATA', zone: 'MARS', finalUsageType: 'DATA_MARS' });
    const issues = validateCatalog(def);
    expect(issues.map((i) => i.reason).sort()).toEqual(['UNIT_TYPE_MISMATCH', 'UNKNOWN_CALENDAR', 'UNKNOWN_TARIFF_PLAN', 'UNKNOWN_ZONE', 'ZERO_UNIT_LENGTH']);
    expect(issues.find((i) => i.reason === 'ZERO_UNIT_LENGTH')!.path).toBe('tariffPlans[6](X).currencySets(EUR).ANY[1]');
    expect(() => compileCatalog(def)).toThrow(CatalogValidationError);
  });

  it('requires tariffs for every time type of the calendar and none beyond', () => {
    const def = testCatalog();
    const voice = def.tariffPlans.find((p) => p.id === 'VOICE_HOME')!;
    delete voice.currencySets[0].timeTypes.WEEKEND;
    voice.currencySets[0].timeTypes.NIGHT = [perSecond()];
    expect(reasons(def).sort()).toEqual(['ERROR:MISSING_TIME_TYPE', 'ERROR:UNKNOWN_TIME_TYPE']);
  });

  it('rejects a network in two zones and a plan without a set in its own currency', () => {
    const def = testCatalog();
    def.zones![1].networks.push('26201');
    def.tariffPlans[0].currency = 'CHF';
    expect(reasons(def).sort()).toEqual(['ERROR:DUPLICATE_NETWORK', 'ERROR:NO_PLAN_CURRENCY_SET']);
  });
});
