import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MoneyFormatError,
  addMicros,
  currencyExponent,
  divideRounded,
  formatMicros,
  formatMinorUnits,
  fromMinorUnits,
  multiplyRatio,
  parseDecimalRatio,
  parseMicros,
  roundMicros,
  timesMicros,
  toMinorUnits,
} from './money';

describe('parseMicros', () => {
  it('reads decimal major units exactly', () => {
    expect(parseMicros('1.20')).toBe(1_200_000);
    expect(parseMicros('2.123456')).toBe(2_123_456);
    expect(parseMicros('0.01')).toBe(10_000);
    expect(parseMicros('0')).toBe(0);
    expect(parseMicros('-0.50')).toBe(-500_000);
    expect(parseMicros('-0')).toBe(0);
    expect(parseMicros('007.5')).toBe(7_500_000);
    expect(parseMicros('0.000001')).toBe(1);
  });

  it('rejects more than six decimals, junk and out-of-range amounts', () => {
    expect(() => parseMicros('0.0000001')).toThrow(MoneyFormatError);
    expect(() => parseMicros('1,20')).toThrow(MoneyFormatError);
    expect(() => parseMicros('1.')).toThrow(MoneyFormatError);
    expect(() => parseMicros('.5')).toThrow(MoneyFormatError);
    expect(() => parseMicros('1e3')).toThrow(MoneyFormatError);
    expect(() => parseMicros(' 1')).toThrow(MoneyFormatError);
    expect(() => parseMicros('10000000000')).toThrow(MoneyFormatError);
  });

  it('round-trips with formatMicros for every safe amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (m) => {
        expect(parseMicros(formatMicros(m))).toBe(m);
      }),
    );
  });
});

describe('formatMicros', () => {
  it('prints exact decimals with a minimum precision', () => {
    expect(formatMicros(1_200_000)).toBe('1.20');
    expect(formatMicros(2_123_456)).toBe('2.123456');
    expect(formatMicros(-1)).toBe('-0.000001');
    expect(formatMicros(0)).toBe('0.00');
    expect(formatMicros(5_000_000, 0)).toBe('5');
  });
});

describe('checked arithmetic', () => {
  it('throws instead of losing precision', () => {
    expect(addMicros(1, 2)).toBe(3);
    expect(timesMicros(10_000, 119)).toBe(1_190_000);
    expect(() => addMicros(Number.MAX_SAFE_INTEGER, 1)).toThrow(RangeError);
    expect(() => timesMicros(10_000_000_000, 10_000_000)).toThrow(RangeError);
  });
});

describe('rounding', () => {
  it('divides with each mode', () => {
    expect(divideRounded(5n, 2n)).toBe(2n); // half-even: 2.5 -> 2
    expect(divideRounded(7n, 2n)).toBe(4n); // 3.5 -> 4
    expect(divideRounded(-5n, 2n)).toBe(-2n);
    expect(divideRounded(5n, 2n, 'HALF_UP')).toBe(3n);
    expect(divideRounded(-5n, 2n, 'HALF_UP')).toBe(-3n);
    expect(divideRounded(1n, 3n, 'UP')).toBe(1n);
    expect(divideRounded(-1n, 3n, 'UP')).toBe(-1n);
    expect(divideRounded(2n, 3n, 'DOWN')).toBe(0n);
    expect(divideRounded(5n, -2n)).toBe(-2n);
  });

  it('prorates and converts half-even to the micro-unit', () => {
    expect(multiplyRatio(10_000_000, 11, 30)).toBe(3_666_667);
    expect(multiplyRatio(1, 1, 2)).toBe(0);
    expect(multiplyRatio(3, 1, 2)).toBe(2);
    const rate = parseDecimalRatio('1.0857');
    expect(multiplyRatio(1_000_000, rate.numerator, rate.denominator)).toBe(1_085_700);
  });

  it('rounds to the currency minor unit for presentation', () => {
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('KWD')).toBe(3);
    expect(roundMicros(1_205_000, 2)).toBe(1_200_000);
    expect(roundMicros(1_215_000, 2)).toBe(1_220_000);
    expect(roundMicros(1_205_000, 2, 'HALF_UP')).toBe(1_210_000);
    expect(toMinorUnits(1_205_001, 'USD')).toBe(121);
    expect(toMinorUnits(2_500_000, 'JPY')).toBe(2);
    expect(fromMinorUnits(121, 'USD')).toBe(1_210_000);
    expect(formatMinorUnits(1_204_999, 'USD')).toBe('1.20');
    expect(formatMinorUnits(120_500_000, 'JPY')).toBe('120');
    expect(formatMinorUnits(1_234_567, 'KWD')).toBe('1.235');
  });
});
