import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyImpacts } from './balances.fns';
import { compileCatalog } from './catalog.fns';
import { ratePrepared, rateUsage } from './rating.fns';
import { DAY, KB, MB, T0, allowance, balances, money, subscriber, testCatalog } from './rating.fixtures';
import type { AccumulatorInstance, RatingBalances, UsageEvent } from './rating.types';
import { prepareSubscriber } from './subscriber.fns';

/** The fixture catalog with a wallet in another currency. */
const catalog = (() => {
  const definition = testCatalog();
  definition.moneyBalanceDefinitions!.push({ id: 'USD_WALLET', currency: 'USD', level: 'SUBSCRIBER', paymentMode: 'PREPAID' });
  return compileCatalog(definition);
})();

const ACCUMULATORS: AccumulatorInstance[] = [
  { id: 'sessions', definitionId: 'SESSIONS' },
  { id: 'volume', definitionId: 'DATA_VOLUME' },
  { id: 'spend', definitionId: 'SPEND' },
  { id: 'pool-volume', definitionId: 'POOL_VOLUME' },
];

// Usage falls before, within and after the add-on (T0 .. T0 + 2 days), in no order: guidance kept by the
// preparation must hold only within the span it was found for.
const sim = subscriber({
  offers: [
    { id: 'oi-plan', offerId: 'IOT_PLAN', activatedAt: T0 - 30 * DAY },
    { id: 'oi-eu', offerId: 'EU_PACK', activatedAt: T0, endsAt: T0 + 2 * DAY },
  ],
  accumulators: ACCUMULATORS,
});

function startingBalances(): RatingBalances {
  return balances(
    [
      allowance('pool', 'POOL_DATA', 3 * MB, { side: 'SHADOW' }),
      allowance('own', 'PLAN_DATA', 2 * MB, { expiresAt: T0 + 5 * DAY }),
      allowance('eu', 'ADDON_DATA', MB, { expiresAt: T0 + 2 * DAY }),
      allowance('sms', 'SMS_BUNDLE', 3),
    ],
    [money('wallet', 'WALLET', 2_000_000), money('main', 'ACCOUNT_MAIN', 0, { side: 'SHADOW', creditLimit: 1e12 })],
  );
}

const usage = fc.record({
  kind: fc.constantFrom('DATA', 'SMS_MO', 'VOICE_MO'),
  network: fc.constantFrom('26201', '20801', '310260'),
  quantity: fc.integer({ min: 0, max: 3 * MB }),
  at: fc.integer({ min: 0, max: 4 * DAY }),
});

function usageEvent(u: { kind: string; network: string; quantity: number; at: number }): UsageEvent {
  const quantity = u.kind === 'SMS_MO' ? 1 : u.kind === 'VOICE_MO' ? u.quantity % 900 : u.quantity;
  return { initialUsageType: u.kind, servingNetwork: u.network, startedAt: T0 - DAY + u.at, quantity };
}

describe('prepareSubscriber and ratePrepared', () => {
  it('rate a run of usage, amounts updated in place, exactly as rateUsage does with fresh balances each time', () => {
    fc.assert(
      fc.property(fc.array(usage, { minLength: 1, maxLength: 25 }), (run) => {
        // One preparation for the whole run; the caller debits the very bucket objects it prepared with.
        const live = startingBalances();
        const prepared = prepareSubscriber(catalog, sim, live);
        let copied = startingBalances();
        for (const u of run) {
          const event = usageEvent(u);
          const expected = rateUsage(catalog, sim, copied, event);
          const actual = ratePrepared(prepared, event);
          expect(actual).toEqual(expected);
          if (expected.status !== 'RATED') continue;
          copied = applyImpacts(copied, expected);
          for (const impact of expected.allowanceImpacts) live.allowances.find((b) => b.id === impact.bucketId)!.amount -= impact.amount;
          for (const impact of expected.moneyImpacts) live.money.find((b) => b.id === impact.bucketId)!.amount -= impact.amount;
        }
        expect(live).toEqual(copied);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps buckets in consumption order and only money in the payer currency', () => {
    const prepared = prepareSubscriber(catalog, sim, {
      allowances: [
        allowance('pool', 'POOL_DATA', MB, { side: 'SHADOW' }),
        allowance('late', 'PLAN_DATA', MB, { expiresAt: T0 + 9 * DAY }),
        allowance('soon', 'PLAN_DATA', MB, { expiresAt: T0 + DAY }),
      ],
      money: [money('usd', 'USD_WALLET', 1_000_000), money('main', 'ACCOUNT_MAIN', 0, { side: 'SHADOW' })],
    });
    // Own buckets (the first side) soonest expiry first, then the pool; the USD wallet cannot pay EUR usage.
    expect(prepared.allowances.map((p) => [p.bucket.id, p.firstSide])).toEqual([
      ['soon', true],
      ['late', true],
      ['pool', false],
    ]);
    expect(prepared.money.map((p) => p.bucket.id)).toEqual(['main']);
    expect(prepared.accumulators.map((a) => a.definition.id)).toEqual(['SESSIONS', 'DATA_VOLUME', 'SPEND', 'POOL_VOLUME']);
  });

  it('refuses what the catalog does not know, naming it', () => {
    expect(() => prepareSubscriber(catalog, subscriber({ offers: [{ id: 'oi-x', offerId: 'GONE', activatedAt: 0 }] }), balances())).toThrow(/unknown offer GONE/);
    expect(() => prepareSubscriber(catalog, sim, balances([allowance('x', 'NO_SUCH', KB)]))).toThrow(/bucket x has unknown definition NO_SUCH/);
    expect(() => prepareSubscriber(catalog, subscriber({ accumulators: [{ id: 'a', definitionId: 'NOPE' }] }), balances())).toThrow(/accumulator a has unknown definition NOPE/);
  });
});
