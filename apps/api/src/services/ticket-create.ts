import type { CreateTicketInput, Ticket } from '@mesa/core';
import { type Placeholder, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client';
import { outbox, ticketHistory, tickets } from '../db/schema';
import type { Actor } from '../http/context';
import type { Reference } from './reference-service';
import { assertDepartmentTakes, classify, departmentOf } from './sla-service';
import { type TicketRow, toTicket } from './ticket-dto';
import { resolveIntake } from './ticket-intake';

type NewTicket = typeof tickets.$inferInsert;

/** Every column the create path sets: the prepared statement binds each one as a parameter. */
const insertedColumns = [
  'requesterId',
  'organizationId',
  'requesterName',
  'requesterOrganization',
  'requesterLocation',
  'requesterPhone',
  'requesterEmail',
  'equipmentId',
  'siteId',
  'contractId',
  'priority',
  'firstResponseDueAt',
  'resolutionDueAt',
  'subject',
  'description',
  'channel',
  'departmentId',
  'severity',
  'urgency',
  'status',
  'ownerId',
  'cc',
  'createdById',
  'createdAt',
  'updatedAt',
] as const satisfies ReadonlyArray<keyof NewTicket>;
type InsertedTicket = Required<Pick<NewTicket, (typeof insertedColumns)[number]>>;

/**
 * The ticket, its 'created' history row and its outbox row in one statement: atomic without an
 * explicit transaction, and one round trip on the hottest write path.
 */
function insertQuery(q: DbOrTx, values: InsertedTicket, actorId: string | Placeholder<'actorId'>) {
  const t = q.$with('t').as(q.insert(tickets).values(values).returning());
  const history = q.$with('h', { id: sql<number>`id` }).as(
    sql`insert into ${ticketHistory} (ticket_id, actor_id, at, field, new_value)
        select t.id, ${actorId}::uuid, t.created_at, 'created',
               jsonb_build_object('status', t.status, 'priority', t.priority, 'channel', t.channel)
        from t returning id`,
  );
  const mail = q
    .$with('o', { id: sql<number>`id` })
    .as(
      sql`insert into ${outbox} (kind, payload) select 'ticket_created', jsonb_build_object('ticketId', t.id) from t returning id`,
    );
  return q.with(t, history, mail).select().from(t);
}

// Building the statement with drizzle costs more CPU than running it: prepare it once per database.
const prepared = new WeakMap<Db, ReturnType<typeof prepareInsert>>();
const prepareInsert = (db: Db) => {
  const placeholders = Object.fromEntries(insertedColumns.map((c) => [c, sql.placeholder(c)]));
  return insertQuery(db, placeholders as unknown as InsertedTicket, sql.placeholder('actorId')).prepare(
    'insert_ticket',
  );
};

async function insertTicket(q: DbOrTx, db: Db, values: InsertedTicket, actorId: string): Promise<TicketRow> {
  let rows: TicketRow[];
  if (q === db) {
    let statement = prepared.get(db);
    if (!statement) {
      statement = prepareInsert(db);
      prepared.set(db, statement);
    }
    rows = await statement.execute({ ...values, actorId });
  } else {
    rows = await insertQuery(q, values, actorId);
  }
  if (!rows[0]) throw new Error('ticket insert returned no row');
  return rows[0];
}

export async function createTicket(
  db: Db,
  reference: Reference,
  actor: Actor,
  input: CreateTicketInput,
): Promise<Ticket> {
  const ref = await reference.get();
  assertDepartmentTakes(departmentOf(ref, input.departmentId), input.urgency);
  const now = new Date();
  const sla = classify(ref, input.departmentId, input.severity, input.urgency, now);
  const channel =
    actor.role === 'customer' ? 'web' : (input.channel ?? (actor.role === 'technician' ? 'field' : 'phone'));
  const write = async (q: DbOrTx) => {
    const intake = await resolveIntake(q, actor, input);
    return insertTicket(
      q,
      db,
      {
        ...intake,
        ...sla,
        subject: input.subject,
        description: input.description,
        channel,
        departmentId: input.departmentId,
        severity: input.severity,
        urgency: input.urgency,
        status: 'new',
        // A technician opening a case in the field owns it from the start.
        ownerId: actor.role === 'technician' ? actor.id : null,
        cc: [...new Set(input.cc)],
        createdById: actor.id,
        createdAt: now,
        updatedAt: now,
      },
      actor.id,
    );
  };
  // A customer's intake only reads; staff intake may create the caller's contact, which must
  // commit or roll back with the ticket.
  return toTicket(actor.role === 'customer' ? await write(db) : await db.transaction(write));
}
