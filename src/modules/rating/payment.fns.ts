import { assertMicros, type Micros } from '../../platform/money';
import { isValidAt } from './allowance.fns';
import { admitsUsageType } from './catalog.fns';
import { exactList } from './lists.fns';
import type { Instant, MoneyImpact } from './rating.types';
import { moneyDefinitionOf, type PreparedSubscriber } from './subscriber.fns';

/**
 * §10.2 money: the buckets in the payer's currency valid at the instant that admit the usage type, in
 * consumption order (first side, then second). A charge is paid wholly by the first side that can cover it, split
 * across that side's buckets in order. Prepaid money never goes below zero; postpaid down to -creditLimit.
 * When no side can pay: online, the charge is refused (the caller shortens the grant); offline, the usage has
 * happened, so it is posted to the payer's main balance even if that goes negative (§10.2.7).
 */

export interface MoneyPayment {
  impacts: MoneyImpact[];
  /** What no bucket took: offline, no main balance was named; online, no side could pay it all. */
  unpaid: Micros;
  /** Micro-units taken from account-level buckets. */
  fromAccount: Micros;
}


const impactScratch: MoneyImpact[] = [];

type PreparedMoney = PreparedSubscriber['money'][number];

export function payMoney(prepared: PreparedSubscriber, amount: Micros, type: number, at: Instant, online: boolean): MoneyPayment {
  if (amount === 0) return { impacts: [], unpaid: 0, fromAccount: 0 };
  const money = prepared.money;
  const { mainBalanceId } = prepared.subscriber;
  if (amount < 0) {
    // A negative tariff lowered the session's running total: give it back to the main balance, else the
    // first bucket that would have paid.
    let target = mainBalanceId;
    for (let i = 0; target === undefined && i < money.length; i++) if (capacityOf(money[i], type, at) >= 0) target = money[i].bucket.id;
    if (target === undefined) return { impacts: [], unpaid: amount, fromAccount: 0 };
    return onOneBucket(prepared, target, amount);
  }
  // Prepared money is in consumption order, so the first side is a prefix.
  let split = 0;
  while (split < money.length && money[split].firstSide) split++;
  const paid = payFromSide(money, 0, split, amount, type, at) ?? payFromSide(money, split, money.length, amount, type, at);
  if (paid !== null) return paid;
  if (online || mainBalanceId === undefined) return { impacts: [], unpaid: amount, fromAccount: 0 };
  return onOneBucket(prepared, mainBalanceId, amount);
}

/** What a bucket can still give to this usage: -1 when it may not pay it (not valid then, type not admitted). */
function capacityOf({ bucket, definition }: PreparedMoney, type: number, at: Instant): number {
  if (!isValidAt(bucket, at) || !admitsUsageType(definition, type)) return -1;
  const floor = definition.prepaid ? 0 : -(bucket.creditLimit ?? 0);
  return assertMicros(bucket.amount) > floor ? bucket.amount - floor : 0;
}

/** The whole amount on the buckets money[from, to) that may pay it, split in order; null when they cannot cover it. */
function payFromSide(money: readonly PreparedMoney[], from: number, to: number, amount: Micros, type: number, at: Instant): MoneyPayment | null {
  let capacity = 0;
  for (let i = from; i < to && capacity < amount; i++) capacity += Math.max(0, capacityOf(money[i], type, at));
  if (capacity < amount) return null;
  let n = 0;
  let left = amount;
  let fromAccount = 0;
  for (let i = from; i < to && left > 0; i++) {
    const available = capacityOf(money[i], type, at);
    const part = available < left ? available : left;
    if (part <= 0) continue;
    impactScratch[n++] = { bucketId: money[i].bucket.id, amount: part };
    if (money[i].definition.level === 'ACCOUNT') fromAccount += part;
    left -= part;
  }
  return { impacts: exactList(impactScratch, n), unpaid: 0, fromAccount };
}

/** The whole amount on one named bucket (the main balance), whatever it holds. */
function onOneBucket(prepared: PreparedSubscriber, bucketId: string, amount: Micros): MoneyPayment {
  const bucket = prepared.balances.money.find((b) => b.id === bucketId);
  const account = bucket !== undefined && moneyDefinitionOf(prepared.catalog, bucket).level === 'ACCOUNT';
  return { impacts: [{ bucketId, amount }], unpaid: 0, fromAccount: account ? amount : 0 };
}
