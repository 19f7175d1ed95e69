import { MoneyFormatError, assertMicros, parseMicros, type Micros } from '../../platform/money';
import type { TariffDefinition, UnitType } from './rating.types';

/** A tariff ready for the hot path: unit lengths and charges as integers (charges in micro-units). */
export interface CompiledTariff {
  id: string;
  unitType: UnitType;
  currency: string;
  icu: number;
  icc: Micros;
  acu: number;
  acc: Micros;
  grace: number;
  eligibleForDiscount: boolean;
  eligibleForNonCurrency: boolean;
  settlement: boolean;
}

export type TariffValidationReason =
  | 'UNKNOWN_UNIT_TYPE'
  | 'BAD_CURRENCY'
  | 'NON_INTEGER_UNIT'
  | 'ZERO_UNIT_LENGTH'
  | 'MISSING_ADDITIONAL_UNIT'
  | 'NEGATIVE_GRACE'
  | 'BAD_AMOUNT';

export interface TariffValidation {
  valid: boolean;
  reason?: TariffValidationReason;
  detail?: string;
}

const UNIT_TYPES: ReadonlySet<string> = new Set(['SECOND', 'OCTET', 'EVENT']);
const CURRENCY = /^[A-Z]{3}$/;

/** §8.1 checks on one tariff. */
export function validateTariff(tariff: TariffDefinition): TariffValidation {
  const invalid = (reason: TariffValidationReason, detail: string): TariffValidation => ({ valid: false, reason, detail });
  if (!UNIT_TYPES.has(tariff.unitType)) return invalid('UNKNOWN_UNIT_TYPE', `unit type ${tariff.unitType}`);
  if (!CURRENCY.test(tariff.currency)) return invalid('BAD_CURRENCY', `currency ${tariff.currency}`);
  const omitsAdditional = tariff.additionalUnit === undefined && tariff.additionalCharge === undefined;
  if (omitsAdditional && tariff.unitType !== 'EVENT') {
    return invalid('MISSING_ADDITIONAL_UNIT', 'only EVENT tariffs may omit the additional unit and charge');
  }
  if ((tariff.additionalUnit === undefined) !== (tariff.additionalCharge === undefined)) {
    return invalid('MISSING_ADDITIONAL_UNIT', 'additionalUnit and additionalCharge go together');
  }
  const units = [tariff.initialUnit, tariff.additionalUnit ?? tariff.initialUnit];
  if (units.some((u) => !Number.isSafeInteger(u))) return invalid('NON_INTEGER_UNIT', 'unit lengths are integers');
  // A unit of length 0 would need infinitely many units.
  if (units.some((u) => u < 1)) return invalid('ZERO_UNIT_LENGTH', 'unit lengths must be at least 1');
  const grace = tariff.graceUnits ?? 0;
  if (!Number.isSafeInteger(grace) || grace < 0) return invalid('NEGATIVE_GRACE', 'graceUnits is an integer >= 0');
  for (const amount of [tariff.initialCharge, tariff.additionalCharge ?? tariff.initialCharge]) {
    try {
      parseMicros(amount);
    } catch (err) {
      if (err instanceof MoneyFormatError) return invalid('BAD_AMOUNT', err.message);
      throw err;
    }
  }
  return { valid: true };
}

export class TariffValidationError extends Error {
  constructor(
    readonly reason: TariffValidationReason,
    detail: string,
  ) {
    super(`invalid tariff: ${reason}: ${detail}`);
    this.name = 'TariffValidationError';
  }
}

export function compileTariff(tariff: TariffDefinition, id = tariff.id ?? 'tariff'): CompiledTariff {
  const validation = validateTariff(tariff);
  if (!validation.valid) throw new TariffValidationError(validation.reason!, validation.detail ?? '');
  return {
    id,
    unitType: tariff.unitType,
    currency: tariff.currency,
    icu: tariff.initialUnit,
    icc: parseMicros(tariff.initialCharge),
    acu: tariff.additionalUnit ?? tariff.initialUnit,
    acc: parseMicros(tariff.additionalCharge ?? tariff.initialCharge),
    grace: tariff.graceUnits ?? 0,
    eligibleForDiscount: tariff.eligibleForDiscount ?? false,
    eligibleForNonCurrency: tariff.eligibleForNonCurrency ?? false,
    settlement: tariff.settlement ?? false,
  };
}

export interface TariffUnits {
  initialUnits: number;
  additionalUnits: number;
  charge: Micros;
  billedQuantity: number;
}

/** §8.2, one tariff, one usage of `quantity` base units, rated alone. */
export function rateTariff(tariff: CompiledTariff, quantity: number): TariffUnits {
  const initialUnits = initialUnitsOf(tariff, true, quantity, quantity);
  const additionalUnits = additionalUnitsOf(tariff, true, quantity, quantity);
  return {
    initialUnits,
    additionalUnits,
    charge: chargeOf(tariff, initialUnits, additionalUnits),
    billedQuantity: initialUnits * tariff.icu + additionalUnits * tariff.acu,
  };
}

// The two functions below are the §8.2 formula split by unit kind, for one time-type segment of a usage:
// the first segment pays the initial unit, later segments (after a time-type boundary, §9) only additional
// units. Grace compares the usage's total so far, so a usage rated in parts is free exactly while the
// whole would be.

export function initialUnitsOf(tariff: CompiledTariff, firstSegment: boolean, quantity: number, total: number): number {
  return firstSegment && quantity > 0 && total >= tariff.grace ? 1 : 0;
}

export function additionalUnitsOf(tariff: CompiledTariff, firstSegment: boolean, quantity: number, total: number): number {
  if (quantity <= 0 || total < tariff.grace) return 0;
  return ceilDiv(firstSegment ? quantity - tariff.icu : quantity, tariff.acu);
}

/** initialUnits × ICC + additionalUnits × ACC, checked against the safe-integer range. */
export function chargeOf(tariff: CompiledTariff, initialUnits: number, additionalUnits: number): Micros {
  return assertMicros(initialUnits * tariff.icc + assertMicros(additionalUnits * tariff.acc));
}

/**
 * ceil(max(0, a) / b) for integers a < 2^53 and b >= 1. Exact in doubles: the rounded quotient of such
 * integers can only equal an integer when the true quotient is that integer.
 */
export function ceilDiv(a: number, b: number): number {
  return a <= 0 ? 0 : Math.ceil(a / b);
}
