import type { CalendarDefinition, Instant, Weekday } from './rating.types';

/**
 * §9 calendars: weekday -> day type, exception dates, day types as half-open slots of local time, each
 * slot naming a time type. Evaluated on the wall clock of the billing profile's zone.
 */

const SECOND = 1000;
const DAY = 86_400_000;
const WEEKDAYS: readonly Weekday[] = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

export type CalendarValidationReason =
  | 'GAP'
  | 'OVERLAP'
  | 'WEEKDAY_UNMAPPED'
  | 'DUPLICATE_EXCEPTION'
  | 'UNKNOWN_DAY_TYPE'
  | 'UNKNOWN_TIME_TYPE'
  | 'BAD_TIME'
  | 'BAD_DATE';

export interface CalendarValidation {
  valid: boolean;
  reason?: CalendarValidationReason;
  detail?: string;
}

export class CalendarValidationError extends Error {
  constructor(
    readonly reason: CalendarValidationReason,
    detail: string,
  ) {
    super(`invalid calendar: ${reason}: ${detail}`);
    this.name = 'CalendarValidationError';
  }
}

interface DayType {
  name: string;
  /** Exclusive slot ends in ms of the local day, ascending; the last is 24:00. */
  slotEnds: number[];
  slotTimeTypes: string[];
}

export interface CompiledCalendar {
  timeTypes: string[];
  dayTypes: DayType[];
  /** Index 0 = Monday. */
  weekdayDayTypes: DayType[];
  /** Local date as days since 1970-01-01 -> day type. */
  oneOff: Map<number, DayType>;
  /** month × 100 + day -> day type. */
  annual: Map<number, DayType>;
  /** The only time type when every slot of every day type names the same one (most IoT plans). */
  constantTimeType: string | null;
}

/** "HH:MM:SS" -> ms of the day; 24:00:00 allowed (end of day); null when malformed. */
export function parseTimeOfDay(text: string): number | null {
  const m = /^(\d\d):(\d\d):(\d\d)$/.exec(text);
  if (!m) return null;
  const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (min > 59 || s > 59 || h > 24 || (h === 24 && (min > 0 || s > 0))) return null;
  return ((h * 60 + min) * 60 + s) * SECOND;
}

/** "YYYY-MM-DD" -> days since 1970-01-01, or null when not a real date. */
function parseDate(text: string): number | null {
  const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms / DAY;
}

/** "MM-DD" -> month × 100 + day (02-29 allowed: it then applies in leap years only), or null. */
function parseMonthDay(text: string): number | null {
  const m = /^(\d\d)-(\d\d)$/.exec(text);
  if (!m) return null;
  const [mo, d] = [Number(m[1]), Number(m[2])];
  if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(2024, mo, 0)).getUTCDate()) return null;
  return mo * 100 + d;
}

export function validateCalendar(calendar: CalendarDefinition): CalendarValidation {
  try {
    compileCalendar(calendar);
    return { valid: true };
  } catch (err) {
    if (err instanceof CalendarValidationError) return { valid: false, reason: err.reason, detail: err.message };
    throw err;
  }
}

/** Validates (throwing CalendarValidationError) and builds the lookup structure. */
export function compileCalendar(calendar: CalendarDefinition): CompiledCalendar {
  const fail = (reason: CalendarValidationReason, detail: string): never => {
    throw new CalendarValidationError(reason, detail);
  };
  const timeTypes = new Set(calendar.timeTypes);
  const dayTypes = new Map<string, DayType>();
  for (const [name, slots] of Object.entries(calendar.dayTypes)) {
    const parsed = slots.map((slot) => {
      const start = parseTimeOfDay(slot.start);
      const end = parseTimeOfDay(slot.end);
      if (start === null || end === null || start >= end) fail('BAD_TIME', `${name}: slot ${slot.start}-${slot.end}`);
      if (!timeTypes.has(slot.timeType)) fail('UNKNOWN_TIME_TYPE', `${name}: ${slot.timeType}`);
      return { start: start!, end: end!, timeType: slot.timeType };
    });
    parsed.sort((a, b) => a.start - b.start || a.end - b.end);
    // The slots must tile [00:00, 24:00): each starts where the previous ended.
    let covered = 0;
    for (const slot of parsed) {
      if (slot.start > covered) fail('GAP', `${name}: nothing covers ${formatTime(covered)}-${formatTime(slot.start)}`);
      if (slot.start < covered) fail('OVERLAP', `${name}: slots overlap before ${formatTime(covered)}`);
      covered = slot.end;
    }
    if (covered < DAY) fail('GAP', `${name}: nothing covers ${formatTime(covered)}-24:00:00`);
    dayTypes.set(name, {
      name,
      slotEnds: parsed.map((s) => s.end),
      slotTimeTypes: parsed.map((s) => s.timeType),
    });
  }
  const dayType = (name: string, where: string): DayType =>
    dayTypes.get(name) ?? fail('UNKNOWN_DAY_TYPE', `${where}: ${name}`);

  const weekdayDayTypes = WEEKDAYS.map((day) => {
    const name = calendar.weekdays[day];
    if (name === undefined) return fail('WEEKDAY_UNMAPPED', `${day} has no day type`);
    return dayType(name, day);
  });

  const oneOff = new Map<number, DayType>();
  const annual = new Map<number, DayType>();
  for (const exception of calendar.exceptions) {
    const target = dayType(exception.dayType, 'exception');
    if (exception.kind === 'ONE_OFF') {
      const day = parseDate(exception.date) ?? fail('BAD_DATE', `one-off exception ${exception.date}`);
      if (oneOff.has(day)) fail('DUPLICATE_EXCEPTION', `two one-off exceptions on ${exception.date}`);
      oneOff.set(day, target);
    } else {
      const key = parseMonthDay(exception.monthDay) ?? fail('BAD_DATE', `annual exception ${exception.monthDay}`);
      if (annual.has(key)) fail('DUPLICATE_EXCEPTION', `two annual exceptions on ${exception.monthDay}`);
      annual.set(key, target);
    }
  }

  const used = new Set([...dayTypes.values()].flatMap((d) => d.slotTimeTypes));
  return {
    timeTypes: calendar.timeTypes,
    dayTypes: [...dayTypes.values()],
    weekdayDayTypes,
    oneOff,
    annual,
    constantTimeType: used.size === 1 ? [...used][0] : null,
  };
}

function formatTime(ms: number): string {
  const s = Math.floor(ms / SECOND);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

/** Month × 100 + day of a day count since 1970-01-01 (H. Hinnant's civil_from_days). */
function monthDayOf(days: number): number {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return month * 100 + day;
}

function dayTypeOfDay(calendar: CompiledCalendar, day: number): DayType {
  if (calendar.oneOff.size > 0) {
    const exception = calendar.oneOff.get(day);
    if (exception) return exception;
  }
  if (calendar.annual.size > 0) {
    const exception = calendar.annual.get(monthDayOf(day));
    if (exception) return exception;
  }
  // 1970-01-01 was a Thursday (index 3 with Monday = 0).
  return calendar.weekdayDayTypes[(((day + 3) % 7) + 7) % 7];
}

interface LocalSlot {
  dayType: DayType;
  slot: number;
  /** Wall-clock ms (as if UTC) where the slot ends. */
  endWall: number;
}

function slotAtWall(calendar: CompiledCalendar, wall: number): LocalSlot {
  const day = Math.floor(wall / DAY);
  const timeOfDay = wall - day * DAY;
  const dayType = dayTypeOfDay(calendar, day);
  let slot = 0;
  while (dayType.slotEnds[slot] <= timeOfDay) slot++;
  return { dayType, slot, endWall: day * DAY + dayType.slotEnds[slot] };
}

export interface TimeTypeAt {
  dayType: string;
  timeType: string;
}

/** The day type and time type at a local wall-clock time, ISO 8601 without offset ("2024-07-03T16:59:59.500"). */
export function timeTypeAtLocal(calendar: CompiledCalendar, localDateTime: string): TimeTypeAt {
  const found = slotAtWall(calendar, parseLocalDateTime(localDateTime));
  return { dayType: found.dayType.name, timeType: found.dayType.slotTimeTypes[found.slot] };
}

/** The day type and time type at an instant, on the wall clock of `timeZone`. */
export function timeTypeAt(calendar: CompiledCalendar, instant: Instant, timeZone: string): TimeTypeAt {
  const found = slotAtWall(calendar, instant + zoneOffsetMs(timeZone, instant));
  return { dayType: found.dayType.name, timeType: found.dayType.slotTimeTypes[found.slot] };
}

/** The time type at an instant (fast path: no lookup for a one-time-type calendar). */
export function timeTypeAtInstant(calendar: CompiledCalendar, instant: Instant, timeZone: string): string {
  if (calendar.constantTimeType !== null) return calendar.constantTimeType;
  const found = slotAtWall(calendar, instant + zoneOffsetMs(timeZone, instant));
  return found.dayType.slotTimeTypes[found.slot];
}

function parseLocalDateTime(text: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,3}))?$/.exec(text);
  if (!m) throw new RangeError(`expected a local date-time such as 2024-07-03T16:59:59.500, got ${text}`);
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
}

export interface TimeTypePiece {
  timeType: string;
  quantity: number;
}

/**
 * Splits a duration of `seconds` starting at `startedAt` where the time type changes (§9: a duration is
 * split at the boundary). Second i covers [startedAt + i s, startedAt + (i+1) s) and belongs to the time
 * type at its start, so a session reported in consecutive parts splits exactly as the whole would.
 * Consecutive pieces of the same time type are merged.
 */
export function splitSecondsByTimeType(
  calendar: CompiledCalendar,
  timeZone: string,
  startedAt: Instant,
  seconds: number,
): TimeTypePiece[] {
  if (calendar.constantTimeType !== null || seconds <= 0) {
    return [{ timeType: timeTypeAtInstant(calendar, startedAt, timeZone), quantity: seconds }];
  }
  const pieces: TimeTypePiece[] = [];
  let done = 0;
  while (done < seconds) {
    const at = startedAt + done * SECOND;
    const offset = zoneOffsetMs(timeZone, at);
    const found = slotAtWall(calendar, at + offset);
    const timeType = found.dayType.slotTimeTypes[found.slot];
    const boundary = slotEndInstant(timeZone, at, offset, found.endWall);
    // The first second starting at or after the boundary belongs to the next slot.
    const next = Math.min(seconds, Math.ceil((boundary - startedAt) / SECOND));
    const last = pieces[pieces.length - 1];
    if (last && last.timeType === timeType) last.quantity += next - done;
    else pieces.push({ timeType, quantity: next - done });
    done = next;
  }
  return pieces;
}

/**
 * Where the current slot ends: at `endWall` on the wall clock, or earlier where the zone's offset changes
 * (DST), since the wall clock then jumps and the slot must be looked up again — forward into a later slot
 * (a boundary in the spring gap is reached at the change), or back into an earlier one (the repeated autumn
 * hour maps to the slots of its wall time).
 */
function slotEndInstant(timeZone: string, from: Instant, fromOffset: number, endWall: number): Instant {
  const end = endWall - fromOffset;
  if (zoneOffsetMs(timeZone, end) === fromOffset) return end;
  let low = from;
  let high = end;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (zoneOffsetMs(timeZone, mid) === fromOffset) low = mid;
    else high = mid;
  }
  return high;
}

// ---- time zones: offsets from Intl, cached per 15-minute bucket that has a single offset ----

const BUCKET = 15 * 60 * SECOND;
const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCaches = new Map<string, Map<number, number>>();
const UTC_ZONES: ReadonlySet<string> = new Set(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT', 'Z']);

/** Offset of the zone's wall clock from UTC at an instant, in ms (Europe/Berlin in summer: 7_200_000). */
export function zoneOffsetMs(timeZone: string, instant: Instant): number {
  if (UTC_ZONES.has(timeZone)) return 0;
  let cache = offsetCaches.get(timeZone);
  if (!cache) {
    cache = new Map();
    offsetCaches.set(timeZone, cache);
  }
  const bucket = Math.floor(instant / BUCKET);
  const cached = cache.get(bucket);
  if (cached !== undefined) return cached;
  const start = bucket * BUCKET;
  const offset = computeOffset(timeZone, start);
  // Cache only buckets without a transition inside; those few are computed each time.
  if (computeOffset(timeZone, start + BUCKET - 1) !== offset) return computeOffset(timeZone, instant);
  if (cache.size > 200_000) cache.clear();
  cache.set(bucket, offset);
  return offset;
}

function computeOffset(timeZone: string, instant: Instant): number {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour % 24, parts.minute, parts.second);
  return wall - (instant - (((instant % SECOND) + SECOND) % SECOND));
}
