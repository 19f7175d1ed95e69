import type { RatingCatalog } from './catalog.fns';
import { checkUsage, chunkOf, firstChunkOf, ratePart, resolveUsage, timeTypeAtStart } from './rating.fns';
import { prepareSubscriber } from './subscriber.fns';
import type { QuotaOutcome, RatedUsage, RatingBalances, RatingSubscriber, SessionState, UsageEvent } from './rating.types';
import { ceilDiv } from './tariff.fns';

/**
 * Online charging (§10.4, §11): how much of a requested quota to grant, and what to hold for it.
 *
 * The grant is the request rounded up to whole R1 chunks. What it holds is the same rating the commit will
 * run, applied to the granted quantity: allowance chunks, and money for every tariff, so a commit of any
 * quantity up to the grant always fits in what was held. When the money or a BLOCK allowance cannot carry
 * the whole grant it shrinks to what they carry, and the answer carries the final-unit action.
 *
 * Reserve -> hold the returned amounts -> the network reports use -> release the holds and commit with
 * rateUsage(…, used quantity, session) -> keep the returned session for the next request.
 */
export function reserveQuota(
  catalog: RatingCatalog,
  subscriber: RatingSubscriber,
  balances: RatingBalances,
  request: UsageEvent,
  session: SessionState | null = null,
): QuotaOutcome {
  checkUsage(request);
  const finalUnit = subscriber.finalUnitAction ?? 'TERMINATE';
  const prepared = prepareSubscriber(catalog, subscriber, balances);
  const resolved = resolveUsage(prepared, request, session);
  if (resolved.status === 'REJECTED') return { status: 'DENIED', reason: resolved.reason, detail: resolved.detail, finalUnit };
  const set = timeTypeAtStart(resolved, subscriber.timeZone, request.startedAt);
  if (!set) return { status: 'DENIED', reason: 'NO_TARIFFS_FOR_TIME_TYPE', detail: `plan ${resolved.guidance.plan.id}`, finalUnit };

  const firstChunk = firstChunkOf(resolved, set);
  const chunk = chunkOf(resolved, set);
  const fresh = session === null || session.quantity === 0;
  const requested = Math.max(1, request.quantity);
  const chunksFor = (quantity: number) => (fresh ? 1 + ceilDiv(quantity - firstChunk, chunk) : ceilDiv(quantity, chunk));
  const grantOf = (count: number) => (fresh ? firstChunk + (count - 1) * chunk : count * chunk);
  const chunks = chunksFor(requested);
  const attempt = (quantity: number) => ratePart(prepared, { ...request, quantity }, session, resolved, true);
  const carried = (part: RatedUsage) => part.unpaid === 0 && part.exhaustion !== 'BLOCK';

  let granted = grantOf(chunks);
  const whole = attempt(granted);
  if (whole.status === 'REJECTED') return { status: 'DENIED', reason: whole.reason, detail: whole.detail, finalUnit };
  let part: RatedUsage = whole;
  let shortened = false;

  if (part.exhaustion === 'BLOCK') {
    // Grant only what the allowances still cover; after that the subscriber is blocked.
    granted -= part.uncoveredQuantity;
    if (granted <= 0) return { status: 'DENIED', reason: 'ALLOWANCE_EXHAUSTED', detail: 'allowance used up (BLOCK policy)', finalUnit };
    part = attempt(granted) as RatedUsage;
    shortened = true;
  }

  if (!carried(part)) {
    // The largest number of whole chunks the money can carry (the charge grows with the quantity).
    let low = 0;
    let high = Math.min(chunks, chunksFor(granted));
    let best: RatedUsage | null = null;
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      const candidate = attempt(Math.min(granted, grantOf(mid))) as RatedUsage;
      if (carried(candidate)) {
        low = mid;
        best = candidate;
      } else {
        high = mid;
      }
    }
    if (best === null) return { status: 'DENIED', reason: 'INSUFFICIENT_BALANCE', detail: 'no balance can pay the first chunk', finalUnit };
    granted = Math.min(granted, grantOf(low));
    part = best;
    shortened = true;
  }

  return {
    status: 'GRANTED',
    grantedQuantity: granted,
    finalUnit: shortened ? finalUnit : null,
    throttle: part.exhaustion === 'THROTTLE',
    allowanceHolds: part.allowanceImpacts,
    moneyHolds: part.moneyImpacts,
  };
}
