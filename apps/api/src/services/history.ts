import type { DbOrTx } from '../db/client';
import { ticketHistory } from '../db/schema';
import type { TicketRow } from './ticket-dto';

const comparable = (v: unknown): string => JSON.stringify(v instanceof Date ? v.toISOString() : (v ?? null));

/** One history row per field whose value changed: who, when, old and new. */
export async function recordChanges(
  tx: DbOrTx,
  actorId: string | null,
  before: TicketRow,
  after: TicketRow,
  fields: ReadonlyArray<keyof TicketRow>,
): Promise<void> {
  const rows = fields
    .filter((f) => comparable(before[f]) !== comparable(after[f]))
    .map((f) => ({
      ticketId: after.id,
      actorId,
      at: after.updatedAt,
      field: f,
      oldValue: JSON.parse(comparable(before[f])) as unknown,
      newValue: JSON.parse(comparable(after[f])) as unknown,
    }));
  if (rows.length > 0) await tx.insert(ticketHistory).values(rows);
}

export async function recordEvent(
  tx: DbOrTx,
  ticketId: string,
  actorId: string | null,
  at: Date,
  field: string,
  newValue: unknown,
): Promise<void> {
  await tx.insert(ticketHistory).values({ ticketId, actorId, at, field, oldValue: null, newValue });
}
