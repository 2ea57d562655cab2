import { type SlaLevel, slaCountdown } from './queue';
import type { Priority, TicketStatus } from './values';

/**
 * What an agent should look at, computed on the device from its tickets: a new ticket in one of their
 * departments nobody took yet, a ticket of theirs with news since they last opened it, a service-level
 * target about to breach (or breached) on a ticket of theirs or an unowned one of their departments.
 */
export type DeskAlertKind = 'new' | 'mine' | 'sla';

export interface DeskAlert {
  ticketId: string;
  kind: DeskAlertKind;
  /** The SLA clock's level, for `sla`. */
  level?: SlaLevel;
}

interface AlertFields {
  id: string;
  status: TicketStatus;
  priority: Priority;
  departmentId: string;
  ownerId: string | null;
  createdAt: string;
  updatedAt: string;
  firstResponseDueAt: string | null;
  firstResponseAt: string | null;
  resolutionDueAt: string | null;
  resolvedAt: string | null;
  deletedAt?: string | null;
}

export interface AlertContext {
  me: string;
  myDepartments: readonly string[];
  /** When the agent last had each ticket open (ISO times). */
  seen: Readonly<Record<string, string>>;
  now: number;
}

const newer = (at: string, seen: string | undefined) => seen === undefined || Date.parse(at) > Date.parse(seen);

/** One alert per ticket at most, the most pressing kind: a breaching clock, then news, then a new ticket. */
export function deskAlerts(tickets: readonly AlertFields[], ctx: AlertContext): DeskAlert[] {
  const mine = new Set(ctx.myDepartments);
  const out: DeskAlert[] = [];
  for (const t of tickets) {
    if (t.deletedAt) continue;
    const owned = t.ownerId === ctx.me;
    const waiting = t.ownerId === null && mine.has(t.departmentId);
    if (!owned && !waiting) continue;
    const clock = slaCountdown(t, ctx.now);
    if (clock && clock.level !== 'ok') out.push({ ticketId: t.id, kind: 'sla', level: clock.level });
    else if (owned && newer(t.updatedAt, ctx.seen[t.id])) out.push({ ticketId: t.id, kind: 'mine' });
    else if (waiting && t.status === 'new' && ctx.seen[t.id] === undefined) out.push({ ticketId: t.id, kind: 'new' });
  }
  return out;
}
