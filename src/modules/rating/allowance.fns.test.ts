import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowanceImpactsOf, allowanceSides, debitChunks } from './allowance.fns';
import { compileCatalog } from './catalog.fns';
import { T0, allowance, subscriber, testCatalog } from './rating.fixtures';
import type { AllowanceBucket } from './rating.types';
import { prepareSubscriber } from './subscriber.fns';

const catalog = compileCatalog(testCatalog());

/** The rule as written (§10.2.3, §11): chunk by chunk, the first side that covers it, else what is left. */
function chunkByChunk(sides: number[][], firstChunk: number, chunk: number, count: number): { taken: number[][]; debited: number } {
  const left = sides.map((side) => [...side]);
  const taken = sides.map((side) => side.map(() => 0));
  const total = (s: number) => left[s].reduce((a, b) => a + b, 0);
  const takeFrom = (s: number, amount: number) => {
    for (let i = 0; i < left[s].length && amount > 0; i++) {
      const part = Math.min(left[s][i], amount);
      left[s][i] -= part;
      taken[s][i] += part;
      amount -= part;
    }
  };
  let debited = 0;
  for (let k = 0; k < count; k++) {
    const size = k === 0 ? firstChunk : chunk;
    const side = total(0) >= size ? 0 : total(1) >= size ? 1 : -1;
    if (side >= 0) {
      takeFrom(side, size);
      debited += size;
      continue;
    }
    for (const s of [0, 1]) {
      debited += total(s);
      takeFrom(s, total(s));
    }
    break;
  }
  return { taken, debited };
}

describe('debitChunks', () => {
  it('takes exactly what deciding chunk by chunk would take', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 3 }),
        fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 3 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 12 }),
        (own, pool, firstChunk, chunk, count) => {
          // Expiry order inside each side follows the array order.
          const buckets: AllowanceBucket[] = [
            ...own.map((amount, i) => allowance(`own${i}`, 'PLAN_DATA', amount, { expiresAt: T0 + (i + 1) * 1000 })),
            ...pool.map((amount, i) => allowance(`pool${i}`, 'POOL_DATA', amount, { side: 'SHADOW', expiresAt: T0 + (i + 1) * 1000 })),
          ];
          const prepared = prepareSubscriber(catalog, subscriber(), { allowances: buckets, money: [] });
          const sides = allowanceSides(prepared, 'OCTET', catalog.usageTypeIndex.get('DATA_HOME')!, T0);
          const debited = debitChunks(sides, firstChunk, chunk, count);
          const expected = chunkByChunk([own, pool], firstChunk, chunk, count);
          expect(debited).toBe(expected.debited);
          const byId = Object.fromEntries(allowanceImpactsOf(sides).map((i) => [i.bucketId, i.amount]));
          own.forEach((_, i) => expect(byId[`own${i}`] ?? 0).toBe(expected.taken[0][i]));
          pool.forEach((_, i) => expect(byId[`pool${i}`] ?? 0).toBe(expected.taken[1][i]));
        },
      ),
      { numRuns: 500 },
    );
  });
});
