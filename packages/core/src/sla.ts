import { z } from 'zod';
import type { BusinessCalendar } from './calendar';
import { addBusinessMinutes, businessMinutesBetween } from './calendar';
import { computePriority, type PriorityMatrix } from './priority';
import type { Priority, Severity, Urgency } from './schemas/enums';

const MINUTE = 60_000;

export type SlaClock = 'business' | 'calendar';
export const slaClockSchema = z.enum(['business', 'calendar']);

/**
 * The range of every SLA target, in minutes: at least one, at most a year's worth (525,600). A year of
 * business minutes is already years of calendar time; beyond it due dates leave what a Date holds.
 */
export const SLA_MINUTES_RANGE = { min: 1, max: 525_600 } as const;
const slaMinutesSchema = z
  .number()
  .int()
  .min(SLA_MINUTES_RANGE.min)
  .max(SLA_MINUTES_RANGE.max)
  .meta({ description: `Minutes on the target's clock, ${SLA_MINUTES_RANGE.min}–${SLA_MINUTES_RANGE.max}.` });

export const slaTargetSchema = z
  .object({
    firstResponseMinutes: slaMinutesSchema,
    resolutionMinutes: slaMinutesSchema,
    /** 'calendar' counts wall-clock time (urgent work does not stop at closing time); 'business' uses the calendar. */
    clock: slaClockSchema,
  })
  .refine((t) => t.resolutionMinutes >= t.firstResponseMinutes, {
    message: 'resolution target must not be shorter than the first-response target',
    path: ['resolutionMinutes'],
    // Comparing is meaningless while a value is missing or out of range: that issue alone is reported.
    when: (payload) => payload.issues.length === 0,
  });
export type SlaTarget = { firstResponseMinutes: number; resolutionMinutes: number; clock: SlaClock };

export const slaPolicySchema = z.object({
  P1: slaTargetSchema,
  P2: slaTargetSchema,
  P3: slaTargetSchema,
  P4: slaTargetSchema,
});
export type SlaPolicy = Record<Priority, SlaTarget>;

/**
 * Seed 002: "urgent cases are worked within 2 hours, the rest answered within one business day".
 * One business day = 570 minutes of the default 08:00–17:30 office hours.
 */
export const defaultSlaPolicy: SlaPolicy = {
  P1: { firstResponseMinutes: 120, resolutionMinutes: 480, clock: 'calendar' },
  P2: { firstResponseMinutes: 570, resolutionMinutes: 1710, clock: 'business' },
  P3: { firstResponseMinutes: 570, resolutionMinutes: 2850, clock: 'business' },
  P4: { firstResponseMinutes: 570, resolutionMinutes: 5700, clock: 'business' },
};

export interface TimeRange {
  from: Date;
  to: Date;
}

export interface OpenTimeRange {
  from: Date;
  /** null while the range is still running (e.g. the ticket is pending the customer right now). */
  to: Date | null;
}

function addClockMinutes(calendar: BusinessCalendar, clock: SlaClock, from: Date, minutes: number): Date {
  // Round like addBusinessMinutes does: Date holds whole milliseconds.
  if (clock === 'calendar') return new Date(from.getTime() + Math.round(minutes * MINUTE));
  return addBusinessMinutes(calendar, from, minutes);
}

function clockMinutesBetween(calendar: BusinessCalendar, clock: SlaClock, a: Date, b: Date): number {
  return clock === 'calendar'
    ? Math.max(0, b.getTime() - a.getTime()) / MINUTE
    : businessMinutesBetween(calendar, a, b);
}

/** Sorted, merged copies of the ranges with empty and inverted ones dropped, so no time is counted twice. */
function normalize(ranges: readonly TimeRange[]): TimeRange[] {
  const sorted = ranges
    .filter((r) => r.to.getTime() > r.from.getTime())
    .sort((a, b) => a.from.getTime() - b.from.getTime());
  const out: TimeRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.from.getTime() <= last.to.getTime()) {
      if (r.to.getTime() > last.to.getTime()) out[out.length - 1] = { from: last.from, to: r.to };
    } else {
      out.push({ from: r.from, to: r.to });
    }
  }
  return out;
}

export function computeDueTimes(
  policy: SlaPolicy,
  priority: Priority,
  calendar: BusinessCalendar,
  from: Date,
): { firstResponseDueAt: Date; resolutionDueAt: Date } {
  const target = policy[priority];
  return {
    firstResponseDueAt: addClockMinutes(calendar, target.clock, from, target.firstResponseMinutes),
    resolutionDueAt: addClockMinutes(calendar, target.clock, from, target.resolutionMinutes),
  };
}

/** Minutes on the given clock inside the running intervals (overlaps are counted once). */
export function elapsedBusinessMinutes(
  calendar: BusinessCalendar,
  clock: SlaClock,
  intervals: ReadonlyArray<TimeRange>,
): number {
  return normalize(intervals).reduce((sum, r) => sum + clockMinutesBetween(calendar, clock, r.from, r.to), 0);
}

/**
 * Resolution due time when the clock stops while the ticket waits on the customer or a third party: the instant
 * at which the running (unpaused) time since `createdAt` reaches the target. Pauses before the due instant push it
 * back by the clock time they cover; a pause that starts after the target was already reached changes nothing
 * (parking a breached ticket must not un-breach it).
 * Returns null while a pause that started before the due instant is still open: the clock is stopped, so there
 * is no due time until it restarts.
 */
export function resolutionDueWithPauses(
  policy: SlaPolicy,
  priority: Priority,
  calendar: BusinessCalendar,
  createdAt: Date,
  pauses: ReadonlyArray<OpenTimeRange>,
): Date | null {
  const { clock, resolutionMinutes } = policy[priority];
  const created = createdAt.getTime();
  const clip = (d: Date): Date => new Date(Math.max(d.getTime(), created));
  // From the earliest still-open pause on, the clock is stopped for good (for now).
  const openFrom = Math.min(...pauses.filter((p) => p.to === null).map((p) => clip(p.from).getTime()));
  const closed = normalize(pauses.flatMap((p) => (p.to ? [{ from: clip(p.from), to: p.to }] : [])));

  // Track the remainder in whole ms so repeated subtraction cannot drift below zero.
  let remainingMs = resolutionMinutes * MINUTE;
  let cursor = createdAt;
  const dueFromCursor = () => addClockMinutes(calendar, clock, cursor, remainingMs / MINUTE);
  for (const pause of closed) {
    if (pause.from.getTime() >= openFrom) break;
    const due = dueFromCursor();
    if (due.getTime() <= pause.from.getTime()) return due;
    remainingMs -= Math.round(clockMinutesBetween(calendar, clock, cursor, pause.from) * MINUTE);
    if (pause.to.getTime() >= openFrom) return null; // this pause runs straight into the open one
    cursor = pause.to;
  }
  const due = dueFromCursor();
  return due.getTime() <= openFrom ? due : null;
}

/**
 * A ticket's priority from the severity × urgency matrix and its due times on the department's calendar,
 * both from its creation (re-classifying on an edit never restarts the clock). The server and the device
 * classify with this one function.
 */
export function classifyTicket(
  policy: { priorityMatrix: PriorityMatrix; slaPolicy: SlaPolicy },
  calendar: BusinessCalendar,
  severity: Severity,
  urgency: Urgency,
  createdAt: Date,
): { priority: Priority; firstResponseDueAt: Date; resolutionDueAt: Date } {
  const priority = computePriority(severity, urgency, policy.priorityMatrix);
  const due = computeDueTimes(policy.slaPolicy, priority, calendar, createdAt);
  return { priority, firstResponseDueAt: due.firstResponseDueAt, resolutionDueAt: due.resolutionDueAt };
}
