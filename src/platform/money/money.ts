/**
 * The platform's one money type: an integer count of micro-units (10^-6 of the currency's major unit).
 *
 * Held as a JS number that must be a safe integer (|m| <= 2^53 - 1, about 9 billion major units), the same
 * representation the database layer uses for int8 columns (platform/db/types.ts). Every helper here checks
 * that bound and throws a RangeError past it, so an amount can never silently lose precision.
 * Amounts never pass through floating point: parsing and formatting work on the decimal digits, and the
 * one place that needs a wider intermediate (ratio multiplication) uses bigint.
 */
export type Micros = number;

export const MICROS_PER_MAJOR = 1_000_000;
const MICRO_DIGITS = 6;

/** How an amount is rounded when it must lose precision. UP and DOWN are away from / towards zero. */
export type RoundingMode = 'HALF_EVEN' | 'HALF_UP' | 'UP' | 'DOWN';

export class MoneyFormatError extends Error {
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super(`invalid money amount "${input}": ${reason}`);
    this.name = 'MoneyFormatError';
  }
}

const DECIMAL = /^(-?)([0-9]+)(?:\.([0-9]+))?$/;

/** Parses a decimal string in major units ("1.20", "-0.000001") exactly into micro-units. */
export function parseMicros(decimal: string): Micros {
  const match = DECIMAL.exec(decimal);
  if (!match) throw new MoneyFormatError(decimal, 'expected a decimal number such as "1.20"');
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > MICRO_DIGITS) throw new MoneyFormatError(decimal, 'more than 6 decimals');
  // Digits are joined as a string, then read once as an integer: no decimal fraction ever exists as a float.
  const digits = (whole + fraction.padEnd(MICRO_DIGITS, '0')).replace(/^0+(?=\d)/, '');
  const value = Number(digits);
  if (!Number.isSafeInteger(value)) throw new MoneyFormatError(decimal, 'too large');
  return sign === '-' && value !== 0 ? -value : value;
}

/** True when the string is a valid configured amount (at most 6 decimals, within range). */
export function isMoneyString(decimal: string): boolean {
  try {
    parseMicros(decimal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Formats micro-units as a decimal string in major units, exact, with at least `minDecimals` decimals and
 * no trailing zeros beyond them: 1_200_000 -> "1.20", 2_123_456 -> "2.123456".
 */
export function formatMicros(m: Micros, minDecimals = 2): string {
  assertMicros(m);
  const negative = m < 0;
  const digits = String(negative ? -m : m).padStart(MICRO_DIGITS + 1, '0');
  const whole = digits.slice(0, -MICRO_DIGITS);
  let fraction = digits.slice(-MICRO_DIGITS);
  while (fraction.length > minDecimals && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

export function isMicros(value: unknown): value is Micros {
  return Number.isSafeInteger(value);
}

export function assertMicros(value: number): Micros {
  if (!Number.isSafeInteger(value)) throw new RangeError(`money amount ${value} is not a safe integer of micro-units`);
  return value;
}

/** a + b, checked. */
export function addMicros(a: Micros, b: Micros): Micros {
  return assertMicros(a + b);
}

/** amount x an integer count (units x unit charge), checked. */
export function timesMicros(amount: Micros, count: number): Micros {
  return assertMicros(amount * count);
}

/** Sum of amounts, checked. */
export function sumMicros(amounts: Iterable<Micros>): Micros {
  let total = 0;
  for (const a of amounts) total = assertMicros(total + a);
  return total;
}

/** numerator / denominator rounded to an integer with the given mode; exact on bigints. */
export function divideRounded(numerator: bigint, denominator: bigint, mode: RoundingMode = 'HALF_EVEN'): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  const quotient = numerator / denominator; // truncates towards zero
  const remainder = numerator - quotient * denominator;
  if (remainder === 0n) return quotient;
  const away = numerator < 0n ? quotient - 1n : quotient + 1n;
  switch (mode) {
    case 'DOWN':
      return quotient;
    case 'UP':
      return away;
    case 'HALF_UP':
    case 'HALF_EVEN': {
      const twice = 2n * (remainder < 0n ? -remainder : remainder);
      if (twice > denominator) return away;
      if (twice < denominator) return quotient;
      if (mode === 'HALF_UP') return away;
      return quotient % 2n === 0n ? quotient : away;
    }
  }
}

/**
 * amount x numerator / denominator, rounded to the micro-unit (half-even by default): proration, percentages,
 * currency conversion. The product is formed in bigint so it cannot overflow.
 */
export function multiplyRatio(
  amount: Micros,
  numerator: bigint | number,
  denominator: bigint | number,
  mode: RoundingMode = 'HALF_EVEN',
): Micros {
  assertMicros(amount);
  const result = divideRounded(BigInt(amount) * BigInt(numerator), BigInt(denominator), mode);
  return assertMicros(Number(result));
}

/** An exact decimal ratio ("1.0857", "12.5") as numerator / 10^scale, for rates and percentages. */
export interface DecimalRatio {
  numerator: bigint;
  denominator: bigint;
}

export function parseDecimalRatio(decimal: string): DecimalRatio {
  const match = DECIMAL.exec(decimal);
  if (!match) throw new MoneyFormatError(decimal, 'expected a decimal number');
  const [, sign, whole, fraction = ''] = match;
  const numerator = BigInt(whole + fraction) * (sign === '-' ? -1n : 1n);
  return { numerator, denominator: 10n ** BigInt(fraction.length) };
}

/** ISO 4217 minor-unit exponents that differ from the usual 2. */
const EXPONENT_EXCEPTIONS: Record<string, number> = {
  BHD: 3, BIF: 0, CLF: 4, CLP: 0, DJF: 0, GNF: 0, IQD: 3, ISK: 0, JOD: 3, JPY: 0, KMF: 0, KRW: 0, KWD: 3,
  LYD: 3, OMR: 3, PYG: 0, RWF: 0, TND: 3, UGX: 0, UYI: 0, UYW: 4, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
};

/** The currency's ISO 4217 exponent (number of minor-unit decimals); 2 unless listed otherwise. */
export function currencyExponent(currency: string): number {
  return EXPONENT_EXCEPTIONS[currency] ?? 2;
}

/**
 * Rounds micro-units to `decimals` decimals of the major unit (presentation rounding for invoices and
 * screens; the tenant's rule, default half-even). Returns micro-units, a multiple of 10^(6 - decimals).
 */
export function roundMicros(m: Micros, decimals: number, mode: RoundingMode = 'HALF_EVEN'): Micros {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > MICRO_DIGITS) {
    throw new RangeError(`decimals must be an integer 0..6, got ${decimals}`);
  }
  assertMicros(m);
  const step = 10n ** BigInt(MICRO_DIGITS - decimals);
  return assertMicros(Number(divideRounded(BigInt(m), step, mode) * step));
}

/** Micro-units as a count of the currency's minor unit (cents), rounded with the given mode. */
export function toMinorUnits(m: Micros, currency: string, mode: RoundingMode = 'HALF_EVEN'): number {
  const step = 10n ** BigInt(MICRO_DIGITS - currencyExponent(currency));
  return Number(divideRounded(BigInt(assertMicros(m)), step, mode));
}

/** A count of minor units (cents) as micro-units. */
export function fromMinorUnits(minor: number, currency: string): Micros {
  return assertMicros(minor * 10 ** (MICRO_DIGITS - currencyExponent(currency)));
}

/** Micro-units rounded to the currency's minor unit and printed with exactly its decimals: "1.20", "120". */
export function formatMinorUnits(m: Micros, currency: string, mode: RoundingMode = 'HALF_EVEN'): string {
  const exponent = currencyExponent(currency);
  return formatMicros(roundMicros(m, exponent, mode), exponent);
}
