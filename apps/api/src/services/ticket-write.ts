import { AppError, ErrorCode } from '@mesa/core';
import { and, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client';
import { tickets } from '../db/schema';
import type { Actor } from '../http/context';
import { ticketScope } from './access';
import { recordChanges } from './history';
import type { TicketRow } from './ticket-dto';

/**
 * The one way to change a ticket: lock the row inside the actor's scope, let
 * the command decide, then save with a version bump and a history row per field.
 */
export function withTicket<T>(
  db: Db,
  actor: Actor,
  ticket: string | { id: string },
  fn: (tx: Tx, row: TicketRow) => Promise<T>,
) {
  return db.transaction(async (tx) => fn(tx, await lockTicket(tx, actor, ticket)));
}

/**
 * The lock of the one write path, inside a transaction the caller holds. `actor` null is for the mail
 * channel, which found the ticket by its thread (headers, marker or tag within the mailbox) rather than
 * by who writes: a CC'd colleague may answer a ticket outside their own scope.
 */
export async function lockTicket(tx: Tx, actor: Actor | null, ticket: string | { id: string }): Promise<TicketRow> {
  const which = typeof ticket === 'string' ? eq(tickets.number, ticket.toUpperCase()) : eq(tickets.id, ticket.id);
  const [row] = await tx
    .select()
    .from(tickets)
    .where(and(which, actor ? ticketScope(actor) : undefined))
    .for('update');
  if (!row) throw new AppError(ErrorCode.TICKET_NOT_FOUND);
  // Delete wins: an edit that arrives after the delete (e.g. from an offline device) is refused.
  if (row.deletedAt) throw new AppError(ErrorCode.TICKET_DELETED);
  return row;
}

export async function saveTicket(
  tx: Tx,
  actorId: string | null,
  before: TicketRow,
  patch: Partial<TicketRow>,
  now = new Date(),
): Promise<TicketRow> {
  const [after] = await tx
    .update(tickets)
    .set({ ...patch, updatedAt: now, version: sql`${tickets.version} + 1` })
    .where(eq(tickets.id, before.id))
    .returning();
  if (!after) throw new AppError(ErrorCode.TICKET_NOT_FOUND);
  await recordChanges(tx, actorId, before, after, Object.keys(patch) as Array<keyof TicketRow>);
  return after;
}
