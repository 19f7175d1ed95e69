import type { CompiledCalendar } from './calendar.fns';
import type { CompiledCurrencySet, CompiledOffer, CompiledTariffPlan } from './catalog.fns';
import type { Instant, OfferInstance, RatingSubscriber, RejectedUsage, RejectionReason } from './rating.types';
import type { PreparedSubscriber } from './subscriber.fns';

/**
 * §3.1.4 guiding: among the subscriber's active offers, the ones with a usage item for the final usage type.
 * Several: the compatibility template's tariff-plan priority; without one, supplementary before primary,
 * then soonest expiry, earliest activation, instance id (add-ons exist to take precedence).
 */

/**
 * What a final usage type of a subscriber is rated with: the offer, its plan, the plan's currency set and
 * calendar (§8.3, §9). It depends only on which offers are active, so it holds over a span of time in which
 * none starts or ends, and a prepared subscriber keeps it per usage type for that span.
 */
export interface Guidance {
  status: 'GUIDED';
  offerInstanceId: string;
  offer: CompiledOffer;
  plan: CompiledTariffPlan;
  currencySet: CompiledCurrencySet;
  calendar: CompiledCalendar | null;
  calendarId: string | null;
  /** R1: the offer's unit charge size for the plan's unit type (0: the primary tariff's ICU and ACU). */
  unitChargeSize: number;
  /** [from, until): the span in which the subscriber's active offers are the same. */
  from: Instant;
  until: Instant;
}

export function reject(reason: RejectionReason, detail: string): RejectedUsage {
  return { status: 'REJECTED', reason, detail };
}

/** The guidance of usage type `type` (index of `finalUsageType`) at `at`, kept in the preparation. */
export function guide(prepared: PreparedSubscriber, type: number, finalUsageType: string, at: Instant): Guidance | RejectedUsage {
  const kept = prepared.guidance[type];
  if (kept !== undefined && kept.from <= at && at < kept.until) return kept;
  const found = findGuidance(prepared, type, finalUsageType, at);
  if (found.status === 'GUIDED') prepared.guidance[type] = found;
  return found;
}

function findGuidance(prepared: PreparedSubscriber, type: number, finalUsageType: string, at: Instant): Guidance | RejectedUsage {
  const { catalog, subscriber } = prepared;
  let best: OfferInstance | null = null;
  let bestOffer: CompiledOffer | null = null;
  let bestPlan: CompiledTariffPlan | null = null;
  let primary: CompiledOffer | null = null;
  // The span around `at` in which no offer starts or ends.
  let from = Number.NEGATIVE_INFINITY;
  let until = Number.POSITIVE_INFINITY;
  const offers = prepared.offers;
  for (let i = 0; i < offers.length; i++) {
    const { instance, offer } = offers[i];
    const ends = instance.endsAt ?? Number.POSITIVE_INFINITY;
    const started = instance.activatedAt <= at;
    const ended = ends <= at;
    if (started) from = Math.max(from, instance.activatedAt);
    else until = Math.min(until, instance.activatedAt);
    if (ended) from = Math.max(from, ends);
    else until = Math.min(until, ends);
    if (!started || ended) continue; // not active at `at`
    if (offer.kind === 'PRIMARY' && primary === null) primary = offer;
    const plan = offer.planByType[type];
    if (!plan) continue;
    if (best === null || comparePrecedence(subscriber, instance, offer, plan, best, bestOffer!, bestPlan!) < 0) {
      best = instance;
      bestOffer = offer;
      bestPlan = plan;
    }
  }
  if (best === null) return reject('USAGE_BARRED', `no active offer of subscriber ${subscriber.id} allows ${finalUsageType}`);
  const plan = bestPlan!;
  const currencySet = currencySetFor(plan, subscriber.currency);
  if (!currencySet) return reject('NO_CURRENCY_SET', `plan ${plan.id} has no currency set for ${subscriber.currency}`);
  let calendarId = plan.calendarId;
  let calendar = plan.calendar;
  if (calendarId === null && currencySet.only === null) {
    // §9: a plan without its own calendar takes the active primary offer's default calendar.
    calendarId = primary === null ? null : primary.defaultCalendarId;
    calendar = calendarId === null ? null : (catalog.calendars.get(calendarId) ?? null);
    if (calendar === null) return reject('NO_CALENDAR', `plan ${plan.id} has several time types and no calendar applies`);
  }
  return {
    status: 'GUIDED',
    offerInstanceId: best.id,
    offer: bestOffer!,
    plan,
    currencySet,
    calendar,
    calendarId,
    unitChargeSize: bestOffer!.unitChargeSize[plan.unitType],
    from,
    until,
  };
}

/** §8.3: the set in the subscriber's currency, else the one in the plan's currency. */
export function currencySetFor(plan: CompiledTariffPlan, currency: string): CompiledCurrencySet | undefined {
  if (plan.planCurrencySet.currency === currency) return plan.planCurrencySet;
  return plan.currencySets.get(currency) ?? plan.planCurrencySet;
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
