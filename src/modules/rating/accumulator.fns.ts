import { admitsUsageType, type CompiledAccumulatorDefinition } from './catalog.fns';
import { exactList } from './lists.fns';
import type { AccumulatorImpact, SegmentState, UnitType } from './rating.types';
import type { PreparedSubscriber } from './subscriber.fns';

/**
 * §12.1 accumulator updates for one rated part. Subscriber accumulators count the usage itself (one event per
 * session, its units, its money); account accumulators count only what account-level balances paid, which is
 * how pooled usage reaches pool thresholds through the shadows (§10.3). Resets and thresholds belong to the
 * caller, which holds the accumulator values and the clock.
 */

export interface AccumulatedPart {
  /** Index of the final usage type in the catalog. */
  type: number;
  unitType: UnitType;
  /** The first part of the session (a session is one event). */
  firstPart: boolean;
  /** The session's segments after and before the part; the part touched those from firstTouched on. */
  segments: readonly SegmentState[];
  before: readonly SegmentState[];
  firstTouched: number;
  charge: number;
  accountUnits: number;
  accountMoney: number;
  /** An account-level balance paid this part, and none had before in the session. */
  firstAccountCharge: boolean;
}

function admitsTimeType(def: CompiledAccumulatorDefinition, timeType: string): boolean {
  return (def.includedTimeTypes === null || def.includedTimeTypes.has(timeType)) && (def.excludedTimeTypes === null || !def.excludedTimeTypes.has(timeType));
}

function deltaOf(def: CompiledAccumulatorDefinition, part: AccumulatedPart): number {
  // Events and money are counted by the time type at the part's start; units per time-type segment.
  const startTimeType = part.segments[part.firstTouched].timeType;
  const unitsCount = def.unitType === null || def.unitType === part.unitType;
  if (def.level === 'SUBSCRIBER') {
    switch (def.measure) {
      case 'EVENTS':
        return part.firstPart && admitsTimeType(def, startTimeType) ? 1 : 0;
      case 'CURRENCY':
        return admitsTimeType(def, startTimeType) ? part.charge : 0;
      case 'UNITS': {
        if (!unitsCount) return 0;
        let units = 0;
        for (let i = part.firstTouched; i < part.segments.length; i++) {
          const seg = part.segments[i];
          if (admitsTimeType(def, seg.timeType)) units += seg.quantity - (i < part.before.length ? part.before[i].quantity : 0);
        }
        return units;
      }
    }
  }
  if (!admitsTimeType(def, startTimeType)) return 0;
  switch (def.measure) {
    case 'EVENTS':
      return part.firstAccountCharge ? 1 : 0;
    case 'CURRENCY':
      return part.accountMoney;
    case 'UNITS':
      return unitsCount ? part.accountUnits : 0;
  }
}

const impactScratch: AccumulatorImpact[] = [];

export function accumulatorImpacts(prepared: PreparedSubscriber, part: AccumulatedPart): AccumulatorImpact[] {
  const accumulators = prepared.accumulators;
  if (accumulators.length === 0) return [];
  let n = 0;
  for (let i = 0; i < accumulators.length; i++) {
    const { instance, definition } = accumulators[i];
    if (!admitsUsageType(definition, part.type)) continue;
    const delta = deltaOf(definition, part);
    if (delta !== 0) impactScratch[n++] = { accumulatorId: instance.id, delta };
  }
  return exactList(impactScratch, n);
}
