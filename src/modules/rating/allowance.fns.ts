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
    const rank = (bucket: OrderedBucket) => {
      const i = template.indexOf(bucket.definitionId);
      return i < 0 ? template.length : i;
    };
    const byTemplate = rank(a) - rank(b);
    if (byTemplate !== 0) return byTemplate;
  }
  const aExpiry = a.expiresAt ?? Number.POSITIVE_INFINITY;
  const bExpiry = b.expiresAt ?? Number.POSITIVE_INFINITY;
  if (aExpiry !== bExpiry) return aExpiry < bExpiry ? -1 : 1;
  if (aPriority !== bPriority) return bPriority - aPriority;
  if (a.createdAt !== b.createdAt) return a.createdAt - b.createdAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function isValidAt(bucket: { validFrom: Instant; expiresAt?: Instant | null }, at: Instant): boolean {
  return bucket.validFrom <= at && (bucket.expiresAt == null || at < bucket.expiresAt);
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
  for (const bucket of buckets) {
    const definition = catalog.allowanceDefinitions.get(bucket.definitionId);
    if (!definition) throw new RangeError(`allowance bucket ${bucket.id} has unknown definition ${bucket.definitionId}`);
    if (definition.unitType !== unitType || !isValidAt(bucket, at) || !admitsUsageType(definition, finalUsageType)) continue;
    if (!Number.isSafeInteger(bucket.amount)) throw new RangeError(`allowance bucket ${bucket.id} amount ${bucket.amount}`);
    const amount = bucket.amount > 0 ? bucket.amount : 0;
    (bucket.side === 'SHADOW' ? shadow : real).push({ bucket, definition, available: amount, taken: 0 });
    available += amount;
  }
  const order = (a: AllowanceCandidate, b: AllowanceCandidate) =>
    compareBuckets(subscriber, a.bucket, a.bucket.priority ?? a.definition.priority, b.bucket, b.bucket.priority ?? b.definition.priority);
  if (real.length > 1) real.sort(order);
  if (shadow.length > 1) shadow.sort(order);
  const shadowFirst = subscriber.balanceSideOrder === 'SHADOW_THEN_REAL';
  const first = shadowFirst ? shadow : real;
  const second = shadowFirst ? real : shadow;
  const last = second.length > 0 ? second[second.length - 1] : first.length > 0 ? first[first.length - 1] : null;
  return { first, second, available, policy: last ? last.definition.onExhaustion : null };
}

function sideAvailable(side: AllowanceCandidate[]): number {
  let sum = 0;
  for (const c of side) sum += c.available;
  return sum;
}

/** Takes `amount` from the side's buckets in order (the caller knows the side can cover it). */
function take(side: AllowanceCandidate[], amount: number): void {
  for (const c of side) {
    if (amount === 0) return;
    const part = c.available < amount ? c.available : amount;
    c.available -= part;
    c.taken += part;
    amount -= part;
  }
}

function drain(sides: AllowanceSides): number {
  let drained = 0;
  for (const side of [sides.first, sides.second]) {
    for (const c of side) {
      drained += c.available;
      c.taken += c.available;
      c.available = 0;
    }
  }
  sides.available = 0;
  return drained;
}

export interface ChunkDebit {
  debited: number;
  exhausted: boolean;
}

/**
 * Debits `count` consecutive chunks: the first of `firstChunk` units, the others of `chunk` units.
 * Equivalent to deciding chunk by chunk (first side if it covers the chunk, else second side, else take what
 * is left), computed per side in O(buckets): a side that once fails to cover `chunk` never covers it again.
 */
export function debitChunks(sides: AllowanceSides, firstChunk: number, chunk: number, count: number): ChunkDebit {
  let debited = 0;
  let remaining = count;
  if (remaining > 0 && firstChunk !== chunk) {
    const side = sideAvailable(sides.first) >= firstChunk ? sides.first : sideAvailable(sides.second) >= firstChunk ? sides.second : null;
    if (side === null) return { debited: drain(sides), exhausted: true };
    take(side, firstChunk);
    sides.available -= firstChunk;
    debited += firstChunk;
    remaining--;
  }
  for (const side of [sides.first, sides.second]) {
    if (remaining === 0) break;
    const whole = Math.min(remaining, Math.floor(sideAvailable(side) / chunk));
    if (whole === 0) continue;
    take(side, whole * chunk);
    sides.available -= whole * chunk;
    debited += whole * chunk;
    remaining -= whole;
  }
  if (remaining > 0) return { debited: debited + drain(sides), exhausted: true };
  return { debited, exhausted: false };
}

export function allowanceImpactsOf(sides: AllowanceSides): AllowanceImpact[] {
  const impacts: AllowanceImpact[] = [];
  for (const side of [sides.first, sides.second]) {
    for (const c of side) if (c.taken > 0) impacts.push({ bucketId: c.bucket.id, amount: c.taken });
  }
  return impacts;
}

/** Units taken from account-level buckets (account accumulators count only these, §10.3). */
export function accountUnitsTaken(sides: AllowanceSides): number {
  let units = 0;
  for (const side of [sides.first, sides.second]) {
    for (const c of side) if (c.definition.level === 'ACCOUNT') units += c.taken;
  }
  return units;
}
