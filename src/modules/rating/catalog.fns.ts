import { parseDecimalRatio } from '../../platform/money';
import { CalendarValidationError, compileCalendar, type CompiledCalendar } from './calendar.fns';
import {
  compileUsageTypeMappings,
  compileZones,
  type CompiledClassifier,
} from './classify.fns';
import type {
  AccumulatorDefinition,
  BalanceLevel,
  ExhaustionPolicy,
  Instant,
  OfferKind,
  RatingCatalogDefinition,
  TariffPlanDefinition,
  UnitType,
} from './rating.types';
import { compileTariff, validateTariff, type CompiledTariff } from './tariff.fns';

/**
 * Compiles one catalog version into lookup structures for the hot path (maps by id, parsed amounts,
 * expanded usage-type groups) and validates it (§8, §9). Compile once per catalog version and reuse.
 */

const MAX_CONCURRENT_TARIFFS = 5;
const UNIT_TYPES: ReadonlySet<string> = new Set(['SECOND', 'OCTET', 'EVENT']);

/** The concurrent tariffs of one time type. */
export interface TariffSet {
  timeType: string;
  tariffs: CompiledTariff[];
  /** The first tariff: grace and R1 chunk sizes come from it. */
  primary: CompiledTariff;
  /** Some non-settlement tariff is eligible for non-currency balances (set E of §11 is not empty). */
  usesAllowances: boolean;
  currencies: string[];
}

export interface CompiledCurrencySet {
  currency: string;
  byTimeType: Map<string, TariffSet>;
  /** The set of a plan with a single time type (usable without a calendar). */
  only: TariffSet | null;
  /** Every tariff currency of the set (each needs a rate into the payer's currency). */
  currencies: string[];
  /** The one currency of all its tariffs, if they share one (then payers in it need no rate). */
  onlyCurrency: string | null;
}

export interface CompiledTariffPlan {
  id: string;
  unitType: UnitType;
  currency: string;
  calendarId: string | null;
  calendar: CompiledCalendar | null;
  currencySets: Map<string, CompiledCurrencySet>;
  /** The set in the plan's own currency (the fallback, and usually the only one). */
  planCurrencySet: CompiledCurrencySet;
}

export interface CompiledOffer {
  id: string;
  kind: OfferKind;
  plans: Map<string, CompiledTariffPlan>;
  /** The plan of each final usage type, by the catalog's usage type index (null: no usage item). */
  planByType: (CompiledTariffPlan | null)[];
  unitChargeSize: Record<UnitType, number>;
  defaultCalendarId: string | null;
}

/** Usage-type admission (included, null = all, minus excluded, groups expanded) by usage type index: 1 = admitted. */
export interface UsageTypeFilter {
  admitted: Uint8Array;
}

export interface CompiledAllowanceDefinition extends UsageTypeFilter {
  id: string;
  unitType: UnitType;
  level: BalanceLevel;
  priority: number;
  onExhaustion: ExhaustionPolicy;
}

export interface CompiledMoneyDefinition extends UsageTypeFilter {
  id: string;
  currency: string;
  level: BalanceLevel;
  prepaid: boolean;
  priority: number;
}

export interface CompiledAccumulatorDefinition extends UsageTypeFilter {
  id: string;
  level: BalanceLevel;
  measure: AccumulatorDefinition['measure'];
  unitType: UnitType | null;
  includedTimeTypes: ReadonlySet<string> | null;
  excludedTimeTypes: ReadonlySet<string> | null;
}

export interface CompiledExchangeRate {
  id: string;
  numerator: bigint;
  denominator: bigint;
  validFrom: Instant;
  validTo: Instant;
}

export interface RatingCatalog {
  version: string;
  /** Every final usage type (of the mappings and of the offers' usage items) -> its index. */
  usageTypeIndex: Map<string, number>;
  classifier: CompiledClassifier;
  calendars: Map<string, CompiledCalendar>;
  plans: Map<string, CompiledTariffPlan>;
  offers: Map<string, CompiledOffer>;
  allowanceDefinitions: Map<string, CompiledAllowanceDefinition>;
  moneyDefinitions: Map<string, CompiledMoneyDefinition>;
  accumulatorDefinitions: Map<string, CompiledAccumulatorDefinition>;
  /** "FROM>TO" -> rates by validFrom. */
  exchangeRates: Map<string, CompiledExchangeRate[]>;
  /** Things that are allowed but suspicious (a negative tariff without a positive partner). */
  warnings: CatalogIssue[];
}

export interface CatalogIssue {
  severity: 'ERROR' | 'WARNING';
  path: string;
  reason: string;
  detail: string;
}

export class CatalogValidationError extends Error {
  constructor(readonly issues: CatalogIssue[]) {
    super(
      `invalid rating catalog: ${issues
        .slice(0, 5)
        .map((i) => `${i.path}: ${i.reason} (${i.detail})`)
        .join('; ')}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}`,
    );
    this.name = 'CatalogValidationError';
  }
}

/** Every error and warning of a catalog definition. */
export function validateCatalog(definition: RatingCatalogDefinition): CatalogIssue[] {
  return build(definition).issues;
}

/** Validates and compiles; throws CatalogValidationError listing every error. */
export function compileCatalog(definition: RatingCatalogDefinition): RatingCatalog {
  const { catalog, issues } = build(definition);
  const errors = issues.filter((i) => i.severity === 'ERROR');
  if (errors.length > 0) throw new CatalogValidationError(errors);
  return catalog;
}

function build(definition: RatingCatalogDefinition): { catalog: RatingCatalog; issues: CatalogIssue[] } {
  const issues: CatalogIssue[] = [];
  const error = (path: string, reason: string, detail: string) => issues.push({ severity: 'ERROR', path, reason, detail });
  const warn = (path: string, reason: string, detail: string) => issues.push({ severity: 'WARNING', path, reason, detail });

  const classifyIssues: { path: string; reason: string; detail: string }[] = [];
  const zones = compileZones(definition.zones, classifyIssues);
  const zoneIds = new Set((definition.zones ?? []).map((z) => z.id));
  const usageTypeMappings = compileUsageTypeMappings(definition.usageTypeMappings, zoneIds, classifyIssues);
  for (const i of classifyIssues) error(i.path, i.reason, i.detail);
  const usageTypeIndex = new Map<string, number>();
  for (const name of [...definition.usageTypeMappings.map((m) => m.finalUsageType), ...definition.offers.flatMap((o) => Object.keys(o.usageItems ?? {}))]) {
    if (!usageTypeIndex.has(name)) usageTypeIndex.set(name, usageTypeIndex.size);
  }

  const calendars = new Map<string, CompiledCalendar>();
  for (const [id, calendar] of Object.entries(definition.calendars ?? {})) {
    try {
      calendars.set(id, compileCalendar(calendar));
    } catch (err) {
      if (!(err instanceof CalendarValidationError)) throw err;
      error(`calendars.${id}`, err.reason, err.message);
    }
  }

  const plans = new Map<string, CompiledTariffPlan>();
  for (const [i, plan] of definition.tariffPlans.entries()) {
    const path = `tariffPlans[${i}](${plan.id})`;
    if (plans.has(plan.id)) error(path, 'DUPLICATE_ID', plan.id);
    plans.set(plan.id, compilePlan(plan, path, calendars, error, warn));
  }

  const offers = new Map<string, CompiledOffer>();
  for (const [i, offer] of definition.offers.entries()) {
    const path = `offers[${i}](${offer.id})`;
    if (offers.has(offer.id)) error(path, 'DUPLICATE_ID', offer.id);
    if (!['PRIMARY', 'SUPPLEMENTARY', 'ACCOUNT'].includes(offer.kind)) error(path, 'BAD_KIND', offer.kind);
    const items = Object.entries(offer.usageItems ?? {});
    if (offer.kind === 'ACCOUNT' && items.length > 0) error(path, 'ACCOUNT_OFFER_USAGE_ITEMS', 'account offers carry no usage items');
    const offerPlans = new Map<string, CompiledTariffPlan>();
    const planByType = new Array<CompiledTariffPlan | null>(usageTypeIndex.size).fill(null);
    for (const [usageType, planId] of items) {
      const plan = plans.get(planId);
      if (!plan) error(`${path}.usageItems.${usageType}`, 'UNKNOWN_TARIFF_PLAN', planId);
      else {
        offerPlans.set(usageType, plan);
        planByType[usageTypeIndex.get(usageType)!] = plan;
      }
    }
    const unitChargeSize: Record<UnitType, number> = { SECOND: 0, OCTET: 0, EVENT: 0 };
    for (const [unitType, size] of Object.entries(offer.unitChargeSize ?? {})) {
      if (!UNIT_TYPES.has(unitType)) error(`${path}.unitChargeSize`, 'UNKNOWN_UNIT_TYPE', unitType);
      else if (!Number.isSafeInteger(size) || size! < 0) error(`${path}.unitChargeSize`, 'BAD_UNIT_CHARGE_SIZE', String(size));
      else unitChargeSize[unitType as UnitType] = size!;
    }
    const defaultCalendarId = offer.defaultCalendar ?? null;
    if (defaultCalendarId !== null && !definition.calendars?.[defaultCalendarId]) {
      error(path, 'UNKNOWN_CALENDAR', defaultCalendarId);
    }
    offers.set(offer.id, { id: offer.id, kind: offer.kind, plans: offerPlans, planByType, unitChargeSize, defaultCalendarId });
  }

  // Time types of plans without a calendar must match the default calendar of each primary offer using them.
  for (const offer of offers.values()) {
    const calendar = offer.defaultCalendarId ? calendars.get(offer.defaultCalendarId) : undefined;
    if (offer.kind !== 'PRIMARY' || !calendar) continue;
    for (const plan of offer.plans.values()) {
      if (plan.calendar === null) checkTimeTypes(plan, calendar, `offers(${offer.id})->${plan.id}`, error);
    }
  }

  const groups = expandGroups(definition, error);
  const filter = (include?: string[], exclude?: string[]): UsageTypeFilter => {
    const included = include ? expand(include, groups) : null;
    const excluded = exclude && exclude.length > 0 ? expand(exclude, groups) : null;
    const admitted = new Uint8Array(usageTypeIndex.size);
    for (const [name, index] of usageTypeIndex) {
      if ((included === null || included.has(name)) && (excluded === null || !excluded.has(name))) admitted[index] = 1;
    }
    return { admitted };
  };

  const allowanceDefinitions = new Map<string, CompiledAllowanceDefinition>();
  for (const [i, def] of (definition.allowanceDefinitions ?? []).entries()) {
    const path = `allowanceDefinitions[${i}](${def.id})`;
    checkDefinition(def, path, allowanceDefinitions, error);
    if (!UNIT_TYPES.has(def.unitType)) error(path, 'UNKNOWN_UNIT_TYPE', def.unitType);
    const onExhaustion = def.onExhaustion ?? 'OVERAGE';
    if (!['OVERAGE', 'THROTTLE', 'BLOCK'].includes(onExhaustion)) error(path, 'BAD_EXHAUSTION_POLICY', onExhaustion);
    allowanceDefinitions.set(def.id, {
      id: def.id,
      unitType: def.unitType,
      level: def.level,
      priority: def.priority ?? 0,
      onExhaustion,
      ...filter(def.includeUsageTypes, def.excludeUsageTypes),
    });
  }

  const moneyDefinitions = new Map<string, CompiledMoneyDefinition>();
  for (const [i, def] of (definition.moneyBalanceDefinitions ?? []).entries()) {
    const path = `moneyBalanceDefinitions[${i}](${def.id})`;
    checkDefinition(def, path, moneyDefinitions, error);
    if (!/^[A-Z]{3}$/.test(def.currency)) error(path, 'BAD_CURRENCY', def.currency);
    if (def.paymentMode !== 'PREPAID' && def.paymentMode !== 'POSTPAID') error(path, 'BAD_PAYMENT_MODE', def.paymentMode);
    moneyDefinitions.set(def.id, {
      id: def.id,
      currency: def.currency,
      level: def.level,
      prepaid: def.paymentMode === 'PREPAID',
      priority: def.priority ?? 0,
      ...filter(def.includeUsageTypes, def.excludeUsageTypes),
    });
  }

  const accumulatorDefinitions = new Map<string, CompiledAccumulatorDefinition>();
  for (const [i, def] of (definition.accumulatorDefinitions ?? []).entries()) {
    const path = `accumulatorDefinitions[${i}](${def.id})`;
    checkDefinition(def, path, accumulatorDefinitions, error);
    if (!['EVENTS', 'UNITS', 'CURRENCY'].includes(def.measure)) error(path, 'BAD_MEASURE', def.measure);
    if (def.unitType !== undefined && !UNIT_TYPES.has(def.unitType)) error(path, 'UNKNOWN_UNIT_TYPE', def.unitType);
    accumulatorDefinitions.set(def.id, {
      id: def.id,
      level: def.level,
      measure: def.measure,
      unitType: def.unitType ?? null,
      includedTimeTypes: def.includeTimeTypes ? new Set(def.includeTimeTypes) : null,
      excludedTimeTypes: def.excludeTimeTypes?.length ? new Set(def.excludeTimeTypes) : null,
      ...filter(def.includeUsageTypes, def.excludeUsageTypes),
    });
  }

  const exchangeRates = new Map<string, CompiledExchangeRate[]>();
  for (const [i, rate] of (definition.exchangeRates ?? []).entries()) {
    const path = `exchangeRates[${i}](${rate.id})`;
    let ratio: { numerator: bigint; denominator: bigint };
    try {
      ratio = parseDecimalRatio(rate.rate);
    } catch {
      error(path, 'BAD_RATE', rate.rate);
      continue;
    }
    if (ratio.numerator <= 0n) error(path, 'BAD_RATE', `${rate.rate} must be positive`);
    const key = `${rate.from}>${rate.to}`;
    const list = exchangeRates.get(key) ?? [];
    list.push({ id: rate.id, ...ratio, validFrom: rate.validFrom, validTo: rate.validTo ?? Number.POSITIVE_INFINITY });
    exchangeRates.set(key, list.sort((a, b) => a.validFrom - b.validFrom));
  }

  return {
    catalog: {
      version: definition.version,
      usageTypeIndex,
      classifier: { zones, mappings: usageTypeMappings, typeIndex: usageTypeIndex, memo: new Map() },
      calendars,
      plans,
      offers,
      allowanceDefinitions,
      moneyDefinitions,
      accumulatorDefinitions,
      exchangeRates,
      warnings: issues.filter((i) => i.severity === 'WARNING'),
    },
    issues,
  };
}

type Report = (path: string, reason: string, detail: string) => void;

function compilePlan(
  plan: TariffPlanDefinition,
  path: string,
  calendars: Map<string, CompiledCalendar>,
  error: Report,
  warn: Report,
): CompiledTariffPlan {
  if (!UNIT_TYPES.has(plan.unitType)) error(path, 'UNKNOWN_UNIT_TYPE', plan.unitType);
  const calendar = plan.calendar === undefined ? null : (calendars.get(plan.calendar) ?? null);
  if (plan.calendar !== undefined && !calendar) error(path, 'UNKNOWN_CALENDAR', plan.calendar);
  const currencySets = new Map<string, CompiledCurrencySet>();
  for (const set of plan.currencySets) {
    const setPath = `${path}.currencySets(${set.currency})`;
    if (currencySets.has(set.currency)) error(setPath, 'DUPLICATE_CURRENCY_SET', set.currency);
    const byTimeType = new Map<string, TariffSet>();
    for (const [timeType, tariffs] of Object.entries(set.timeTypes)) {
      const ttPath = `${setPath}.${timeType}`;
      if (tariffs.length === 0) error(ttPath, 'NO_TARIFFS', 'a time type needs 1 to 5 tariffs');
      if (tariffs.length > MAX_CONCURRENT_TARIFFS) {
        error(ttPath, 'TOO_MANY_CONCURRENT_TARIFFS', `${tariffs.length} tariffs, at most ${MAX_CONCURRENT_TARIFFS}`);
      }
      const compiled: CompiledTariff[] = [];
      for (const [k, tariff] of tariffs.entries()) {
        const validation = validateTariff(tariff);
        if (!validation.valid) {
          error(`${ttPath}[${k}]`, validation.reason!, validation.detail ?? '');
          continue;
        }
        if (tariff.unitType !== plan.unitType) error(`${ttPath}[${k}]`, 'UNIT_TYPE_MISMATCH', `${tariff.unitType} in a ${plan.unitType} plan`);
        compiled.push(compileTariff(tariff, tariff.id ?? `${plan.id}/${set.currency}/${timeType}/${k}`));
      }
      if (compiled.length === 0) continue;
      checkNegativeTariffs(compiled, ttPath, error, warn);
      for (const t of compiled) {
        if (t.settlement && t.eligibleForNonCurrency) error(ttPath, 'SETTLEMENT_NON_CURRENCY', `${t.id}: settlement tariffs never use allowances`);
      }
      byTimeType.set(timeType, {
        timeType,
        tariffs: compiled,
        primary: compiled[0],
        usesAllowances: compiled.some((t) => t.eligibleForNonCurrency && !t.settlement),
        currencies: [...new Set(compiled.map((t) => t.currency))],
      });
    }
    const sets = [...byTimeType.values()];
    const currencies = [...new Set(sets.flatMap((s) => s.currencies))];
    currencySets.set(set.currency, {
      currency: set.currency,
      byTimeType,
      only: sets.length === 1 ? sets[0] : null,
      currencies,
      onlyCurrency: currencies.length === 1 ? currencies[0] : null,
    });
  }
  let planCurrencySet = currencySets.get(plan.currency);
  if (!planCurrencySet) {
    error(path, 'NO_PLAN_CURRENCY_SET', `no currency set in the plan currency ${plan.currency}`);
    // Only validation sees this plan (an invalid catalog is never compiled for rating).
    planCurrencySet = { currency: plan.currency, byTimeType: new Map(), only: null, currencies: [], onlyCurrency: null };
  }
  const compiled: CompiledTariffPlan = {
    id: plan.id,
    unitType: plan.unitType,
    currency: plan.currency,
    calendarId: plan.calendar ?? null,
    calendar,
    currencySets,
    planCurrencySet,
  };
  if (calendar) checkTimeTypes(compiled, calendar, path, error);
  return compiled;
}

/** Every time type of the calendar has tariffs, and no tariffs hang on a time type the calendar lacks. */
function checkTimeTypes(plan: CompiledTariffPlan, calendar: CompiledCalendar, path: string, error: Report): void {
  for (const set of plan.currencySets.values()) {
    for (const timeType of calendar.timeTypes) {
      if (!set.byTimeType.has(timeType)) error(`${path}.currencySets(${set.currency})`, 'MISSING_TIME_TYPE', timeType);
    }
    for (const timeType of set.byTimeType.keys()) {
      if (!calendar.timeTypes.includes(timeType)) error(`${path}.currencySets(${set.currency})`, 'UNKNOWN_TIME_TYPE', timeType);
    }
  }
}

/** §8.3: negative tariffs pair with positive ones, and never meet grace or allowances. */
function checkNegativeTariffs(tariffs: CompiledTariff[], path: string, error: Report, warn: Report): void {
  const negative = tariffs.filter((t) => !t.settlement && (t.icc < 0 || t.acc < 0));
  if (negative.length === 0) return;
  if (tariffs.some((t) => t.grace > 0)) error(path, 'NEGATIVE_TARIFF_WITH_GRACE', 'no grace in a time type with a negative tariff');
  for (const t of negative) {
    if (t.eligibleForNonCurrency) error(path, 'NEGATIVE_TARIFF_NON_CURRENCY', `${t.id} may not use allowances`);
  }
  if (!tariffs.some((t) => !t.settlement && (t.icc > 0 || t.acc > 0))) {
    warn(path, 'NEGATIVE_TARIFF_WITHOUT_PARTNER', 'a negative tariff without a positive one makes the usage free');
  }
}

function checkDefinition(
  def: { id: string; level: BalanceLevel },
  path: string,
  seen: Map<string, unknown>,
  error: Report,
): void {
  if (seen.has(def.id)) error(path, 'DUPLICATE_ID', def.id);
  if (def.level !== 'SUBSCRIBER' && def.level !== 'ACCOUNT') error(path, 'BAD_LEVEL', String(def.level));
}

/** Group name -> final usage types. */
function expandGroups(definition: RatingCatalogDefinition, error: Report): Map<string, string[]> {
  const groups = new Map<string, string[]>(Object.entries(definition.usageTypeGroups ?? {}));
  const finalTypes = new Set(definition.usageTypeMappings.map((m) => m.finalUsageType));
  for (const name of groups.keys()) {
    if (finalTypes.has(name)) error(`usageTypeGroups.${name}`, 'GROUP_NAMES_A_USAGE_TYPE', `${name} is also a final usage type`);
  }
  return groups;
}

function expand(names: string[], groups: Map<string, string[]>): Set<string> {
  const result = new Set<string>();
  for (const name of names) {
    const members = groups.get(name);
    if (members) members.forEach((m) => result.add(m));
    else result.add(name);
  }
  return result;
}

/** Whether a filter admits the final usage type of index `type` (see RatingCatalog.usageTypeIndex). */
export function admitsUsageType(filter: UsageTypeFilter, type: number): boolean {
  return filter.admitted[type] === 1;
}

/** The rate converting `from` into `to` at an instant, or null. */
export function exchangeRateAt(catalog: RatingCatalog, from: string, to: string, at: Instant): CompiledExchangeRate | null {
  const rates = catalog.exchangeRates.get(`${from}>${to}`);
  if (!rates) return null;
  for (let i = rates.length - 1; i >= 0; i--) {
    if (rates[i].validFrom <= at) return at < rates[i].validTo ? rates[i] : null;
  }
  return null;
}
