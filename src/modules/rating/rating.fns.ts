import { assertMicros, multiplyRatio, type Micros } from '../../platform/money';
import { accumulatorImpacts } from './accumulator.fns';
import { accountUnitsTaken, allowanceImpactsOf, allowanceSides, debitChunks, type AllowanceSides } from './allowance.fns';
import { splitSecondsByTimeType, timeTypeAtInstant } from './calendar.fns';
import { exchangeRateAt, type RatingCatalog, type TariffSet } from './catalog.fns';
import { classifyUsage } from './classify.fns';
import { currencySetFor, guide, reject, type Guidance } from './guiding.fns';
import { exactList } from './lists.fns';
import { payMoney } from './payment.fns';
import { prepareSubscriber, type PreparedSubscriber } from './subscriber.fns';
import type {
  ExhaustionPolicy,
  Instant,
  RatedUsage,
  RatingBalances,
  RatingOutcome,
  RatingSubscriber,
  RejectedUsage,
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
  return ratePrepared(prepareSubscriber(catalog, subscriber, balances), usage, session);
}

/** rateUsage for a subscriber prepared once for a run of its usage (see PreparedSubscriber). */
export function ratePrepared(prepared: PreparedSubscriber, usage: UsageEvent, session: SessionState | null = null): RatingOutcome {
  checkUsage(usage);
  const resolved = resolveUsage(prepared, usage, session);
  if (resolved.status === 'REJECTED') return resolved;
  return ratePart(prepared, usage, session, resolved, false);
}

export function checkUsage(usage: UsageEvent): void {
  if (!Number.isSafeInteger(usage.quantity) || usage.quantity < 0) {
    throw new RangeError(`usage quantity must be an integer >= 0, got ${usage.quantity}`);
  }
  if (!Number.isFinite(usage.startedAt)) throw new RangeError(`usage startedAt must be epoch milliseconds, got ${usage.startedAt}`);
}

/** What a usage is rated with: fixed at the session start and kept for the whole session (§3.1.5). */
export interface ResolvedUsage {
  status: 'RESOLVED';
  finalUsageType: string;
  /** Index of the final usage type in the catalog (what filters and offers are looked up by). */
  type: number;
  zone: string;
  guidance: Guidance;
  sessionStartedAt: Instant;
}

export function resolveUsage(prepared: PreparedSubscriber, usage: UsageEvent, session: SessionState | null): ResolvedUsage | RejectedUsage {
  const { catalog, subscriber } = prepared;
  if (session) return resumeSession(catalog, subscriber, session);
  const { zone, finalUsageType, type } = classifyUsage(catalog.classifier, usage.initialUsageType, usage.servingNetwork);
  if (zone === null) return reject('UNKNOWN_NETWORK', `no zone for network ${usage.servingNetwork}`);
  if (finalUsageType === null) return reject('NO_USAGE_TYPE_MAPPING', `${usage.initialUsageType} in zone ${zone}`);
  const guidance = guide(prepared, type, finalUsageType, usage.startedAt);
  if (guidance.status === 'REJECTED') return guidance;
  const currencySet = guidance.currencySet;
  if (currencySet.onlyCurrency !== subscriber.currency) {
    // Exchange rates are effective-dated: checked for every usage, not kept with the guidance.
    for (const currency of currencySet.currencies) {
      if (currency !== subscriber.currency && exchangeRateAt(catalog, currency, subscriber.currency, usage.startedAt) === null) {
        return reject('NO_EXCHANGE_RATE', `no ${currency} to ${subscriber.currency} rate at ${new Date(usage.startedAt).toISOString()}`);
      }
    }
  }
  return { status: 'RESOLVED', finalUsageType, type, zone, guidance, sessionStartedAt: usage.startedAt };
}

function resumeSession(catalog: RatingCatalog, subscriber: RatingSubscriber, session: SessionState): ResolvedUsage {
  if (session.catalogVersion !== catalog.version) {
    throw new RangeError(`session started on catalog ${session.catalogVersion}; continue it with that version, not ${catalog.version}`);
  }
  const offer = catalog.offers.get(session.offerId);
  const plan = catalog.plans.get(session.tariffPlanId);
  if (!offer || !plan) throw new RangeError(`session refers to offer ${session.offerId} / plan ${session.tariffPlanId} not in the catalog`);
  return {
    status: 'RESOLVED',
    finalUsageType: session.finalUsageType,
    type: catalog.usageTypeIndex.get(session.finalUsageType) ?? -1,
    zone: session.zone,
    // The session's own guidance, fixed at its start; not kept in the preparation (an empty span).
    guidance: {
      status: 'GUIDED',
      offerInstanceId: session.offerInstanceId,
      offer,
      plan,
      currencySet: currencySetFor(plan, subscriber.currency)!,
      calendar: session.calendarId === null ? null : catalog.calendars.get(session.calendarId)!,
      calendarId: session.calendarId,
      unitChargeSize: offer.unitChargeSize[plan.unitType],
      from: session.startedAt,
      until: session.startedAt,
    },
    sessionStartedAt: session.startedAt,
  };
}

/** The tariffs of a time type (a plan with one time type needs no calendar). */
function tariffSetOf(resolved: ResolvedUsage, timeType: string): TariffSet | undefined {
  const currencySet = resolved.guidance.currencySet;
  return currencySet.only ?? currencySet.byTimeType.get(timeType);
}

/** The time type a part starts in (online charging's chunk grid). */
export function timeTypeAtStart(resolved: ResolvedUsage, timeZone: string, at: Instant): TariffSet | undefined {
  const { calendar, currencySet } = resolved.guidance;
  if (calendar === null) return currencySet.only!;
  return currencySet.byTimeType.get(timeTypeAtInstant(calendar, at, timeZone));
}

/** R1: the first non-currency chunk: the offer's unit charge size, else the primary tariff's ICU. */
export function firstChunkOf(resolved: ResolvedUsage, set: TariffSet): number {
  const size = resolved.guidance.unitChargeSize;
  return size > 0 ? size : set.primary.icu;
}

/** R1: each further chunk: the offer's unit charge size, else the primary tariff's ACU. */
export function chunkOf(resolved: ResolvedUsage, set: TariffSet): number {
  const size = resolved.guidance.unitChargeSize;
  return size > 0 ? size : set.primary.acu;
}

const NO_SEGMENTS: readonly SegmentState[] = [];
const lineScratch: TariffLine[] = [];

/** A segment this part may change: copied once from the session's, never modified in place. */
function ownSegment(segments: SegmentState[], before: readonly SegmentState[], i: number): SegmentState {
  const seg = segments[i];
  if (seg !== before[i]) return seg;
  const copy = { ...seg };
  segments[i] = copy;
  return copy;
}

/**
 * Adds a time-type piece to the session's segments: it continues the last segment when the time type is the
 * same (the unit count goes on), else it opens a segment. Returns false for a time type without tariffs.
 */
function appendPiece(
  resolved: ResolvedUsage,
  segments: SegmentState[],
  before: readonly SegmentState[],
  timeType: string,
  quantity: number,
): boolean {
  const last = segments.length - 1;
  if (last >= 0 && (segments[last].timeType === timeType || quantity === 0)) {
    ownSegment(segments, before, last).quantity += quantity;
    return true;
  }
  if (tariffSetOf(resolved, timeType) === undefined) return false;
  segments.push({ timeType, quantity, covered: 0, allowance: 'PENDING', policy: null });
  return true;
}

/**
 * Rates one part against a resolved usage. The session's segments after the part start as the segments
 * before it; the part extends the last or appends new ones, so the segments it touched are a suffix.
 * `online` makes money that no side can pay come back as `unpaid` instead of going to the main balance.
 */
export function ratePart(
  prepared: PreparedSubscriber,
  usage: UsageEvent,
  session: SessionState | null,
  resolved: ResolvedUsage,
  online: boolean,
): RatedUsage | RejectedUsage {
  const { catalog, subscriber } = prepared;
  const guidance = resolved.guidance;
  const totalBefore = session ? session.quantity : 0;
  const totalAfter = totalBefore + usage.quantity;
  if (!Number.isSafeInteger(totalAfter)) throw new RangeError(`session quantity ${totalAfter} is out of range`);

  const before = session ? session.segments : NO_SEGMENTS;
  const previousLast = before.length - 1;
  const calendar = guidance.calendar;
  let segments: SegmentState[];
  if (calendar !== null && calendar.constantTimeType === null && guidance.plan.unitType === 'SECOND') {
    segments = before.slice();
    for (const piece of splitSecondsByTimeType(calendar, subscriber.timeZone, usage.startedAt, usage.quantity)) {
      if (!appendPiece(resolved, segments, before, piece.timeType, piece.quantity)) return noTariffs(resolved, piece.timeType);
    }
  } else {
    // Volumes and events take the time type at their start (§9); so does a plan with one time type.
    const timeType = calendar === null ? guidance.currencySet.only!.timeType : timeTypeAtInstant(calendar, usage.startedAt, subscriber.timeZone);
    if (before.length === 0) {
      // The usual case, a usage rated whole: one segment (an array literal of one, not a grown one).
      if (tariffSetOf(resolved, timeType) === undefined) return noTariffs(resolved, timeType);
      segments = [{ timeType, quantity: usage.quantity, covered: 0, allowance: 'PENDING', policy: null }];
    } else {
      segments = before.slice();
      if (!appendPiece(resolved, segments, before, timeType, usage.quantity)) return noTariffs(resolved, timeType);
    }
  }
  // The part extended the session's last segment (now a copy) or began after it.
  const firstTouched = previousLast >= 0 && segments[previousLast] !== before[previousLast] ? previousLast : previousLast + 1;

  // Allowances (§11): each segment asks for the whole chunks its quantity needs beyond what it holds.
  let sides: AllowanceSides | null = null;
  for (let i = 0; i < segments.length; i++) {
    const set = tariffSetOf(resolved, segments[i].timeType)!;
    if (!set.usesAllowances || (segments[i].allowance !== 'PENDING' && segments[i].allowance !== 'COVERED')) continue;
    const firstChunk = firstChunkOf(resolved, set);
    const chunk = chunkOf(resolved, set);
    const extra = allowanceNeed(segments[i], i === 0, set.primary.grace, totalAfter, firstChunk, chunk) - segments[i].covered;
    if (extra <= 0) continue;
    if (sides === null) {
      sides = allowanceSides(prepared, guidance.plan.unitType, resolved.type, usage.startedAt);
    }
    const seg = ownSegment(segments, before, i);
    seg.policy = sides.policy;
    if (seg.allowance === 'PENDING' && sides.available === 0) {
      seg.allowance = 'NONE';
      continue;
    }
    const fresh = i === 0 && seg.covered === 0;
    const count = fresh ? 1 + (extra - firstChunk) / chunk : extra / chunk;
    seg.covered += debitChunks(sides, fresh ? firstChunk : chunk, chunk, count);
    seg.allowance = sides.exhausted ? 'EXHAUSTED' : 'COVERED';
  }

  // Money: every tariff's cumulative units before and after the part.
  const payer = subscriber.currency;
  let lineCount = 0;
  let rawBefore = 0;
  let rawAfter = 0;
  let settlementCharge = 0;
  let uncovered = 0;
  let exhaustion: ExhaustionPolicy | null = null;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const prior = i < before.length ? before[i] : null;
    const first = i === 0;
    const set = tariffSetOf(resolved, seg.timeType)!;
    for (const tariff of set.tariffs) {
      const iuAfter = initialUnitsFor(tariff, first, seg.quantity, totalAfter, seg.allowance, seg.policy);
      const auAfter = additionalUnitsFor(tariff, first, seg.quantity, totalAfter, seg.allowance, seg.covered, seg.policy);
      const iuBefore = prior ? initialUnitsFor(tariff, first, prior.quantity, totalBefore, prior.allowance, prior.policy) : 0;
      const auBefore = prior ? additionalUnitsFor(tariff, first, prior.quantity, totalBefore, prior.allowance, prior.covered, prior.policy) : 0;
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
        settlementCharge = assertMicros(settlementCharge + payerAfter - payerBefore);
      } else {
        rawAfter = assertMicros(rawAfter + payerAfter);
        rawBefore = assertMicros(rawBefore + payerBefore);
      }
      if (i >= firstTouched || iuAfter !== iuBefore || auAfter !== auBefore) {
        lineScratch[lineCount++] = {
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
        };
      }
    }
    if (set.usesAllowances) {
      const gained = uncoveredOf(seg) - (prior ? uncoveredOf(prior) : 0);
      if (gained > 0) {
        uncovered += gained;
        if (exhaustion === null) exhaustion = seg.policy;
      }
    }
  }
  // §8.3: the session total debited to balances is floored at 0 (negative tariffs never credit).
  const charge: Micros = (rawAfter > 0 ? rawAfter : 0) - (rawBefore > 0 ? rawBefore : 0);

  const lines = exactList(lineScratch, lineCount);
  const payment = payMoney(prepared, charge, resolved.type, usage.startedAt, online);
  const accountUnits = sides === null ? 0 : accountUnitsTaken(sides);
  const accountChargedBefore = session ? session.accountCharged : false;
  const accountCharged = accountChargedBefore || accountUnits > 0 || payment.fromAccount !== 0;

  return {
    status: 'RATED',
    finalUsageType: resolved.finalUsageType,
    zone: resolved.zone,
    offerInstanceId: guidance.offerInstanceId,
    tariffPlanId: guidance.plan.id,
    quantity: usage.quantity,
    uncoveredQuantity: uncovered,
    lines,
    charge,
    settlementCharge,
    allowanceImpacts: sides === null ? [] : allowanceImpactsOf(sides),
    moneyImpacts: payment.impacts,
    unpaid: payment.unpaid,
    accumulatorImpacts: accumulatorImpacts(prepared, {
      type: resolved.type,
      unitType: guidance.plan.unitType,
      firstPart: session === null,
      segments,
      before,
      firstTouched,
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
      offerInstanceId: guidance.offerInstanceId,
      offerId: guidance.offer.id,
      tariffPlanId: guidance.plan.id,
      calendarId: guidance.calendarId,
      quantity: totalAfter,
      segments,
      accountCharged,
    },
  };
}

function noTariffs(resolved: ResolvedUsage, timeType: string): RejectedUsage {
  return reject('NO_TARIFFS_FOR_TIME_TYPE', `plan ${resolved.guidance.plan.id} has no tariffs for ${timeType}`);
}

/**
 * §11 need(q): the allowance a segment's quantity calls for, in whole chunks (the session's first segment
 * starts with the first chunk). Nothing below the primary tariff's grace, judged on the session total.
 */
function allowanceNeed(seg: SegmentState, first: boolean, grace: number, total: number, firstChunk: number, chunk: number): number {
  if (seg.quantity <= 0 || total < grace) return 0;
  if (!first) return ceilDiv(seg.quantity, chunk) * chunk;
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

function uncoveredOf(seg: SegmentState): number {
  if (seg.allowance === 'NONE') return seg.quantity;
  if (seg.allowance === 'EXHAUSTED') return seg.quantity > seg.covered ? seg.quantity - seg.covered : 0;
  return 0;
}
