/**
 * Rating engine throughput, in memory, one core: npm run bench:rating -- [records] [sims] [batch]
 * (tsx --no-allocation-site-pretenuring bench/rating.bench.ts: see "Performance notes" in docs/rating.md)
 *
 * A realistic IoT plan set: 1,000 tariff plans (190 rate plans × data home / EU / world, SMS, voice, plus 50
 * EU add-on data plans), 100,000 SIMs in 1,000 enterprise accounts, each account with a pooled data
 * allowance and a postpaid main balance, half the SIMs with an own allowance too, a fifth with an EU add-on
 * and its allowance, SIM and account accumulators. Usage: 85 % data sessions, 10 % SMS, 5 % voice calls
 * (peak/off-peak calendar, split at boundaries); 88 % at home, 8 % EU roaming, 4 % rest of world.
 * Each record is rated with ratePrepared (one preparation per run of a SIM's records) and its impacts applied
 * to the in-memory balances and accumulators, as offline rating does; the pools are shared by the SIMs of an
 * account. Two orders: as the records arrive (random SIMs), and sorted by SIM within batches (default: the
 * whole run, 1,000,000 records) as a batch rater does, the sort timed with the rating. Prints records per
 * CPU-second of this process (the per-core figure, robust on a shared machine) and records per wall-clock
 * second, with the machine's speed before and after (bench/machine-speed.ts). */
import { cpus, loadavg } from 'node:os';
import { describeSpeed, machineSpeed } from './machine-speed';
import {
  compileCatalog,
  prepareSubscriber,
  ratePrepared,
  type PreparedSubscriber,
  type AllowanceBucket,
  type MoneyBucket,
  type RatingCatalogDefinition,
  type RatingBalances,
  type RatingSubscriber,
  type TariffDefinition,
  type UsageEvent,
} from '../src/modules/rating';

const RECORDS = Number(process.argv[2] ?? 1_000_000);
const SIMS = Number(process.argv[3] ?? 100_000);
/** Records a batch rater sorts by SIM at a time (a mediation file). */
const BATCH = Number(process.argv[4] ?? 1_000_000);
const RATE_PLANS = 190;
const ADDON_PLANS = 50;
const ACCOUNTS = Math.min(1_000, SIMS);
const KB = 1024;
const MB = 1024 * KB;
const MONTH_START = Date.parse('2024-07-01T00:00:00Z');
const MONTH = 31 * 86_400_000;

// Deterministic pseudo-random numbers (mulberry32), so every run rates the same records.
let seed = 42;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}
const pick = (n: number) => Math.floor(random() * n);

// The SIM store refers to catalog ids by the catalog's own strings, as a store built against the catalog does
// (per-row copies of the same id would each be hashed cold on every lookup).
const ratePlanIds = Array.from({ length: RATE_PLANS }, (_, p) => `RATE_PLAN_${p}`);
const addOnIds = Array.from({ length: ADDON_PLANS }, (_, a) => `EU_ADDON_${a}`);
const price = (micros: number) => (micros / 1e6).toFixed(6);

function perUnit(id: string, unitType: TariffDefinition['unitType'], unit: number, micros: number, extra: Partial<TariffDefinition> = {}): TariffDefinition {
  return { id, unitType, currency: 'EUR', initialUnit: unit, initialCharge: price(micros), additionalUnit: unit, additionalCharge: price(micros), graceUnits: 0, eligibleForDiscount: true, ...extra };
}

function buildCatalog(): RatingCatalogDefinition {
  const allDays = { MON: 'D', TUE: 'D', WED: 'D', THU: 'D', FRI: 'D', SAT: 'E', SUN: 'E' } as const;
  const def: RatingCatalogDefinition = {
    version: 'bench',
    calendars: {
      ALL_DAY: { timeTypes: ['ANY'], dayTypes: { D: [{ start: '00:00:00', end: '24:00:00', timeType: 'ANY' }], E: [{ start: '00:00:00', end: '24:00:00', timeType: 'ANY' }] }, weekdays: allDays, exceptions: [] },
      PEAK_OFF_PEAK: {
        timeTypes: ['PEAK', 'OFF_PEAK'],
        dayTypes: {
          D: [
            { start: '00:00:00', end: '08:00:00', timeType: 'OFF_PEAK' },
            { start: '08:00:00', end: '20:00:00', timeType: 'PEAK' },
            { start: '20:00:00', end: '24:00:00', timeType: 'OFF_PEAK' },
          ],
          E: [{ start: '00:00:00', end: '24:00:00', timeType: 'OFF_PEAK' }],
        },
        weekdays: allDays,
        exceptions: [{ kind: 'ANNUAL', monthDay: '12-25', dayType: 'E' }],
      },
    },
    zones: [
      { id: 'HOME', networks: ['26201', '26202'] },
      { id: 'EU', networks: ['202', '204', '206', '208', '214', '216', '222', '226', '228', '230', '231', '232', '234', '238', '240', '242', '244', '246', '247', '248', '260', '262', '268', '270', '272', '278', '280', '284', '293', '294'] },
      { id: 'WORLD', networks: ['*'] },
    ],
    usageTypeMappings: [
      { initialUsageType: 'DATA', zone: 'HOME', finalUsageType: 'DATA_HOME' },
      { initialUsageType: 'DATA', zone: 'EU', finalUsageType: 'DATA_EU' },
      { initialUsageType: 'DATA', zone: 'WORLD', finalUsageType: 'DATA_WORLD' },
      { initialUsageType: 'SMS_MO', zone: '*', finalUsageType: 'SMS' },
      { initialUsageType: 'VOICE_MO', zone: '*', finalUsageType: 'VOICE' },
    ],
    usageTypeGroups: { DATA_IN_BUNDLE: ['DATA_HOME', 'DATA_EU'] },
    tariffPlans: [],
    offers: [],
    allowanceDefinitions: [
      { id: 'PLAN_DATA', unitType: 'OCTET', level: 'SUBSCRIBER', includeUsageTypes: ['DATA_IN_BUNDLE'] },
      { id: 'POOL_DATA', unitType: 'OCTET', level: 'ACCOUNT', includeUsageTypes: ['DATA_IN_BUNDLE'], onExhaustion: 'OVERAGE' },
      { id: 'EU_PACK', unitType: 'OCTET', level: 'SUBSCRIBER', includeUsageTypes: ['DATA_EU'], onExhaustion: 'THROTTLE' },
      { id: 'SMS_BUNDLE', unitType: 'EVENT', level: 'SUBSCRIBER', includeUsageTypes: ['SMS'] },
    ],
    moneyBalanceDefinitions: [{ id: 'ACCOUNT_MAIN', currency: 'EUR', level: 'ACCOUNT', paymentMode: 'POSTPAID' }],
    accumulatorDefinitions: [
      { id: 'SESSIONS', level: 'SUBSCRIBER', measure: 'EVENTS' },
      { id: 'DATA_VOLUME', level: 'SUBSCRIBER', measure: 'UNITS', unitType: 'OCTET' },
      { id: 'POOL_VOLUME', level: 'ACCOUNT', measure: 'UNITS', unitType: 'OCTET' },
    ],
  };
  for (let p = 0; p < RATE_PLANS; p++) {
    const kbPrice = 50 + (p % 40) * 5; // 0.00005 .. 0.00025 EUR per KB
    const single = (id: string, unitType: TariffDefinition['unitType'], tariffs: TariffDefinition[]) =>
      def.tariffPlans.push({ id, unitType, currency: 'EUR', calendar: 'ALL_DAY', currencySets: [{ currency: 'EUR', timeTypes: { ANY: tariffs } }] });
    single(`P${p}_DATA_HOME`, 'OCTET', [
      perUnit(`P${p}_dh`, 'OCTET', KB, kbPrice, { eligibleForNonCurrency: true }),
      perUnit(`P${p}_dh_wholesale`, 'OCTET', MB, 1_000, { settlement: true }),
    ]);
    single(`P${p}_DATA_EU`, 'OCTET', [
      perUnit(`P${p}_de`, 'OCTET', KB, kbPrice * 2, { eligibleForNonCurrency: true }),
      perUnit(`P${p}_de_wholesale`, 'OCTET', MB, 2_500, { settlement: true }),
    ]);
    single(`P${p}_DATA_WORLD`, 'OCTET', [perUnit(`P${p}_dw`, 'OCTET', 10 * KB, 10_000 + p * 10)]);
    single(`P${p}_SMS`, 'EVENT', [{ id: `P${p}_sms`, unitType: 'EVENT', currency: 'EUR', initialUnit: 1, initialCharge: price(50_000 + p * 100), eligibleForNonCurrency: true }]);
    def.tariffPlans.push({
      id: `P${p}_VOICE`,
      unitType: 'SECOND',
      currency: 'EUR',
      calendar: 'PEAK_OFF_PEAK',
      currencySets: [
        {
          currency: 'EUR',
          timeTypes: {
            PEAK: [perUnit(`P${p}_vp`, 'SECOND', 60, 100_000 + p * 100, { initialUnit: 60, additionalUnit: 1, additionalCharge: price(1_700), graceUnits: 3 })],
            OFF_PEAK: [perUnit(`P${p}_vo`, 'SECOND', 60, 50_000, { initialUnit: 60, additionalUnit: 1, additionalCharge: price(800), graceUnits: 3 })],
          },
        },
      ],
    });
    def.offers.push({
      id: ratePlanIds[p],
      kind: 'PRIMARY',
      usageItems: { DATA_HOME: `P${p}_DATA_HOME`, DATA_EU: `P${p}_DATA_EU`, DATA_WORLD: `P${p}_DATA_WORLD`, SMS: `P${p}_SMS`, VOICE: `P${p}_VOICE` },
    });
  }
  for (let a = 0; a < ADDON_PLANS; a++) {
    def.tariffPlans.push({
      id: `ADDON_${a}_DATA_EU`,
      unitType: 'OCTET',
      currency: 'EUR',
      calendar: 'ALL_DAY',
      currencySets: [{ currency: 'EUR', timeTypes: { ANY: [perUnit(`A${a}_eu`, 'OCTET', KB, 40 + a, { eligibleForNonCurrency: true })] } }],
    });
    def.offers.push({ id: addOnIds[a], kind: 'SUPPLEMENTARY', usageItems: { DATA_EU: `ADDON_${a}_DATA_EU` }, unitChargeSize: { OCTET: 64 * KB } });
  }
  return def;
}

/**
 * The rating state of one SIM as an in-memory store holds it: one object that is both the subscriber and its
 * balances (rateUsage reads them as two views of it), so rating a SIM touches one object, its offer list and
 * its own buckets. Lists that are the same for many SIMs are shared: the account's money buckets, and the
 * accumulator instances of the product (an accumulator is identified by its owner and its id, so the ids
 * are relative: "sessions" of this SIM, "pool-volume" of its account).
 */
type SimState = RatingSubscriber & RatingBalances & { allowances: AllowanceBucket[]; money: MoneyBucket[] };

interface SimStore {
  /** Indexed by SIM number. */
  sims: SimState[];
  buckets: (AllowanceBucket | MoneyBucket)[];
}

const ACCUMULATORS: RatingSubscriber['accumulators'] = [
  { id: 'sessions', definitionId: 'SESSIONS' },
  { id: 'volume', definitionId: 'DATA_VOLUME' },
  { id: 'pool-volume', definitionId: 'POOL_VOLUME' },
];

function buildSims(): SimStore {
  const buckets: (AllowanceBucket | MoneyBucket)[] = [];
  const validFrom = MONTH_START;
  const expiresAt = MONTH_START + MONTH;
  const accounts = Array.from({ length: ACCOUNTS }, (_, a) => {
    const pool: AllowanceBucket = { id: `pool-${a}`, definitionId: 'POOL_DATA', side: 'SHADOW', amount: 100 * 200 * MB, validFrom, expiresAt, createdAt: validFrom };
    const main: MoneyBucket = { id: `main-${a}`, definitionId: 'ACCOUNT_MAIN', side: 'SHADOW', amount: 0, creditLimit: 1e13, validFrom: 0, expiresAt: null, createdAt: 0 };
    buckets.push(pool, main);
    return { pool, main, money: [main], ratePlan: pick(RATE_PLANS) };
  });
  const sims: SimState[] = [];
  for (let s = 0; s < SIMS; s++) {
    const account = accounts[s % ACCOUNTS];
    const allowances: AllowanceBucket[] = [];
    const offers: RatingSubscriber['offers'][number][] = [{ id: `oi-${s}`, offerId: ratePlanIds[account.ratePlan], activatedAt: MONTH_START - 86_400_000 * 90 }];
    if (s % 2 === 0) {
      // Half the SIMs hold an own allowance (some small, so they run out during the month) beside the pool.
      const own: AllowanceBucket = { id: `own-${s}`, definitionId: 'PLAN_DATA', side: 'REAL', amount: (s % 10 === 0 ? 5 : 100) * MB, validFrom, expiresAt, createdAt: validFrom };
      allowances.push(own);
      buckets.push(own);
    }
    if (s % 5 === 0) {
      const addOn = pick(ADDON_PLANS);
      offers.push({ id: `oi-eu-${s}`, offerId: addOnIds[addOn], activatedAt: MONTH_START, endsAt: MONTH_START + 30 * 86_400_000 });
      const pack: AllowanceBucket = { id: `eu-${s}`, definitionId: 'EU_PACK', side: 'REAL', amount: 50 * MB, validFrom: MONTH_START, expiresAt: MONTH_START + 30 * 86_400_000, createdAt: MONTH_START };
      allowances.push(pack);
      buckets.push(pack);
    }
    if (s % 3 === 0) {
      const sms: AllowanceBucket = { id: `sms-${s}`, definitionId: 'SMS_BUNDLE', side: 'REAL', amount: 20, validFrom, expiresAt, createdAt: validFrom };
      allowances.push(sms);
      buckets.push(sms);
    }
    allowances.push(account.pool);
    sims.push({
      id: `sim-${s}`,
      currency: 'EUR',
      timeZone: 'Europe/Berlin',
      offers: offers.slice(), // exact length, like the allowances
      mainBalanceId: account.main.id,
      accumulators: ACCUMULATORS,
      allowances: allowances.slice(), // exact length (a list grown by push keeps room for 16)
      money: account.money,
    });
  }
  return { sims, buckets };
}

const HOME = ['26201', '26202'];
const EU = ['20801', '20810', '21401', '22201', '23415', '26203', '20404', '24001'];
const WORLD = ['310260', '44010', '50501', '72406'];

const USAGE_TYPES = ['DATA', 'SMS_MO', 'VOICE_MO'];
const NETWORKS = [...HOME, ...EU, ...WORLD];

/**
 * The records as a batch holds them once its mediation file is decoded: fixed-width binary records, four
 * numbers each (SIM number; usage type and serving network in one; start; quantity), in one array, so that moving a
 * record into SIM order moves half a cache line (a million objects, or one column per field, would each cost
 * a cache miss per record). Each is made a UsageEvent when it is rated.
 */
const FIELDS = 4;
const SIM = 0; // SIM number
const KIND = 1; // usage type * 256 + serving network
const STARTED_AT = 2;
const QUANTITY = 3;
type Records = Float64Array;

function buildRecords(): Records {
  const records = new Float64Array(RECORDS * FIELDS);
  for (let i = 0; i < RECORDS; i++) {
    const at = i * FIELDS;
    records[at + SIM] = pick(SIMS);
    const r = random();
    const where = random();
    const network = where < 0.88 ? pick(HOME.length) : where < 0.96 ? HOME.length + pick(EU.length) : HOME.length + EU.length + pick(WORLD.length);
    records[at + STARTED_AT] = MONTH_START + pick(MONTH);
    records[at + KIND] = (r < 0.85 ? 0 : r < 0.95 ? 1 : 2) * 256 + network;
    records[at + QUANTITY] = r < 0.85 ? 1 + pick(2 * MB) : r < 0.95 ? 1 : 1 + pick(600);
  }
  return records;
}

/**
 * Rating order for a batch rater: within each batch the records sorted by SIM, each SIM's records kept in
 * arrival order (a stable sort), as a worker does that loads the batch's SIM state by SIM id. Order across
 * SIMs does not change what a SIM is charged, only which SIM of a pool meets its exhaustion first.
 */
function bySimWithinBatches(records: Records, count: number, batch: number, sorted: Records): void {
  const counts = new Uint32Array(SIMS + 1);
  for (let start = 0; start < count; start += batch) {
    // A counting sort by SIM number: stable, O(records + SIMs), no comparisons; each record moves once.
    const end = Math.min(count, start + batch);
    counts.fill(0);
    for (let i = start; i < end; i++) counts[records[i * FIELDS + SIM] + 1]++;
    for (let s = 1; s <= SIMS; s++) counts[s] += counts[s - 1];
    for (let i = start; i < end; i++) {
      const from = i * FIELDS;
      const to = (start + counts[records[from + SIM]]++) * FIELDS;
      sorted[to] = records[from];
      sorted[to + 1] = records[from + 1];
      sorted[to + 2] = records[from + 2];
      sorted[to + 3] = records[from + 3];
    }
  }
}

/** Applies one debit to the SIM's bucket of that id (the bucket objects the engine read). */
function debit(buckets: readonly { id: string; amount: number }[], impact: { bucketId: string; amount: number }): void {
  for (let i = 0; i < buckets.length; i++) {
    if (buckets[i].id === impact.bucketId) {
      buckets[i].amount -= impact.amount;
      return;
    }
  }
}

function main(): void {
  const t = performance.now();
  const catalog = compileCatalog(buildCatalog());
  const { sims, buckets } = buildSims();
  const records = buildRecords();
  const initial = buckets.map((b) => b.amount);
  console.log(`setup: ${catalog.plans.size} tariff plans, ${catalog.offers.size} offers, ${sims.length} SIMs, ${buckets.length} buckets, ${RECORDS} records in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // Accumulator values: three per SIM (the account's pool volume is kept per account).
  const simAccumulators = new Float64Array(SIMS * 2);
  const poolVolume = new Float64Array(ACCOUNTS);
  const [sessionsId, volumeId] = ACCUMULATORS!.map((a) => a.id);
  const sorted = new Float64Array(RECORDS * FIELDS);

  /** Rates the records in arrival order (batch 0) or sorted by SIM within batches of `batch` records; the sort is timed too. */
  const run = (batch: number, count: number) => {
    buckets.forEach((b, i) => (b.amount = initial[i]));
    simAccumulators.fill(0);
    poolVolume.fill(0);
    let charged = 0;
    let rejected = 0;
    let allowanceUnits = 0;
    let accumulatorUpdates = 0;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const batchRecords = batch === 0 ? records : sorted;
    if (batch > 0) bySimWithinBatches(records, count, batch, sorted);
    let prepared: PreparedSubscriber | null = null;
    let preparedSim = -1;
    for (let i = 0; i < count; i++) {
      const at = i * FIELDS;
      const sim = batchRecords[at + SIM];
      const state = sims[sim];
      // A run of one SIM's records is rated with one preparation (a new one per record in arrival order).
      if (sim !== preparedSim) {
        prepared = prepareSubscriber(catalog, state, state);
        preparedSim = sim;
      }
      const usage: UsageEvent = {
        initialUsageType: USAGE_TYPES[batchRecords[at + KIND] >> 8],
        servingNetwork: NETWORKS[batchRecords[at + KIND] & 255],
        startedAt: batchRecords[at + STARTED_AT],
        quantity: batchRecords[at + QUANTITY],
      };
      const out = ratePrepared(prepared!, usage);
      if (out.status === 'REJECTED') {
        rejected++;
        continue;
      }
      // Apply the impacts to the in-memory state (the caller's job; the engine is pure).
      for (let j = 0; j < out.allowanceImpacts.length; j++) {
        const impact = out.allowanceImpacts[j];
        debit(state.allowances, impact);
        allowanceUnits += impact.amount;
      }
      for (let j = 0; j < out.moneyImpacts.length; j++) debit(state.money, out.moneyImpacts[j]);
      for (let j = 0; j < out.accumulatorImpacts.length; j++) {
        const impact = out.accumulatorImpacts[j];
        if (impact.accumulatorId === sessionsId) simAccumulators[2 * sim] += impact.delta;
        else if (impact.accumulatorId === volumeId) simAccumulators[2 * sim + 1] += impact.delta;
        else poolVolume[sim % ACCOUNTS] += impact.delta;
      }
      charged += out.charge;
      accumulatorUpdates += out.accumulatorImpacts.length;
    }
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    return { seconds, cpuSeconds, perSecond: count / seconds, perCpuSecond: count / cpuSeconds, charged, rejected, allowanceUnits, accumulatorUpdates };
  };

  run(0, Math.min(RECORDS, 200_000)); // warm-up: let the JIT settle
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const measure = (name: string, batch: number) => {
    const results = [run(batch, RECORDS), run(batch, RECORDS), run(batch, RECORDS)];
    results.sort((a, b) => b.perCpuSecond - a.perCpuSecond);
    for (const r of results) {
      console.log(
        `${name}: ${fmt(RECORDS)} records in ${r.seconds.toFixed(3)} s wall (${fmt(r.perSecond)} records/s), ` +
          `${r.cpuSeconds.toFixed(3)} s CPU (${fmt(r.perCpuSecond)} records/CPU-second)`,
      );
    }
    const median = results[1];
    console.log(
      `${name}: checks: charged ${(median.charged / 1e6).toFixed(2)} EUR, ${fmt(median.allowanceUnits / MB)} MB from allowances, ` +
        `${fmt(median.accumulatorUpdates)} accumulator updates, ${median.rejected} rejected`,
    );
    return median;
  };
  const modes = [
    ['arrival order', 0],
    [`by SIM per ${fmt(BATCH)} batch`, BATCH],
  ] as const;
  const before = machineSpeed();
  const results = modes.map(([name, batch]) => [name, measure(name, batch)] as const);
  const after = machineSpeed();
  // On a shared machine wall time counts other processes' work too; CPU time of this process (one JS thread,
  // plus V8's GC helpers) is the per-core figure. Both are printed, medians of 3 runs.
  console.log(`machine: node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, load average ${loadavg()[0].toFixed(2)}`);
  console.log(`machine speed before: ${describeSpeed(before)}; after: ${describeSpeed(after)}`);
  if (!process.execArgv.includes('--no-allocation-site-pretenuring')) {
    console.log('note: run without --no-allocation-site-pretenuring; V8 may pretenure rating results (docs/rating.md)');
  }
  for (const [name, r] of results) {
    console.log(`rating (${name}): ${fmt(r.perCpuSecond)} records per CPU-second, ${fmt(r.perSecond)} records/second wall`);
  }
}

main();
