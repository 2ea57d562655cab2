import type { PatchOperation } from '@mesa/core';
import { shadowKey } from './optimistic';
import type { SyncDatabase, SyncedTable } from './schema';

type Table = {
  bulkPut(rows: unknown[]): Promise<unknown>;
  bulkDelete(ids: string[]): Promise<void>;
  clear(): Promise<void>;
};

/**
 * Applies a pull's patch to the server's copy of the rows, inside the caller's transaction: rows that
 * pending mutations changed on the device live in shadows and are updated there; the others are
 * written straight to the view. Deleting a ticket drops its articles and attachments too (the server
 * sends only the ticket's `del`, e.g. when it left the caller's scope).
 */
export async function applyPatch(db: SyncDatabase, patch: PatchOperation[]): Promise<void> {
  const shadowed = new Set((await db.shadows.toCollection().primaryKeys()) as string[]);
  const puts: Record<SyncedTable, unknown[]> = { tickets: [], articles: [], attachments: [] };
  const table = (t: SyncedTable) => db[t] as unknown as Table;

  const flush = async () => {
    for (const t of ['tickets', 'articles', 'attachments'] as const) {
      if (puts[t].length) await table(t).bulkPut(puts[t]);
      puts[t] = [];
    }
  };
  const setShadow = async (t: SyncedTable, id: string, row: unknown) => {
    await db.shadows.update(shadowKey(t, id), { row: row as never });
  };
  const remove = async (t: SyncedTable, ids: string[]) => {
    const plain: string[] = [];
    for (const id of ids) {
      if (shadowed.has(shadowKey(t, id))) await setShadow(t, id, null);
      else plain.push(id);
    }
    if (plain.length) await table(t).bulkDelete(plain);
  };

  for (const op of patch) {
    if (op.op === 'put') {
      if (shadowed.has(shadowKey(op.table, op.row.id))) await setShadow(op.table, op.row.id, op.row);
      else puts[op.table].push(op.row);
      continue;
    }
    await flush();
    if (op.op === 'clear') {
      await Promise.all([db.tickets.clear(), db.articles.clear(), db.attachments.clear()]);
      await db.shadows.toCollection().modify({ row: null });
      continue;
    }
    if (op.table === 'tickets') {
      const articleIds = (await db.articles.where('ticketId').equals(op.id).primaryKeys()) as string[];
      const attachmentIds = (await db.attachments.where('ticketId').equals(op.id).primaryKeys()) as string[];
      await remove('articles', articleIds);
      await remove('attachments', attachmentIds);
    }
    await remove(op.table, [op.id]);
  }
  await flush();
}
