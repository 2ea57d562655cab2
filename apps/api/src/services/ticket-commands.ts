import {
  AppError,
  type AssignTicketInput,
  applyFieldChanges,
  assertDepartmentTakes,
  assignmentPatch,
  ErrorCode,
  isStaff,
  type Role,
  type Ticket,
  type TicketFieldChanges,
  type TicketFieldsSeen,
  type TicketStatus,
  ticketFieldConflicts,
  ticketFieldsEditableBy,
  type UpdateTicketInput,
} from '@mesa/core';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db, Tx } from '../db/client';
import { articles, users } from '../db/schema';
import type { Actor } from '../http/context';
import { recordEvent } from './history';
import { enqueue } from './outbox';
import type { Reference } from './reference-service';
import { classify, departmentOf } from './sla-service';
import { type TicketRow, toTicket } from './ticket-dto';
import { reopenStatus, statusPatch } from './ticket-status';
import { saveTicket, withTicket } from './ticket-write';

type Field = Exclude<keyof UpdateTicketInput, 'version'>;

/** Which fields each role may edit (core's table, shared with devices, plus status for staff); anything else is refused. */
const editableBy = (role: Role): ReadonlySet<Field> =>
  new Set<Field>([...ticketFieldsEditableBy(role), ...(isStaff(role) ? (['status'] as const) : [])]);

export async function updateTicket(
  db: Db,
  reference: Reference,
  actor: Actor,
  number: string,
  input: UpdateTicketInput,
): Promise<Ticket> {
  const { version, ...changes } = input;
  return changeTicket(db, reference, actor, number, changes, { version });
}

/**
 * REST guards a write with the version the caller saw (a stale write is refused); sync resolves per
 * field, last write wins in arrival order, and marks in history the values the writer had not seen.
 */
export type WriteGuard = { version: number } | { seen: TicketFieldsSeen };

export async function changeTicket(
  db: Db,
  reference: Reference,
  actor: Actor,
  ticket: string | { id: string },
  changes: Omit<UpdateTicketInput, 'version'>,
  guard: WriteGuard,
): Promise<Ticket> {
  const fields = Object.keys(changes) as Field[];
  const refused = fields.filter((f) => !editableBy(actor.role).has(f));
  if (refused.length > 0)
    throw new AppError(ErrorCode.FORBIDDEN, 'fields not editable by this role', { fields: refused });
  const ref = await reference.get();
  return withTicket(db, actor, ticket, async (tx, row) => {
    const now = new Date();
    if ('version' in guard && row.version !== guard.version) {
      throw new AppError(ErrorCode.VERSION_CONFLICT, 'stale version', { currentVersion: row.version });
    }
    const { status: _status, ...fieldChanges } = changes;
    if ('seen' in guard) await markConflicts(tx, actor, row, fieldChanges, guard.seen, now);
    const next = applyFieldChanges(toTicket(row), fieldChanges);
    const patch: Partial<TicketRow> = {
      subject: next.subject,
      description: next.description,
      cc: next.cc,
      siteId: next.siteId,
      equipmentId: next.equipmentId,
      requesterName: next.requester.name,
      requesterOrganization: next.requester.organization,
      requesterLocation: next.requester.location,
      requesterPhone: next.requester.phone,
      requesterEmail: next.requester.email,
    };
    const { severity, urgency, departmentId } = next;
    if (severity !== row.severity || urgency !== row.urgency || departmentId !== row.departmentId) {
      assertDepartmentTakes(departmentOf(ref, departmentId), urgency);
      // Due times stay anchored at creation: re-classifying does not restart the clock.
      Object.assign(
        patch,
        { severity, urgency, departmentId },
        classify(ref, departmentId, severity, urgency, row.createdAt),
      );
    }
    if (changes.status !== undefined && changes.status !== row.status) {
      Object.assign(patch, statusPatch(actor, row, changes.status, now));
    }
    const after = await saveTicket(tx, actor.id, row, patch, now);
    await enqueueStatusMail(tx, row, after);
    return toTicket(after);
  });
}

/** The writer's view of each field it overwrites; history keeps the value it had not seen. */
async function markConflicts(
  tx: Tx,
  actor: Actor,
  row: TicketRow,
  changes: TicketFieldChanges,
  seen: TicketFieldsSeen,
  now: Date,
): Promise<void> {
  for (const c of ticketFieldConflicts(toTicket(row), changes, seen)) {
    await recordEvent(tx, row.id, actor.id, now, 'conflict', c);
  }
}

async function enqueueStatusMail(tx: Tx, before: TicketRow, after: TicketRow): Promise<void> {
  if (before.status === after.status) return;
  if (after.status === 'closed') await enqueue(tx, 'ticket_closed', { ticketId: after.id });
  else if (before.status === 'closed' || before.status === 'resolved') {
    await enqueue(tx, 'ticket_reopened', { ticketId: after.id, from: before.status });
  }
}

/**
 * Hand-over between owners and support tiers (core's assignmentPatch decides); the reason is kept as an
 * internal note, under the client's id when a device sent it (a replay then writes nothing).
 */
export async function assignTicket(
  db: Db,
  actor: Actor,
  ticket: string | { id: string },
  input: AssignTicketInput,
  noteId?: string,
): Promise<Ticket> {
  return withTicket(db, actor, ticket, async (tx, row) => {
    if (noteId) {
      const [done] = await tx.select({ id: articles.id }).from(articles).where(eq(articles.id, noteId));
      if (done) return toTicket(row);
    }
    const now = new Date();
    let owner: { role: Role } | null | undefined;
    if (input.ownerId) {
      [owner = null] = await tx
        .select({ role: users.role })
        .from(users)
        .where(and(eq(users.id, input.ownerId), isNull(users.disabledAt)));
    }
    const patch: Partial<TicketRow> = assignmentPatch(toTicket(row), input, actor, owner);
    const after = await saveTicket(tx, actor.id, row, patch, now);
    if (input.note) {
      await tx.insert(articles).values({
        ...(noteId ? { id: noteId } : {}),
        ticketId: row.id,
        kind: 'internal_note',
        authorId: actor.id,
        body: input.note,
        createdAt: now,
      });
    }
    if (patch.ownerId) await enqueue(tx, 'ticket_assigned', { ticketId: row.id, ownerId: patch.ownerId });
    return toTicket(after);
  });
}

async function noteIfAny(tx: Tx, actor: Actor, ticketId: string, text: string | undefined, now: Date) {
  if (!text) return;
  await tx.insert(articles).values({ ticketId, kind: 'public_reply', authorId: actor.id, body: text, createdAt: now });
}

export async function closeTicket(db: Db, actor: Actor, number: string, note?: string): Promise<Ticket> {
  return withTicket(db, actor, number, async (tx, row) => {
    const now = new Date();
    const after = await saveTicket(tx, actor.id, row, statusPatch(actor, row, 'closed', now), now);
    await noteIfAny(tx, actor, row.id, note, now);
    await enqueueStatusMail(tx, row, after);
    return toTicket(after);
  });
}

/** A status change on its own (sync's changeStatus): the state machine decides, the note goes to history. */
export async function changeStatus(
  db: Db,
  actor: Actor,
  ticket: string | { id: string },
  to: TicketStatus,
  note?: string,
): Promise<Ticket> {
  return withTicket(db, actor, ticket, async (tx, row) => {
    const now = new Date();
    const after = await saveTicket(tx, actor.id, row, statusPatch(actor, row, to, now), now);
    if (note) await recordEvent(tx, row.id, actor.id, now, 'status_note', { to, note });
    await enqueueStatusMail(tx, row, after);
    return toTicket(after);
  });
}

export async function reopenTicket(db: Db, actor: Actor, number: string, reason?: string): Promise<Ticket> {
  return withTicket(db, actor, number, async (tx, row) => {
    // Only finished work reopens; otherwise "reopen" would quietly demote e.g. in_progress to open.
    if (row.status !== 'resolved' && row.status !== 'closed') {
      throw new AppError(ErrorCode.INVALID_TRANSITION, 'only a resolved or closed ticket can be reopened', {
        from: row.status,
        to: reopenStatus(row),
        reason: 'NOT_REOPENABLE',
      });
    }
    const now = new Date();
    const after = await saveTicket(tx, actor.id, row, statusPatch(actor, row, reopenStatus(row), now), now);
    await noteIfAny(tx, actor, row.id, reason, now);
    await enqueueStatusMail(tx, row, after);
    return toTicket(after);
  });
}

/**
 * Soft delete by a supervisor or admin: the row stays as a tombstone (deleted_at) so devices learn of
 * it by sync and later edits fail with TICKET_DELETED; tombstone-gc removes it after 90 days.
 */
export async function deleteTicket(db: Db, actor: Actor, number: string): Promise<void> {
  // Checked before the lookup: other roles learn nothing about which numbers exist.
  if (actor.role !== 'admin' && actor.role !== 'supervisor') throw new AppError(ErrorCode.FORBIDDEN);
  await withTicket(db, actor, number, async (tx, row) => {
    const now = new Date();
    // saveTicket bumps the version and writes the history row (deletedAt: null → when).
    await saveTicket(tx, actor.id, row, { deletedAt: now }, now);
  });
}
