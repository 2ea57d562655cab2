/**
 * Business-hours arithmetic in the installation's time zone, using only Intl (no tz database of our own).
 *
 * Model: each local date D contributes the intervals of its weekday, mapped from wall time to instants with
 * `firstInstantAtOrAfter` — the first instant at which the local clock reads at least that wall time. This
 * mapping is monotone, so DST is handled deterministically:
 * - spring-forward gap: a wall time that never happens maps to the transition instant, so a 02:00–03:00
 *   window on that day lasts 0 minutes and 01:00–03:00 lasts 1 hour;
 * - fall-back overlap: an ambiguous wall time maps to its first occurrence, so a window spanning the repeated
 *   hour is an hour longer (business time is real elapsed time, not wall-clock difference).
 * Day D's intervals always lie within [start of D, start of D+1), so days never overlap each other.
 * Time is counted in whole milliseconds (Date's resolution); fractional minutes are rounded to the ms.
 */
import { z } from 'zod';
import { AppError, ErrorCode } from './errors';

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];

const MINUTE = 60_000;
const DAY = 86_400_000;
/** Give up after this many local days; no SLA target gets anywhere near it. */
const MAX_SEARCH_DAYS = 366 * 100;

const startPattern = /^([01]\d|2[0-3]):[0-5]\d$/;
const endPattern = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
/** 'HH:MM' → minutes since local midnight ('24:00' → 1440). */
const toMinutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

function isValidLocalDate(s: string): boolean {
  const ms = Date.UTC(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10)));
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === s;
}

const businessIntervalSchema = z
  .object({
    start: z.string().regex(startPattern, 'Expected HH:MM'),
    end: z.string().regex(endPattern, 'Expected HH:MM or 24:00'),
  })
  .refine((i) => toMinutes(i.start) < toMinutes(i.end), { message: 'start must be before end', path: ['end'] });

const dayScheduleSchema = z.array(businessIntervalSchema).superRefine((list, ctx) => {
  for (let i = 1; i < list.length; i++) {
    const prev = list[i - 1];
    const cur = list[i];
    if (prev && cur && toMinutes(cur.start) < toMinutes(prev.end)) {
      ctx.addIssue({ code: 'custom', message: 'Intervals must be sorted and must not overlap', path: [i, 'start'] });
    }
  }
});

export const businessCalendarSchema = z.object({
  timeZone: z.string().refine(isValidTimeZone, 'Unknown time zone'),
  weekly: z.strictObject({
    mon: dayScheduleSchema,
    tue: dayScheduleSchema,
    wed: dayScheduleSchema,
    thu: dayScheduleSchema,
    fri: dayScheduleSchema,
    sat: dayScheduleSchema,
    sun: dayScheduleSchema,
  }),
  /** Local dates on which the whole day is closed. */
  holidays: z.array(
    z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'Expected YYYY-MM-DD')
      .refine(isValidLocalDate, 'Not a calendar date'),
  ),
});

export type BusinessInterval = z.infer<typeof businessIntervalSchema>;
export type BusinessCalendar = z.infer<typeof businessCalendarSchema>;

/** Validates a calendar, turning zod's error into the shared AppError. */
export function parseBusinessCalendar(input: unknown): BusinessCalendar {
  const result = businessCalendarSchema.safeParse(input);
  if (!result.success) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, 'Invalid business calendar', { issues: result.error.issues });
  }
  return result.data;
}

export const calendar24x7 = (timeZone = 'UTC'): BusinessCalendar => officeHours(timeZone, '00:00', '24:00', weekdays);

export const officeHours = (
  timeZone: string,
  start = '08:00',
  end = '17:30',
  days: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'],
  holidays: readonly string[] = [],
): BusinessCalendar => {
  const day = (d: Weekday) => (days.includes(d) ? [{ start, end }] : []);
  return parseBusinessCalendar({
    timeZone,
    weekly: {
      mon: day('mon'),
      tue: day('tue'),
      wed: day('wed'),
      thu: day('thu'),
      fri: day('fri'),
      sat: day('sat'),
      sun: day('sun'),
    },
    holidays: [...holidays],
  });
};

// ---------------------------------------------------------------------------------------------------------------
// Time-zone primitives. Everything below works on epoch milliseconds; a "wall" value is a local date-time
// expressed as if it were UTC (so wall - offset = instant).

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new AppError(ErrorCode.VALIDATION_FAILED, `Unknown time zone: ${timeZone}`, { timeZone });
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** UTC offset (ms) in effect at `instant`, to the second (Intl does not format milliseconds). */
function offsetAt(f: Intl.DateTimeFormat, instant: number): number {
  const second = Math.floor(instant / 1000) * 1000;
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let sec = 0;
  for (const part of f.formatToParts(second)) {
    if (part.type === 'year') year = Number(part.value);
    else if (part.type === 'month') month = Number(part.value);
    else if (part.type === 'day') day = Number(part.value);
    else if (part.type === 'hour')
      hour = Number(part.value) % 24; // some engines still print 24 for midnight
    else if (part.type === 'minute') minute = Number(part.value);
    else if (part.type === 'second') sec = Number(part.value);
  }
  return Date.UTC(year, month - 1, day, hour, minute, sec) - second;
}

/** The first instant at which the local clock reads `wall` or later (see the module comment). */
function firstInstantAtOrAfter(f: Intl.DateTimeFormat, wall: number): number {
  // Offsets a day either side bracket any transition near `wall` (real offsets stay within ±14 h).
  const before = offsetAt(f, wall - DAY);
  const after = offsetAt(f, wall + DAY);
  if (before === after) return wall - before;
  const early = wall - before;
  const late = wall - after;
  const earlyOk = offsetAt(f, early) === before;
  const lateOk = offsetAt(f, late) === after;
  if (earlyOk && lateOk) return Math.min(early, late); // fall-back overlap: first occurrence
  if (earlyOk) return early;
  if (lateOk) return late;
  // Spring-forward gap: the wall time is skipped; the transition lies in (late, early].
  if (after > before) return transitionInstant(f, late, early, before);
  return early; // more than one transition within a day: not seen in practice, stay deterministic
}

/** Binary search (to the second) for the first instant after `lo` whose offset differs from `loOffset`. */
function transitionInstant(f: Intl.DateTimeFormat, lo: number, hi: number, loOffset: number): number {
  let a = lo;
  let b = hi;
  while (b - a > 1000) {
    const mid = a + Math.floor((b - a) / 2000) * 1000;
    if (offsetAt(f, mid) === loOffset) a = mid;
    else b = mid;
  }
  return b;
}

// ---------------------------------------------------------------------------------------------------------------
// Compiled calendar: parsed once per call so the hot loops do no string work.

type Span = readonly [start: number, end: number];

interface Compiled {
  f: Intl.DateTimeFormat;
  /** Indexed like Date#getUTCDay (0 = Sunday); minutes since local midnight, sorted and merged. */
  byWeekday: Span[][];
  holidays: ReadonlySet<string>;
  weeklyMinutes: number;
  /** Offsets at UTC midnights (keyed by day number), memoized with the compiled calendar. */
  midnightOffsets: Map<number, number>;
}

const weekdayIndex: Record<Weekday, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

// Calendars come from cached reference data, so the same object is reused across tickets: keep its compiled
// form (and the offsets it has looked up) instead of asking Intl again; Intl.formatToParts dominates the cost.
const compiled = new WeakMap<BusinessCalendar, Compiled>();

function compile(cal: BusinessCalendar): Compiled {
  let c = compiled.get(cal);
  if (!c) {
    c = compileUncached(cal);
    compiled.set(cal, c);
  }
  return c;
}

function compileUncached(cal: BusinessCalendar): Compiled {
  const byWeekday: Span[][] = [[], [], [], [], [], [], []];
  let weeklyMinutes = 0;
  for (const d of weekdays) {
    // Tolerate unvalidated input: drop empty intervals and merge overlaps so time is never counted twice.
    const spans = (cal.weekly[d] ?? [])
      .map((i): Span => [toMinutes(i.start), toMinutes(i.end)])
      .filter(([s, e]) => e > s)
      .sort((x, y) => x[0] - y[0]);
    const merged: Span[] = [];
    for (const span of spans) {
      const last = merged[merged.length - 1];
      if (last && span[0] <= last[1]) merged[merged.length - 1] = [last[0], Math.max(last[1], span[1])];
      else merged.push(span);
    }
    for (const [s, e] of merged) weeklyMinutes += e - s;
    byWeekday[weekdayIndex[d]] = merged;
  }
  return {
    f: formatterFor(cal.timeZone),
    byWeekday,
    holidays: new Set(cal.holidays),
    weeklyMinutes,
    midnightOffsets: new Map(),
  };
}

/** Local date (days since 1970-01-01) shown by the clock at `instant`. */
function localDay(c: Compiled, instant: number): number {
  // No transition between the surrounding UTC midnights (offsets stay within ±14 h): the memoized offset holds.
  const utcDay = Math.floor(instant / DAY);
  const before = midnightOffset(c, utcDay - 1);
  const offset = before === midnightOffset(c, utcDay + 2) ? before : offsetAt(c.f, instant);
  return Math.floor((instant + offset) / DAY);
}

function midnightOffset(c: Compiled, day: number): number {
  let offset = c.midnightOffsets.get(day);
  if (offset === undefined) {
    offset = offsetAt(c.f, day * DAY);
    c.midnightOffsets.set(day, offset);
  }
  return offset;
}

/** Business intervals of local day `day`, as instants, in order; empty ones (inside a DST gap) dropped. */
function dayIntervals(c: Compiled, day: number): Span[] {
  const spans = c.byWeekday[(((day + 4) % 7) + 7) % 7] ?? []; // 1970-01-01 was a Thursday
  if (spans.length === 0) return [];
  if (c.holidays.size > 0 && c.holidays.has(new Date(day * DAY).toISOString().slice(0, 10))) return [];
  // Fast path: firstInstantAtOrAfter only looks at offsets within a day of this day's walls; if the offset is the
  // same at both ends of that window there is no transition in it and every wall maps with that one offset.
  const steady = midnightOffset(c, day - 1) === midnightOffset(c, day + 2) ? midnightOffset(c, day - 1) : null;
  const toInstant = (wall: number): number => (steady === null ? firstInstantAtOrAfter(c.f, wall) : wall - steady);
  const out: Span[] = [];
  for (const [s, e] of spans) {
    const start = toInstant(day * DAY + s * MINUTE);
    const end = toInstant(day * DAY + e * MINUTE);
    if (end > start) out.push([start, end]);
  }
  return out;
}

function instantOf(d: Date, name: string): number {
  const t = d.getTime();
  if (Number.isNaN(t)) throw new AppError(ErrorCode.VALIDATION_FAILED, `${name} is not a valid date`, { [name]: d });
  return t;
}

// ---------------------------------------------------------------------------------------------------------------

export function isBusinessTime(cal: BusinessCalendar, at: Date): boolean {
  const t = instantOf(at, 'at');
  const c = compile(cal);
  const today = localDay(c, t);
  // Neighbouring days too: a fall-back across midnight can put an instant of day D under day D±1's wall date.
  for (let day = today - 1; day <= today + 1; day++) {
    for (const [s, e] of dayIntervals(c, day)) if (s <= t && t < e) return true;
  }
  return false;
}

/**
 * The earliest instant by which `minutes` of business time have elapsed since `from`. Outside business hours
 * counting starts at the next opening; a result landing exactly on a closing time is that closing instant.
 * `minutes = 0` returns `from` unchanged (so the operation is additive).
 */
export function addBusinessMinutes(cal: BusinessCalendar, from: Date, minutes: number): Date {
  const start = instantOf(from, 'from');
  if (!Number.isFinite(minutes) || minutes < 0) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, 'minutes must be a finite number ≥ 0', { minutes });
  }
  let remaining = Math.round(minutes * MINUTE);
  if (remaining === 0) return new Date(start);
  const c = compile(cal);
  if (c.weeklyMinutes === 0) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, 'The business calendar has no business hours', {
      reason: 'NO_BUSINESS_HOURS',
    });
  }
  // Each full week yields about weeklyMinutes; allow twice that plus every holiday and DST losses.
  const weeks = Math.ceil(remaining / (c.weeklyMinutes * MINUTE));
  const budget = Math.min(MAX_SEARCH_DAYS, 14 * (weeks + 1) + c.holidays.size);
  const first = localDay(c, start) - 1;
  for (let day = first; day <= first + budget; day++) {
    for (const [s, e] of dayIntervals(c, day)) {
      if (e <= start) continue;
      const begin = Math.max(s, start);
      if (remaining <= e - begin) return new Date(begin + remaining);
      remaining -= e - begin;
    }
  }
  throw new AppError(ErrorCode.VALIDATION_FAILED, 'Not enough business hours in the calendar to add that time', {
    reason: 'NO_BUSINESS_HOURS',
    minutes,
  });
}

/** Business minutes in [a, b); 0 when b ≤ a. */
export function businessMinutesBetween(cal: BusinessCalendar, a: Date, b: Date): number {
  const from = instantOf(a, 'a');
  const to = instantOf(b, 'b');
  if (to <= from) return 0;
  const c = compile(cal);
  const last = localDay(c, to) + 1;
  let total = 0;
  for (let day = localDay(c, from) - 1; day <= last; day++) {
    for (const [s, e] of dayIntervals(c, day)) {
      const lo = Math.max(s, from);
      const hi = Math.min(e, to);
      if (hi > lo) total += hi - lo;
    }
  }
  return total / MINUTE;
}
