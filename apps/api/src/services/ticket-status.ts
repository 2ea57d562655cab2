import { assertTransition, isReopen, reopenTarget, type TicketStatus } from '@mesa/core';
import type { Actor } from '../http/context';
import type { TicketRow } from './ticket-dto';

/**
 * Runs the core state machine for the actor and returns the row fields a
 * status change stamps: the attended time is when the documenting note is
 * sent (seed 001); closing also resolves; a reopen clears both.
 */
export function statusPatch(actor: Actor, row: TicketRow, to: TicketStatus, now: Date): Partial<TicketRow> {
  assertTransition(row.status, to, {
    role: actor.role,
    // The ticket is already in the actor's scope, so for a customer it is theirs (or their organization's).
    isRequester: actor.role === 'customer',
    hasOwner: row.ownerId !== null,
  });
  const patch: Partial<TicketRow> = { status: to };
  if (to === 'in_progress' && !row.firstResponseAt) patch.firstResponseAt = now;
  if (to === 'attended') patch.attendedAt = now;
  if (to === 'resolved') patch.resolvedAt = now;
  if (to === 'closed') {
    patch.closedAt = now;
    if (!row.resolvedAt) patch.resolvedAt = now;
  }
  if (isReopen(row.status, to)) {
    patch.resolvedAt = null;
    patch.closedAt = null;
  }
  return patch;
}

export const reopenStatus = (row: TicketRow): TicketStatus => reopenTarget(row.ownerId !== null);
