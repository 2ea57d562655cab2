import { assertDepartmentTakes, type CreateTicketInput, createdChannel, createdOwner, type Ticket } from '@mesa/core';
import type { Db, DbOrTx } from '../db/client';
import type { Actor } from '../http/context';
import type { Reference } from './reference-service';
import { classify, departmentOf } from './sla-service';
import { toTicket } from './ticket-dto';
import { type InsertedTicket, insertTicket, insertTicketIn } from './ticket-insert';
import { resolveIntake } from './ticket-intake';

export async function createTicket(
  db: Db,
  reference: Reference,
  actor: Actor,
  input: CreateTicketInput,
  /** A device's ticket: its own id, written inside the caller's transaction (the sync push's savepoint). */
  device?: { id: string },
): Promise<Ticket> {
  const ref = await reference.get();
  assertDepartmentTakes(departmentOf(ref, input.departmentId), input.urgency);
  const now = new Date();
  const sla = classify(ref, input.departmentId, input.severity, input.urgency, now);
  const channel = createdChannel(actor.role, input.channel);
  const write = async (q: DbOrTx) => {
    const intake = await resolveIntake(q, actor, input);
    const values: InsertedTicket = {
      ...intake,
      ...sla,
      subject: input.subject,
      description: input.description,
      channel,
      departmentId: input.departmentId,
      severity: input.severity,
      urgency: input.urgency,
      status: 'new',
      ownerId: createdOwner(actor),
      cc: [...new Set(input.cc)],
      createdById: actor.id,
      createdAt: now,
      updatedAt: now,
      mailboxId: null,
      linkedTicketId: null,
    };
    if (device) return insertTicketIn(q, values, device.id);
    return q === db ? insertTicket(db, values) : insertTicketIn(q, values);
  };
  if (device) return toTicket(await write(db));
  // A customer's intake only reads; staff intake may create the caller's contact, which must
  // commit or roll back with the ticket.
  return toTicket(actor.role === 'customer' ? await write(db) : await db.transaction(write));
}
