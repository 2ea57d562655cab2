import { randomUUID } from 'node:crypto';
import DataLoader from 'dataloader';
import { sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client';
import { outbox, ticketHistory, tickets } from '../db/schema';
import { asError, perDatabase, tickBatch } from '../db/tick-batch';
import type { TicketRow } from './ticket-dto';

type NewTicket = typeof tickets.$inferInsert;

/** Every column the create path sets: prepared statements bind each one as a parameter. */
const insertedColumns = [
  'id',
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
  'mailboxId',
  'linkedTicketId',
] as const satisfies ReadonlyArray<keyof NewTicket>;
export type InsertedTicket = Required<Pick<NewTicket, Exclude<(typeof insertedColumns)[number], 'id'>>>;
type Row = InsertedTicket & { id: string };

/**
 * Tickets, their 'created' history rows and their outbox rows in one statement: atomic without
 * an explicit transaction, and one round trip on the hottest write path. The creator is the actor.
 */
function insertQuery(q: DbOrTx, rows: Row[]) {
  const t = q.$with('t').as(q.insert(tickets).values(rows).returning());
  const history = q.$with('h', { id: sql<number>`id` }).as(
    sql`insert into ${ticketHistory} (ticket_id, actor_id, at, field, new_value)
        select t.id, t.created_by_id, t.created_at, 'created',
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

/** One statement inside a caller's transaction. */
export async function insertTicketIn(q: DbOrTx, values: InsertedTicket, id: string = randomUUID()): Promise<TicketRow> {
  const [row] = await insertQuery(q, [{ ...values, id }]);
  if (!row) throw new Error('ticket insert returned no row');
  return row;
}

/** Up to this many concurrent creates share one statement. */
const MAX_BATCH = 16;

// Building the statement with drizzle costs more CPU than running it: prepare once per batch size.
const prepareBatch = (db: Db, size: number) => {
  const rows = Array.from(
    { length: size },
    (_, i) => Object.fromEntries(insertedColumns.map((c) => [c, sql.placeholder(`${c}${i}`)])) as unknown as Row,
  );
  return insertQuery(db, rows).prepare(`insert_tickets_${size}`);
};

/**
 * Creates that arrive in the same turn of the event loop are written by one multi-row statement:
 * one round trip and one commit for the lot. If the statement fails, each create is retried on its
 * own, so a bad row fails alone and the others still land.
 */
const inserter = perDatabase((db) => {
  const statements = new Map<number, ReturnType<typeof prepareBatch>>();
  const execute = async (rows: readonly Row[]): Promise<Array<TicketRow | Error>> => {
    let statement = statements.get(rows.length);
    if (!statement) {
      statement = prepareBatch(db, rows.length);
      statements.set(rows.length, statement);
    }
    const params: Record<string, unknown> = {};
    rows.forEach((row, i) => {
      for (const c of insertedColumns) params[`${c}${i}`] = row[c];
    });
    const byId = new Map((await statement.execute(params)).map((r) => [r.id, r]));
    return rows.map((r) => byId.get(r.id) ?? new Error('ticket insert returned no row'));
  };
  return new DataLoader<Row, TicketRow>(async (rows) => {
    try {
      return await execute(rows);
    } catch (error) {
      if (rows.length === 1) return [asError(error)];
      return Promise.all(rows.map((row) => execute([row]).then((r) => r[0] ?? asError(null), asError)));
    }
  }, tickBatch(MAX_BATCH));
});

/** Outside a transaction: batched with concurrent creates on the same database. */
export function insertTicket(db: Db, values: InsertedTicket): Promise<TicketRow> {
  return inserter(db).load({ ...values, id: randomUUID() });
}
