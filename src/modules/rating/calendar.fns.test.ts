import { describe, expect, it } from 'vitest';
import { compileCalendar, splitSecondsByTimeType, timeTypeAt, timeTypeAtLocal, validateCalendar, zoneOffsetMs } from './calendar.fns';
import { TYPICAL_CALENDAR } from './rating.fixtures';
import type { CalendarDefinition } from './rating.types';

const typical = compileCalendar(TYPICAL_CALENDAR);
const BERLIN = 'Europe/Berlin';

/** A: [00:00, 02:30), B: [02:30, 24:00) every day, to put a boundary inside the DST hours. */
const NIGHT: CalendarDefinition = {
  timeTypes: ['A', 'B'],
  dayTypes: {
    D: [
      { start: '00:00:00', end: '02:30:00', timeType: 'A' },
      { start: '02:30:00', end: '24:00:00', timeType: 'B' },
    ],
  },
  weekdays: { MON: 'D', TUE: 'D', WED: 'D', THU: 'D', FRI: 'D', SAT: 'D', SUN: 'D' },
  exceptions: [],
};
const night = compileCalendar(NIGHT);

describe('calendar lookup', () => {
  it('applies annual exceptions every year and one-offs once', () => {
    expect(timeTypeAtLocal(typical, '2024-12-25T10:00:00')).toEqual({ dayType: 'WEEKEND', timeType: 'WEEKEND' });
    expect(timeTypeAtLocal(typical, '2030-12-25T10:00:00')).toEqual({ dayType: 'WEEKEND', timeType: 'WEEKEND' });
    const oneOff = compileCalendar({ ...TYPICAL_CALENDAR, exceptions: [{ kind: 'ONE_OFF', date: '2024-07-04', dayType: 'WEEKEND' }, { kind: 'ANNUAL', monthDay: '07-04', dayType: 'WEEKDAY' }] });
    // A one-off beats an annual exception on the same date.
    expect(timeTypeAtLocal(oneOff, '2024-07-04T10:00:00').dayType).toBe('WEEKEND');
    expect(timeTypeAtLocal(oneOff, '2025-07-04T10:00:00').dayType).toBe('WEEKDAY');
  });

  it('applies an annual 02-29 exception in leap years only', () => {
    const leap = compileCalendar({ ...TYPICAL_CALENDAR, exceptions: [{ kind: 'ANNUAL', monthDay: '02-29', dayType: 'WEEKEND' }] });
    expect(timeTypeAtLocal(leap, '2024-02-29T10:00:00').dayType).toBe('WEEKEND');
    expect(timeTypeAtLocal(leap, '2025-03-01T10:00:00').dayType).toBe('WEEKEND'); // a Saturday anyway
    expect(timeTypeAtLocal(leap, '2023-03-01T10:00:00').dayType).toBe('WEEKDAY');
  });

  it('evaluates instants on the wall clock of the zone, through DST', () => {
    expect(zoneOffsetMs(BERLIN, Date.parse('2024-07-03T00:00:00Z'))).toBe(2 * 3_600_000);
    expect(zoneOffsetMs(BERLIN, Date.parse('2024-01-03T00:00:00Z'))).toBe(3_600_000);
    expect(zoneOffsetMs('UTC', Date.parse('2024-01-03T00:00:00Z'))).toBe(0);
    expect(zoneOffsetMs('Asia/Kolkata', Date.parse('2024-01-03T00:00:00Z'))).toBe(5.5 * 3_600_000);
    expect(timeTypeAt(typical, Date.parse('2024-03-31T00:59:59Z'), BERLIN).timeType).toBe('WEEKEND');
  });

  it('rejects malformed slots, exceptions and unknown time types', () => {
    const bad = (patch: Partial<CalendarDefinition>) => validateCalendar({ ...TYPICAL_CALENDAR, ...patch }).reason;
    expect(bad({ dayTypes: { ...TYPICAL_CALENDAR.dayTypes, WEEKEND: [{ start: '00:00:00', end: '24:00:01', timeType: 'WEEKEND' }] } })).toBe('BAD_TIME');
    expect(bad({ dayTypes: { ...TYPICAL_CALENDAR.dayTypes, WEEKEND: [{ start: '00:00:00', end: '24:00:00', timeType: 'NIGHT' }] } })).toBe('UNKNOWN_TIME_TYPE');
    expect(bad({ weekdays: { ...TYPICAL_CALENDAR.weekdays, SUN: 'HOLIDAY' } })).toBe('UNKNOWN_DAY_TYPE');
    expect(bad({ exceptions: [{ kind: 'ONE_OFF', date: '2024-02-30', dayType: 'WEEKEND' }] })).toBe('BAD_DATE');
    expect(bad({ exceptions: [{ kind: 'ANNUAL', monthDay: '12-25', dayType: 'WEEKEND' }, { kind: 'ANNUAL', monthDay: '12-25', dayType: 'WEEKDAY' }] })).toBe('DUPLICATE_EXCEPTION');
  });
});

describe('splitSecondsByTimeType', () => {
  const split = (calendar = typical, start: string, seconds: number) =>
    splitSecondsByTimeType(calendar, BERLIN, Date.parse(start), seconds).map((p) => [p.timeType, p.quantity]);

  it('splits at a slot boundary', () => {
    expect(split(typical, '2024-07-03T06:59:30Z', 90)).toEqual([
      ['OFF_PEAK', 30],
      ['PEAK', 60],
    ]);
  });

  it('gives each second to the time type at its start when the boundary falls inside a second', () => {
    expect(split(typical, '2024-07-03T06:59:58.500Z', 2)).toEqual([['OFF_PEAK', 2]]);
    // 06:59:59.500Z + second 0 is OFF_PEAK; second 1 starts 07:00:00.500Z (09:00:00.5 local): PEAK.
    expect(split(typical, '2024-07-03T06:59:59.500Z', 2)).toEqual([
      ['OFF_PEAK', 1],
      ['PEAK', 1],
    ]);
  });

  it('crosses midnight into the next day type and merges equal time types', () => {
    // Friday 23:59:30 local -> Saturday.
    expect(split(typical, '2024-07-05T21:59:30Z', 60)).toEqual([
      ['OFF_PEAK', 30],
      ['WEEKEND', 30],
    ]);
    // Tuesday 23:59 -> Wednesday 00:01 stays OFF_PEAK: one piece.
    expect(split(typical, '2024-07-02T21:59:00Z', 120)).toEqual([['OFF_PEAK', 120]]);
  });

  it('reaches a boundary inside the spring DST gap at the change itself', () => {
    // 2024-03-31: 02:00 CET jumps to 03:00 CEST at 01:00Z; 02:30 never happens on the wall clock.
    expect(split(night, '2024-03-31T00:59:00Z', 120)).toEqual([
      ['A', 60],
      ['B', 60],
    ]);
  });

  it('maps the repeated autumn hour by its wall time', () => {
    // 2024-10-27: 03:00 CEST falls back to 02:00 CET at 01:00Z; 02:00-02:30 happens twice, both times A.
    expect(split(night, '2024-10-27T00:29:00Z', 120)).toEqual([
      ['A', 60],
      ['B', 60],
    ]);
    expect(split(night, '2024-10-27T00:59:00Z', 120)).toEqual([
      ['B', 60],
      ['A', 60],
    ]);
    expect(split(night, '2024-10-27T01:29:00Z', 120)).toEqual([
      ['A', 60],
      ['B', 60],
    ]);
  });

  it('covers long durations slot by slot', () => {
    const pieces = splitSecondsByTimeType(typical, BERLIN, Date.parse('2024-07-03T00:00:00Z'), 7 * 86_400);
    expect(pieces.reduce((s, p) => s + p.quantity, 0)).toBe(7 * 86_400);
    // From Wednesday 02:00 local for a week.
    expect(pieces.map((p) => p.timeType)).toEqual([
      'OFF_PEAK', 'PEAK', 'OFF_PEAK', 'PEAK', 'OFF_PEAK', 'PEAK', 'OFF_PEAK', 'WEEKEND',
      'OFF_PEAK', 'PEAK', 'OFF_PEAK', 'PEAK', 'OFF_PEAK',
    ]);
    expect(pieces[7].quantity).toBe(2 * 86_400);
  });
});
