import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BusinessCalendar, BusinessInterval, Weekday } from './calendar';
import {
  addBusinessMinutes,
  businessCalendarSchema,
  businessMinutesBetween,
  calendar24x7,
  isBusinessTime,
  officeHours,
  parseBusinessCalendar,
  weekdays,
} from './calendar';
import { AppError } from './errors';

const at = (iso: string): Date => new Date(iso);
const iso = (d: Date): string => d.toISOString();

/** A calendar open only on the given weekday windows. */
const only = (timeZone: string, weekly: Partial<Record<Weekday, BusinessInterval[]>>): BusinessCalendar => ({
  timeZone,
  weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [], ...weekly },
  holidays: [],
});

describe('Caracas office hours (Mon–Fri 08:00–17:30, UTC−4 all year)', () => {
  const cal = officeHours('America/Caracas');

  it('carries Friday evening work over to Monday morning', () => {
    expect(iso(addBusinessMinutes(cal, at('2025-06-06T17:00:00-04:00'), 60))).toBe('2025-06-09T12:30:00.000Z');
  });

  it('starts counting at the next opening when created outside hours', () => {
    expect(iso(addBusinessMinutes(cal, at('2025-06-07T10:00:00-04:00'), 30))).toBe('2025-06-09T12:30:00.000Z');
    expect(iso(addBusinessMinutes(cal, at('2025-06-09T07:00:00-04:00'), 30))).toBe('2025-06-09T12:30:00.000Z');
    expect(iso(addBusinessMinutes(cal, at('2025-06-09T18:00:00-04:00'), 30))).toBe('2025-06-10T12:30:00.000Z');
  });

  it('returns the closing instant, not the next opening, when the time ends exactly at closing', () => {
    expect(iso(addBusinessMinutes(cal, at('2025-06-09T17:00:00-04:00'), 30))).toBe('2025-06-09T21:30:00.000Z');
    expect(iso(addBusinessMinutes(cal, at('2025-06-09T08:00:00-04:00'), 570))).toBe('2025-06-09T21:30:00.000Z');
  });

  it('returns `from` itself for zero minutes, even outside hours', () => {
    expect(iso(addBusinessMinutes(cal, at('2025-06-07T10:00:00-04:00'), 0))).toBe('2025-06-07T14:00:00.000Z');
  });

  it('skips holidays', () => {
    const withHoliday = officeHours('America/Caracas', '08:00', '17:30', undefined, ['2025-06-06']);
    expect(iso(addBusinessMinutes(withHoliday, at('2025-06-05T16:30:00-04:00'), 120))).toBe('2025-06-09T13:00:00.000Z');
    expect(isBusinessTime(withHoliday, at('2025-06-06T10:00:00-04:00'))).toBe(false);
    expect(businessMinutesBetween(withHoliday, at('2025-06-02T00:00:00-04:00'), at('2025-06-09T00:00:00-04:00'))).toBe(
      4 * 570,
    );
  });

  it('knows when it is open', () => {
    expect(isBusinessTime(cal, at('2025-06-09T08:00:00-04:00'))).toBe(true);
    expect(isBusinessTime(cal, at('2025-06-09T17:29:59.999-04:00'))).toBe(true);
    expect(isBusinessTime(cal, at('2025-06-09T17:30:00-04:00'))).toBe(false);
    expect(isBusinessTime(cal, at('2025-06-09T07:59:59.999-04:00'))).toBe(false);
    expect(isBusinessTime(cal, at('2025-06-07T12:00:00-04:00'))).toBe(false);
  });

  it('measures business minutes between two instants', () => {
    expect(businessMinutesBetween(cal, at('2025-06-06T17:00:00-04:00'), at('2025-06-09T08:30:00-04:00'))).toBe(60);
    expect(businessMinutesBetween(cal, at('2025-06-09T00:00:00-04:00'), at('2025-06-16T00:00:00-04:00'))).toBe(2850);
    expect(businessMinutesBetween(cal, at('2025-06-09T12:00:00-04:00'), at('2025-06-09T11:00:00-04:00'))).toBe(0);
  });

  it('handles fractional minutes to the millisecond', () => {
    expect(iso(addBusinessMinutes(cal, at('2025-06-09T08:00:00-04:00'), 1.5))).toBe('2025-06-09T12:01:30.000Z');
    expect(iso(addBusinessMinutes(cal, at('2025-06-09T08:00:00-04:00'), 0.0001))).toBe('2025-06-09T12:00:00.006Z');
  });
});

describe('across DST weekends', () => {
  it('Madrid office hours keep local opening times when clocks go forward and back', () => {
    const cal = officeHours('Europe/Madrid', '09:00', '18:00');
    // 2025-03-30: 02:00 CET → 03:00 CEST.
    expect(iso(addBusinessMinutes(cal, at('2025-03-28T17:00:00+01:00'), 120))).toBe('2025-03-31T08:00:00.000Z');
    // 2025-10-26: 03:00 CEST → 02:00 CET.
    expect(iso(addBusinessMinutes(cal, at('2025-10-24T17:00:00+02:00'), 120))).toBe('2025-10-27T09:00:00.000Z');
    expect(businessMinutesBetween(cal, at('2025-03-28T17:00:00+01:00'), at('2025-03-31T10:00:00+02:00'))).toBe(120);
  });

  it('New York and Mexico City office hours across their transitions', () => {
    const ny = officeHours('America/New_York');
    // 2025-03-09: 02:00 EST → 03:00 EDT.
    expect(iso(addBusinessMinutes(ny, at('2025-03-07T17:00:00-05:00'), 60))).toBe('2025-03-10T12:30:00.000Z');
    // 2025-11-02: 02:00 EDT → 01:00 EST.
    expect(iso(addBusinessMinutes(ny, at('2025-10-31T17:00:00-04:00'), 60))).toBe('2025-11-03T13:30:00.000Z');
    const mx = officeHours('America/Mexico_City');
    // 2022-10-30 was Mexico's last fall-back (CDT → CST); there has been no DST since.
    expect(iso(addBusinessMinutes(mx, at('2022-10-28T17:00:00-05:00'), 60))).toBe('2022-10-31T14:30:00.000Z');
    expect(iso(addBusinessMinutes(mx, at('2023-03-31T17:00:00-06:00'), 60))).toBe('2023-04-03T14:30:00.000Z');
  });

  it('a 24x7 calendar counts real elapsed time: 23 h and 25 h days', () => {
    const madrid = calendar24x7('Europe/Madrid');
    expect(businessMinutesBetween(madrid, at('2025-03-30T00:00:00+01:00'), at('2025-03-31T00:00:00+02:00'))).toBe(1380);
    expect(businessMinutesBetween(madrid, at('2025-10-26T00:00:00+02:00'), at('2025-10-27T00:00:00+01:00'))).toBe(1500);
    const ny = calendar24x7('America/New_York');
    expect(iso(addBusinessMinutes(ny, at('2025-03-08T12:00:00-05:00'), 1440))).toBe('2025-03-09T17:00:00.000Z');
  });

  it('a window inside the spring-forward gap is shorter (or empty)', () => {
    const sunday = at('2025-03-30T00:00:00+01:00');
    const monday = at('2025-03-31T00:00:00+02:00');
    const minutes = (start: string, end: string) =>
      businessMinutesBetween(only('Europe/Madrid', { sun: [{ start, end }] }), sunday, monday);
    expect(minutes('01:00', '04:00')).toBe(120);
    expect(minutes('02:00', '03:00')).toBe(0);
    expect(minutes('02:30', '03:30')).toBe(30);
    expect(minutes('01:00', '02:30')).toBe(60);
    // Nothing is open that Sunday, so the next week's window is used.
    const gapOnly = only('Europe/Madrid', { sun: [{ start: '02:00', end: '03:00' }] });
    expect(iso(addBusinessMinutes(gapOnly, sunday, 30))).toBe('2025-04-06T00:30:00.000Z');
    // 02:30 does not exist that day; it maps to the transition instant, 03:00 CEST.
    const halfGap = only('Europe/Madrid', { sun: [{ start: '02:30', end: '03:30' }] });
    expect(iso(addBusinessMinutes(halfGap, sunday, 10))).toBe('2025-03-30T01:10:00.000Z');
    expect(isBusinessTime(halfGap, at('2025-03-30T01:00:00Z'))).toBe(true);
  });

  it('a window spanning the repeated hour is longer, and both occurrences are business time', () => {
    const cal = only('Europe/Madrid', { sun: [{ start: '02:00', end: '03:00' }] });
    const sunday = at('2025-10-26T00:00:00+02:00');
    const monday = at('2025-10-27T00:00:00+01:00');
    expect(businessMinutesBetween(cal, sunday, monday)).toBe(120);
    expect(isBusinessTime(cal, at('2025-10-26T00:30:00Z'))).toBe(true); // 02:30 CEST
    expect(isBusinessTime(cal, at('2025-10-26T01:30:00Z'))).toBe(true); // 02:30 CET
    expect(isBusinessTime(cal, at('2025-10-26T02:00:00Z'))).toBe(false); // 03:00 CET
    // A window starting inside the repeated hour begins at its first occurrence.
    const late = only('Europe/Madrid', { sun: [{ start: '02:30', end: '04:00' }] });
    expect(businessMinutesBetween(late, sunday, monday)).toBe(150);
  });

  it('Santiago skips midnight in September and repeats 23:00 in April', () => {
    const cal = only('America/Santiago', {
      sat: [{ start: '23:00', end: '24:00' }],
      sun: [{ start: '00:00', end: '02:00' }],
    });
    // 2025-09-06 24:00 −04 → 2025-09-07 01:00 −03: Sunday 00:00–01:00 never happens.
    expect(businessMinutesBetween(cal, at('2025-09-06T12:00:00-04:00'), at('2025-09-07T12:00:00-03:00'))).toBe(120);
    // 2025-04-05 24:00 −03 → 23:00 −04: Saturday 23:00–24:00 happens twice.
    expect(businessMinutesBetween(cal, at('2025-04-05T12:00:00-03:00'), at('2025-04-06T12:00:00-04:00'))).toBe(240);
  });

  it('Lord Howe shifts by half an hour', () => {
    const cal = calendar24x7('Australia/Lord_Howe');
    // 2025-10-05 02:00 +10:30 → 02:30 +11.
    expect(businessMinutesBetween(cal, at('2025-10-05T00:00:00+10:30'), at('2025-10-06T00:00:00+11:00'))).toBe(1410);
  });
});

describe('validation', () => {
  const base = officeHours('UTC');

  it('accepts the builders and rejects bad time zones', () => {
    expect(businessCalendarSchema.safeParse(base).success).toBe(true);
    expect(businessCalendarSchema.safeParse(calendar24x7('Asia/Kolkata')).success).toBe(true);
    expect(businessCalendarSchema.safeParse({ ...base, timeZone: 'Mars/Olympus' }).success).toBe(false);
    expect(() => officeHours('Mars/Olympus')).toThrow(AppError);
  });

  it('rejects malformed, inverted, unsorted and overlapping intervals', () => {
    const withMon = (mon: BusinessInterval[]) =>
      businessCalendarSchema.safeParse({ ...base, weekly: { ...base.weekly, mon } });
    expect(withMon([{ start: '8:00', end: '17:00' }]).success).toBe(false);
    expect(withMon([{ start: '24:00', end: '24:00' }]).success).toBe(false);
    expect(withMon([{ start: '12:00', end: '12:00' }]).success).toBe(false);
    expect(withMon([{ start: '13:00', end: '12:00' }]).success).toBe(false);
    expect(
      withMon([
        { start: '13:00', end: '14:00' },
        { start: '08:00', end: '12:00' },
      ]).success,
    ).toBe(false);
    expect(
      withMon([
        { start: '08:00', end: '12:30' },
        { start: '12:00', end: '17:00' },
      ]).success,
    ).toBe(false);
    expect(
      withMon([
        { start: '08:00', end: '12:00' },
        { start: '12:00', end: '24:00' },
      ]).success,
    ).toBe(true);
  });

  it('rejects unknown weekdays and impossible holidays', () => {
    expect(businessCalendarSchema.safeParse({ ...base, weekly: { ...base.weekly, monday: [] } }).success).toBe(false);
    expect(businessCalendarSchema.safeParse({ ...base, holidays: ['2025-02-30'] }).success).toBe(false);
    expect(businessCalendarSchema.safeParse({ ...base, holidays: ['2025-2-3'] }).success).toBe(false);
    expect(() => parseBusinessCalendar({ ...base, holidays: ['x'] })).toThrow(AppError);
  });

  it('refuses to search forever or to go backwards', () => {
    const closed = only('UTC', {});
    expect(() => addBusinessMinutes(closed, at('2025-01-01T00:00:00Z'), 1)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(businessMinutesBetween(closed, at('2025-01-01T00:00:00Z'), at('2026-01-01T00:00:00Z'))).toBe(0);
    expect(() => addBusinessMinutes(base, at('2025-01-01T00:00:00Z'), -1)).toThrow(AppError);
    expect(() => addBusinessMinutes(base, at('2025-01-01T00:00:00Z'), Number.NaN)).toThrow(AppError);
    expect(() => addBusinessMinutes(base, new Date(Number.NaN), 1)).toThrow(AppError);
  });

  it('terminates when the only open days are holidays for a while', () => {
    const holidays = Array.from({ length: 60 }, (_, i) =>
      new Date(Date.UTC(2025, 0, 1 + i)).toISOString().slice(0, 10),
    );
    const cal = officeHours('UTC', '08:00', '17:30', ['mon'], holidays);
    expect(iso(addBusinessMinutes(cal, at('2025-01-01T00:00:00Z'), 60))).toBe('2025-03-03T09:00:00.000Z');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties. Instants cluster around real DST transitions so the odd days get exercised often.

const zones = [
  'Europe/Madrid',
  'America/New_York',
  'America/Mexico_City',
  'America/Santiago',
  'Australia/Lord_Howe',
  'America/Caracas',
  'UTC',
];
const transitions = [
  '2025-03-09T07:00:00Z',
  '2025-11-02T06:00:00Z',
  '2025-03-30T01:00:00Z',
  '2025-10-26T01:00:00Z',
  '2025-09-07T04:00:00Z',
  '2025-04-06T03:00:00Z',
  '2025-10-04T15:30:00Z',
  '2025-04-05T15:00:00Z',
  '2022-10-30T07:00:00Z',
].map((s) => Date.parse(s));

const HOUR = 3_600_000;
const instantArb = fc.oneof(
  fc.integer({ min: Date.parse('2024-01-01T00:00:00Z'), max: Date.parse('2027-01-01T00:00:00Z') }),
  fc
    .tuple(fc.constantFrom(...transitions), fc.integer({ min: -72, max: 72 }), fc.integer({ min: 0, max: HOUR - 1 }))
    .map(([t, h, ms]) => t + h * HOUR + ms),
  // Whole half-hours hit opening, closing and transition boundaries exactly.
  fc.tuple(fc.constantFrom(...transitions), fc.integer({ min: -144, max: 144 })).map(([t, h]) => t + (h * HOUR) / 2),
);
const dateArb = instantArb.map((t) => new Date(t));
/** Up to three weeks either way: long enough to cross weekends and transitions, short enough to stay fast. */
const deltaArb = fc.integer({ min: -21 * 24 * HOUR, max: 21 * 24 * HOUR });

const hhmm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
/** 0–2 sorted, non-overlapping windows on a half-hour grid (so 00:00, 02:00, 02:30, 03:00, 24:00 all occur). */
const dayArb = fc.uniqueArray(fc.integer({ min: 0, max: 48 }), { minLength: 0, maxLength: 4 }).map((cuts) => {
  const sorted = [...cuts].sort((a, b) => a - b);
  const out: BusinessInterval[] = [];
  for (let i = 0; i + 1 < sorted.length; i += 2) {
    out.push({ start: hhmm((sorted[i] ?? 0) * 30), end: hhmm((sorted[i + 1] ?? 0) * 30) });
  }
  return out;
});
const randomCalendarArb = fc
  .record({
    timeZone: fc.constantFrom(...zones),
    weekly: fc.record({ mon: dayArb, tue: dayArb, wed: dayArb, thu: dayArb, fri: dayArb, sat: dayArb, sun: dayArb }),
    holidays: fc.uniqueArray(
      fc.integer({ min: 0, max: 365 * 3 }).map((d) => new Date(Date.UTC(2024, 0, 1 + d)).toISOString().slice(0, 10)),
      { maxLength: 20 },
    ),
  })
  .filter((c) => weekdays.some((d) => c.weekly[d].length > 0));
const calendarArb: fc.Arbitrary<BusinessCalendar> = fc.oneof(
  fc.constantFrom(...zones).map((z) => officeHours(z)),
  fc.constantFrom(...zones).map((z) => calendar24x7(z)),
  randomCalendarArb,
);
/** Minutes on the millisecond grid, since Date cannot hold finer instants. */
const msArb = fc.integer({ min: 0, max: 6_000 * 60_000 });
const toMin = (ms: number): number => ms / 60_000;

const props = { numRuns: 200 };

describe('properties', () => {
  it('generated calendars are valid', () => {
    fc.assert(
      fc.property(calendarArb, (cal) => void businessCalendarSchema.parse(cal)),
      { numRuns: 50 },
    );
  });

  it('businessMinutesBetween(a, addBusinessMinutes(a, m)) = m', () => {
    fc.assert(
      fc.property(calendarArb, dateArb, msArb, (cal, a, ms) => {
        const m = toMin(ms);
        expect(Math.abs(businessMinutesBetween(cal, a, addBusinessMinutes(cal, a, m)) - m)).toBeLessThan(1e-9);
      }),
      props,
    );
  });

  it('fractional minutes round to the millisecond', () => {
    fc.assert(
      fc.property(calendarArb, dateArb, fc.double({ min: 0, max: 5_000, noNaN: true }), (cal, a, m) => {
        const between = businessMinutesBetween(cal, a, addBusinessMinutes(cal, a, m));
        expect(Math.abs(between - m)).toBeLessThanOrEqual(0.5 / 60_000 + 1e-9);
      }),
      props,
    );
  });

  it('is additive: add(add(a, m1), m2) = add(a, m1 + m2)', () => {
    fc.assert(
      fc.property(calendarArb, dateArb, msArb, msArb, (cal, a, ms1, ms2) => {
        const stepwise = addBusinessMinutes(cal, addBusinessMinutes(cal, a, toMin(ms1)), toMin(ms2));
        expect(stepwise.getTime()).toBe(addBusinessMinutes(cal, a, toMin(ms1 + ms2)).getTime());
      }),
      props,
    );
  });

  it('is monotone in both the start and the amount', () => {
    fc.assert(
      fc.property(calendarArb, dateArb, dateArb, msArb, msArb, (cal, a, b, ms1, ms2) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const [m1, m2] = ms1 <= ms2 ? [toMin(ms1), toMin(ms2)] : [toMin(ms2), toMin(ms1)];
        expect(addBusinessMinutes(cal, lo, m1).getTime()).toBeLessThanOrEqual(
          addBusinessMinutes(cal, hi, m1).getTime(),
        );
        expect(addBusinessMinutes(cal, lo, m1).getTime()).toBeLessThanOrEqual(
          addBusinessMinutes(cal, lo, m2).getTime(),
        );
        expect(addBusinessMinutes(cal, lo, m1).getTime()).toBeGreaterThanOrEqual(lo.getTime());
      }),
      props,
    );
  });

  it('a 24x7 calendar is the wall clock, in any zone', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), dateArb, msArb, deltaArb, (zone, a, ms, delta) => {
        const cal = calendar24x7(zone);
        const b = new Date(a.getTime() + delta);
        expect(addBusinessMinutes(cal, a, toMin(ms)).getTime()).toBe(a.getTime() + ms);
        expect(isBusinessTime(cal, a)).toBe(true);
        expect(businessMinutesBetween(cal, a, b)).toBe(Math.max(0, delta) / 60_000);
      }),
      props,
    );
  });

  it('between is additive over a ≤ b ≤ c', () => {
    fc.assert(
      fc.property(calendarArb, dateArb, deltaArb, deltaArb, (cal, x, d1, d2) => {
        const [a, b, c] = [x.getTime(), x.getTime() + d1, x.getTime() + d2]
          .sort((p, q) => p - q)
          .map((t) => new Date(t)) as [Date, Date, Date];
        const sum = businessMinutesBetween(cal, a, b) + businessMinutesBetween(cal, b, c);
        expect(Math.abs(sum - businessMinutesBetween(cal, a, c))).toBeLessThan(1e-9);
      }),
      props,
    );
  });

  it('isBusinessTime(t) ⇔ the millisecond starting at t is counted', () => {
    fc.assert(
      fc.property(calendarArb, dateArb, (cal, t) => {
        const next = new Date(t.getTime() + 1);
        expect(isBusinessTime(cal, t)).toBe(businessMinutesBetween(cal, t, next) > 0);
      }),
      props,
    );
  });

  it('a positive amount ends on business time, never after a gap', () => {
    fc.assert(
      fc.property(calendarArb, dateArb, fc.integer({ min: 1, max: 6_000 * 60_000 }), (cal, a, ms) => {
        const due = addBusinessMinutes(cal, a, toMin(ms));
        expect(isBusinessTime(cal, new Date(due.getTime() - 1))).toBe(true);
      }),
      props,
    );
  });
});
