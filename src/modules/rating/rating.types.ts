import type { Micros } from '../../platform/money';

/**
 * Types of the pure rating engine: the catalog it is compiled from, what a call passes in (subscriber,
 * balances, usage, session) and what it hands back (tariff lines, impacts, the next session state).
 * Domain reference: shared/domain/catalog-and-rating.md (§ numbers below point into it).
 */

export type UnitType = 'SECOND' | 'OCTET' | 'EVENT';
/** Milliseconds since 1970-01-01T00:00:00Z. */
export type Instant = number;
export type Weekday = 'MON' | 'TUE' | 'WED' | 'THU' | 'FRI' | 'SAT' | 'SUN';

// ---------------------------------------------------------------------------------------------------------
// Catalog definitions: plain data as the catalog module stores it; money as decimal strings in major units.
// ---------------------------------------------------------------------------------------------------------

/** §8.1. An EVENT tariff may omit additionalUnit/additionalCharge (then ACU = ICU, ACC = ICC). */
export interface TariffDefinition {
  id?: string;
  unitType: UnitType;
  currency: string;
  initialUnit: number;
  initialCharge: string;
  additionalUnit?: number;
  additionalCharge?: string;
  graceUnits?: number;
  eligibleForDiscount?: boolean;
  eligibleForNonCurrency?: boolean;
  settlement?: boolean;
}

/** §8.3. Per time type, 1 to 5 concurrent tariffs; the first is the primary tariff. */
export interface CurrencySetDefinition {
  currency: string;
  timeTypes: Record<string, TariffDefinition[]>;
}

export interface TariffPlanDefinition {
  id: string;
  unitType: UnitType;
  currency: string;
  /** Calendar id; without one the guided subscriber's primary offer's default calendar applies (§9). */
  calendar?: string;
  currencySets: CurrencySetDefinition[];
}

/** Half-open [start, end) local time of day, "HH:MM:SS"; end may be "24:00:00". */
export interface SlotDefinition {
  start: string;
  end: string;
  timeType: string;
}

export type CalendarExceptionDefinition =
  | { kind: 'ANNUAL'; monthDay: string; dayType: string }
  | { kind: 'ONE_OFF'; date: string; dayType: string };

/** §9. */
export interface CalendarDefinition {
  timeTypes: string[];
  dayTypes: Record<string, SlotDefinition[]>;
  weekdays: Partial<Record<Weekday, string>>;
  exceptions: CalendarExceptionDefinition[];
}

/** A rating zone (home, EU roaming, …): serving networks as MCC-MNC, MCC-MNC prefixes, or "*" (default). */
export interface ZoneDefinition {
  id: string;
  networks: string[];
}

/** §3.1 translation row: (initial usage type, zone) -> final usage type. zone "*" matches any zone. */
export interface UsageTypeMapping {
  initialUsageType: string;
  zone: string;
  finalUsageType: string;
}

export type OfferKind = 'PRIMARY' | 'SUPPLEMENTARY' | 'ACCOUNT';

export interface OfferDefinition {
  id: string;
  kind: OfferKind;
  /** Usage plan: final usage type -> tariff plan id. */
  usageItems?: Record<string, string>;
  /** R1: non-currency consumption amount per unit type; 0 or absent = the primary tariff's ICU/ACU. */
  unitChargeSize?: Partial<Record<UnitType, number>>;
  /** Calendar for the tariff plans without their own (primary offers). */
  defaultCalendar?: string;
}

export type BalanceLevel = 'SUBSCRIBER' | 'ACCOUNT';

/** What happens to allowance-eligible usage once the allowances that could pay it are used up. */
export type ExhaustionPolicy = 'OVERAGE' | 'THROTTLE' | 'BLOCK';

/** A non-currency balance (allowance) definition. Usage-type lists hold final usage types or group names. */
export interface AllowanceDefinition {
  id: string;
  unitType: UnitType;
  level: BalanceLevel;
  includeUsageTypes?: string[];
  excludeUsageTypes?: string[];
  priority?: number;
  onExhaustion?: ExhaustionPolicy;
}

export interface MoneyBalanceDefinition {
  id: string;
  currency: string;
  level: BalanceLevel;
  paymentMode: 'PREPAID' | 'POSTPAID';
  includeUsageTypes?: string[];
  excludeUsageTypes?: string[];
  priority?: number;
}

/** §12.1 (measures the rating engine feeds; RECHARGE_* are fed by recharges, not usage). */
export interface AccumulatorDefinition {
  id: string;
  level: BalanceLevel;
  measure: 'EVENTS' | 'UNITS' | 'CURRENCY';
  unitType?: UnitType;
  includeUsageTypes?: string[];
  excludeUsageTypes?: string[];
  includeTimeTypes?: string[];
  excludeTimeTypes?: string[];
}

/** 1 `from` = rate `to`, in force over [validFrom, validTo). */
export interface ExchangeRate {
  id: string;
  from: string;
  to: string;
  rate: string;
  validFrom: Instant;
  validTo?: Instant | null;
}

/** One catalog version as rating needs it (the caller picks the version in force at the usage start). */
export interface RatingCatalogDefinition {
  version: string;
  calendars?: Record<string, CalendarDefinition>;
  zones?: ZoneDefinition[];
  usageTypeMappings: UsageTypeMapping[];
  usageTypeGroups?: Record<string, string[]>;
  tariffPlans: TariffPlanDefinition[];
  offers: OfferDefinition[];
  allowanceDefinitions?: AllowanceDefinition[];
  moneyBalanceDefinitions?: MoneyBalanceDefinition[];
  accumulatorDefinitions?: AccumulatorDefinition[];
  exchangeRates?: ExchangeRate[];
}

// ---------------------------------------------------------------------------------------------------------
// Per call: the subscriber as of the usage time, its balances, the usage.
// ---------------------------------------------------------------------------------------------------------

/** An offer held by the subscriber (or its account), active over [activatedAt, endsAt). */
export interface OfferInstance {
  id: string;
  offerId: string;
  activatedAt: Instant;
  endsAt?: Instant | null;
}

export type BalanceSideOrder = 'REAL_THEN_SHADOW' | 'SHADOW_THEN_REAL';
export type FinalUnitAction = 'TERMINATE' | 'REDIRECT' | 'RESTRICT_ACCESS';

export interface AccumulatorInstance {
  id: string;
  definitionId: string;
}

export interface RatingSubscriber {
  id: string;
  /** The payer's currency: picks the currency set and the money balances. */
  currency: string;
  /** The billing profile's IANA zone: calendars are evaluated in it (§9). */
  timeZone: string;
  offers: readonly OfferInstance[];
  /** Compatibility template: tariff plan ids, highest priority first (§3.1 guiding). */
  tariffPlanPriority?: readonly string[];
  /** Compatibility template: balance definition ids, highest priority first (§10.2). */
  balancePriority?: readonly string[];
  balanceSideOrder?: BalanceSideOrder;
  /** The payer's main money bucket: offline usage no balance can pay is posted here (§10.2.7). */
  mainBalanceId?: string;
  finalUnitAction?: FinalUnitAction;
  /** Subscriber and account accumulators that usage of this subscriber feeds. */
  accumulators?: readonly AccumulatorInstance[];
}

/** REAL = the subscriber's own bucket; SHADOW = its reference to an account pool (§10.3). */
export type BalanceSide = 'REAL' | 'SHADOW';

/** An allowance bucket, valid over [validFrom, expiresAt). amount = remaining units. */
export interface AllowanceBucket {
  id: string;
  definitionId: string;
  side: BalanceSide;
  amount: number;
  validFrom: Instant;
  expiresAt?: Instant | null;
  createdAt: Instant;
  priority?: number;
}

/** A money bucket in micro-units; postpaid buckets may go down to -creditLimit. */
export interface MoneyBucket {
  id: string;
  definitionId: string;
  side: BalanceSide;
  amount: Micros;
  creditLimit?: Micros;
  validFrom: Instant;
  expiresAt?: Instant | null;
  createdAt: Instant;
  priority?: number;
}

/** The buckets the subscriber can reach: its own, and its shadows onto account pools and money. */
export interface RatingBalances {
  allowances: readonly AllowanceBucket[];
  money: readonly MoneyBucket[];
}

/** One usage, or one reported part of a session (then startedAt is where this part starts). */
export interface UsageEvent {
  initialUsageType: string;
  /** Serving network MCC-MNC (e.g. "26201"); absent = the default zone "*". */
  servingNetwork?: string;
  startedAt: Instant;
  /** Integer quantity in the plan's base unit (SECOND, OCTET, EVENT). */
  quantity: number;
}

// ---------------------------------------------------------------------------------------------------------
// Results.
// ---------------------------------------------------------------------------------------------------------

/** What one tariff of one time-type segment added in this part. charge = iu × ICC + au × ACC. */
export interface TariffLine {
  tariffId: string;
  timeType: string;
  settlement: boolean;
  eligibleForDiscount: boolean;
  currency: string;
  initialUnits: number;
  additionalUnits: number;
  billedQuantity: number;
  /** In the tariff's currency. */
  charge: Micros;
  /** In the payer's currency (converted half-even with the rate in force at the session start). */
  payerCharge: Micros;
  exchangeRateId: string | null;
}

export interface AllowanceImpact {
  bucketId: string;
  /** Units debited (> 0). */
  amount: number;
}

export interface MoneyImpact {
  bucketId: string;
  /** Micro-units debited (> 0), or credited (< 0) when a negative tariff lowers the running total. */
  amount: Micros;
}

export interface AccumulatorImpact {
  accumulatorId: string;
  delta: number;
}

export type RejectionReason =
  | 'UNKNOWN_NETWORK'
  | 'NO_USAGE_TYPE_MAPPING'
  | 'USAGE_BARRED'
  | 'NO_CURRENCY_SET'
  | 'NO_CALENDAR'
  | 'NO_TARIFFS_FOR_TIME_TYPE'
  | 'NO_EXCHANGE_RATE';

export interface RejectedUsage {
  status: 'REJECTED';
  reason: RejectionReason;
  detail: string;
}

export interface RatedUsage {
  status: 'RATED';
  finalUsageType: string;
  zone: string;
  offerInstanceId: string;
  tariffPlanId: string;
  quantity: number;
  /** Allowance-eligible quantity of this part the allowances did not cover (priced, throttled or blocked
   *  as `exhaustion` says). */
  uncoveredQuantity: number;
  lines: TariffLine[];
  /** Money debited to balances by this part, payer currency (the session total is floored at 0, §8.3). */
  charge: Micros;
  /** Settlement tariffs of this part, payer currency; never touches balances. */
  settlementCharge: Micros;
  allowanceImpacts: AllowanceImpact[];
  moneyImpacts: MoneyImpact[];
  /** Money no bucket took: offline, when no main balance is named; in a reservation, when no side could pay. */
  unpaid: Micros;
  accumulatorImpacts: AccumulatorImpact[];
  /** Set when allowance-eligible usage of this part found the allowances used up: the policy that applies. */
  exhaustion: ExhaustionPolicy | null;
  /** Pass to the next part of the same session. */
  session: SessionState;
}

export type RatingOutcome = RatedUsage | RejectedUsage;

/** Allowance state of one time-type segment of a session. */
export type SegmentAllowance =
  /** nothing asked of allowances yet (no quantity, or below grace) */
  | 'PENDING'
  /** every chunk so far was paid by allowances */
  | 'COVERED'
  /** allowances ran out inside the segment: usage beyond `covered` is uncovered */
  | 'EXHAUSTED'
  /** no allowance when first needed: the eligible tariffs price the whole segment */
  | 'NONE';

export interface SegmentState {
  timeType: string;
  /** Quantity of the segment so far. */
  quantity: number;
  /** Allowance units debited for this segment (whole chunks, or what was left at exhaustion). */
  covered: number;
  allowance: SegmentAllowance;
  /** The policy of the last allowance in consumption order; null when no allowance could pay. */
  policy: ExhaustionPolicy | null;
}

/**
 * What one session carries from part to part: plain JSON, stored by online charging between requests.
 * The tariff plan and catalog version chosen at the start stay for the whole session (§3.1.5).
 */
export interface SessionState {
  catalogVersion: string;
  startedAt: Instant;
  finalUsageType: string;
  zone: string;
  offerInstanceId: string;
  offerId: string;
  tariffPlanId: string;
  calendarId: string | null;
  quantity: number;
  segments: SegmentState[];
  /** Whether an account-level balance has paid part of this session (account EVENTS count once). */
  accountCharged: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Online charging.
// ---------------------------------------------------------------------------------------------------------

export interface QuotaGranted {
  status: 'GRANTED';
  grantedQuantity: number;
  /** Set when this is the last grant (allowance blocked, or money ran short): the action after it is used. */
  finalUnit: FinalUnitAction | null;
  /** Allowances are used up under a THROTTLE policy: push the throttling policy. */
  throttle: boolean;
  /** Hold these until the commit; release them before committing. */
  allowanceHolds: AllowanceImpact[];
  moneyHolds: MoneyImpact[];
}

export interface QuotaDenied {
  status: 'DENIED';
  reason: RejectionReason | 'INSUFFICIENT_BALANCE' | 'ALLOWANCE_EXHAUSTED';
  detail: string;
  finalUnit: FinalUnitAction;
}

export type QuotaOutcome = QuotaGranted | QuotaDenied;
