import type { CompiledOffer, CompiledTariffPlan } from './catalog.fns';
import type { Instant, OfferInstance, RatingSubscriber } from './rating.types';
import type { PreparedSubscriber } from './subscriber.fns';

/**
 * §3.1.4 guiding: among the subscriber's active offers, the ones with a usage item for the final usage type.
 * Several: the compatibility template's tariff-plan priority; without one, supplementary before primary,
 * then soonest expiry, earliest activation, instance id (add-ons exist to take precedence).
 */

export interface GuidedOffer {
  instance: OfferInstance;
  offer: CompiledOffer;
  plan: CompiledTariffPlan;
}

export function isActiveAt(instance: OfferInstance, at: Instant): boolean {
  return instance.activatedAt <= at && (instance.endsAt == null || at < instance.endsAt);
}

export function guideOffer(prepared: PreparedSubscriber, type: number, at: Instant): GuidedOffer | null {
  const subscriber = prepared.subscriber;
  let bestInstance: OfferInstance | null = null;
  let bestOffer: CompiledOffer | null = null;
  let bestPlan: CompiledTariffPlan | null = null;
  const offers = prepared.offers;
  for (let i = 0; i < offers.length; i++) {
    const { instance, offer } = offers[i];
    if (!isActiveAt(instance, at)) continue;
    const plan = offer.planByType[type];
    if (!plan) continue;
    if (bestInstance === null || comparePrecedence(subscriber, instance, offer, plan, bestInstance, bestOffer!, bestPlan!) < 0) {
      bestInstance = instance;
      bestOffer = offer;
      bestPlan = plan;
    }
  }
  return bestInstance === null ? null : { instance: bestInstance, offer: bestOffer!, plan: bestPlan! };
}

function templateRank(priority: readonly string[], planId: string): number {
  const i = priority.indexOf(planId);
  return i < 0 ? priority.length : i;
}

function comparePrecedence(
  subscriber: RatingSubscriber,
  a: OfferInstance,
  aOffer: CompiledOffer,
  aPlan: CompiledTariffPlan,
  b: OfferInstance,
  bOffer: CompiledOffer,
  bPlan: CompiledTariffPlan,
): number {
  const priority = subscriber.tariffPlanPriority;
  if (priority) {
    const byTemplate = templateRank(priority, aPlan.id) - templateRank(priority, bPlan.id);
    if (byTemplate !== 0) return byTemplate;
  }
  const supplementary = Number(bOffer.kind === 'SUPPLEMENTARY') - Number(aOffer.kind === 'SUPPLEMENTARY');
  if (supplementary !== 0) return supplementary;
  const aEnds = a.endsAt ?? Number.POSITIVE_INFINITY;
  const bEnds = b.endsAt ?? Number.POSITIVE_INFINITY;
  if (aEnds !== bEnds) return aEnds < bEnds ? -1 : 1;
  if (a.activatedAt !== b.activatedAt) return a.activatedAt - b.activatedAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The active primary offer's default calendar id, for plans without their own calendar (§9). */
export function primaryDefaultCalendarId(prepared: PreparedSubscriber, at: Instant): string | null {
  for (const { instance, offer } of prepared.offers) {
    if (isActiveAt(instance, at) && offer.kind === 'PRIMARY') return offer.defaultCalendarId;
  }
  return null;
}
