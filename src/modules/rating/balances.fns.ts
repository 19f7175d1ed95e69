import type { AllowanceImpact, MoneyImpact, RatingBalances } from './rating.types';

/**
 * Applies impacts to a copy of the balances: a rated usage's debits (sign 1), a reservation's holds (sign 1)
 * or their release (sign -1). Buckets not named are shared with the input, untouched.
 */
export function applyImpacts(
  balances: RatingBalances,
  impacts: { allowanceImpacts?: readonly AllowanceImpact[]; moneyImpacts?: readonly MoneyImpact[] },
  sign: 1 | -1 = 1,
): RatingBalances {
  const allowanceDebits = sumById(impacts.allowanceImpacts ?? []);
  const moneyDebits = sumById(impacts.moneyImpacts ?? []);
  return {
    allowances: balances.allowances.map((b) => (allowanceDebits.has(b.id) ? { ...b, amount: b.amount - sign * allowanceDebits.get(b.id)! } : b)),
    money: balances.money.map((b) => (moneyDebits.has(b.id) ? { ...b, amount: b.amount - sign * moneyDebits.get(b.id)! } : b)),
  };
}

function sumById(impacts: readonly { bucketId: string; amount: number }[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const i of impacts) sums.set(i.bucketId, (sums.get(i.bucketId) ?? 0) + i.amount);
  return sums;
}
