import { describe, expect, it } from 'vitest';
import { applyImpacts } from './balances.fns';
import { compileCatalog } from './catalog.fns';
import { rateUsage } from './rating.fns';
import { MB, T0, allowance, balances, data, money, subscriber, testCatalog } from './rating.fixtures';
import { reserveQuota } from './reservation.fns';
import type { QuotaGranted, QuotaOutcome } from './rating.types';

const catalog = compileCatalog(testCatalog());

function granted(outcome: QuotaOutcome): QuotaGranted {
  if (outcome.status !== 'GRANTED') throw new Error(`expected GRANTED, got ${outcome.reason}`);
  return outcome;
}

describe('reserveQuota', () => {
  it('grants the request rounded up to whole chunks and holds them on the allowance', () => {
    const grant = granted(reserveQuota(catalog, subscriber(), balances([allowance('own', 'PLAN_DATA', 10 * MB)]), data(5000)));
    expect(grant.grantedQuantity).toBe(5120);
    expect(grant.allowanceHolds).toEqual([{ bucketId: 'own', amount: 5120 }]);
    expect(grant.moneyHolds).toEqual([]);
    expect(grant.finalUnit).toBeNull();
  });

  it('shrinks the grant to what prepaid money carries and sends the final-unit action', () => {
    const wallet = balances([], [money('wallet', 'WALLET', 50_000)]);
    const grant = granted(reserveQuota(catalog, subscriber({ mainBalanceId: 'wallet', finalUnitAction: 'REDIRECT' }), wallet, data(10 * 1024)));
    expect(grant.grantedQuantity).toBe(5 * 1024); // 5 units of 0.01
    expect(grant.moneyHolds).toEqual([{ bucketId: 'wallet', amount: 50_000 }]);
    expect(grant.finalUnit).toBe('REDIRECT');
  });

  it('denies when not even the first chunk can be paid', () => {
    const empty = balances([], [money('wallet', 'WALLET', 5_000)]);
    expect(reserveQuota(catalog, subscriber({ mainBalanceId: 'wallet' }), empty, data(1024))).toMatchObject({
      status: 'DENIED',
      reason: 'INSUFFICIENT_BALANCE',
      finalUnit: 'TERMINATE',
    });
  });

  it('grants only what a BLOCK allowance still covers, then denies', () => {
    const grant = granted(reserveQuota(catalog, subscriber(), balances([allowance('b', 'BLOCKED_DATA', 3000)]), data(5000)));
    expect(grant.grantedQuantity).toBe(3000);
    expect(grant.allowanceHolds).toEqual([{ bucketId: 'b', amount: 3000 }]);
    expect(grant.moneyHolds).toEqual([]);
    expect(grant.finalUnit).toBe('TERMINATE');
    expect(reserveQuota(catalog, subscriber(), balances([allowance('b', 'BLOCKED_DATA', 0)]), data(5000))).toMatchObject({
      status: 'DENIED',
      reason: 'ALLOWANCE_EXHAUSTED',
    });
  });

  it('keeps granting under a THROTTLE allowance and asks for throttling', () => {
    const grant = granted(reserveQuota(catalog, subscriber(), balances([allowance('t', 'THROTTLED_DATA', 0)]), data(5000)));
    expect(grant.grantedQuantity).toBe(5120);
    expect(grant.throttle).toBe(true);
    expect(grant.moneyHolds).toEqual([]);
  });

  it('passes rejections on as denials', () => {
    expect(reserveQuota(catalog, subscriber({ offers: [] }), balances(), data(1000))).toMatchObject({ status: 'DENIED', reason: 'USAGE_BARRED' });
  });

  it('reserve, hold, release, commit: the commit costs what offline rating of the used quantity costs', () => {
    const start = balances([allowance('own', 'PLAN_DATA', 4000)], [money('wallet', 'WALLET', 1_000_000)]);
    const sim = subscriber({ mainBalanceId: 'wallet' });
    const grant = granted(reserveQuota(catalog, sim, start, data(8000)));
    expect(grant.grantedQuantity).toBe(8192);
    const held = applyImpacts(start, { allowanceImpacts: grant.allowanceHolds, moneyImpacts: grant.moneyHolds });
    expect(held.allowances[0].amount).toBe(0);
    const released = applyImpacts(held, { allowanceImpacts: grant.allowanceHolds, moneyImpacts: grant.moneyHolds }, -1);
    const commit = rateUsage(catalog, sim, released, data(6000));
    const offline = rateUsage(catalog, sim, start, data(6000));
    expect(commit).toEqual(offline);
    if (commit.status !== 'RATED') throw new Error('not rated');
    // What was held covers what was committed.
    const heldMoney = grant.moneyHolds.reduce((s, h) => s + h.amount, 0);
    expect(commit.charge).toBeLessThanOrEqual(heldMoney);
  });

  it('continues a session: later grants use whole further chunks', () => {
    const start = balances([allowance('own', 'PLAN_DATA', 10 * MB)]);
    const first = rateUsage(catalog, subscriber(), start, data(1500));
    if (first.status !== 'RATED') throw new Error('not rated');
    const grant = granted(reserveQuota(catalog, subscriber(), applyImpacts(start, first), data(3000, { startedAt: T0 + 1000 }), first.session));
    expect(grant.grantedQuantity).toBe(3072);
    // 1500 + 3072 = 4572 needs 5 chunks (5120); 2048 are already debited.
    expect(grant.allowanceHolds).toEqual([{ bucketId: 'own', amount: 3072 }]);
  });
});
