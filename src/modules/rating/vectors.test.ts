import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMicros } from '../../platform/money';
import { compileCalendar, timeTypeAt, timeTypeAtLocal, validateCalendar } from './calendar.fns';
import type { CalendarDefinition, TariffDefinition } from './rating.types';
import { compileTariff, rateTariff, validateTariff } from './tariff.fns';

// The published vectors (shared/reference/rating-vectors.json, beside the repository). Every case must pass
// exactly; each is dispatched on its kind through the engine's public functions, never matched by id.
const file = new URL('../../../../shared/reference/rating-vectors.json', import.meta.url);

interface VectorCase {
  id: string;
  kind: 'tariff-units' | 'tariff-validation' | 'money-parse' | 'calendar-time-type' | 'calendar-validation';
  tariff?: string | TariffDefinition;
  quantity?: number;
  input?: string;
  calendar?: string;
  localDateTime?: string;
  instant?: string;
  timeZone?: string;
  expected: Record<string, unknown>;
}

interface Vector {
  id: string;
  title: string;
  tariffs?: Record<string, TariffDefinition>;
  calendars?: Record<string, CalendarDefinition>;
  cases: VectorCase[];
}

const { vectors } = JSON.parse(readFileSync(file, 'utf8')) as { vectors: Vector[] };

function run(vector: Vector, c: VectorCase): void {
  switch (c.kind) {
    case 'tariff-units': {
      const tariff = compileTariff(vector.tariffs![c.tariff as string]);
      const units = rateTariff(tariff, c.quantity!);
      expect(units.initialUnits).toBe(c.expected.initialUnits);
      expect(units.additionalUnits).toBe(c.expected.additionalUnits);
      expect(units.charge).toBe(parseMicros(c.expected.charge as string));
      if (c.expected.billedQuantity !== undefined) expect(units.billedQuantity).toBe(c.expected.billedQuantity);
      return;
    }
    case 'tariff-validation': {
      const result = validateTariff(c.tariff as TariffDefinition);
      expect(result.valid).toBe(c.expected.valid);
      if (c.expected.reason !== undefined) expect(result.reason).toBe(c.expected.reason);
      return;
    }
    case 'money-parse':
      expect(parseMicros(c.input!)).toBe(c.expected.microUnits);
      return;
    case 'calendar-time-type': {
      const calendar = compileCalendar(vector.calendars![c.calendar!]);
      const found = c.localDateTime
        ? timeTypeAtLocal(calendar, c.localDateTime)
        : timeTypeAt(calendar, Date.parse(c.instant!), c.timeZone!);
      expect(found).toEqual({ dayType: c.expected.dayType, timeType: c.expected.timeType });
      return;
    }
    case 'calendar-validation': {
      const result = validateCalendar(vector.calendars![c.calendar!]);
      expect(result.valid).toBe(c.expected.valid);
      if (c.expected.reason !== undefined) expect(result.reason).toBe(c.expected.reason);
      return;
    }
    default:
      throw new Error(`case ${c.id}: unknown kind ${(c as VectorCase).kind}`);
  }
}

describe('published rating vectors', () => {
  it('has vectors to run', () => {
    expect(vectors.flatMap((v) => v.cases).length).toBeGreaterThan(0);
  });
  for (const vector of vectors) {
    describe(`${vector.id} ${vector.title}`, () => {
      for (const c of vector.cases) it(c.id, () => run(vector, c));
    });
  }
});
