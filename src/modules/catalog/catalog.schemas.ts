import { z } from 'zod';
import { isMoneyString } from '../../platform/money';

/**
 * The catalog's documents. An offer version's `spec` is what the catalog stores and what `compileOffers`
 * (compile.fns.ts) turns into the rating engine's input; the tariff, tariff-plan and calendar shapes are the
 * engine's own (src/modules/rating/rating.types.ts) so nothing is lost or renamed in between.
 * Money is a decimal string in major units (at most 6 decimals); quantities are integers in base units.
 */

const money = z.string().refine(isMoneyString, 'must be a decimal amount in major units with at most 6 decimals, e.g. "1.20"');
const nonNegativeMoney = money.refine((s) => !s.startsWith('-'), 'must not be negative');
const code = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, _ . - (at most 64), starting with a letter or digit');
const usageType = z.string().regex(/^[A-Z][A-Z0-9_]{0,31}$/, 'upper-case letters, digits and _ (e.g. DATA, SMS_MO, VOICE_MT or a custom type)');
const currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR');
const instant = z.iso.datetime({ offset: true });
const unitType = z.enum(['SECOND', 'OCTET', 'EVENT']);
const positiveInt = z.number().int().min(1);

/** The usage types every tenant has; tenants may use further custom types (same syntax). */
export const STANDARD_USAGE_TYPES = ['DATA', 'SMS_MO', 'SMS_MT', 'VOICE_MO', 'VOICE_MT'] as const;
export const STANDARD_UNIT_TYPES: Record<string, 'SECOND' | 'OCTET' | 'EVENT'> = {
  DATA: 'OCTET', SMS_MO: 'EVENT', SMS_MT: 'EVENT', VOICE_MO: 'SECOND', VOICE_MT: 'SECOND',
};

export const tariffSchema = z.object({
  id: code.optional(),
  unitType,
  currency,
  initialUnit: positiveInt,
  initialCharge: money,
  additionalUnit: positiveInt.optional(),
  additionalCharge: money.optional(),
  graceUnits: z.number().int().min(0).optional(),
  eligibleForDiscount: z.boolean().optional(),
  eligibleForNonCurrency: z.boolean().optional(),
  settlement: z.boolean().optional(),
});

export const tariffPlanSchema = z.object({
  id: code,
  name: z.string().max(200).optional(),
  unitType,
  currency,
  calendar: code.optional(),
  currencySets: z.array(z.object({
    currency,
    timeTypes: z.record(z.string().min(1), z.array(tariffSchema).min(1, 'needs at least one tariff').max(5, 'at most 5 concurrent tariffs')),
  })).min(1),
});

const slotSchema = z.object({ start: z.string(), end: z.string(), timeType: z.string().min(1) });
export const calendarSchema = z.object({
  timeTypes: z.array(z.string().min(1)).min(1),
  dayTypes: z.record(z.string().min(1), z.array(slotSchema).min(1)),
  weekdays: z.object({ MON: z.string(), TUE: z.string(), WED: z.string(), THU: z.string(), FRI: z.string(), SAT: z.string(), SUN: z.string() }).partial(),
  exceptions: z.array(z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('ANNUAL'), monthDay: z.string(), dayType: z.string() }),
    z.object({ kind: z.literal('ONE_OFF'), date: z.string(), dayType: z.string() }),
  ])).default([]),
});

export const usageItemSchema = z.object({
  usageType,
  /** A zone code of the tenant (catalog zones); omitted = every zone. */
  zone: code.optional(),
  tariffPlan: code,
});

export const allowanceSchema = z.object({
  id: code,
  name: z.string().max(200).optional(),
  unitType,
  /** Included units per SIM per period (the pool holds the sum over its members). */
  amount: z.number().int().min(0),
  usageTypes: z.array(usageType).min(1),
  /** Restrict to these zone codes; omitted = every zone. */
  zones: z.array(code).optional(),
  pooling: z.enum(['NONE', 'BUSINESS_UNIT', 'ENTERPRISE']).default('NONE'),
  onExhaustion: z.enum(['OVERAGE', 'THROTTLE', 'BLOCK']).default('OVERAGE'),
  priority: z.number().int().optional(),
  /** Unused units carried to the next period, capped; null/absent = no rollover. */
  rollover: z.object({ maxUnits: z.number().int().min(0).nullable().default(null), periods: z.number().int().min(1).default(1) }).optional(),
});

export const SIM_STATES = ['WARM', 'READY', 'TEST_ACTIVE', 'ACTIVE', 'SUSPEND', 'TERMINATE'] as const;
export const recurringChargeSchema = z.object({
  code,
  name: z.string().max(200).optional(),
  amount: nonNegativeMoney,
  frequency: z.enum(['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY', 'BILL_CYCLE', 'EVERY_N_DAYS']).default('MONTHLY'),
  everyNDays: positiveInt.optional(),
  timing: z.enum(['IN_ADVANCE', 'IN_ARREARS']).default('IN_ADVANCE'),
  prorated: z.boolean().default(true),
  /** SIM states in which the charge applies. */
  simStates: z.array(z.enum(SIM_STATES)).min(1).default(['ACTIVE']),
});

export const oneTimeChargeSchema = z.object({
  code,
  name: z.string().max(200).optional(),
  kind: z.enum(['ACTIVATION', 'SIM_CARD', 'PLAN_CHANGE', 'TERMINATION', 'EARLY_TERMINATION', 'REACTIVATION', 'PENALTY', 'ONE_TIME']),
  amount: nonNegativeMoney,
});

export const commitmentSchema = z.object({
  minimumTermMonths: z.number().int().min(1).optional(),
  metric: z.enum(['SPEND', 'ACTIVE_SUBSCRIBERS']).optional(),
  /** SPEND: money per period; ACTIVE_SUBSCRIBERS: a SIM count. */
  committedValue: z.string().optional(),
  /** ACTIVE_SUBSCRIBERS: the true-up price per missing SIM. */
  perSubscriberRate: nonNegativeMoney.optional(),
  earlyTermination: z.object({ kind: z.enum(['FIXED', 'REMAINING_PERIODS']), amount: nonNegativeMoney.optional() }).optional(),
  renews: z.boolean().default(false),
});

export const volumeTierSchema = z.object({
  /** Lower bound (exclusive) of SIM count for the band; the first band starts at 0. */
  fromSims: z.number().int().min(0),
  discountPercent: z.string().regex(/^\d{1,3}(\.\d{1,4})?$/, 'a percentage such as "5" or "12.5"'),
});

const ref = z.uuid();
export const attributeTermSchema = z.object({
  subject: z.enum(['ACCOUNT', 'SUBSCRIBER']),
  attribute: z.string().min(1),
  op: z.enum(['=', '!=', '<', '<=', '>', '>=']),
  value: z.union([z.string(), z.number()]),
});
export const rulesSchema = z.object({
  /** Satisfied if any listed offer or bundle is held. */
  prerequisite: z.object({ offers: z.array(ref).default([]), bundles: z.array(ref).default([]) }).optional(),
  /** Violated if any listed item is held or added in the same order; checked both ways. */
  exclusion: z.object({ offers: z.array(ref).default([]), bundles: z.array(ref).default([]) }).optional(),
  /** Primary offers only: the plans a SIM may move to. Absent = any eligible primary offer. */
  transition: z.object({ offers: z.array(ref).default([]), bundles: z.array(ref).default([]) }).optional(),
  /** Disjunctive normal form: rows ORed, terms in a row ANDed. */
  attributes: z.array(z.array(attributeTermSchema).min(1)).optional(),
});

export const expirySchema = z.union([
  z.object({ endsAt: instant }),
  z.object({ duration: z.object({ value: positiveInt, unit: z.enum(['MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'YEAR']) }) }),
]);

export const PAYMENT_MODES = ['PREPAID', 'POSTPAID', 'HYBRID', 'EITHER_DEFAULT_PREPAID', 'EITHER_DEFAULT_POSTPAID'] as const;
export const OFFER_KINDS = ['PRIMARY', 'SUPPLEMENTARY', 'ACCOUNT'] as const;

/** One offer version's whole content. */
export const offerSpecSchema = z.object({
  name: z.string().min(1).max(200),
  description: z.string().max(4000).optional(),
  keywords: z.array(z.string()).default([]),
  serviceCategory: z.string().min(1).max(64).default('IOT_CONNECTIVITY'),
  paymentMode: z.enum(PAYMENT_MODES).default('POSTPAID'),
  currency,
  salesFrom: instant.nullable().optional(),
  salesTo: instant.nullable().optional(),
  region: z.string().nullable().optional(),
  categories: z.array(ref).default([]),
  /** Private offers: only these enterprises may buy it; absent = every enterprise of the tenant. */
  availableTo: z.array(ref).nullable().optional(),
  /** The usage types the offer covers (a usage item must exist for each, unless the offer is an ACCOUNT offer). */
  usageTypes: z.array(usageType).default([]),
  expiry: expirySchema.nullable().optional(),
  calendars: z.record(code, calendarSchema).default({}),
  defaultCalendar: code.optional(),
  tariffPlans: z.array(tariffPlanSchema).default([]),
  usageItems: z.array(usageItemSchema).default([]),
  unitChargeSize: z.object({ SECOND: z.number().int().min(0), OCTET: z.number().int().min(0), EVENT: z.number().int().min(0) }).partial().optional(),
  allowances: z.array(allowanceSchema).default([]),
  recurringCharges: z.array(recurringChargeSchema).default([]),
  oneTimeCharges: z.array(oneTimeChargeSchema).default([]),
  commitment: commitmentSchema.nullable().optional(),
  volumeTiers: z.array(volumeTierSchema).default([]),
  rules: rulesSchema.default({}),
});
export type OfferSpec = z.infer<typeof offerSpecSchema>;
export type OfferSpecInput = z.input<typeof offerSpecSchema>;
export type OfferKind = (typeof OFFER_KINDS)[number];

export const bundleSpecSchema = z.object({
  name: z.string().min(1).max(200),
  description: z.string().max(4000).optional(),
  currency,
  salesFrom: instant.nullable().optional(),
  salesTo: instant.nullable().optional(),
  region: z.string().nullable().optional(),
  members: z.array(z.object({
    offerId: ref,
    kind: z.enum(['MANDATORY', 'OPTIONAL', 'SELECTIVE', 'HYBRID']),
  })).min(1),
  /** How many SELECTIVE (or HYBRID) members an order must pick ("pick N"). */
  requiredSelective: z.number().int().min(0).default(0),
  /** Replaces the prices of mandatory and chosen selective members. */
  price: z.object({ recurring: nonNegativeMoney.default('0'), oneTime: nonNegativeMoney.default('0'), frequency: z.enum(['MONTHLY', 'YEARLY', 'BILL_CYCLE']).default('MONTHLY') }),
  rules: rulesSchema.default({}),
});
export type BundleSpec = z.infer<typeof bundleSpecSchema>;

/** Enterprise price agreement: replacement prices, keyed like the offer's own entries. */
export const overridesSchema = z.object({
  /** "<tariffPlan>/<timeType>/<index>" -> replacement charges of that tariff. */
  tariffs: z.record(z.string(), z.object({ initialCharge: money.optional(), additionalCharge: money.optional() })).default({}),
  recurringCharges: z.record(code, nonNegativeMoney).default({}),
  oneTimeCharges: z.record(code, nonNegativeMoney).default({}),
  /** Replacement included units per allowance id. */
  allowances: z.record(code, z.number().int().min(0)).default({}),
});
export type PriceOverrides = z.infer<typeof overridesSchema>;

// ---------------------------------------------------------------------------------------------------------
// HTTP shapes.
// ---------------------------------------------------------------------------------------------------------

export const zoneInput = z.object({
  code,
  name: z.string().min(1).max(200),
  plmns: z.array(z.string().regex(/^(\*|\d{3}-?\d{0,3})$/, 'an MCC-MNC such as 262-01, an MCC prefix such as 262, or *')).min(1),
});
export const zoneOut = zoneInput.extend({ id: z.string(), updatedAt: z.string() });

export const offerCreate = z.object({
  code,
  kind: z.enum(OFFER_KINDS),
  spec: z.unknown().describe('the offer content (OfferSpec); validated in full with every bad field listed'),
});
export const offerPatch = z.object({ spec: z.unknown() });

export const versionOut = z.object({
  id: z.string(),
  offerId: z.string(),
  version: z.number(),
  status: z.enum(['DRAFT', 'APPROVED', 'ACTIVE', 'RETIRED']),
  basedOn: z.number().nullable(),
  effectiveFrom: z.string().nullable(),
  effectiveTo: z.string().nullable(),
  approvedAt: z.string().nullable(),
  activatedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  spec: z.record(z.string(), z.unknown()),
});
export const offerOut = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  kind: z.enum(OFFER_KINDS),
  status: z.enum(['ACTIVE', 'RETIRED']),
  retiredAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** The version in force now (null when none has been activated yet). */
  currentVersion: z.number().nullable(),
  /** The newest version (draft, approved or activated). */
  latestVersion: z.number(),
  latestStatus: z.enum(['DRAFT', 'APPROVED', 'ACTIVE', 'RETIRED']),
});
export const offerDetailOut = offerOut.extend({ versions: z.array(versionOut.omit({ spec: true })), current: versionOut.nullable(), latest: versionOut });

export const activateInput = z.object({ effectiveFrom: instant.optional().describe('default: now') });

export const bundleInput = z.object({ code, level: z.enum(['SUBSCRIBER', 'ACCOUNT']), spec: z.unknown() });
export const bundleOut = z.object({
  id: z.string(), code: z.string(), name: z.string(), level: z.enum(['SUBSCRIBER', 'ACCOUNT']), status: z.enum(['ACTIVE', 'RETIRED']),
  spec: z.record(z.string(), z.unknown()), createdAt: z.string(), updatedAt: z.string(),
});

export const agreementInput = z.object({
  enterpriseId: z.uuid(),
  offerId: z.uuid(),
  name: z.string().min(1).max(200),
  overrides: z.unknown(),
  validFrom: instant,
  validTo: instant.nullable().optional(),
});
export const agreementOut = z.object({
  id: z.string(), enterpriseId: z.string(), offerId: z.string(), name: z.string(), overrides: z.record(z.string(), z.unknown()),
  validFrom: z.string(), validTo: z.string().nullable(), createdAt: z.string(), updatedAt: z.string(),
});

export const sampleUsage = z.object({
  usageType,
  servingNetwork: z.string().optional().describe('MCC-MNC of the serving network; absent = the default zone'),
  quantity: z.number().int().min(0),
  startedAt: instant.optional(),
});
export const rateSampleInput = z.object({
  at: instant.optional().describe('the instant whose version applies (default now)'),
  version: z.number().int().min(1).optional().describe('rate a given version (e.g. a draft) instead of the one in force'),
  enterpriseId: z.uuid().optional().describe('apply this enterprise\'s price agreement'),
  timeZone: z.string().default('UTC'),
  usage: z.array(sampleUsage).min(1).max(1000),
});

export const ruleCheckInput = z.object({
  offerId: z.uuid(),
  held: z.array(z.uuid()).default([]),
  adding: z.array(z.uuid()).default([]),
  removing: z.array(z.uuid()).default([]),
  attributes: z.object({ ACCOUNT: z.record(z.string(), z.union([z.string(), z.number()])).default({}), SUBSCRIBER: z.record(z.string(), z.union([z.string(), z.number()])).default({}) }).default({ ACCOUNT: {}, SUBSCRIBER: {} }),
  at: instant.optional(),
});
export const transitionCheckInput = z.object({ fromOfferId: z.uuid(), toOfferId: z.uuid(), at: instant.optional() });
export const ruleDecisionOut = z.object({ allowed: z.boolean(), rule: z.string().nullable(), reason: z.string().nullable() });

export const templateInput = z.object({ code, name: z.string().min(1).max(200), description: z.string().max(4000).optional(), kind: z.enum(OFFER_KINDS), spec: z.unknown() });
export const templateOut = z.object({ id: z.string(), code: z.string(), name: z.string(), description: z.string().nullable(), kind: z.enum(OFFER_KINDS), createdAt: z.string() });
