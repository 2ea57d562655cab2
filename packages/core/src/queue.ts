import { isOpenStatus } from './ticket-states';
import { type Priority, priorities, type TicketStatus, ticketStatuses } from './values';

/**
 * The desk's queues, as the device computes them: which tickets a view holds, in which order, and where
 * each stands against its next service-level target. No validation library: the queue is a first screen.
 */

/** A target is in warning from this share of its span on (first response or resolution). */
export const SLA_WARNING_SHARE = 0.8;

export type SlaGoal = 'firstResponse' | 'resolution';
export type SlaLevel = 'ok' | 'warning' | 'breached';

export interface SlaCountdown {
  target: SlaGoal;
  /** Due time, ms since the epoch. */
  dueAt: number;
  /** Until due; negative once breached. */
  remainingMs: number;
  level: SlaLevel;
}

interface ClockFields {
  status: TicketStatus;
  createdAt: string;
  firstResponseDueAt: string | null;
  firstResponseAt: string | null;
  resolutionDueAt: string | null;
  resolvedAt: string | null;
}

/**
 * The clock a queue row shows: the first target still running (the first response until someone answered,
 * then the resolution), counting down to its due time; in warning once `warnAt` of the time from opening to
 * due has passed, breached after it. Null when no target runs: both kept or missed and done, none set, or
 * the ticket is no longer open. The due times already follow the department's business hours.
 */
export function slaCountdown(t: ClockFields, now: number, warnAt = SLA_WARNING_SHARE): SlaCountdown | null {
  if (!isOpenStatus(t.status)) return null;
  const running: [SlaGoal, string | null][] = [];
  if (t.firstResponseAt === null) running.push(['firstResponse', t.firstResponseDueAt]);
  if (t.resolvedAt === null) running.push(['resolution', t.resolutionDueAt]);
  const next = running.find(([, due]) => due !== null);
  if (!next) return null;
  const [target, due] = next;
  const dueAt = Date.parse(due as string);
  const start = Date.parse(t.createdAt);
  const remainingMs = dueAt - now;
  const span = dueAt - start;
  const level: SlaLevel = remainingMs < 0 ? 'breached' : span > 0 && now - start >= span * warnAt ? 'warning' : 'ok';
  return { target, dueAt, remainingMs, level };
}

/** Whose tickets a view shows: anyone's, the viewer's, nobody's yet, or one person's (a user id). */
export type QueueOwner = 'any' | 'me' | 'none' | (string & {});
/** Open states (the default), closed ones, all, or one state. */
export type QueueState = 'open' | 'closed' | 'all' | TicketStatus;
export const queueSorts = ['arrival', 'due'] as const;
export type QueueSort = (typeof queueSorts)[number];

export interface QueueFilter {
  state: QueueState;
  departmentId?: string;
  priority?: Priority;
  owner: QueueOwner;
  /** The local view: the viewer's own departments. */
  departmentIds?: readonly string[];
  organizationId?: string;
  /** A regional or site view: the sites it holds (sitesWithin resolves a region). */
  siteIds?: ReadonlySet<string>;
  equipmentId?: string;
}

export const defaultQueueFilter: QueueFilter = { state: 'open', owner: 'any' };

export const isQueueState = (v: string): v is QueueState =>
  v === 'open' || v === 'closed' || v === 'all' || (ticketStatuses as readonly string[]).includes(v);

interface FilterFields {
  status: TicketStatus;
  departmentId: string;
  priority: Priority;
  ownerId: string | null;
  organizationId: string | null;
  siteId: string | null;
  equipmentId: string | null;
}

/** The sites of a region and of every region under it (seed 002: a regional view holds its cities). */
export function sitesWithin(
  regionId: string,
  regions: readonly { id: string; parentId: string | null }[],
  sites: readonly { id: string; regionId: string }[],
): Set<string> {
  const inside = new Set([regionId]);
  // Parents before children is not guaranteed: repeat until no region joins.
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of regions) {
      if (r.parentId && inside.has(r.parentId) && !inside.has(r.id)) {
        inside.add(r.id);
        grew = true;
      }
    }
  }
  return new Set(sites.filter((s) => inside.has(s.regionId)).map((s) => s.id));
}

/** Whether a view holds the ticket, for the viewer `userId`. */
export function inQueue(t: FilterFields, filter: QueueFilter, userId: string): boolean {
  const { state, owner } = filter;
  if (
    state === 'open'
      ? !isOpenStatus(t.status)
      : state === 'closed'
        ? isOpenStatus(t.status)
        : state !== 'all' && t.status !== state
  ) {
    return false;
  }
  if (filter.departmentId && t.departmentId !== filter.departmentId) return false;
  if (filter.departmentIds && !filter.departmentIds.includes(t.departmentId)) return false;
  if (filter.priority && t.priority !== filter.priority) return false;
  if (filter.organizationId && t.organizationId !== filter.organizationId) return false;
  if (filter.siteIds && (t.siteId === null || !filter.siteIds.has(t.siteId))) return false;
  if (filter.equipmentId && t.equipmentId !== filter.equipmentId) return false;
  if (owner === 'any') return true;
  if (owner === 'none') return t.ownerId === null;
  return t.ownerId === (owner === 'me' ? userId : owner);
}

interface OrderFields extends ClockFields {
  priority: Priority;
  number: string;
  id: string;
}

const priorityRank = (p: Priority) => priorities.indexOf(p);

/** Arrival within priority: the most urgent first, then first come, first served (seed 004). */
const byArrival = (a: OrderFields, b: OrderFields): number =>
  priorityRank(a.priority) - priorityRank(b.priority) ||
  Date.parse(a.createdAt) - Date.parse(b.createdAt) ||
  (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The order of a view: `arrival` (priority, then first come, first served) or `due` (the nearest running
 * target first, the most overdue at the top; tickets with no running target after, by arrival).
 */
export function sortQueue<T extends OrderFields>(tickets: readonly T[], sort: QueueSort, now: number): T[] {
  if (sort === 'arrival') return [...tickets].sort(byArrival);
  const due = new Map(tickets.map((t) => [t, slaCountdown(t, now)?.dueAt ?? Number.POSITIVE_INFINITY]));
  return [...tickets].sort((a, b) => (due.get(a) as number) - (due.get(b) as number) || byArrival(a, b));
}

/**
 * The rows in the order the viewer already sees (`shown`, ids), those not shown yet after them in their own
 * order: while the pointer is over the list nothing moves under it; rows that left the view are gone.
 */
export function keepOrder<T extends { id: string }>(shown: readonly string[], rows: readonly T[]): T[] {
  const at = new Map(shown.map((id, i) => [id, i]));
  const kept = rows.filter((r) => at.has(r.id)).sort((a, b) => (at.get(a.id) as number) - (at.get(b.id) as number));
  return [...kept, ...rows.filter((r) => !at.has(r.id))];
}
