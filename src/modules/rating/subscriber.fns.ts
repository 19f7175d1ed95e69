import { compareBuckets, isOnFirstSide } from './allowance.fns';
import type {
  CompiledAccumulatorDefinition,
  CompiledAllowanceDefinition,
  CompiledMoneyDefinition,
  CompiledOffer,
  RatingCatalog,
} from './catalog.fns';
import type { AccumulatorInstance, AllowanceBucket, MoneyBucket, OfferInstance, RatingBalances, RatingSubscriber } from './rating.types';

/**
 * A subscriber bound to one catalog version: its offers, buckets and accumulators with their definitions
 * looked up, and its buckets in consumption order (which depends on nothing that usage changes). What depends
 * on the usage (its type and instant) is decided when it is rated, and amounts are read from the bucket
 * objects then, so a caller that updates amounts in place keeps rating with the same preparation.
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

export function prepareSubscriber(catalog: RatingCatalog, subscriber: RatingSubscriber, balances: RatingBalances): PreparedSubscriber {
  const offers = subscriber.offers.map((instance) => {
    const offer = catalog.offers.get(instance.offerId);
    if (!offer) throw new RangeError(`subscriber ${subscriber.id} holds unknown offer ${instance.offerId}`);
    return { instance, offer };
  });
  const allowances = balances.allowances.map((bucket) => {
    const definition = catalog.allowanceDefinitions.get(bucket.definitionId);
    if (!definition) throw new RangeError(`allowance bucket ${bucket.id} has unknown definition ${bucket.definitionId}`);
    return { bucket, definition, firstSide: isOnFirstSide(subscriber, bucket) };
  });
  const money: PreparedBucket<MoneyBucket, CompiledMoneyDefinition>[] = [];
  for (const bucket of balances.money) {
    const definition = moneyDefinitionOf(catalog, bucket);
    if (definition.currency === subscriber.currency) money.push({ bucket, definition, firstSide: isOnFirstSide(subscriber, bucket) });
  }
  const accumulators = (subscriber.accumulators ?? []).map((instance) => {
    const definition = catalog.accumulatorDefinitions.get(instance.definitionId);
    if (!definition) throw new RangeError(`accumulator ${instance.id} has unknown definition ${instance.definitionId}`);
    return { instance, definition };
  });
  return {
    catalog,
    subscriber,
    balances,
    offers,
    allowances: inConsumptionOrder(subscriber, allowances),
    money: inConsumptionOrder(subscriber, money),
    accumulators,
  };
}

export function moneyDefinitionOf(catalog: RatingCatalog, bucket: MoneyBucket): CompiledMoneyDefinition {
  const definition = catalog.moneyDefinitions.get(bucket.definitionId);
  if (!definition) throw new RangeError(`money bucket ${bucket.id} has unknown definition ${bucket.definitionId}`);
  return definition;
}

function inConsumptionOrder<P extends PreparedBucket<AllowanceBucket | MoneyBucket, { priority: number }>>(subscriber: RatingSubscriber, list: P[]): P[] {
  const priorityOf = (p: P) => p.bucket.priority ?? p.definition.priority;
  return list.sort((a, b) => compareBuckets(subscriber, a.bucket, priorityOf(a), b.bucket, priorityOf(b)));
}
