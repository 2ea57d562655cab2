import { AppError, ErrorCode } from './errors';
import type { Language, Role, TicketStatus } from './values';
import { ticketStatuses } from './values';

/** Who is asking, as far as the state machine cares. */
export interface TransitionContext {
  role: Role;
  /** The actor is the ticket's requester or, for customers, a member of an organization allowed to see it. */
  isRequester: boolean;
  hasOwner: boolean;
}

export type TransitionRefusalReason =
  | 'SAME_STATE'
  | 'NOT_IN_GRAPH'
  | 'OWNER_REQUIRED'
  | 'ROLE_NOT_ALLOWED'
  | 'NOT_REQUESTER';

export interface TransitionErrorDetails {
  from: TicketStatus;
  to: TicketStatus;
  reason: TransitionRefusalReason;
}

/** The graph, independent of who acts. Same-state moves are deliberately absent. */
const graph: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['open', 'in_progress', 'pending_customer', 'pending_third_party', 'attended', 'resolved', 'closed'],
  open: ['in_progress', 'pending_customer', 'pending_third_party', 'attended', 'resolved', 'closed'],
  in_progress: ['open', 'pending_customer', 'pending_third_party', 'attended', 'resolved', 'closed'],
  pending_customer: ['new', 'open', 'in_progress', 'pending_third_party', 'attended', 'resolved', 'closed'],
  pending_third_party: ['open', 'in_progress', 'pending_customer', 'attended', 'resolved', 'closed'],
  attended: ['in_progress', 'pending_customer', 'pending_third_party', 'resolved', 'closed'],
  // Reopening goes back to the owner (open) or, for a ticket nobody owns, to the queue (new).
  resolved: ['closed', 'open', 'new'],
  closed: ['open', 'new'],
};

/** States that mean someone is working the ticket, which makes no sense without an owner. */
const ownerRequired: ReadonlySet<TicketStatus> = new Set<TicketStatus>(['open', 'in_progress', 'attended']);

/** Statuses where the ticket is still active (counts as open work, SLA clocks may run). */
export const openStatuses: readonly TicketStatus[] = [
  'new',
  'open',
  'in_progress',
  'pending_customer',
  'pending_third_party',
  'attended',
];
export const isOpenStatus = (s: TicketStatus): boolean => openStatuses.includes(s);

/** Statuses where we wait on someone outside the team, so the resolution SLA clock is paused. */
export const pausedStatuses: readonly TicketStatus[] = ['pending_customer', 'pending_third_party'];
export const isPausedStatus = (s: TicketStatus): boolean => pausedStatuses.includes(s);

export const isReopen = (from: TicketStatus, to: TicketStatus): boolean =>
  (from === 'resolved' || from === 'closed') && (to === 'open' || to === 'new');

/** Where a reopened (or answered) ticket goes: back to its owner, or to the unassigned queue. */
export const reopenTarget = (hasOwner: boolean): TicketStatus => (hasOwner ? 'open' : 'new');

export const statusLabels: Record<TicketStatus, Record<Language, string>> = {
  new: { es: 'Nuevo', en: 'New' },
  open: { es: 'Abierto', en: 'Open' },
  in_progress: { es: 'En curso', en: 'In progress' },
  pending_customer: { es: 'Pendiente del cliente', en: 'Pending customer' },
  pending_third_party: { es: 'Pendiente de terceros', en: 'Pending third party' },
  attended: { es: 'Atendido', en: 'Attended' },
  resolved: { es: 'Resuelto', en: 'Resolved' },
  closed: { es: 'Cerrado', en: 'Closed' },
};

/** What the role may do on a move the graph allows; null when permitted. */
function roleRefusal(from: TicketStatus, to: TicketStatus, ctx: TransitionContext): TransitionRefusalReason | null {
  switch (ctx.role) {
    case 'customer': {
      // Customers only close, reopen, or hand back a ticket they were waited on for — and only their own.
      const customerMove =
        to === 'closed' || isReopen(from, to) || (from === 'pending_customer' && (to === 'open' || to === 'new'));
      if (!customerMove) return 'ROLE_NOT_ALLOWED';
      return ctx.isRequester ? null : 'NOT_REQUESTER';
    }
    case 'technician':
      // Closing (and undoing a close) is a decision for agents and above.
      return to === 'closed' || from === 'closed' ? 'ROLE_NOT_ALLOWED' : null;
    case 'agent':
    case 'supervisor':
    case 'admin':
      return null;
  }
}

const messages: Record<TransitionRefusalReason, string> = {
  SAME_STATE: 'The ticket is already in that status',
  NOT_IN_GRAPH: 'This status change is not possible',
  OWNER_REQUIRED: 'The ticket must be assigned before it can move to that status',
  ROLE_NOT_ALLOWED: 'Your role may not make this status change',
  NOT_REQUESTER: 'Only the requester may make this status change',
};

/**
 * Why `from → to` is refused for this actor, or null when it is allowed.
 * Checks run graph → role → owner so a customer never learns more than "not allowed".
 */
export function transitionError(from: TicketStatus, to: TicketStatus, ctx: TransitionContext): AppError | null {
  const refuse = (code: ErrorCode, reason: TransitionRefusalReason): AppError =>
    new AppError(code, messages[reason], { from, to, reason } satisfies TransitionErrorDetails);

  if (from === to) return refuse(ErrorCode.INVALID_TRANSITION, 'SAME_STATE');
  if (!graph[from].includes(to)) return refuse(ErrorCode.INVALID_TRANSITION, 'NOT_IN_GRAPH');
  const byRole = roleRefusal(from, to, ctx);
  if (byRole) return refuse(ErrorCode.TRANSITION_NOT_ALLOWED, byRole);
  if (ownerRequired.has(to) && !ctx.hasOwner) return refuse(ErrorCode.INVALID_TRANSITION, 'OWNER_REQUIRED');
  return null;
}

export function canTransition(from: TicketStatus, to: TicketStatus, ctx: TransitionContext): boolean {
  return transitionError(from, to, ctx) === null;
}

export function assertTransition(from: TicketStatus, to: TicketStatus, ctx: TransitionContext): void {
  const error = transitionError(from, to, ctx);
  if (error) throw error;
}

/** Targets this actor may move the ticket to, in the canonical status order (for menus). */
export function allowedTransitions(from: TicketStatus, ctx: TransitionContext): TicketStatus[] {
  return ticketStatuses.filter((to) => canTransition(from, to, ctx));
}

/** The timestamps a status change sets or clears; `T` is a Date on the server and an ISO string on devices. */
export interface StatusStamps<T> {
  status: TicketStatus;
  firstResponseAt?: T;
  attendedAt?: T;
  resolvedAt?: T | null;
  closedAt?: T | null;
}

/** The context for a ticket already in the actor's scope (a customer who sees it is its requester or shares its organization). */
export const transitionContextOf = (ticket: { ownerId: string | null }, role: Role): TransitionContext => ({
  role,
  isRequester: role === 'customer',
  hasOwner: ticket.ownerId !== null,
});

/** The status moves a screen offers for a ticket in the actor's scope: exactly those the mutators accept. */
export const movesFor = (ticket: { status: TicketStatus; ownerId: string | null }, role: Role): TicketStatus[] =>
  allowedTransitions(ticket.status, transitionContextOf(ticket, role));

/**
 * Runs the state machine for `role`, then stamps: starting work is a first response, the documenting
 * note is the attended time (seed 001), closing also resolves, and a reopen clears both. The caller
 * passes tickets already in the actor's scope, so a customer is their requester.
 */
export function statusChange<T>(
  ticket: { status: TicketStatus; ownerId: string | null; firstResponseAt: T | null; resolvedAt: T | null },
  to: TicketStatus,
  role: Role,
  now: T,
): StatusStamps<T> {
  assertTransition(ticket.status, to, transitionContextOf(ticket, role));
  const patch: StatusStamps<T> = { status: to };
  if (to === 'in_progress' && !ticket.firstResponseAt) patch.firstResponseAt = now;
  if (to === 'attended') patch.attendedAt = now;
  if (to === 'resolved') patch.resolvedAt = now;
  if (to === 'closed') {
    patch.closedAt = now;
    if (!ticket.resolvedAt) patch.resolvedAt = now;
  }
  if (isReopen(ticket.status, to)) {
    patch.resolvedAt = null;
    patch.closedAt = null;
  }
  return patch;
}
