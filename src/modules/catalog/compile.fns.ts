import type {
  AllowanceBucket,
  AllowanceDefinition,
  CalendarDefinition,
  OfferDefinition,
  RatingCatalogDefinition,
  TariffPlanDefinition,
  UsageTypeMapping,
  ZoneDefinition,
} from '../rating';
import type { OfferKind, OfferSpec } from './catalog.schemas';

/**
 * Compiles stored offer versions into the rating engine's input (RatingCatalogDefinition). Names are made
 * unique across offers by prefixing them with the offer code ("IOT-1GB/data"); the engine's offer id is the
 * catalog offer id, which is what a SIM holds (`sims.plan_offer_id`), so an OfferInstance needs no mapping.
 *
 * Classification: a usage's final usage type is "<usage type>@<zone>" (DATA@HOME, DATA@EU). A usage item
 * without a zone covers every zone of the tenant. Without any tenant zone everything is in zone "*".
 */

export interface CompileZone {
  code: string;
  plmns: readonly string[];
}

export interface CompileOffer {
  id: string;
  code: string;
  kind: OfferKind;
  version: number;
  spec: OfferSpec;
}

export const ANY_ZONE = '*';

export function finalUsageType(usageType: string, zone: string): string {
  return `${usageType}@${zone}`;
}

export function compileOffers(zones: readonly CompileZone[], offers: readonly CompileOffer[], version: string): RatingCatalogDefinition {
  const zoneCodes = zones.length ? zones.map((z) => z.code) : [ANY_ZONE];
  const zoneDefs: ZoneDefinition[] = zones.map((z) => ({ id: z.code, networks: [...z.plmns] }));
  const usageTypes = new Set<string>();
  const calendars: Record<string, CalendarDefinition> = {};
  const tariffPlans: TariffPlanDefinition[] = [];
  const offerDefs: OfferDefinition[] = [];
  const allowanceDefinitions: AllowanceDefinition[] = [];

  for (const o of offers) {
    const name = (local: string) => `${o.code}/${local}`;
    for (const [id, cal] of Object.entries(o.spec.calendars)) calendars[name(id)] = cal;
    for (const plan of o.spec.tariffPlans) {
      tariffPlans.push({
        id: name(plan.id),
        unitType: plan.unitType,
        currency: plan.currency,
        ...(plan.calendar ? { calendar: name(plan.calendar) } : {}),
        currencySets: plan.currencySets.map((set) => ({
          currency: set.currency,
          timeTypes: Object.fromEntries(Object.entries(set.timeTypes).map(([tt, tariffs]) => [
            tt,
            tariffs.map((t, i) => ({ ...t, id: t.id ? name(t.id) : `${name(plan.id)}/${tt}/${i}` })),
          ])),
        })),
      });
    }
    const usageItems: Record<string, string> = {};
    for (const item of o.spec.usageItems) {
      usageTypes.add(item.usageType);
      for (const zone of item.zone ? [item.zone] : zoneCodes) usageItems[finalUsageType(item.usageType, zone)] = name(item.tariffPlan);
    }
    offerDefs.push({
      id: o.id,
      kind: o.kind,
      usageItems,
      ...(o.spec.unitChargeSize ? { unitChargeSize: o.spec.unitChargeSize } : {}),
      ...(o.spec.defaultCalendar ? { defaultCalendar: name(o.spec.defaultCalendar) } : {}),
    });
    for (const a of o.spec.allowances) {
      a.usageTypes.forEach((u) => usageTypes.add(u));
      allowanceDefinitions.push({
        id: name(a.id),
        unitType: a.unitType,
        level: a.pooling === 'NONE' ? 'SUBSCRIBER' : 'ACCOUNT',
        includeUsageTypes: a.usageTypes.flatMap((u) => (a.zones ?? zoneCodes).map((z) => finalUsageType(u, z))),
        ...(a.priority !== undefined ? { priority: a.priority } : {}),
        onExhaustion: a.onExhaustion,
      });
    }
  }

  const usageTypeMappings: UsageTypeMapping[] = [];
  for (const u of [...usageTypes].sort()) {
    for (const zone of zoneCodes) usageTypeMappings.push({ initialUsageType: u, zone, finalUsageType: finalUsageType(u, zone) });
  }
  return { version, calendars, zones: zoneDefs, usageTypeMappings, tariffPlans, offers: offerDefs, allowanceDefinitions };
}

/**
 * The allowance buckets one period of an offer grants a SIM (its own allowances), as the engine's buckets.
 * Pooled allowances are not the SIM's: they go to the pool (see poolBuckets).
 */
export function ownAllowanceBuckets(o: CompileOffer, subscriberId: string, validFrom: number, expiresAt: number | null): AllowanceBucket[] {
  return o.spec.allowances.filter((a) => a.pooling === 'NONE').map((a) => ({
    id: `${subscriberId}/${o.code}/${a.id}`,
    definitionId: `${o.code}/${a.id}`,
    side: 'REAL' as const,
    amount: a.amount,
    validFrom,
    expiresAt,
    createdAt: validFrom,
    ...(a.priority !== undefined ? { priority: a.priority } : {}),
  }));
}

/**
 * The contribution pool of one pooled allowance: the sum of the members' allowances (each member holding the
 * offer contributes its amount, §10.3). Returns the pool's size per pooled allowance definition id.
 */
export function poolContributions(memberOffers: readonly CompileOffer[]): Map<string, number> {
  const pools = new Map<string, number>();
  for (const o of memberOffers) {
    for (const a of o.spec.allowances) {
      if (a.pooling === 'NONE') continue;
      const id = `${o.code}/${a.id}`;
      pools.set(id, (pools.get(id) ?? 0) + a.amount);
    }
  }
  return pools;
}
