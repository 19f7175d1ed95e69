import { assertMicros, multiplyRatio, type Micros } from '../../platform/money';
import { accumulatorImpacts } from './accumulator.fns';
import { accountUnitsTaken, allowanceImpactsOf, allowanceSides, debitChunks, type AllowanceSides } from './allowance.fns';
import { splitSecondsByTimeType, timeTypeAtInstant, type CompiledCalendar, type TimeTypePiece } from './calendar.fns';
import {
  exchangeRateAt,
  type CompiledCurrencySet,
  type CompiledOffer,
  type CompiledTariffPlan,
  type RatingCatalog,
  type TariffSet,
} from './catalog.fns';
import { finalUsageTypeOf, zoneOf } from './classify.fns';
import { guideOffer, primaryDefaultCalendarId } from './guiding.fns';
import { payMoney } from './payment.fns';
import type {
  ExhaustionPolicy,
  Instant,
  RatedUsage,
  RatingBalances,
  RatingOutcome,
  RatingSubscriber,
  RejectedUsage,
  RejectionReason,
  SegmentAllowance,
  SegmentState,
  SessionState,
  TariffLine,
  UsageEvent,
} from './rating.types';
import { additionalUnitsOf, ceilDiv, chargeOf, initialUnitsOf, type CompiledTariff } from './tariff.fns';

/**
 * Rating of one usage, or of one reported part of a session.
 *
 * A session is a run of time-type segments (§9): the first pays initial units, later ones additional units
 * only. Each segment keeps its quantity and its allowance state (§11). Every figure of a part is the
 * session's cumulative figure after the part minus the same figure before it, so parts always add up to
 * exactly what the whole would cost rated at once.
 */

/** Rates a usage (offline, re-rating) or the next part of a session (online commit). Pure. */
export function rateUsage(
  catalog: RatingCatalog,
  subscriber: RatingSubscriber,
  balances: RatingBalances,
  usage: UsageEvent,
  session: SessionState | null = null,
): RatingOutcome {
  checkUsage(usage);
  const resolved = resolveUsage(catalog, subscriber, usage, session);
  if (resolved.status === 'REJECTED') return resolved;
  const part = ratePart(catalog, subscriber, balances, usage, session, resolved, false);
  return part.status === 'REJECTED' ? part : part.rated;
}

export function checkUsage(usage: UsageEvent): void {
  if (!Number.isSafeInteger(usage.quantity) || usage.quantity < 0) {
    throw new RangeError(`usage quantity must be an integer >= 0, got ${usage.quantity}`);
  }
  if (!Number.isFinite(usage.startedAt)) throw new RangeError(`usage startedAt must be epoch milliseconds, got ${usage.startedAt}`);
}

export function reject(reason: RejectionReason, detail: string): RejectedUsage {
  return { status: 'REJECTED', reason, detail };
}

/** What a usage is rated with: fixed at the session start and kept for the whole session (§3.1.5). */
export interface ResolvedUsage {
  status: 'RESOLVED';
  finalUsageType: string;
  zone: string;
  offerInstanceId: string;
  offer: CompiledOffer;
  plan: CompiledTariffPlan;
  currencySet: CompiledCurrencySet;
  calendar: CompiledCalendar | null;
  calendarId: string | null;
  sessionStartedAt: Instant;
}

export function resolveUsage(
  catalog: RatingCatalog,
  subscriber: RatingSubscriber,
  usage: UsageEvent,
  session: SessionState | null,
): ResolvedUsage | RejectedUsage {
  if (session) return resumeSession(catalog, subscriber, session);
  const zone = zoneOf(catalog.zones, usage.servingNetwork);
  if (zone === null) return reject('UNKNOWN_NETWORK', `no zone for network ${usage.servingNetwork}`);
  const finalUsageType = finalUsageTypeOf(catalog.usageTypeMappings, usage.initialUsageType, zone);
  if (finalUsageType === null) return reject('NO_USAGE_TYPE_MAPPING', `${usage.initialUsageType} in zone ${zone}`);
  const guided = guideOffer(catalog, subscriber, finalUsageType, usage.startedAt);
  if (guided === null) return reject('USAGE_BARRED', `no active offer of subscriber ${subscriber.id} allows ${finalUsageType}`);
  const plan = guided.plan;
  const currencySet = plan.currencySets.get(subscriber.currency) ?? plan.currencySets.get(plan.currency);
  if (!currencySet) return reject('NO_CURRENCY_SET', `plan ${plan.id} has no currency set for ${subscriber.currency}`);
  let calendarId = plan.calendarId;
  if (calendarId === null && currencySet.only === null) calendarId = primaryDefaultCalendarId(catalog, subscriber, usage.startedAt);
  const calendar = calendarId === null ? null : (catalog.calendars.get(calendarId) ?? null);
  if (calendar === null && currencySet.only === null) {
    return reject('NO_CALENDAR', `plan ${plan.id} has several time types and no calendar applies`);
  }
  for (const currency of currencySet.currencies) {
    if (currency !== subscriber.currency && exchangeRateAt(catalog, currency, subscriber.currency, usage.startedAt) === null) {
      return reject('NO_EXCHANGE_RATE', `no ${currency} to ${subscriber.currency} rate at ${new Date(usage.startedAt).toISOString()}`);
    }
  }
  return {
    status: 'RESOLVED',
    finalUsageType,
    zone,
    offerInstanceId: guided.instance.id,
    offer: guided.offer,
    plan,
    currencySet,
    calendar,
    calendarId,
    sessionStartedAt: usage.startedAt,
  };
}

function resumeSession(catalog: RatingCatalog, subscriber: RatingSubscriber, session: SessionState): ResolvedUsage {
  if (session.catalogVersion !== catalog.version) {
    throw new RangeError(`session started on catalog ${session.catalogVersion}; continue it with that version, not ${catalog.version}`);
  }
  const offer = catalog.offers.get(session.offerId);
  const plan = catalog.plans.get(session.tariffPlanId);
  if (!offer || !plan) throw new RangeError(`session refers to offer ${session.offerId} / plan ${session.tariffPlanId} not in the catalog`);
  const currencySet = plan.currencySets.get(subscriber.currency) ?? plan.currencySets.get(plan.currency)!;
  return {
    status: 'RESOLVED',
    finalUsageType: session.finalUsageType,
    zone: session.zone,
    offerInstanceId: session.offerInstanceId,
    offer,
    plan,
    currencySet,
    calendar: session.calendarId === null ? null : catalog.calendars.get(session.calendarId)!,
    calendarId: session.calendarId,
    sessionStartedAt: session.startedAt,
  };
}

/** The time-type pieces of a part: durations split at boundaries; volumes and events by their start (§9). */
function piecesOf(resolved: ResolvedUsage, timeZone: string, usage: UsageEvent): TimeTypePiece[] {
  const calendar = resolved.calendar;
  if (calendar === null) return [{ timeType: resolved.currencySet.only!.timeType, quantity: usage.quantity }];
  if (resolved.plan.unitType === 'SECOND') return splitSecondsByTimeType(calendar, timeZone, usage.startedAt, usage.quantity);
  return [{ timeType: timeTypeAtInstant(calendar, usage.startedAt, timeZone), quantity: usage.quantity }];
}

/** The time type a part starts in (online charging's chunk grid). */
export function timeTypeAtStart(resolved: ResolvedUsage, timeZone: string, at: Instant): TariffSet | undefined {
  if (resolved.calendar === null) return resolved.currencySet.only!;
  return resolved.currencySet.byTimeType.get(timeTypeAtInstant(resolved.calendar, at, timeZone));
}

/** R1: the non-currency chunk sizes for a time type's tariffs. */
export function chunkSizes(resolved: ResolvedUsage, set: TariffSet): { first: number; next: number } {
  const size = resolved.offer.unitChargeSize[resolved.plan.unitType];
  return size > 0 ? { first: size, next: size } : { first: set.primary.icu, next: set.primary.acu };
}

/** One segment while a part is rated: its state before the part and after it. */
interface WorkingSegment {
  timeType: string;
  set: TariffSet;
  first: boolean;
  before: SegmentState | null;
  quantity: number;
  covered: number;
  allowance: SegmentAllowance;
  policy: ExhaustionPolicy | null;
  touched: boolean;
}

export interface PartRating {
  status: 'RATED';
  rated: RatedUsage;
  /** Online: the money side could not pay the part. */
  insufficient: boolean;
  /** Allowance-eligible quantity of this part that allowances did not cover. */
  uncovered: number;
}

const NO_SEGMENTS: readonly SegmentState[] = [];

export function ratePart(
  catalog: RatingCatalog,
  subscriber: RatingSubscriber,
  balances: RatingBalances,
  usage: UsageEvent,
  session: SessionState | null,
  resolved: ResolvedUsage,
  online: boolean,
): PartRating | RejectedUsage {
  const totalBefore = session ? session.quantity : 0;
  const totalAfter = totalBefore + usage.quantity;
  if (!Number.isSafeInteger(totalAfter)) throw new RangeError(`session quantity ${totalAfter} is out of range`);
  const pieces = piecesOf(resolved, subscriber.timeZone, usage);

  // Segments: the session's so far, extended by this part's pieces (a piece in the time type of the last
  // segment continues its unit count).
  const segments: WorkingSegment[] = [];
  const previous = session ? session.segments : NO_SEGMENTS;
  for (let i = 0; i < previous.length; i++) {
    const s = previous[i];
    const set = resolved.currencySet.byTimeType.get(s.timeType)!;
    segments.push({ ...s, set, first: i === 0, before: s, touched: false });
  }
  for (const piece of pieces) {
    const last = segments.length > 0 ? segments[segments.length - 1] : null;
    if (last !== null && (last.timeType === piece.timeType || piece.quantity === 0)) {
      last.quantity += piece.quantity;
      last.touched = true;
      continue;
    }
    const set = resolved.currencySet.byTimeType.get(piece.timeType);
    if (!set) return reject('NO_TARIFFS_FOR_TIME_TYPE', `plan ${resolved.plan.id} has no tariffs for ${piece.timeType}`);
    segments.push({
      timeType: piece.timeType,
      set,
      first: segments.length === 0,
      before: null,
      quantity: piece.quantity,
      covered: 0,
      allowance: 'PENDING',
      policy: null,
      touched: true,
    });
  }

  // Allowances (§11): each segment asks for the whole chunks its quantity needs beyond what it holds.
  let sides: AllowanceSides | null = null;
  for (const seg of segments) {
    if (!seg.set.usesAllowances || (seg.allowance !== 'PENDING' && seg.allowance !== 'COVERED')) continue;
    const chunk = chunkSizes(resolved, seg.set);
    const extra = allowanceNeed(seg, totalAfter, chunk.first, chunk.next) - seg.covered;
    if (extra <= 0) continue;
    if (sides === null) {
      sides = allowanceSides(catalog, subscriber, balances.allowances, resolved.plan.unitType, resolved.finalUsageType, usage.startedAt);
    }
    seg.policy = sides.policy;
    if (seg.allowance === 'PENDING' && sides.available === 0) {
      seg.allowance = 'NONE';
      continue;
    }
    const fresh = seg.first && seg.covered === 0;
    const count = fresh ? 1 + (extra - chunk.first) / chunk.next : extra / chunk.next;
    const debit = debitChunks(sides, fresh ? chunk.first : chunk.next, chunk.next, count);
    seg.covered += debit.debited;
    seg.allowance = debit.exhausted ? 'EXHAUSTED' : 'COVERED';
  }

  // Money: every tariff's cumulative units before and after the part.
  const payer = subscriber.currency;
  const lines: TariffLine[] = [];
  let rawBefore = 0;
  let rawAfter = 0;
  let settlementCharge = 0;
  let uncovered = 0;
  let exhaustion: ExhaustionPolicy | null = null;
  for (const seg of segments) {
    const before = seg.before;
    for (const tariff of seg.set.tariffs) {
      const iuAfter = initialUnitsFor(tariff, seg.first, seg.quantity, totalAfter, seg.allowance, seg.policy);
      const auAfter = additionalUnitsFor(tariff, seg.first, seg.quantity, totalAfter, seg.allowance, seg.covered, seg.policy);
      const iuBefore = before ? initialUnitsFor(tariff, seg.first, before.quantity, totalBefore, before.allowance, before.policy) : 0;
      const auBefore = before
        ? additionalUnitsFor(tariff, seg.first, before.quantity, totalBefore, before.allowance, before.covered, before.policy)
        : 0;
      const chargeAfter = chargeOf(tariff, iuAfter, auAfter);
      const chargeBefore = chargeOf(tariff, iuBefore, auBefore);
      let payerAfter = chargeAfter;
      let payerBefore = chargeBefore;
      let rateId: string | null = null;
      if (tariff.currency !== payer) {
        // Converted cumulatively, so the rounding of parts adds up to the rounding of the whole.
        const rate = exchangeRateAt(catalog, tariff.currency, payer, resolved.sessionStartedAt)!;
        payerAfter = multiplyRatio(chargeAfter, rate.numerator, rate.denominator);
        payerBefore = multiplyRatio(chargeBefore, rate.numerator, rate.denominator);
        rateId = rate.id;
      }
      if (tariff.settlement) {
        settlementCharge += payerAfter - payerBefore;
      } else {
        rawAfter = assertMicros(rawAfter + payerAfter);
        rawBefore = assertMicros(rawBefore + payerBefore);
      }
      if (seg.touched || iuAfter !== iuBefore || auAfter !== auBefore) {
        lines.push({
          tariffId: tariff.id,
          timeType: seg.timeType,
          settlement: tariff.settlement,
          eligibleForDiscount: tariff.eligibleForDiscount,
          currency: tariff.currency,
          initialUnits: iuAfter - iuBefore,
          additionalUnits: auAfter - auBefore,
          billedQuantity: (iuAfter - iuBefore) * tariff.icu + (auAfter - auBefore) * tariff.acu,
          charge: chargeAfter - chargeBefore,
          payerCharge: payerAfter - payerBefore,
          exchangeRateId: rateId,
        });
      }
    }
    if (seg.set.usesAllowances) {
      const gained =
        uncoveredOf(seg.quantity, seg.allowance, seg.covered) -
        (before ? uncoveredOf(before.quantity, before.allowance, before.covered) : 0);
      if (gained > 0) {
        uncovered += gained;
        if (exhaustion === null) exhaustion = seg.policy;
      }
    }
  }
  // §8.3: the session total debited to balances is floored at 0 (negative tariffs never credit).
  const charge: Micros = (rawAfter > 0 ? rawAfter : 0) - (rawBefore > 0 ? rawBefore : 0);

  const payment = payMoney(catalog, subscriber, balances.money, charge, resolved.finalUsageType, usage.startedAt, online);
  const accountUnits = sides === null ? 0 : accountUnitsTaken(sides);
  const accountChargedBefore = session ? session.accountCharged : false;
  const accountCharged = accountChargedBefore || accountUnits > 0 || payment.fromAccount !== 0;

  const nextSegments: SegmentState[] = segments.map((seg) =>
    seg.before !== null && !seg.touched && seg.covered === seg.before.covered && seg.allowance === seg.before.allowance
      ? seg.before
      : { timeType: seg.timeType, quantity: seg.quantity, covered: seg.covered, allowance: seg.allowance, policy: seg.policy },
  );

  const rated: RatedUsage = {
    status: 'RATED',
    finalUsageType: resolved.finalUsageType,
    zone: resolved.zone,
    offerInstanceId: resolved.offerInstanceId,
    tariffPlanId: resolved.plan.id,
    quantity: usage.quantity,
    lines,
    charge,
    settlementCharge,
    allowanceImpacts: sides === null ? [] : allowanceImpactsOf(sides),
    moneyImpacts: payment.impacts,
    unpaid: payment.unpaid,
    accumulatorImpacts: accumulatorImpacts(catalog, subscriber, {
      finalUsageType: resolved.finalUsageType,
      unitType: resolved.plan.unitType,
      firstPart: session === null,
      pieces,
      charge,
      accountUnits,
      accountMoney: payment.fromAccount,
      firstAccountCharge: accountCharged && !accountChargedBefore,
    }),
    exhaustion,
    session: {
      catalogVersion: catalog.version,
      startedAt: resolved.sessionStartedAt,
      finalUsageType: resolved.finalUsageType,
      zone: resolved.zone,
      offerInstanceId: resolved.offerInstanceId,
      offerId: resolved.offer.id,
      tariffPlanId: resolved.plan.id,
      calendarId: resolved.calendarId,
      quantity: totalAfter,
      segments: nextSegments,
      accountCharged,
    },
  };
  return { status: 'RATED', rated, insufficient: payment.insufficient, uncovered };
}

/**
 * §11 need(q): the allowance a segment's quantity calls for, in whole chunks (the first segment starts with
 * the first chunk). Nothing below the primary tariff's grace, judged on the session total.
 */
function allowanceNeed(seg: WorkingSegment, total: number, firstChunk: number, chunk: number): number {
  if (seg.quantity <= 0 || total < seg.set.primary.grace) return 0;
  if (!seg.first) return ceilDiv(seg.quantity, chunk) * chunk;
  return firstChunk + ceilDiv(seg.quantity - firstChunk, chunk) * chunk;
}

function isAllowanceTariff(tariff: CompiledTariff): boolean {
  return tariff.eligibleForNonCurrency && !tariff.settlement;
}

// §11 for the eligible tariffs: nothing while allowances pay; the full formula when there was no allowance
// at the start; only additional units for the uncovered rest once allowances ran out (R4); nothing at all
// under a THROTTLE policy. Other tariffs always apply the full formula (R3).

function initialUnitsFor(
  tariff: CompiledTariff,
  first: boolean,
  quantity: number,
  total: number,
  allowance: SegmentAllowance,
  policy: ExhaustionPolicy | null,
): number {
  if (isAllowanceTariff(tariff) && (allowance !== 'NONE' || policy === 'THROTTLE')) return 0;
  return initialUnitsOf(tariff, first, quantity, total);
}

function additionalUnitsFor(
  tariff: CompiledTariff,
  first: boolean,
  quantity: number,
  total: number,
  allowance: SegmentAllowance,
  covered: number,
  policy: ExhaustionPolicy | null,
): number {
  if (isAllowanceTariff(tariff)) {
    if (allowance === 'PENDING' || allowance === 'COVERED' || policy === 'THROTTLE') return 0;
    if (allowance === 'EXHAUSTED') return ceilDiv(quantity - covered, tariff.acu);
  }
  return additionalUnitsOf(tariff, first, quantity, total);
}

function uncoveredOf(quantity: number, allowance: SegmentAllowance, covered: number): number {
  if (allowance === 'NONE') return quantity;
  if (allowance === 'EXHAUSTED') return quantity > covered ? quantity - covered : 0;
  return 0;
}
