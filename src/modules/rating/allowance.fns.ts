import { admitsUsageType, type CompiledAllowanceDefinition } from './catalog.fns';
import { exactList } from './lists.fns';
import type { AllowanceBucket, AllowanceImpact, BalanceSide, ExhaustionPolicy, Instant, RatingSubscriber, UnitType } from './rating.types';
import type { PreparedSubscriber } from './subscriber.fns';

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

/** The candidates in consumption order: the first side's, then the second side's. */
export interface AllowanceSides {
  /** candidates[0, count) are this rating's (the list is reused, see allowanceSides). */
  candidates: AllowanceCandidate[];
  count: number;
  /** candidates[0, firstSide) are the first side, the rest the second. */
  firstSide: number;
  /** Units available on both sides. */
  available: number;
  /** The exhaustion policy of the last candidate in consumption order; null when there is no candidate. */
  policy: ExhaustionPolicy | null;
  /** A chunk found no side to cover it: what was left has been taken and the allowances are used up. */
  exhausted: boolean;
}

interface OrderedBucket {
  id: string;
  side: BalanceSide;
  definitionId: string;
  expiresAt?: Instant | null;
  createdAt: Instant;
  priority?: number;
}

/** Whether the bucket is on the side that pays first (the SIM's own, unless it says SHADOW_THEN_REAL). */
export function isOnFirstSide(subscriber: RatingSubscriber, bucket: { side: BalanceSide }): boolean {
  return (bucket.side === 'SHADOW') === (subscriber.balanceSideOrder === 'SHADOW_THEN_REAL');
}

/**
 * Consumption order (also of money buckets): first side before second side; inside a side the template's
 * balance priority, soonest expiry, higher priority, oldest, id.
 */
export function compareBuckets(
  subscriber: RatingSubscriber,
  a: OrderedBucket,
  aPriority: number,
  b: OrderedBucket,
  bPriority: number,
): number {
  const aFirst = isOnFirstSide(subscriber, a);
  if (aFirst !== isOnFirstSide(subscriber, b)) return aFirst ? -1 : 1;
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

const impactScratch: AllowanceImpact[] = [];

/**
 * The sides of the part being rated. One object and its candidates are reused by every rating: JavaScript
 * runs one at a time, and the sides live only while one part is rated (its impacts are copied out).
 */
const current: AllowanceSides = { candidates: [], count: 0, firstSide: 0, available: 0, policy: null, exhausted: false };

/** The allowance buckets that may pay usage of this type and unit at this instant, in consumption order. */
export function allowanceSides(prepared: PreparedSubscriber, unitType: UnitType, type: number, at: Instant): AllowanceSides {
  const buckets = prepared.allowances;
  const candidates = current.candidates;
  let n = 0;
  let firstSide = 0;
  let available = 0;
  for (let i = 0; i < buckets.length; i++) {
    const { bucket, definition } = buckets[i];
    if (definition.unitType !== unitType || !isValidAt(bucket, at) || !admitsUsageType(definition, type)) continue;
    if (!Number.isSafeInteger(bucket.amount)) throw new RangeError(`allowance bucket ${bucket.id} amount ${bucket.amount}`);
    const amount = bucket.amount > 0 ? bucket.amount : 0;
    if (n < candidates.length) {
      const c = candidates[n];
      c.bucket = bucket;
      c.definition = definition;
      c.available = amount;
      c.taken = 0;
    } else {
      candidates.push({ bucket, definition, available: amount, taken: 0 });
    }
    n++;
    if (buckets[i].firstSide) firstSide++;
    available += amount;
  }
  current.count = n;
  current.firstSide = firstSide;
  current.available = available;
  current.policy = n > 0 ? candidates[n - 1].definition.onExhaustion : null;
  current.exhausted = false;
  return current;
}

function sideAvailable(sides: AllowanceSides, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += sides.candidates[i].available;
  return sum;
}

/** Takes `amount` from the buckets [from, to) in order (the caller knows they can cover it). */
function take(sides: AllowanceSides, from: number, to: number, amount: number): void {
  sides.available -= amount;
  for (let i = from; i < to && amount > 0; i++) {
    const c = sides.candidates[i];
    const part = c.available < amount ? c.available : amount;
    c.available -= part;
    c.taken += part;
    amount -= part;
  }
}

/** Partial-chunk rule: what is left, first side first; the allowances are then used up. */
function drain(sides: AllowanceSides): number {
  let drained = 0;
  for (let i = 0; i < sides.count; i++) {
    const c = sides.candidates[i];
    drained += c.available;
    c.taken += c.available;
    c.available = 0;
  }
  sides.available = 0;
  sides.exhausted = true;
  return drained;
}

/** Whole chunks the buckets [from, to) can pay, at most `wanted`; returns how many they paid. */
function takeWholeChunks(sides: AllowanceSides, from: number, to: number, chunk: number, wanted: number): number {
  if (wanted === 0) return 0;
  const whole = Math.min(wanted, Math.floor(sideAvailable(sides, from, to) / chunk));
  if (whole > 0) take(sides, from, to, whole * chunk);
  return whole;
}

/**
 * Debits `count` consecutive chunks: the first of `firstChunk` units, the others of `chunk` units, and
 * returns the units debited (sides.exhausted tells whether the partial-chunk rule ended it).
 * Equivalent to deciding chunk by chunk (first side if it covers the chunk, else second side, else take what
 * is left), computed per side in O(buckets): a side that once fails to cover `chunk` never covers it again.
 */
export function debitChunks(sides: AllowanceSides, firstChunk: number, chunk: number, count: number): number {
  const split = sides.firstSide;
  const end = sides.count;
  let debited = 0;
  let remaining = count;
  if (remaining > 0 && firstChunk !== chunk) {
    if (sideAvailable(sides, 0, split) >= firstChunk) take(sides, 0, split, firstChunk);
    else if (sideAvailable(sides, split, end) >= firstChunk) take(sides, split, end, firstChunk);
    else return drain(sides);
    debited += firstChunk;
    remaining--;
  }
  const fromFirst = takeWholeChunks(sides, 0, split, chunk, remaining);
  const fromSecond = takeWholeChunks(sides, split, end, chunk, remaining - fromFirst);
  debited += (fromFirst + fromSecond) * chunk;
  if (fromFirst + fromSecond < remaining) debited += drain(sides);
  return debited;
}

export function allowanceImpactsOf(sides: AllowanceSides): AllowanceImpact[] {
  let n = 0;
  for (let i = 0; i < sides.count; i++) {
    const c = sides.candidates[i];
    if (c.taken > 0) impactScratch[n++] = { bucketId: c.bucket.id, amount: c.taken };
  }
  return exactList(impactScratch, n);
}

/** Units taken from account-level buckets (account accumulators count only these, §10.3). */
export function accountUnitsTaken(sides: AllowanceSides): number {
  let units = 0;
  for (let i = 0; i < sides.count; i++) {
    const c = sides.candidates[i];
    if (c.definition.level === 'ACCOUNT') units += c.taken;
  }
  return units;
}
