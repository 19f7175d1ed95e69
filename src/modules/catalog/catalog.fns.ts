import type { z } from 'zod';
import type { FieldError } from '../../platform/http/errors';
import { parseMicros } from '../../platform/money';
import { validateCalendar, validateTariff } from '../rating';
import {
  bundleSpecSchema,
  offerSpecSchema,
  overridesSchema,
  STANDARD_UNIT_TYPES,
  type BundleSpec,
  type OfferKind,
  type OfferSpec,
  type PriceOverrides,
} from './catalog.schemas';

/** Pure catalog logic: validation of offer, bundle and agreement documents, version comparison, sales windows. */

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** zod issues as field errors, under a path prefix ("spec"). */
export function zodErrors(error: z.ZodError, prefix: string): FieldError[] {
  return error.issues.map((i) => ({ field: [prefix, ...i.path.map(String)].filter(Boolean).join('.'), reason: i.message }));
}

export interface SpecContext {
  /** Zone codes of the tenant; usage items and allowances may name only these. */
  zones: ReadonlySet<string>;
}

/**
 * Validates an offer version's content in full and lists every problem (field + reason), so an editor or a
 * file load can show them all at once. Checks the shape, then the cross-references inside the document, then
 * the engine's own rules for each tariff and calendar (so a stored offer always compiles).
 */
export function parseOfferSpec(kind: OfferKind, input: unknown, ctx: SpecContext, prefix = 'spec'): Parsed<OfferSpec> {
  const parsed = offerSpecSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: zodErrors(parsed.error, prefix) };
  const spec = parsed.data;
  const errors: FieldError[] = [];
  const err = (field: string, reason: string) => errors.push({ field: `${prefix}.${field}`, reason });

  if (spec.salesFrom && spec.salesTo && Date.parse(spec.salesTo) <= Date.parse(spec.salesFrom)) err('salesTo', 'must be after salesFrom');
  if (spec.expiry && kind === 'PRIMARY') err('expiry', 'a primary offer never expires by itself (only supplementary and account offers do)');
  if (kind !== 'PRIMARY' && spec.rules.transition) err('rules.transition', 'only primary offers have a transition rule');
  if (kind === 'ACCOUNT') {
    if (spec.usageItems.length) err('usageItems', 'account offers carry no usage items (only allowances, charges and terms)');
    if (spec.usageTypes.length) err('usageTypes', 'account offers cover no usage types');
  }
  dupes(spec.usageTypes.map((u) => u), (v, i) => err(`usageTypes.${i}`, `${v} is listed twice`));

  // Calendars: the engine's validation (slots cover the day without gap or overlap, weekdays, exceptions).
  for (const [id, cal] of Object.entries(spec.calendars)) {
    const v = validateCalendar(cal);
    if (!v.valid) err(`calendars.${id}`, `${v.reason}: ${v.detail}`);
  }
  if (spec.defaultCalendar && !spec.calendars[spec.defaultCalendar]) err('defaultCalendar', `no calendar ${spec.defaultCalendar} in this offer`);

  // Tariff plans and their tariffs.
  const plans = new Map(spec.tariffPlans.map((p) => [p.id, p]));
  dupes(spec.tariffPlans.map((p) => p.id), (v, i) => err(`tariffPlans.${i}.id`, `plan id ${v} is used twice`));
  spec.tariffPlans.forEach((plan, pi) => {
    const calId = plan.calendar ?? spec.defaultCalendar;
    const cal = calId ? spec.calendars[calId] : undefined;
    if (plan.calendar && !cal) err(`tariffPlans.${pi}.calendar`, `no calendar ${plan.calendar} in this offer`);
    if (!plan.currencySets.some((s) => s.currency === plan.currency)) {
      err(`tariffPlans.${pi}.currencySets`, `needs a currency set in the plan currency ${plan.currency}`);
    }
    plan.currencySets.forEach((set, si) => {
      const timeTypes = Object.keys(set.timeTypes);
      if (!cal && timeTypes.length > 1) err(`tariffPlans.${pi}.currencySets.${si}.timeTypes`, 'several time types need a calendar (plan calendar or the offer default calendar)');
      if (cal) {
        for (const tt of cal.timeTypes) if (!set.timeTypes[tt]) err(`tariffPlans.${pi}.currencySets.${si}.timeTypes`, `no tariffs for time type ${tt} of calendar ${calId}`);
        for (const tt of timeTypes) if (!cal.timeTypes.includes(tt)) err(`tariffPlans.${pi}.currencySets.${si}.timeTypes.${tt}`, `calendar ${calId} has no time type ${tt}`);
      }
      for (const [tt, tariffs] of Object.entries(set.timeTypes)) {
        tariffs.forEach((t, ti) => {
          const at = `tariffPlans.${pi}.currencySets.${si}.timeTypes.${tt}.${ti}`;
          const v = validateTariff(t);
          if (!v.valid) err(at, `${v.reason}: ${v.detail}`);
          if (t.unitType !== plan.unitType) err(`${at}.unitType`, `must be the plan unit type ${plan.unitType}`);
          const negative = [t.initialCharge, t.additionalCharge ?? '0'].some((a) => a.startsWith('-'));
          if (negative && t.eligibleForNonCurrency) err(`${at}.eligibleForNonCurrency`, 'a negative tariff cannot pay from allowances');
          if (negative && tariffs.some((x) => (x.graceUnits ?? 0) > 0)) err(`${at}`, 'a negative tariff cannot share a time type with grace units');
        });
      }
    });
  });

  // Usage items: every covered usage type is priced, every item names a known plan of the right unit type.
  const itemKeys = new Set<string>();
  spec.usageItems.forEach((item, i) => {
    const plan = plans.get(item.tariffPlan);
    if (!plan) err(`usageItems.${i}.tariffPlan`, `no tariff plan ${item.tariffPlan} in this offer`);
    const std = STANDARD_UNIT_TYPES[item.usageType];
    if (plan && std && plan.unitType !== std) err(`usageItems.${i}.tariffPlan`, `${item.usageType} is counted in ${std}, plan ${plan.id} in ${plan.unitType}`);
    if (item.zone && !ctx.zones.has(item.zone)) err(`usageItems.${i}.zone`, `no zone ${item.zone} in the tenant's catalog zones`);
    if (!spec.usageTypes.includes(item.usageType)) err(`usageItems.${i}.usageType`, `${item.usageType} is not in usageTypes`);
    const key = `${item.usageType}@${item.zone ?? '*'}`;
    if (itemKeys.has(key)) err(`usageItems.${i}`, `a second item for ${item.usageType} in zone ${item.zone ?? '(every zone)'}`);
    itemKeys.add(key);
  });
  const wildcardOverlap = spec.usageItems.filter((u) => !u.zone).map((u) => u.usageType);
  spec.usageItems.forEach((u, i) => {
    if (u.zone && wildcardOverlap.includes(u.usageType)) err(`usageItems.${i}.zone`, `${u.usageType} already has an item for every zone`);
  });
  if (kind !== 'ACCOUNT') {
    spec.usageTypes.forEach((ut, i) => {
      if (!spec.usageItems.some((u) => u.usageType === ut)) err(`usageTypes.${i}`, `${ut} has no usage item (tariff plan)`);
    });
  }
  if (spec.unitChargeSize) {
    for (const [ut, size] of Object.entries(spec.unitChargeSize)) if (size !== undefined && size < 0) err(`unitChargeSize.${ut}`, 'must be >= 0');
  }

  // Allowances.
  dupes(spec.allowances.map((a) => a.id), (v, i) => err(`allowances.${i}.id`, `allowance id ${v} is used twice`));
  spec.allowances.forEach((a, i) => {
    a.usageTypes.forEach((ut, j) => {
      const std = STANDARD_UNIT_TYPES[ut];
      if (std && std !== a.unitType) err(`allowances.${i}.usageTypes.${j}`, `${ut} is counted in ${std}, the allowance in ${a.unitType}`);
      if (kind !== 'ACCOUNT' && !spec.usageTypes.includes(ut)) err(`allowances.${i}.usageTypes.${j}`, `${ut} is not a usage type of this offer`);
    });
    (a.zones ?? []).forEach((z, j) => { if (!ctx.zones.has(z)) err(`allowances.${i}.zones.${j}`, `no zone ${z} in the tenant's catalog zones`); });
    if (kind === 'ACCOUNT' && a.pooling === 'NONE') err(`allowances.${i}.pooling`, 'an account offer allowance is a pool (BUSINESS_UNIT or ENTERPRISE)');
    // The allowance only pays usage that a tariff flagged eligibleForNonCurrency rates.
    const eligible = spec.usageItems.filter((u) => a.usageTypes.includes(u.usageType)).some((u) =>
      plans.get(u.tariffPlan)?.currencySets.some((s) => Object.values(s.timeTypes).some((ts) => ts.some((t) => t.eligibleForNonCurrency))));
    if (kind !== 'ACCOUNT' && !eligible) err(`allowances.${i}`, 'no tariff of the covered usage types is eligibleForNonCurrency, so the allowance could never be used');
  });

  // Charges.
  dupes(spec.recurringCharges.map((c) => c.code), (v, i) => err(`recurringCharges.${i}.code`, `charge code ${v} is used twice`));
  dupes(spec.oneTimeCharges.map((c) => c.code), (v, i) => err(`oneTimeCharges.${i}.code`, `charge code ${v} is used twice`));
  spec.recurringCharges.forEach((c, i) => {
    if (c.frequency === 'EVERY_N_DAYS' && !c.everyNDays) err(`recurringCharges.${i}.everyNDays`, 'is required for EVERY_N_DAYS');
    if (c.frequency !== 'EVERY_N_DAYS' && c.everyNDays) err(`recurringCharges.${i}.everyNDays`, 'only applies to EVERY_N_DAYS');
  });

  // Commitment and volume tiers.
  const cm = spec.commitment;
  if (cm?.metric === 'SPEND' && !(cm.committedValue && /^\d+(\.\d{1,6})?$/.test(cm.committedValue))) err('commitment.committedValue', 'a SPEND commitment needs a money amount such as "500.00"');
  if (cm?.metric === 'ACTIVE_SUBSCRIBERS') {
    if (!(cm.committedValue && /^\d+$/.test(cm.committedValue))) err('commitment.committedValue', 'an ACTIVE_SUBSCRIBERS commitment needs a whole SIM count');
    if (!cm.perSubscriberRate) err('commitment.perSubscriberRate', 'is required for ACTIVE_SUBSCRIBERS (the true-up price per missing SIM)');
  }
  if (cm?.earlyTermination?.kind === 'FIXED' && !cm.earlyTermination.amount) err('commitment.earlyTermination.amount', 'a FIXED early termination fee needs an amount');
  if (cm?.earlyTermination && !cm.minimumTermMonths) err('commitment.minimumTermMonths', 'an early termination fee needs a minimum term');
  spec.volumeTiers.forEach((t, i) => {
    if (i === 0 && t.fromSims !== 0) err('volumeTiers.0.fromSims', 'the first band starts at 0');
    if (i > 0 && t.fromSims <= spec.volumeTiers[i - 1].fromSims) err(`volumeTiers.${i}.fromSims`, 'bands must be strictly increasing');
    if (Number(t.discountPercent) > 100) err(`volumeTiers.${i}.discountPercent`, 'at most 100');
  });

  // Rules: each listed once.
  for (const name of ['prerequisite', 'exclusion', 'transition'] as const) {
    const r = spec.rules[name];
    if (!r) continue;
    dupes(r.offers, (v, i) => err(`rules.${name}.offers.${i}`, `${v} is listed twice`));
    dupes(r.bundles, (v, i) => err(`rules.${name}.bundles.${i}`, `${v} is listed twice`));
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: spec };
}

function dupes(values: string[], report: (v: string, i: number) => void): void {
  const seen = new Set<string>();
  values.forEach((v, i) => {
    if (seen.has(v)) report(v, i);
    seen.add(v);
  });
}

export function parseBundleSpec(level: 'SUBSCRIBER' | 'ACCOUNT', input: unknown, members: ReadonlyMap<string, OfferKind>, prefix = 'spec'): Parsed<BundleSpec> {
  const parsed = bundleSpecSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: zodErrors(parsed.error, prefix) };
  const spec = parsed.data;
  const errors: FieldError[] = [];
  const err = (field: string, reason: string) => errors.push({ field: `${prefix}.${field}`, reason });
  dupes(spec.members.map((m) => m.offerId), (v, i) => err(`members.${i}.offerId`, `${v} is a member twice`));
  spec.members.forEach((m, i) => {
    const kind = members.get(m.offerId);
    if (!kind) return err(`members.${i}.offerId`, 'no such offer in this catalog');
    if (level === 'SUBSCRIBER' && kind === 'ACCOUNT') err(`members.${i}.offerId`, 'a subscriber bundle holds primary and supplementary offers only');
    if (level === 'ACCOUNT' && kind !== 'ACCOUNT') err(`members.${i}.offerId`, 'an account bundle holds account offers');
    if (level === 'SUBSCRIBER' && m.kind === 'HYBRID') err(`members.${i}.kind`, 'HYBRID members belong to account bundles');
  });
  if (level === 'SUBSCRIBER') {
    const primaries = spec.members.filter((m) => members.get(m.offerId) === 'PRIMARY');
    if (primaries.length !== 1) err('members', `a subscriber bundle has exactly one primary offer (found ${primaries.length})`);
    else if (primaries[0].kind !== 'MANDATORY') err('members', 'the primary offer of a subscriber bundle is MANDATORY');
  }
  const selectable = spec.members.filter((m) => m.kind === 'SELECTIVE' || m.kind === 'HYBRID').length;
  if (spec.requiredSelective > selectable) err('requiredSelective', `asks for ${spec.requiredSelective} of ${selectable} selective members`);
  if (selectable > 0 && spec.requiredSelective === 0) err('requiredSelective', 'selective members need a required count of at least 1');
  if (spec.salesFrom && spec.salesTo && Date.parse(spec.salesTo) <= Date.parse(spec.salesFrom)) err('salesTo', 'must be after salesFrom');
  if (spec.rules.transition && level !== 'SUBSCRIBER') err('rules.transition', 'only subscriber bundles have a transition rule');
  return errors.length ? { ok: false, errors } : { ok: true, value: spec };
}

/** The members an order of a bundle selects must match the bundle: every mandatory one, exactly N selective. */
export function checkBundleSelection(spec: BundleSpec, chosen: readonly string[]): FieldError[] {
  const errors: FieldError[] = [];
  const byId = new Map(spec.members.map((m) => [m.offerId, m]));
  for (const id of chosen) if (!byId.has(id)) errors.push({ field: 'members', reason: `${id} is not a member of the bundle` });
  const selective = chosen.filter((id) => byId.get(id)?.kind === 'SELECTIVE');
  const hybrid = chosen.filter((id) => byId.get(id)?.kind === 'HYBRID');
  if (selective.length > spec.requiredSelective) errors.push({ field: 'members', reason: `at most ${spec.requiredSelective} selective members (${selective.length} chosen)` });
  if (selective.length + hybrid.length < spec.requiredSelective) {
    errors.push({ field: 'members', reason: `exactly ${spec.requiredSelective} selective members must be chosen (${selective.length + hybrid.length} chosen)` });
  }
  return errors;
}

/** Agreement overrides must name entries the offer version has. */
export function parseOverrides(input: unknown, spec: OfferSpec, prefix = 'overrides'): Parsed<PriceOverrides> {
  const parsed = overridesSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: zodErrors(parsed.error, prefix) };
  const o = parsed.data;
  const errors: FieldError[] = [];
  for (const key of Object.keys(o.tariffs)) if (!tariffAt(spec, key)) errors.push({ field: `${prefix}.tariffs.${key}`, reason: 'no such tariff (expected <tariffPlan>/<timeType>/<index>)' });
  for (const key of Object.keys(o.recurringCharges)) if (!spec.recurringCharges.some((c) => c.code === key)) errors.push({ field: `${prefix}.recurringCharges.${key}`, reason: 'no such recurring charge' });
  for (const key of Object.keys(o.oneTimeCharges)) if (!spec.oneTimeCharges.some((c) => c.code === key)) errors.push({ field: `${prefix}.oneTimeCharges.${key}`, reason: 'no such one-time charge' });
  for (const key of Object.keys(o.allowances)) if (!spec.allowances.some((a) => a.id === key)) errors.push({ field: `${prefix}.allowances.${key}`, reason: 'no such allowance' });
  return errors.length ? { ok: false, errors } : { ok: true, value: o };
}

/** The tariff named "<plan>/<timeType>/<index>" in the plan-currency set. */
export function tariffAt(spec: OfferSpec, key: string) {
  const [planId, timeType, index] = key.split('/');
  const plan = spec.tariffPlans.find((p) => p.id === planId);
  const set = plan?.currencySets.find((s) => s.currency === plan.currency) ?? plan?.currencySets[0];
  return set?.timeTypes[timeType]?.[Number(index)];
}

/** An offer version with an agreement's prices in place of the offer's (a copy; the stored version is untouched). */
export function applyOverrides(spec: OfferSpec, o: PriceOverrides | null | undefined): OfferSpec {
  if (!o) return spec;
  const copy: OfferSpec = structuredClone(spec);
  for (const [key, value] of Object.entries(o.tariffs)) {
    const t = tariffAt(copy, key);
    if (!t) continue;
    if (value.initialCharge !== undefined) t.initialCharge = value.initialCharge;
    if (value.additionalCharge !== undefined) t.additionalCharge = value.additionalCharge;
  }
  for (const c of copy.recurringCharges) if (o.recurringCharges[c.code] !== undefined) c.amount = o.recurringCharges[c.code];
  for (const c of copy.oneTimeCharges) if (o.oneTimeCharges[c.code] !== undefined) c.amount = o.oneTimeCharges[c.code];
  for (const a of copy.allowances) if (o.allowances[a.id] !== undefined) a.amount = o.allowances[a.id];
  return copy;
}

/** Sales are open at `at` when the offer is not retired and `at` is inside [salesFrom, salesTo). */
export function isInSalesWindow(spec: { salesFrom?: string | null; salesTo?: string | null }, at: Date): boolean {
  const t = at.getTime();
  if (spec.salesFrom && t < Date.parse(spec.salesFrom)) return false;
  if (spec.salesTo && t >= Date.parse(spec.salesTo)) return false;
  return true;
}

export interface SpecChange {
  path: string;
  change: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

/**
 * Field-by-field differences between two versions' documents. Arrays of objects with an `id` or `code` are
 * compared by that key (so reordering is not a change), other arrays by position.
 */
export function diffSpecs(a: unknown, b: unknown, path = ''): SpecChange[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (a === undefined) return [{ path, change: 'added', after: b }];
  if (b === undefined) return [{ path, change: 'removed', before: a }];
  if (Array.isArray(a) && Array.isArray(b)) {
    const keyOf = (v: unknown) => (isObj(v) ? (v.id ?? v.code) : undefined) as string | undefined;
    if ([...a, ...b].every((v) => keyOf(v) !== undefined)) {
      const ma = new Map(a.map((v) => [keyOf(v)!, v]));
      const mb = new Map(b.map((v) => [keyOf(v)!, v]));
      const keys = [...new Set([...ma.keys(), ...mb.keys()])];
      return keys.flatMap((k) => diffSpecs(ma.get(k), mb.get(k), `${path}[${k}]`));
    }
    const n = Math.max(a.length, b.length);
    return Array.from({ length: n }, (_, i) => diffSpecs(a[i], b[i], `${path}[${i}]`)).flat();
  }
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffSpecs(a[k], b[k], path ? `${path}.${k}` : k));
  }
  return [{ path, change: 'changed', before: a, after: b }];
}

/** Volume-tier discount (BULK reading: the band the SIM count falls in applies to the whole amount). */
export function volumeDiscountPercent(tiers: OfferSpec['volumeTiers'], simCount: number): string {
  // Bands are (lower, upper]: a count exactly on an edge belongs to the lower band.
  let pct = tiers[0]?.discountPercent ?? '0';
  for (const t of tiers) if (simCount > t.fromSims) pct = t.discountPercent;
  return pct;
}

/** Micro-units of a decimal amount, for reports. */
export const micros = (amount: string): number => parseMicros(amount);

/** The size of a contribution pool: the sum of its members' allowances of that definition. */
export function poolSize(memberAllowances: readonly number[]): number {
  return memberAllowances.reduce((s, n) => s + n, 0);
}

/** CSV text from rows (RFC 4180 quoting). */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  const cell = (v: string | number | null | undefined) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
