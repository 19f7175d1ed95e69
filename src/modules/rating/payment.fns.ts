import { assertMicros, type Micros } from '../../platform/money';
import { isValidAt } from './allowance.fns';
import { admitsUsageType, type CompiledMoneyDefinition } from './catalog.fns';
import { exactList } from './lists.fns';
import type { Instant, MoneyBucket, MoneyImpact } from './rating.types';
import { moneyDefinitionOf, type PreparedSubscriber } from './subscriber.fns';

/**
 * §10.2 money: the buckets in the payer's currency valid at the instant that admit the usage type, in
 * consumption order (first side, then second). A charge is paid wholly by the first side that can cover it, split
 * across that side's buckets in order. Prepaid money never goes below zero; postpaid down to -creditLimit.
 * When no side can pay: online, the charge is refused (the caller shortens the grant); offline, the usage has
 * happened, so it is posted to the payer's main balance even if that goes negative (§10.2.7).
 */

interface MoneyCandidate {
  bucket: MoneyBucket;
  definition: CompiledMoneyDefinition;
  /** What the bucket can still give. */
  capacity: number;
}

export interface MoneyPayment {
  impacts: MoneyImpact[];
  /** What no bucket took: offline, no main balance was named; online, no side could pay it all. */
  unpaid: Micros;
  /** Micro-units taken from account-level buckets. */
  fromAccount: Micros;
}


const candidateScratch: MoneyCandidate[] = [];
const impactScratch: MoneyImpact[] = [];

export function payMoney(prepared: PreparedSubscriber, amount: Micros, type: number, at: Instant, online: boolean): MoneyPayment {
  if (amount === 0) return { impacts: [], unpaid: 0, fromAccount: 0 };
  const buckets = prepared.money;
  let n = 0;
  let firstSide = 0;
  for (let i = 0; i < buckets.length; i++) {
    const { bucket, definition } = buckets[i];
    if (!isValidAt(bucket, at) || !admitsUsageType(definition, type)) continue;
    const floor = definition.prepaid ? 0 : -(bucket.creditLimit ?? 0);
    const capacity = assertMicros(bucket.amount) > floor ? bucket.amount - floor : 0;
    candidateScratch[n++] = { bucket, definition, capacity };
    if (buckets[i].firstSide) firstSide++;
  }
  const candidates = exactList(candidateScratch, n);
  const { mainBalanceId } = prepared.subscriber;

  if (amount < 0) {
    // A negative tariff lowered the session's running total: give it back to the main balance, else the
    // first bucket that would have paid.
    const target = mainBalanceId ?? candidates[0]?.bucket.id;
    if (target === undefined) return { impacts: [], unpaid: amount, fromAccount: 0 };
    return onOneBucket(prepared, target, amount);
  }
  const paid = payFromSide(candidates, 0, firstSide, amount) ?? payFromSide(candidates, firstSide, candidates.length, amount);
  if (paid !== null) return paid;
  if (online || mainBalanceId === undefined) return { impacts: [], unpaid: amount, fromAccount: 0 };
  return onOneBucket(prepared, mainBalanceId, amount);
}

/** The whole amount on candidates[from, to), split in order; null when they cannot cover it. */
function payFromSide(candidates: MoneyCandidate[], from: number, to: number, amount: Micros): MoneyPayment | null {
  let capacity = 0;
  for (let i = from; i < to && capacity < amount; i++) capacity += candidates[i].capacity;
  if (capacity < amount) return null;
  let n = 0;
  let left = amount;
  let fromAccount = 0;
  for (let i = from; i < to && left > 0; i++) {
    const c = candidates[i];
    const part = c.capacity < left ? c.capacity : left;
    if (part === 0) continue;
    impactScratch[n++] = { bucketId: c.bucket.id, amount: part };
    if (c.definition.level === 'ACCOUNT') fromAccount += part;
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
