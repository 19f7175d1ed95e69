import type { CompiledOffer, CompiledTariffPlan, RatingCatalog } from './catalog.fns';
import type { Instant, OfferInstance, RatingSubscriber } from './rating.types';

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

export function guideOffer(
  catalog: RatingCatalog,
  subscriber: RatingSubscriber,
  finalUsageType: string,
  at: Instant,
): GuidedOffer | null {
  let best: GuidedOffer | null = null;
  for (const instance of subscriber.offers) {
    if (!isActiveAt(instance, at)) continue;
    const offer = catalog.offers.get(instance.offerId);
    if (!offer) throw new RangeError(`subscriber ${subscriber.id} holds unknown offer ${instance.offerId}`);
    const plan = offer.plans.get(finalUsageType);
    if (!plan) continue;
    const candidate = { instance, offer, plan };
    if (best === null || comparePrecedence(subscriber, candidate, best) < 0) best = candidate;
  }
  return best;
}

function comparePrecedence(subscriber: RatingSubscriber, a: GuidedOffer, b: GuidedOffer): number {
  const priority = subscriber.tariffPlanPriority;
  if (priority) {
    const rank = (g: GuidedOffer) => {
      const i = priority.indexOf(g.plan.id);
      return i < 0 ? priority.length : i;
    };
    const byTemplate = rank(a) - rank(b);
    if (byTemplate !== 0) return byTemplate;
  }
  const supplementary = Number(b.offer.kind === 'SUPPLEMENTARY') - Number(a.offer.kind === 'SUPPLEMENTARY');
  if (supplementary !== 0) return supplementary;
  const expiry = (a.instance.endsAt ?? Number.POSITIVE_INFINITY) - (b.instance.endsAt ?? Number.POSITIVE_INFINITY);
  if (expiry !== 0 && !Number.isNaN(expiry)) return expiry;
  const activation = a.instance.activatedAt - b.instance.activatedAt;
  if (activation !== 0) return activation;
  return a.instance.id < b.instance.id ? -1 : a.instance.id > b.instance.id ? 1 : 0;
}

/** The active primary offer's default calendar id, for plans without their own calendar (§9). */
export function primaryDefaultCalendarId(catalog: RatingCatalog, subscriber: RatingSubscriber, at: Instant): string | null {
  for (const instance of subscriber.offers) {
    if (!isActiveAt(instance, at)) continue;
    const offer = catalog.offers.get(instance.offerId);
    if (offer?.kind === 'PRIMARY') return offer.defaultCalendarId;
  }
  return null;
}
