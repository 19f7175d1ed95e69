import { assertMicros, type Micros } from '../../platform/money';
import { compareBuckets, isValidAt } from './allowance.fns';
import { admitsUsageType, type CompiledMoneyDefinition, type RatingCatalog } from './catalog.fns';
import type { Instant, MoneyBucket, MoneyImpact, RatingSubscriber } from './rating.types';

/**
 * §10.2 money: the buckets in the payer's currency valid at the instant that admit the usage type, in
 * consumption order, split into sides. A charge is paid wholly by the first side that can cover it, split
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
  /** Offline: what no bucket took and no main balance was named for. */
  unpaid: Micros;
  /** Online: no side could pay the whole charge; nothing was taken. */
  insufficient: boolean;
  /** Micro-units taken from account-level buckets. */
  fromAccount: Micros;
}

const NOTHING: MoneyImpact[] = [];

export function payMoney(
  catalog: RatingCatalog,
  subscriber: RatingSubscriber,
  buckets: readonly MoneyBucket[],
  amount: Micros,
  finalUsageType: string,
  at: Instant,
  online: boolean,
): MoneyPayment {
  if (amount === 0) return { impacts: NOTHING, unpaid: 0, insufficient: false, fromAccount: 0 };
  const real: MoneyCandidate[] = [];
  const shadow: MoneyCandidate[] = [];
  for (const bucket of buckets) {
    const definition = catalog.moneyDefinitions.get(bucket.definitionId);
    if (!definition) throw new RangeError(`money bucket ${bucket.id} has unknown definition ${bucket.definitionId}`);
    if (definition.currency !== subscriber.currency || !isValidAt(bucket, at) || !admitsUsageType(definition, finalUsageType)) {
      continue;
    }
    assertMicros(bucket.amount);
    const floor = definition.prepaid ? 0 : -(bucket.creditLimit ?? 0);
    const capacity = bucket.amount > floor ? bucket.amount - floor : 0;
    (bucket.side === 'SHADOW' ? shadow : real).push({ bucket, definition, capacity });
  }
  const order = (a: MoneyCandidate, b: MoneyCandidate) =>
    compareBuckets(subscriber, a.bucket, a.bucket.priority ?? a.definition.priority, b.bucket, b.bucket.priority ?? b.definition.priority);
  if (real.length > 1) real.sort(order);
  if (shadow.length > 1) shadow.sort(order);
  const shadowFirst = subscriber.balanceSideOrder === 'SHADOW_THEN_REAL';

  if (amount < 0) {
    // A negative tariff lowered the session's running total: give it back to the main balance, else the
    // first bucket that would have paid.
    const target = subscriber.mainBalanceId ?? (shadowFirst ? shadow[0] ?? real[0] : real[0] ?? shadow[0])?.bucket.id;
    if (target === undefined) return { impacts: NOTHING, unpaid: amount, insufficient: false, fromAccount: 0 };
    const level = [...real, ...shadow].find((c) => c.bucket.id === target)?.definition.level;
    return { impacts: [{ bucketId: target, amount }], unpaid: 0, insufficient: false, fromAccount: level === 'ACCOUNT' ? amount : 0 };
  }

  for (const side of shadowFirst ? [shadow, real] : [real, shadow]) {
    let capacity = 0;
    for (const c of side) capacity += c.capacity;
    if (capacity < amount) continue;
    const impacts: MoneyImpact[] = [];
    let left = amount;
    let fromAccount = 0;
    for (const c of side) {
      if (left === 0) break;
      const part = c.capacity < left ? c.capacity : left;
      if (part === 0) continue;
      impacts.push({ bucketId: c.bucket.id, amount: part });
      if (c.definition.level === 'ACCOUNT') fromAccount += part;
      left -= part;
    }
    return { impacts, unpaid: 0, insufficient: false, fromAccount };
  }

  if (online) return { impacts: NOTHING, unpaid: 0, insufficient: true, fromAccount: 0 };
  const main = subscriber.mainBalanceId;
  if (main === undefined) return { impacts: NOTHING, unpaid: amount, insufficient: false, fromAccount: 0 };
  const mainLevel = catalog.moneyDefinitions.get(buckets.find((b) => b.id === main)?.definitionId ?? '')?.level;
  return { impacts: [{ bucketId: main, amount }], unpaid: 0, insufficient: false, fromAccount: mainLevel === 'ACCOUNT' ? amount : 0 };
}
