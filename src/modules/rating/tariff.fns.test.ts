import { describe, expect, it } from 'vitest';
import { compileTariff, rateTariff, validateTariff } from './tariff.fns';
import { tariff } from './rating.fixtures';

describe('tariffs (§8.1-§8.2, beyond the published vectors)', () => {
  it('lets an EVENT tariff omit the additional unit and charge', () => {
    const sms = compileTariff({ unitType: 'EVENT', currency: 'EUR', initialUnit: 1, initialCharge: '0.05' });
    expect(sms).toMatchObject({ icu: 1, icc: 50_000, acu: 1, acc: 50_000 });
    expect(rateTariff(sms, 3)).toEqual({ initialUnits: 1, additionalUnits: 2, charge: 150_000, billedQuantity: 3 });
    expect(validateTariff({ unitType: 'OCTET', currency: 'EUR', initialUnit: 1, initialCharge: '0.05' }).reason).toBe('MISSING_ADDITIONAL_UNIT');
  });

  it('rejects bad amounts, fractional units and negative grace', () => {
    expect(validateTariff(tariff({ unitType: 'SECOND', initialCharge: '0.0000001' })).reason).toBe('BAD_AMOUNT');
    expect(validateTariff(tariff({ unitType: 'SECOND', additionalUnit: 1.5 })).reason).toBe('NON_INTEGER_UNIT');
    expect(validateTariff(tariff({ unitType: 'SECOND', graceUnits: -1 })).reason).toBe('NEGATIVE_GRACE');
    expect(validateTariff(tariff({ unitType: 'SECOND', currency: 'eur' })).reason).toBe('BAD_CURRENCY');
    expect(() => compileTariff(tariff({ unitType: 'SECOND', initialUnit: 0 }))).toThrow(/ZERO_UNIT_LENGTH/);
  });

  it('yields a negative charge for a negative tariff rated alone (never floored per tariff)', () => {
    const negative = compileTariff(tariff({ unitType: 'SECOND', initialUnit: 60, initialCharge: '-0.50', additionalUnit: 60, additionalCharge: '-0.25' }));
    expect(rateTariff(negative, 130).charge).toBe(-1_000_000);
  });

  it('refuses a charge beyond the safe range instead of rounding it', () => {
    const huge = compileTariff(tariff({ unitType: 'OCTET', initialUnit: 1, initialCharge: '1000', additionalUnit: 1, additionalCharge: '1000' }));
    expect(rateTariff(huge, 1_000_000).charge).toBe(1_000_000_000_000_000);
    expect(() => rateTariff(huge, 10_000_000)).toThrow(RangeError);
  });
});
