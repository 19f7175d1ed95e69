import { describe, expect, it } from 'vitest';
import { formatMoney, parseMoney } from './format';

describe('formatMoney', () => {
  it('shows micro-units with the currency\'s minor digits and thousands separators', () => {
    expect(formatMoney(1_234_567_890_000, 'EUR')).toBe('1,234,567.89 EUR');
    expect(formatMoney(0, 'USD')).toBe('0.00 USD');
    expect(formatMoney('2500500000', 'EUR')).toBe('2,500.50 EUR');
    expect(formatMoney(1_500_000, 'JPY', 0)).toBe('2 JPY'); // 1.5 → 2 (half-even: 2 is even)
  });

  it('rounds half to even, never through floats', () => {
    expect(formatMoney(1_005_000, 'EUR')).toBe('1.00 EUR'); // 1.005 → 1.00 (0 is even)
    expect(formatMoney(1_015_000, 'EUR')).toBe('1.02 EUR'); // 1.015 → 1.02
    expect(formatMoney(1_005_001, 'EUR')).toBe('1.01 EUR'); // past the half
    expect(formatMoney(-1_015_000, 'EUR')).toBe('-1.02 EUR');
    expect(formatMoney(-4_000, 'EUR')).toBe('0.00 EUR'); // no "-0.00"
    expect(formatMoney(9_007_199_254_740_991, 'EUR')).toBe('9,007,199,254.74 EUR');
  });

  it('shows a dash for no amount', () => {
    expect(formatMoney(null, 'EUR')).toBe('—');
  });
});

describe('parseMoney', () => {
  it('turns typed major units into exact micro-units', () => {
    expect(parseMoney('1500')).toBe(1_500_000_000);
    expect(parseMoney('0.1')).toBe(100_000);
    expect(parseMoney('1,234.567891')).toBe(1_234_567_891);
    expect(parseMoney(' -2.5 ')).toBe(-2_500_000);
  });

  it('refuses what is not an amount', () => {
    for (const bad of ['', 'abc', '1.2345678', '1e3', '1.2.3', '9999999999999']) expect(parseMoney(bad)).toBeNull();
  });
});
