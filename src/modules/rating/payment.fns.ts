import { assertMicros, type Micros } from '../../platform/money';
import { isOnFirstSide, isValidAt, sortInConsumptionOrder } from './allowance.fns';
import { admitsUsageType, type CompiledMoneyDefinition, type RatingCatalog } from './catalog.fns';
import { exactList } from './lists.fns';
import type { Instant, MoneyBucket, MoneyImpact, RatingSubscriber } from './rating.types';

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

export function payMoney(
  catalog: RatingCatalog,
  subscriber: RatingSubscriber,
  buckets: readonly MoneyBucket[],
  amount: Micros,
  type: number,
  at: Instant,
  online: boolean,
): MoneyPayment {
  if (amount === 0) return { impacts: [], unpaid: 0, fromAccount: 0 };
  let n = 0;
  let firstSide = 0;
  for (let i = 0; i < buckets.length; i++) {
    const bucket = buckets[i];
    const definition = definitionOf(catalog, bucket);
    if (definition.currency !== subscriber.currency || !isValidAt(bucket, at) || !admitsUsageType(definition, type)) {
      continue;
    }
    const floor = definition.prepaid ? 0 : -(bucket.creditLimit ?? 0);
    const capacity = assertMicros(bucket.amount) > floor ? bucket.amount - floor : 0;
    candidateScratch[n++] = { bucket, definition, capacity };
    if (isOnFirstSide(subscriber, bucket)) firstSide++;
  }
  const candidates = exactList(candidateScratch, n);
  sortInConsumptionOrder(subscriber, candidates);

  if (amount < 0) {
    // A negative tariff lowered the session's running total: give it back to the main balance, else the
    // first bucket that would have paid.
    const target = subscriber.mainBalanceId ?? candidates[0]?.bucket.id;
    if (target === undefined) return { impacts: [], unpaid: amount, fromAccount: 0 };
    return onOneBucket(catalog, buckets, target, amount);
  }
  const paid = payFromSide(candidates, 0, firstSide, amount) ?? payFromSide(candidates, firstSide, candidates.length, amount);
  if (paid !== null) return paid;
  if (online || subscriber.mainBalanceId === undefined) return { impacts: [], unpaid: amount, fromAccount: 0 };
  return onOneBucket(catalog, buckets, subscriber.mainBalanceId, amount);
}

function definitionOf(catalog: RatingCatalog, bucket: MoneyBucket): CompiledMoneyDefinition {
  const definition = catalog.moneyDefinitions.get(bucket.definitionId);
  if (!definition) throw new RangeError(`money bucket ${bucket.id} has unknown definition ${bucket.definitionId}`);
  return definition;
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
function onOneBucket(catalog: RatingCatalog, buckets: readonly MoneyBucket[], bucketId: string, amount: Micros): MoneyPayment {
  const bucket = buckets.find((b) => b.id === bucketId);
  const account = bucket !== undefined && definitionOf(catalog, bucket).level === 'ACCOUNT';
  return { impacts: [{ bucketId, amount }], unpaid: 0, fromAccount: account ? amount : 0 };
}
