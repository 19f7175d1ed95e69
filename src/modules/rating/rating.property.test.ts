import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMicros } from '../../platform/money';
import { applyImpacts } from './balances.fns';
import { compileCatalog } from './catalog.fns';
import { rateUsage } from './rating.fns';
import { T0, TYPICAL_CALENDAR } from './rating.fixtures';
import { reserveQuota } from './reservation.fns';
import { compileTariff, rateTariff } from './tariff.fns';
import type {
  AllowanceBucket,
  ExhaustionPolicy,
  RatedUsage,
  RatingBalances,
  RatingCatalogDefinition,
  RatingOutcome,
  RatingSubscriber,
  SessionState,
  TariffDefinition,
  UnitType,
} from './rating.types';

// ------------------------------------------------------------------------------------------------------
// Generators: valid tariff sets (§8.3 rules respected), allowance buckets on both sides, usage in parts.
// ------------------------------------------------------------------------------------------------------

interface RawTariff {
  icu: number;
  acu: number;
  icc: number;
  acc: number;
  grace: number;
  eligible: boolean;
  settlement: boolean;
  negative: boolean;
}

const rawTariff = fc.record({
  icu: fc.integer({ min: 1, max: 300 }),
  acu: fc.integer({ min: 1, max: 300 }),
  icc: fc.integer({ min: 0, max: 2_000_000 }),
  acc: fc.integer({ min: 0, max: 2_000_000 }),
  grace: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 40 })),
  eligible: fc.boolean(),
  settlement: fc.boolean(),
  negative: fc.boolean(),
});

/** 1 to 5 concurrent tariffs made valid: settlement and negative tariffs not eligible, no grace beside a negative one. */
function tariffSet(unitType: UnitType, raws: RawTariff[], primaryGrace: boolean, prefix: string): TariffDefinition[] {
  const hasNegative = raws.some((r) => r.negative && !r.settlement);
  return raws.map((r, i) => ({
    id: `${prefix}${i}`,
    unitType,
    currency: 'EUR',
    initialUnit: r.icu,
    initialCharge: formatMicros(r.negative && !r.settlement ? -r.icc : r.icc),
    additionalUnit: r.acu,
    additionalCharge: formatMicros(r.negative && !r.settlement ? -r.acc : r.acc),
    graceUnits: hasNegative || (i === 0 && !primaryGrace) ? 0 : r.grace,
    eligibleForNonCurrency: r.eligible && !r.settlement && !(r.negative && !r.settlement),
    settlement: r.settlement,
  }));
}

const POLICIES: ExhaustionPolicy[] = ['OVERAGE', 'THROTTLE', 'BLOCK'];

function propertyCatalog(unitType: UnitType, timeTypes: Record<string, TariffDefinition[]>, unitChargeSize: number, calendar: boolean): RatingCatalogDefinition {
  return {
    version: 'p1',
    calendars: calendar ? { TYPICAL: TYPICAL_CALENDAR } : {},
    usageTypeMappings: [{ initialUsageType: 'U', zone: '*', finalUsageType: 'U' }],
    tariffPlans: [{ id: 'P', unitType, currency: 'EUR', calendar: calendar ? 'TYPICAL' : undefined, currencySets: [{ currency: 'EUR', timeTypes }] }],
    offers: [{ id: 'O', kind: 'PRIMARY', usageItems: { U: 'P' }, unitChargeSize: { [unitType]: unitChargeSize } }],
    allowanceDefinitions: [
      ...POLICIES.map((p) => ({ id: `OWN_${p}`, unitType, level: 'SUBSCRIBER' as const, onExhaustion: p })),
      ...POLICIES.map((p) => ({ id: `POOL_${p}`, unitType, level: 'ACCOUNT' as const, onExhaustion: p })),
    ],
    moneyBalanceDefinitions: [{ id: 'MAIN', currency: 'EUR', level: 'ACCOUNT', paymentMode: 'POSTPAID' }],
  };
}

interface BucketSpec {
  shadow: boolean;
  amount: number;
  policy: ExhaustionPolicy;
  expiresInDays: number;
  priority: number;
}

const bucketsArb: fc.Arbitrary<BucketSpec[]> = fc.array(
  fc.record({
    shadow: fc.boolean(),
    amount: fc.integer({ min: 0, max: 3000 }),
    policy: fc.constantFrom(...POLICIES),
    expiresInDays: fc.integer({ min: 1, max: 60 }),
    priority: fc.integer({ min: 0, max: 3 }),
  }),
  { maxLength: 4 },
);

function makeBalances(buckets: BucketSpec[]): RatingBalances {
  return {
    allowances: buckets.map(
      (b, i): AllowanceBucket => ({
        id: `b${i}`,
        definitionId: `${b.shadow ? 'POOL' : 'OWN'}_${b.policy}`,
        side: b.shadow ? 'SHADOW' : 'REAL',
        amount: b.amount,
        validFrom: T0 - 86_400_000,
        expiresAt: T0 + b.expiresInDays * 86_400_000,
        createdAt: T0 - 86_400_000 - i,
        priority: b.priority,
      }),
    ),
    money: [{ id: 'main', definitionId: 'MAIN', side: 'REAL', amount: 0, creditLimit: 1e15, validFrom: 0, createdAt: 0 }],
  };
}

const sim = (overrides: Partial<RatingSubscriber> = {}): RatingSubscriber => ({
  id: 'sim',
  currency: 'EUR',
  timeZone: 'Europe/Berlin',
  offers: [{ id: 'oi', offerId: 'O', activatedAt: 0 }],
  mainBalanceId: 'main',
  ...overrides,
});

function rated(outcome: RatingOutcome): RatedUsage {
  if (outcome.status !== 'RATED') throw new Error(`${outcome.reason}: ${outcome.detail}`);
  return outcome;
}

/** Usage counts as covered by allowances only as far as allowance units were really debited for it. */
function expectCoverageDebited(session: SessionState, debited: number): void {
  expect(session.segments.reduce((s, seg) => s + seg.covered, 0)).toBe(debited);
}

const sumOf = (values: Iterable<number>) => [...values].reduce((s, v) => s + v, 0);

/** Sums a rating's figures so a whole and its parts can be compared. */
interface Totals {
  charge: number;
  settlement: number;
  money: number;
  unpaid: number;
  allowance: Record<string, number>;
  lines: Record<string, [number, number, number, number]>;
}

function emptyTotals(): Totals {
  return { charge: 0, settlement: 0, money: 0, unpaid: 0, allowance: {}, lines: {} };
}

function add(totals: Totals, r: RatedUsage): Totals {
  totals.charge += r.charge;
  totals.settlement += r.settlementCharge;
  totals.unpaid += r.unpaid;
  for (const m of r.moneyImpacts) totals.money += m.amount;
  for (const a of r.allowanceImpacts) totals.allowance[a.bucketId] = (totals.allowance[a.bucketId] ?? 0) + a.amount;
  for (const l of r.lines) {
    const key = `${l.timeType}/${l.tariffId}`;
    const t = (totals.lines[key] ??= [0, 0, 0, 0]);
    t[0] += l.initialUnits;
    t[1] += l.additionalUnits;
    t[2] += l.charge;
    t[3] += l.billedQuantity;
  }
  for (const v of [r.charge, r.settlementCharge, r.unpaid, ...r.moneyImpacts.map((m) => m.amount), ...r.lines.flatMap((l) => [l.charge, l.payerCharge])]) {
    expect(Number.isSafeInteger(v)).toBe(true);
  }
  return totals;
}

/** Lines with zero units everywhere carry no information; drop them before comparing. */
function nonZero(lines: Totals['lines']): Totals['lines'] {
  return Object.fromEntries(Object.entries(lines).filter(([, v]) => v.some((x) => x !== 0)));
}

function rateInParts(
  catalog: ReturnType<typeof compileCatalog>,
  subscriber: RatingSubscriber,
  start: RatingBalances,
  parts: number[],
  startAt: (done: number) => number,
): { totals: Totals; session: SessionState } {
  let balances = start;
  let session: SessionState | null = null;
  const totals = emptyTotals();
  let done = 0;
  for (const quantity of parts) {
    const r = rated(rateUsage(catalog, subscriber, balances, { initialUsageType: 'U', startedAt: startAt(done), quantity }, session));
    add(totals, r);
    balances = applyImpacts(balances, r);
    session = r.session;
    done += quantity;
  }
  return { totals, session: session! };
}

const partsArb = fc.array(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 7 });

describe('property: a session rated in reported parts costs exactly what the whole costs', () => {
  it('one time type, any unit, allowances on both sides, grace, negative and settlement tariffs', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<UnitType>('SECOND', 'OCTET', 'EVENT'),
        fc.array(rawTariff, { minLength: 1, maxLength: 5 }),
        fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 400 })),
        bucketsArb,
        fc.constantFrom<'REAL_THEN_SHADOW' | 'SHADOW_THEN_REAL'>('REAL_THEN_SHADOW', 'SHADOW_THEN_REAL'),
        partsArb,
        (unitType, raws, ucs, buckets, sideOrder, parts) => {
          const catalog = compileCatalog(propertyCatalog(unitType, { ANY: tariffSet(unitType, raws, true, 't') }, ucs, false));
          const subscriber = sim({ balanceSideOrder: sideOrder });
          const start = makeBalances(buckets);
          const total = parts.reduce((s, q) => s + q, 0);
          const whole = rated(rateUsage(catalog, subscriber, start, { initialUsageType: 'U', startedAt: T0, quantity: total }));
          const wholeTotals = add(emptyTotals(), whole);
          const { totals, session } = rateInParts(catalog, subscriber, start, parts, () => T0);
          expect(totals.charge).toBe(wholeTotals.charge);
          expect(totals.settlement).toBe(wholeTotals.settlement);
          expect(totals.money + totals.unpaid).toBe(wholeTotals.money + wholeTotals.unpaid);
          expect(totals.allowance).toEqual(wholeTotals.allowance);
          expect(nonZero(totals.lines)).toEqual(nonZero(wholeTotals.lines));
          expect(session.segments).toEqual(whole.session.segments);
          expectCoverageDebited(whole.session, sumOf(Object.values(wholeTotals.allowance)));
          expect(whole.charge).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a call crossing time types, reported in consecutive parts, with allowances', () => {
    fc.assert(
      fc.property(
        fc.array(rawTariff, { minLength: 1, maxLength: 3 }),
        fc.array(rawTariff, { minLength: 1, maxLength: 3 }),
        fc.array(rawTariff, { minLength: 1, maxLength: 3 }),
        bucketsArb,
        fc.integer({ min: 0, max: 7 * 86_400_000 - 1 }),
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 6 }),
        (peak, offPeak, weekend, buckets, offset, parts) => {
          // Primary tariffs without grace: a closed segment's allowance need then never changes later.
          const timeTypes = {
            PEAK: tariffSet('SECOND', peak, false, 'p'),
            OFF_PEAK: tariffSet('SECOND', offPeak, false, 'o'),
            WEEKEND: tariffSet('SECOND', weekend, false, 'w'),
          };
          const catalog = compileCatalog(propertyCatalog('SECOND', timeTypes, 0, true));
          const start = makeBalances(buckets);
          const startedAt = Date.parse('2024-03-28T00:00:00Z') + offset; // the week of the spring DST change
          const total = parts.reduce((s, q) => s + q, 0);
          const whole = rated(rateUsage(catalog, sim(), start, { initialUsageType: 'U', startedAt, quantity: total }));
          const wholeTotals = add(emptyTotals(), whole);
          const { totals, session } = rateInParts(catalog, sim(), start, parts, (done) => startedAt + done * 1000);
          expect(totals.charge).toBe(wholeTotals.charge);
          expect(totals.settlement).toBe(wholeTotals.settlement);
          expect(totals.allowance).toEqual(wholeTotals.allowance);
          expect(nonZero(totals.lines)).toEqual(nonZero(wholeTotals.lines));
          expect(session.segments.map((s) => [s.timeType, s.quantity])).toEqual(whole.session.segments.map((s) => [s.timeType, s.quantity]));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('property: allowances are never overdrawn nor double-spent', () => {
  it('SIMs sharing a pool, reserving, committing and rating offline in any interleaving', () => {
    const simCount = 3;
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('offline' as const), sim: fc.nat(simCount - 1), quantity: fc.integer({ min: 0, max: 3000 }) }),
      fc.record({ kind: fc.constant('reserve' as const), sim: fc.nat(simCount - 1), quantity: fc.integer({ min: 1, max: 3000 }) }),
      fc.record({ kind: fc.constant('commit' as const), sim: fc.nat(simCount - 1), used: fc.double({ min: 0, max: 1, noNaN: true }) }),
    );
    fc.assert(
      fc.property(
        fc.array(rawTariff, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: simCount, maxLength: simCount }),
        fc.constantFrom(...POLICIES),
        fc.array(operation, { minLength: 1, maxLength: 40 }),
        (raws, poolAmount, ownAmounts, policy, operations) => {
          const eligible = raws.map((r) => ({ ...r, eligible: true, settlement: false, negative: false }));
          const catalog = compileCatalog(propertyCatalog('OCTET', { ANY: tariffSet('OCTET', eligible, true, 't') }, 0, false));
          // One shared store of buckets: the pool and each SIM's own allowance; amounts are what is free.
          const store = new Map<string, number>([['pool', poolAmount], ...ownAmounts.map((a, i): [string, number] => [`own${i}`, a])]);
          const initial = [...store.values()].reduce((s, a) => s + a, 0);
          let debited = 0;
          let held = 0;
          const view = (i: number): RatingBalances => ({
            allowances: [
              { id: `own${i}`, definitionId: `OWN_${policy}`, side: 'REAL', amount: store.get(`own${i}`)!, validFrom: 0, createdAt: 0 },
              { id: 'pool', definitionId: `POOL_${policy}`, side: 'SHADOW', amount: store.get('pool')!, validFrom: 0, createdAt: 0 },
            ],
            money: [{ id: 'main', definitionId: 'MAIN', side: 'REAL', amount: 0, creditLimit: 1e15, validFrom: 0, createdAt: 0 }],
          });
          const move = (impacts: { bucketId: string; amount: number }[], sign: number) => {
            for (const i of impacts) store.set(i.bucketId, store.get(i.bucketId)! - sign * i.amount);
          };
          const sessions: {
            session: SessionState | null;
            debited: number;
            hold: { granted: number; allowance: { bucketId: string; amount: number }[] } | null;
          }[] = Array.from({ length: simCount }, () => ({ session: null, debited: 0, hold: null }));
          const usage = (quantity: number) => ({ initialUsageType: 'U', startedAt: T0, quantity });

          for (const op of operations) {
            const s = sessions[op.sim];
            if (op.kind === 'offline') {
              const r = rated(rateUsage(catalog, sim(), view(op.sim), usage(op.quantity)));
              move(r.allowanceImpacts, 1);
              debited += r.allowanceImpacts.reduce((t, a) => t + a.amount, 0);
              expectCoverageDebited(r.session, sumOf(r.allowanceImpacts.map((a) => a.amount)));
            } else if (op.kind === 'reserve' && s.hold === null) {
              const grant = reserveQuota(catalog, sim(), view(op.sim), usage(op.quantity), s.session);
              if (grant.status === 'GRANTED') {
                move(grant.allowanceHolds, 1);
                held += grant.allowanceHolds.reduce((t, a) => t + a.amount, 0);
                s.hold = { granted: grant.grantedQuantity, allowance: grant.allowanceHolds };
              }
            } else if (op.kind === 'commit' && s.hold !== null) {
              move(s.hold.allowance, -1);
              const heldHere = s.hold.allowance.reduce((t, a) => t + a.amount, 0);
              held -= heldHere;
              const r = rated(rateUsage(catalog, sim(), view(op.sim), usage(Math.floor(op.used * s.hold.granted)), s.session));
              const committed = r.allowanceImpacts.reduce((t, a) => t + a.amount, 0);
              expect(committed).toBeLessThanOrEqual(heldHere); // a commit always fits in its reservation
              s.debited += committed;
              expectCoverageDebited(r.session, s.debited);
              move(r.allowanceImpacts, 1);
              debited += committed;
              s.session = r.session;
              s.hold = null;
            }
            for (const amount of store.values()) expect(amount).toBeGreaterThanOrEqual(0);
            expect([...store.values()].reduce((t, a) => t + a, 0)).toBe(initial - debited - held);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('property: amounts never pass through floating point', () => {
  const MAX = BigInt(Number.MAX_SAFE_INTEGER);
  const decimal = fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }).map((m) => ({ micros: m, text: formatMicros(Number(m)) }));

  it('the §8.2 formula equals an exact bigint computation, or refuses with a RangeError', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        decimal,
        decimal,
        fc.integer({ min: 0, max: 100 }),
        fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 2 ** 40 })),
        (icu, acu, icc, acc, grace, quantity) => {
          const tariff = compileTariff({ unitType: 'OCTET', currency: 'EUR', initialUnit: icu, initialCharge: icc.text, additionalUnit: acu, additionalCharge: acc.text, graceUnits: grace });
          const q = BigInt(quantity);
          const charged = quantity > 0 && quantity >= grace;
          const iu = charged ? 1n : 0n;
          const rest = q - BigInt(icu);
          const au = charged && rest > 0n ? (rest + BigInt(acu) - 1n) / BigInt(acu) : 0n;
          const additional = au * acc.micros;
          const exact = iu * icc.micros + additional;
          const abs = (x: bigint) => (x < 0n ? -x : x);
          if (abs(additional) <= MAX && abs(exact) <= MAX) {
            const units = rateTariff(tariff, quantity);
            expect(BigInt(units.charge)).toBe(exact);
            expect(BigInt(units.additionalUnits)).toBe(au);
          } else {
            expect(() => rateTariff(tariff, quantity)).toThrow(RangeError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('the §11 allowance computation equals the reference pseudo-code in bigint', () => {
    const ceil = (a: bigint, b: bigint) => (a <= 0n ? 0n : (a + b - 1n) / b);
    // Decimal string -> micro-units by digits alone (the oracle must not use floats either).
    const micros = (text: string) => {
      const [whole, fraction = ''] = text.replace('-', '').split('.');
      const value = BigInt(whole + fraction.padEnd(6, '0'));
      return text.startsWith('-') ? -value : value;
    };
    const formula = (t: TariffDefinition, q: bigint) => {
      if (q <= 0n || q < BigInt(t.graceUnits ?? 0)) return 0n;
      return micros(t.initialCharge) + ceil(q - BigInt(t.initialUnit), BigInt(t.additionalUnit!)) * micros(t.additionalCharge!);
    };
    fc.assert(
      fc.property(
        fc.array(rawTariff, { minLength: 1, maxLength: 5 }),
        fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 400 })),
        fc.option(fc.integer({ min: 0, max: 5000 })),
        fc.integer({ min: 0, max: 6000 }),
        (raws, ucs, allowanceAmount, quantity) => {
          const tariffs = tariffSet('OCTET', raws, true, 't');
          const catalog = compileCatalog(propertyCatalog('OCTET', { ANY: tariffs }, ucs, false));
          const buckets = allowanceAmount === null ? [] : [{ shadow: false, amount: allowanceAmount, policy: 'OVERAGE' as const, expiresInDays: 1, priority: 0 }];
          const r = rated(rateUsage(catalog, sim(), makeBalances(buckets), { initialUsageType: 'U', startedAt: T0, quantity }));

          // Reference (§11): E = eligible non-settlement, N = other non-settlement, A = allowance available.
          const q = BigInt(quantity);
          const primary = tariffs[0];
          const c1 = BigInt(ucs || primary.initialUnit);
          const cn = BigInt(ucs || primary.additionalUnit!);
          const need = q <= 0n || q < BigInt(primary.graceUnits ?? 0) ? 0n : c1 + ceil(q - c1, cn) * cn;
          const A = BigInt(allowanceAmount ?? 0);
          const E = tariffs.filter((t) => t.eligibleForNonCurrency && !t.settlement);
          const N = tariffs.filter((t) => !t.eligibleForNonCurrency && !t.settlement);
          let money = 0n;
          let debit = 0n;
          if (E.length > 0) {
            if (A >= need) debit = need;
            else if (A > 0n) {
              debit = A;
              const uncovered = q - A > 0n ? q - A : 0n;
              for (const t of E) money += ceil(uncovered, BigInt(t.additionalUnit!)) * micros(t.additionalCharge!);
            } else for (const t of E) money += formula(t, q);
          }
          for (const t of N) money += formula(t, q);
          const expected = money > 0n ? money : 0n;

          expect(BigInt(r.charge)).toBe(expected);
          expect(BigInt(r.allowanceImpacts.reduce((s, a) => s + a.amount, 0))).toBe(debit);
        },
      ),
      { numRuns: 500 },
    );
  });
});
