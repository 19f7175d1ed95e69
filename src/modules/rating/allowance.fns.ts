import { admitsUsageType, type CompiledAllowanceDefinition, type RatingCatalog } from './catalog.fns';
import type { AllowanceBucket, AllowanceImpact, ExhaustionPolicy, Instant, RatingSubscriber, UnitType } from './rating.types';

/**
 * §10.2 / §11: which allowance buckets pay, in which order, and how chunks are taken from them.
 *
 * Order inside a side: the compatibility template's balance priority, then soonest expiry, then higher
 * priority, then oldest bucket (spend first what would be lost first). Sides: the subscriber's own buckets
 * (REAL) and its shadows onto account pools (SHADOW), REAL_THEN_SHADOW unless the subscriber says otherwise.
 * A chunk is paid wholly by the first side that can cover it, never split between sides; only when neither
 * can, the partial-chunk rule takes what is left (first side first) and the allowances are exhausted.
 */

export interface AllowanceCandidate {
  bucket: AllowanceBucket;
  definition: CompiledAllowanceDefinition;
  available: number;
  taken: number;
}

export interface AllowanceSides {
  first: AllowanceCandidate[];
  second: AllowanceCandidate[];
  /** Units available on both sides. */
  available: number;
  /** The exhaustion policy of the last candidate in consumption order; null when there is no candidate. */
  policy: ExhaustionPolicy | null;
  /** A chunk found no side to cover it: what was left has been taken and the allowances are used up. */
  exhausted: boolean;
}

interface OrderedBucket {
  id: string;
  definitionId: string;
  expiresAt?: Instant | null;
  createdAt: Instant;
  priority?: number;
}

/** Consumption order of buckets of one side (also used for money buckets). */
export function compareBuckets(
  subscriber: RatingSubscriber,
  a: OrderedBucket,
  aPriority: number,
  b: OrderedBucket,
  bPriority: number,
): number {
  const template = subscriber.balancePriority;
  if (template) {
    const byTemplate = templateRank(template, a.definitionId) - templateRank(template, b.definitionId);
    if (byTemplate !== 0) return byTemplate;
  }
  const aExpiry = a.expiresAt ?? Number.POSITIVE_INFINITY;
  const bExpiry = b.expiresAt ?? Number.POSITIVE_INFINITY;
  if (aExpiry !== bExpiry) return aExpiry < bExpiry ? -1 : 1;
  if (aPriority !== bPriority) return bPriority - aPriority;
  if (a.createdAt !== b.createdAt) return a.createdAt - b.createdAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function templateRank(template: readonly string[], definitionId: string): number {
  const i = template.indexOf(definitionId);
  return i < 0 ? template.length : i;
}

export function isValidAt(bucket: { validFrom: Instant; expiresAt?: Instant | null }, at: Instant): boolean {
  return bucket.validFrom <= at && (bucket.expiresAt == null || at < bucket.expiresAt);
}

/** Insertion sort in consumption order: sides hold a handful of buckets, and it needs no closure. */
export function sortInConsumptionOrder<C extends { bucket: OrderedBucket & { priority?: number }; definition: { priority: number } }>(
  subscriber: RatingSubscriber,
  list: C[],
): void {
  for (let i = 1; i < list.length; i++) {
    const item = list[i];
    const itemPriority = item.bucket.priority ?? item.definition.priority;
    let j = i - 1;
    while (j >= 0 && compareBuckets(subscriber, list[j].bucket, list[j].bucket.priority ?? list[j].definition.priority, item.bucket, itemPriority) > 0) {
      list[j + 1] = list[j];
      j--;
    }
    list[j + 1] = item;
  }
}

/** The allowance buckets that may pay usage of this type and unit at this instant, split into sides. */
export function allowanceSides(
  catalog: RatingCatalog,
  subscriber: RatingSubscriber,
  buckets: readonly AllowanceBucket[],
  unitType: UnitType,
  finalUsageType: string,
  at: Instant,
): AllowanceSides {
  const real: AllowanceCandidate[] = [];
  const shadow: AllowanceCandidate[] = [];
  let available = 0;
  for (let i = 0; i < buckets.length; i++) {
    const bucket = buckets[i];
    const definition = catalog.allowanceDefinitions.get(bucket.definitionId);
    if (!definition) throw new RangeError(`allowance bucket ${bucket.id} has unknown definition ${bucket.definitionId}`);
    if (definition.unitType !== unitType || !isValidAt(bucket, at) || !admitsUsageType(definition, finalUsageType)) continue;
    if (!Number.isSafeInteger(bucket.amount)) throw new RangeError(`allowance bucket ${bucket.id} amount ${bucket.amount}`);
    const amount = bucket.amount > 0 ? bucket.amount : 0;
    (bucket.side === 'SHADOW' ? shadow : real).push({ bucket, definition, available: amount, taken: 0 });
    available += amount;
  }
  sortInConsumptionOrder(subscriber, real);
  sortInConsumptionOrder(subscriber, shadow);
  const shadowFirst = subscriber.balanceSideOrder === 'SHADOW_THEN_REAL';
  const first = shadowFirst ? shadow : real;
  const second = shadowFirst ? real : shadow;
  const last = second.length > 0 ? second[second.length - 1] : first.length > 0 ? first[first.length - 1] : null;
  return { first, second, available, policy: last ? last.definition.onExhaustion : null, exhausted: false };
}

function sideAvailable(side: AllowanceCandidate[]): number {
  let sum = 0;
  for (let i = 0; i < side.length; i++) sum += side[i].available;
  return sum;
}

/** Takes `amount` from the side's buckets in order (the caller knows the side can cover it). */
function take(side: AllowanceCandidate[], amount: number): void {
  for (let i = 0; i < side.length && amount > 0; i++) {
    const c = side[i];
    const part = c.available < amount ? c.available : amount;
    c.available -= part;
    c.taken += part;
    amount -= part;
  }
}

function drainSide(side: AllowanceCandidate[]): number {
  let drained = 0;
  for (let i = 0; i < side.length; i++) {
    const c = side[i];
    drained += c.available;
    c.taken += c.available;
    c.available = 0;
  }
  return drained;
}

/** Partial-chunk rule: what is left, first side first; the allowances are then used up. */
function drain(sides: AllowanceSides): number {
  const drained = drainSide(sides.first) + drainSide(sides.second);
  sides.available = 0;
  sides.exhausted = true;
  return drained;
}

/** Whole chunks one side can pay, at most `wanted`; returns how many it paid. */
function takeWholeChunks(sides: AllowanceSides, side: AllowanceCandidate[], chunk: number, wanted: number): number {
  if (wanted === 0) return 0;
  const whole = Math.min(wanted, Math.floor(sideAvailable(side) / chunk));
  if (whole > 0) {
    take(side, whole * chunk);
    sides.available -= whole * chunk;
  }
  return whole;
}

/**
 * Debits `count` consecutive chunks: the first of `firstChunk` units, the others of `chunk` units, and
 * returns the units debited (sides.exhausted tells whether the partial-chunk rule ended it).
 * Equivalent to deciding chunk by chunk (first side if it covers the chunk, else second side, else take what
 * is left), computed per side in O(buckets): a side that once fails to cover `chunk` never covers it again.
 */
export function debitChunks(sides: AllowanceSides, firstChunk: number, chunk: number, count: number): number {
  let debited = 0;
  let remaining = count;
  if (remaining > 0 && firstChunk !== chunk) {
    const side = sideAvailable(sides.first) >= firstChunk ? sides.first : sideAvailable(sides.second) >= firstChunk ? sides.second : null;
    if (side === null) return drain(sides);
    take(side, firstChunk);
    sides.available -= firstChunk;
    debited += firstChunk;
    remaining--;
  }
  const fromFirst = takeWholeChunks(sides, sides.first, chunk, remaining);
  const fromSecond = takeWholeChunks(sides, sides.second, chunk, remaining - fromFirst);
  debited += (fromFirst + fromSecond) * chunk;
  if (fromFirst + fromSecond < remaining) debited += drain(sides);
  return debited;
}

function pushImpacts(side: AllowanceCandidate[], impacts: AllowanceImpact[]): void {
  for (let i = 0; i < side.length; i++) if (side[i].taken > 0) impacts.push({ bucketId: side[i].bucket.id, amount: side[i].taken });
}

export function allowanceImpactsOf(sides: AllowanceSides): AllowanceImpact[] {
  const impacts: AllowanceImpact[] = [];
  pushImpacts(sides.first, impacts);
  pushImpacts(sides.second, impacts);
  return impacts;
}

function accountTaken(side: AllowanceCandidate[]): number {
  let units = 0;
  for (let i = 0; i < side.length; i++) if (side[i].definition.level === 'ACCOUNT') units += side[i].taken;
  return units;
}

/** Units taken from account-level buckets (account accumulators count only these, §10.3). */
export function accountUnitsTaken(sides: AllowanceSides): number {
  return accountTaken(sides.first) + accountTaken(sides.second);
}
