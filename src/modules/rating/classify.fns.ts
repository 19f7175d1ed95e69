import type { UsageTypeMapping, ZoneDefinition } from './rating.types';

/**
 * §3.1 usage classification: serving network -> zone (exact MCC-MNC, else longest prefix, else the default
 * "*" entry), then (initial usage type, zone) -> final usage type. No match is a rejection, never free usage.
 */

export const ANY_ZONE = '*';

export interface CompiledZones {
  /** Network or network prefix (digits only) -> zone id. */
  byNetwork: Map<string, string>;
  defaultZone: string | null;
  /** No zones defined: every usage is in the zone "*". */
  none: boolean;
}

export interface ClassifyIssue {
  path: string;
  reason: string;
  detail: string;
}

const NETWORK = /^[0-9]{1,6}$/;

/** "262-01" and "26201" are the same network. */
function normaliseNetwork(network: string): string {
  return network.indexOf('-') >= 0 ? network.replace('-', '') : network;
}

export function compileZones(zones: readonly ZoneDefinition[] | undefined, issues: ClassifyIssue[]): CompiledZones {
  const byNetwork = new Map<string, string>();
  let defaultZone: string | null = null;
  for (const [i, zone] of (zones ?? []).entries()) {
    for (const raw of zone.networks) {
      if (raw === ANY_ZONE) {
        if (defaultZone !== null) issues.push({ path: `zones[${i}]`, reason: 'DUPLICATE_NETWORK', detail: 'two default zones' });
        defaultZone = zone.id;
        continue;
      }
      const network = normaliseNetwork(raw);
      if (!NETWORK.test(network)) {
        issues.push({ path: `zones[${i}]`, reason: 'BAD_NETWORK', detail: `${raw} is not an MCC-MNC or prefix` });
      } else if (byNetwork.has(network)) {
        issues.push({ path: `zones[${i}]`, reason: 'DUPLICATE_NETWORK', detail: `${raw} is in two zones` });
      } else {
        byNetwork.set(network, zone.id);
      }
    }
  }
  return { byNetwork, defaultZone, none: (zones ?? []).length === 0 };
}

/** The zone of a serving network, or null when no zone (not even a default) takes it (classifyUsage memoises it). */
export function zoneOf(zones: CompiledZones, servingNetwork: string | undefined): string | null {
  if (zones.none) return ANY_ZONE;
  if (servingNetwork === undefined) return zones.defaultZone;
  const network = normaliseNetwork(servingNetwork);
  const exact = zones.byNetwork.get(network);
  if (exact !== undefined) return exact;
  for (let length = network.length - 1; length > 0; length--) {
    const zone = zones.byNetwork.get(network.slice(0, length));
    if (zone !== undefined) return zone;
  }
  return zones.defaultZone;
}

/** initial usage type -> zone (or "*") -> final usage type. */
export type CompiledUsageTypeMappings = Map<string, Map<string, string>>;

export function compileUsageTypeMappings(
  mappings: readonly UsageTypeMapping[],
  zoneIds: ReadonlySet<string>,
  issues: ClassifyIssue[],
): CompiledUsageTypeMappings {
  const compiled: CompiledUsageTypeMappings = new Map();
  for (const [i, mapping] of mappings.entries()) {
    if (mapping.zone !== ANY_ZONE && !zoneIds.has(mapping.zone)) {
      issues.push({ path: `usageTypeMappings[${i}]`, reason: 'UNKNOWN_ZONE', detail: mapping.zone });
      continue;
    }
    let byZone = compiled.get(mapping.initialUsageType);
    if (!byZone) compiled.set(mapping.initialUsageType, (byZone = new Map()));
    if (byZone.has(mapping.zone)) {
      issues.push({
        path: `usageTypeMappings[${i}]`,
        reason: 'DUPLICATE_MAPPING',
        detail: `${mapping.initialUsageType} in zone ${mapping.zone} is mapped twice`,
      });
      continue;
    }
    byZone.set(mapping.zone, mapping.finalUsageType);
  }
  return compiled;
}

export function finalUsageTypeOf(mappings: CompiledUsageTypeMappings, initialUsageType: string, zone: string): string | null {
  const byZone = mappings.get(initialUsageType);
  if (!byZone) return null;
  return byZone.get(zone) ?? byZone.get(ANY_ZONE) ?? null;
}

/** What classification gives a usage: its zone and final usage type (with its index in the catalog). */
export interface Classification {
  /** null: no zone takes the network. */
  zone: string | null;
  /** null: no mapping for the initial usage type in the zone. */
  finalUsageType: string | null;
  /** Index of the final usage type in the catalog's usage types (-1 when there is none). */
  type: number;
}

/**
 * Classifier with a memo per (initial usage type, network): the answer never changes within a catalog
 * version, and a handful of networks carry nearly all usage, so each is classified once.
 */
export interface CompiledClassifier {
  zones: CompiledZones;
  mappings: CompiledUsageTypeMappings;
  typeIndex: ReadonlyMap<string, number>;
  memo: Map<string, Map<string, Classification>>;
}

export function classifyUsage(classifier: CompiledClassifier, initialUsageType: string, servingNetwork: string | undefined): Classification {
  let byNetwork = classifier.memo.get(initialUsageType);
  if (byNetwork === undefined) {
    if (classifier.memo.size >= 1_000) classifier.memo.clear();
    byNetwork = new Map();
    classifier.memo.set(initialUsageType, byNetwork);
  }
  const key = servingNetwork ?? '';
  let known = byNetwork.get(key);
  if (known === undefined) {
    const zone = zoneOf(classifier.zones, servingNetwork);
    const finalUsageType = zone === null ? null : finalUsageTypeOf(classifier.mappings, initialUsageType, zone);
    known = { zone, finalUsageType, type: finalUsageType === null ? -1 : (classifier.typeIndex.get(finalUsageType) ?? -1) };
    if (byNetwork.size >= 100_000) byNetwork.clear();
    byNetwork.set(key, known);
  }
  return known;
}
