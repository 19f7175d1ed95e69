import { compareBuckets, isOnFirstSide } from './allowance.fns';
import type {
  CompiledAccumulatorDefinition,
  CompiledAllowanceDefinition,
  CompiledMoneyDefinition,
  CompiledOffer,
  RatingCatalog,
} from './catalog.fns';
import type { Guidance } from './guiding.fns';
import { exactList } from './lists.fns';
import type { AccumulatorInstance, AllowanceBucket, MoneyBucket, OfferInstance, RatingBalances, RatingSubscriber } from './rating.types';

/**
 * A subscriber bound to one catalog version: its offers, buckets and accumulators with their definitions
 * looked up, and its buckets in consumption order (which depends on nothing that usage changes). What depends
 * on the usage (its type and instant) is decided when it is rated, and amounts are read from the bucket
 * objects then, so a caller that updates amounts in place keeps rating with the same preparation. The
 * guidance of each usage type is kept as it is found, for the span in which the SIM's offers stay the same.
 *
 * rateUsage and reserveQuota prepare for their one call. A caller that rates a run of one SIM's usage (a batch
 * rater's records sorted by SIM, the parts of an online session) prepares once and calls ratePrepared; it
 * prepares again when the SIM's offers or buckets change (added, removed, re-dated, replaced by copies) or
 * the catalog version does.
 */
export interface PreparedSubscriber {
  catalog: RatingCatalog;
  subscriber: RatingSubscriber;
  balances: RatingBalances;
  offers: PreparedOffer[];
  /** Allowance buckets in consumption order: the first side's, then the second side's. */
  allowances: PreparedBucket<AllowanceBucket, CompiledAllowanceDefinition>[];
  /** Money buckets in the payer's currency (no other can pay, §10.2), in consumption order. */
  money: PreparedBucket<MoneyBucket, CompiledMoneyDefinition>[];
  accumulators: PreparedAccumulator[];
  /** Guidance found so far, by final usage type index (guide() keeps and checks it). */
  guidance: (Guidance | undefined)[];
}

export interface PreparedOffer {
  instance: OfferInstance;
  offer: CompiledOffer;
}

export interface PreparedBucket<B, D> {
  bucket: B;
  definition: D;
  /** On the side that pays first. */
  firstSide: boolean;
}

export interface PreparedAccumulator {
  instance: AccumulatorInstance;
  definition: CompiledAccumulatorDefinition;
}

/** Prepared per SIM for a run of its usage, or per usage: plain loops and exact-length lists, no closures. */
export function prepareSubscriber(catalog: RatingCatalog, subscriber: RatingSubscriber, balances: RatingBalances): PreparedSubscriber {
  const instances = subscriber.offers;
  const offers = new Array<PreparedOffer>(instances.length);
  for (let i = 0; i < instances.length; i++) {
    const instance = instances[i];
    offers[i] = { instance, offer: known(catalog.offers, instance.offerId, 'subscriber', subscriber.id, 'offer') };
  }
  const allowanceBuckets = balances.allowances;
  const allowances = new Array<PreparedBucket<AllowanceBucket, CompiledAllowanceDefinition>>(allowanceBuckets.length);
  for (let i = 0; i < allowanceBuckets.length; i++) {
    const bucket = allowanceBuckets[i];
    const definition = known(catalog.allowanceDefinitions, bucket.definitionId, 'allowance bucket', bucket.id);
    allowances[i] = { bucket, definition, firstSide: isOnFirstSide(subscriber, bucket) };
  }
  const moneyBuckets = balances.money;
  let n = 0;
  for (let i = 0; i < moneyBuckets.length; i++) {
    const bucket = moneyBuckets[i];
    const definition = moneyDefinitionOf(catalog, bucket);
    if (definition.currency === subscriber.currency) moneyScratch[n++] = { bucket, definition, firstSide: isOnFirstSide(subscriber, bucket) };
  }
  const money = exactList(moneyScratch, n);
  const instancesOfAccumulators = subscriber.accumulators ?? NO_ACCUMULATORS;
  const accumulators = new Array<PreparedAccumulator>(instancesOfAccumulators.length);
  for (let i = 0; i < instancesOfAccumulators.length; i++) {
    const instance = instancesOfAccumulators[i];
    accumulators[i] = { instance, definition: known(catalog.accumulatorDefinitions, instance.definitionId, 'accumulator', instance.id) };
  }
  sortInConsumptionOrder(subscriber, allowances);
  sortInConsumptionOrder(subscriber, money);
  return { catalog, subscriber, balances, offers, allowances, money, accumulators, guidance: new Array(catalog.usageTypeIndex.size) };
}

const NO_ACCUMULATORS: readonly AccumulatorInstance[] = [];
const moneyScratch: PreparedBucket<MoneyBucket, CompiledMoneyDefinition>[] = [];

export function moneyDefinitionOf(catalog: RatingCatalog, bucket: MoneyBucket): CompiledMoneyDefinition {
  return known(catalog.moneyDefinitions, bucket.definitionId, 'money bucket', bucket.id);
}

/**
 * What a SIM refers to by id must be in the catalog version: a missing one is the caller's error, named (the
 * message is only composed then: this runs for every bucket of every preparation).
 */
function known<T>(map: ReadonlyMap<string, T>, id: string, holderKind: string, holderId: string, what = 'definition'): T {
  const found = map.get(id);
  if (found === undefined) throw new RangeError(`${holderKind} ${holderId} has unknown ${what} ${id}`);
  return found;
}

/** Insertion sort: a SIM holds a handful of buckets, usually already in order. */
function sortInConsumptionOrder(subscriber: RatingSubscriber, list: PreparedBucket<AllowanceBucket | MoneyBucket, { priority: number }>[]): void {
  for (let i = 1; i < list.length; i++) {
    const item = list[i];
    const priority = item.bucket.priority ?? item.definition.priority;
    let j = i - 1;
    while (j >= 0 && compareBuckets(subscriber, list[j].bucket, list[j].bucket.priority ?? list[j].definition.priority, item.bucket, priority) > 0) {
      list[j + 1] = list[j];
      j--;
    }
    list[j + 1] = item;
  }
}
