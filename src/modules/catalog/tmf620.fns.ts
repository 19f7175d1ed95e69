import type { OfferSpec } from './catalog.schemas';

/** TMF620 (Product Catalog Management v4) shapes: mapping offers to productOffering/productOfferingPrice, ?fields=, filters. */

export const TMF_BASE = '/tmf-api/productCatalogManagement/v4';
const RESERVED = new Set(['fields', 'offset', 'limit', 'sort']);

export interface OfferForTmf {
  id: string;
  code: string;
  kind: string;
  status: 'ACTIVE' | 'RETIRED';
  updatedAt: string;
  currentVersion: number | null;
  latestVersion: number;
  latestStatus: string;
  spec: OfferSpec;
  versionId: string;
}

/** TMF lifecycle status of an offer: Retired, Active (a version is in force), else its newest version's state. */
export function tmfLifecycle(o: Pick<OfferForTmf, 'status' | 'currentVersion' | 'latestStatus'>): string {
  if (o.status === 'RETIRED') return 'Retired';
  if (o.currentVersion !== null) return 'Active';
  return o.latestStatus === 'APPROVED' ? 'Approved' : o.latestStatus === 'ACTIVE' ? 'Launched' : 'In design';
}

/** TMF Money is {unit, value:number}: the exact decimal string is kept beside it for clients that need it. */
function money(amount: string, currency: string) {
  return { unit: currency, value: Number(amount), amount };
}

export function popId(offerId: string, version: number, type: 'rc' | 'nrc' | 'usage', code: string): string {
  // URL-safe without encoding, so the id reads back from a path unchanged.
  return `${offerId}.${version}.${type}.${code.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** Prices of an offer version as productOfferingPrice resources (read-only views of the version). */
export function offeringPrices(o: OfferForTmf, version: number) {
  const s = o.spec;
  const out: Record<string, unknown>[] = [];
  const base = (type: 'rc' | 'nrc' | 'usage', code: string, name: string) => {
    const id = popId(o.id, version, type, code);
    return { id, href: `${TMF_BASE}/productOfferingPrice/${id}`, name, version: String(version), lifecycleStatus: tmfLifecycle(o), lastUpdate: o.updatedAt, '@type': 'ProductOfferingPrice' };
  };
  for (const c of s.recurringCharges) {
    const period = c.frequency === 'EVERY_N_DAYS' ? `${c.everyNDays} days` : c.frequency.toLowerCase();
    out.push({ ...base('rc', c.code, c.name ?? c.code), priceType: 'recurring', recurringChargePeriodType: period, recurringChargePeriodLength: c.everyNDays ?? 1, price: money(c.amount, s.currency), prorated: c.prorated, timing: c.timing, simStates: c.simStates });
  }
  for (const c of s.oneTimeCharges) {
    out.push({ ...base('nrc', c.code, c.name ?? c.code), priceType: 'oneTime', chargeKind: c.kind, price: money(c.amount, s.currency) });
  }
  for (const item of s.usageItems) {
    const plan = s.tariffPlans.find((p) => p.id === item.tariffPlan);
    const set = plan?.currencySets.find((x) => x.currency === plan.currency) ?? plan?.currencySets[0];
    const code = `${item.usageType}-${item.zone ?? 'ANY'}`;
    const [timeType, tariffs] = Object.entries(set?.timeTypes ?? {})[0] ?? ['', []];
    const primary = tariffs[0];
    if (!primary || !plan) continue;
    out.push({
      ...base('usage', code, `${item.usageType} ${item.zone ?? 'every zone'}`), priceType: 'usage', usageType: item.usageType, zone: item.zone ?? null,
      unitOfMeasure: { units: plan.unitType, amount: primary.additionalUnit ?? primary.initialUnit },
      price: money(primary.additionalCharge ?? primary.initialCharge, primary.currency), tariffPlan: plan.id, timeType,
    });
  }
  return out;
}

export function toProductOffering(o: OfferForTmf) {
  const s = o.spec;
  const version = o.currentVersion ?? o.latestVersion;
  return {
    id: o.id,
    href: `${TMF_BASE}/productOffering/${o.id}`,
    name: s.name,
    description: s.description ?? null,
    version: String(version),
    lastUpdate: o.updatedAt,
    lifecycleStatus: tmfLifecycle(o),
    isBundle: false,
    isSellable: o.status === 'ACTIVE',
    validFor: { startDateTime: s.salesFrom ?? null, endDateTime: s.salesTo ?? null },
    category: s.categories.map((id) => ({ id, href: `${TMF_BASE}/category/${id}` })),
    productOfferingPrice: offeringPrices(o, version).map((p) => ({ id: p.id, href: p.href, name: p.name })),
    '@type': 'ProductOffering',
    // OpenCMP extension attributes (TMF allows them beside '@type').
    code: o.code,
    offerKind: o.kind,
    paymentMode: s.paymentMode,
    currency: s.currency,
    serviceCategory: s.serviceCategory,
    usageTypes: s.usageTypes,
    specification: s,
  };
}

/** `?fields=a,b` keeps those attributes plus id, href and @type. */
export function selectFields<T extends Record<string, unknown>>(item: T, fields: string | undefined): Record<string, unknown> {
  if (!fields) return item;
  const keep = new Set(['id', 'href', '@type', ...fields.split(',').map((f) => f.trim()).filter(Boolean)]);
  return Object.fromEntries(Object.entries(item).filter(([k]) => keep.has(k)));
}

/** Attribute filters: `?name=X&lifecycleStatus=Active,Launched` (a comma lists alternatives; dotted paths reach inside). */
export function matchesFilters(item: Record<string, unknown>, query: Record<string, unknown>): boolean {
  for (const [key, raw] of Object.entries(query)) {
    if (RESERVED.has(key) || raw === undefined) continue;
    const value = key.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), item);
    const wanted = String(raw).split(',');
    if (value === undefined || value === null || !wanted.includes(String(value))) return false;
  }
  return true;
}

/** Applies filters, offset/limit and fields; returns the page and the total for X-Total-Count. */
export function tmfPage(items: Record<string, unknown>[], query: Record<string, unknown>) {
  const filtered = items.filter((i) => matchesFilters(i, query));
  const offset = Math.max(0, Number(query.offset ?? 0) || 0);
  const limit = Math.min(1000, Math.max(1, Number(query.limit ?? 100) || 100));
  return { total: filtered.length, page: filtered.slice(offset, offset + limit).map((i) => selectFields(i, query.fields as string | undefined)) };
}

export interface BundleForTmf {
  id: string;
  code: string;
  name: string;
  level: string;
  status: string;
  updatedAt: string;
  spec: Record<string, unknown>;
}

/** A bundle as a bundled productOffering (read-only in TMF620; bundles are edited under /api/v1/catalog/bundles). */
export function bundleToProductOffering(b: BundleForTmf) {
  const spec = b.spec as { description?: string; salesFrom?: string | null; salesTo?: string | null; currency: string;
    members: { offerId: string; kind: string }[]; requiredSelective: number; price: { recurring: string; oneTime: string; frequency: string } };
  return {
    id: b.id,
    href: `${TMF_BASE}/productOffering/${b.id}`,
    name: b.name,
    description: spec.description ?? null,
    lastUpdate: b.updatedAt,
    lifecycleStatus: b.status === 'RETIRED' ? 'Retired' : 'Active',
    isBundle: true,
    isSellable: b.status === 'ACTIVE',
    validFor: { startDateTime: spec.salesFrom ?? null, endDateTime: spec.salesTo ?? null },
    bundledProductOffering: spec.members.map((m) => ({
      id: m.offerId, href: `${TMF_BASE}/productOffering/${m.offerId}`, memberKind: m.kind,
      bundledProductOfferingOption: m.kind === 'MANDATORY' ? { numberRelOfferLowerLimit: 1, numberRelOfferUpperLimit: 1 } : { numberRelOfferLowerLimit: 0, numberRelOfferUpperLimit: 1 },
    })),
    requiredSelective: spec.requiredSelective,
    price: { recurring: { unit: spec.currency, value: Number(spec.price.recurring), amount: spec.price.recurring }, oneTime: { unit: spec.currency, value: Number(spec.price.oneTime), amount: spec.price.oneTime } },
    '@type': 'ProductOffering',
    code: b.code,
    bundleLevel: b.level,
  };
}
