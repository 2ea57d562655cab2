/** Where a ticket stands against its targets; no validation library, so lists on the device read it at once. */
export type SlaState = 'met' | 'breached' | 'running' | 'none';

/** Due exactly at `now` is still running; done exactly at the due time is met. */
export function slaState(dueAt: Date | null, doneAt: Date | null, now: Date): SlaState {
  if (!dueAt) return 'none';
  const due = dueAt.getTime();
  if (doneAt) return doneAt.getTime() <= due ? 'met' : 'breached';
  return now.getTime() > due ? 'breached' : 'running';
}

/**
 * One SLA state for a ticket, as lists show it: breached when either target was missed, running while one
 * still runs, met when both were kept.
 */
export function ticketSlaState(
  t: {
    firstResponseDueAt: string | null;
    firstResponseAt: string | null;
    resolutionDueAt: string | null;
    resolvedAt: string | null;
  },
  now: Date,
): SlaState {
  const date = (iso: string | null) => (iso ? new Date(iso) : null);
  const states = [
    slaState(date(t.firstResponseDueAt), date(t.firstResponseAt), now),
    slaState(date(t.resolutionDueAt), date(t.resolvedAt), now),
  ];
  if (states.includes('breached')) return 'breached';
  if (states.includes('running')) return 'running';
  return states.includes('met') ? 'met' : 'none';
}
