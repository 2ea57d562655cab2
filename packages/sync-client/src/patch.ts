import type { Article, AttachmentRow, HistoryRow, LocalTicket, PatchOperation } from '@mesa/core';
import { shadowKey } from './optimistic';
import type { SyncDatabase, SyncedTable } from './schema';
import { ownerOf, putDetails, removeFromDetail } from './threads';

/**
 * What a patch's `clear` taught, kept across the pages of one pull: the ticket and detail buckets written
 * since, so that the others, known to be empty, are written without being read first.
 */
export interface PatchProgress {
  tickets: Set<number> | null;
  details: Set<number> | null;
}

export const newPatchProgress = (): PatchProgress => ({ tickets: null, details: null });

/**
 * Applies a pull's patch to the server's copy of the rows, inside the caller's transaction: rows that
 * pending mutations changed on the device live in shadows and are updated there; the others are
 * written straight to the view. Deleting a ticket drops its articles and attachments too (the server
 * sends only the ticket's `del`, e.g. when it left the caller's scope). `progress` carries what earlier
 * pages of the same pull wrote after a clear.
 */
export async function applyPatch(
  db: SyncDatabase,
  patch: PatchOperation[],
  progress: PatchProgress = newPatchProgress(),
): Promise<void> {
  const shadowed = new Set((await db.shadows.toCollection().primaryKeys()) as string[]);
  let tickets: LocalTicket[] = [];
  let articles: Article[] = [];
  let attachments: AttachmentRow[] = [];
  let history: HistoryRow[] = [];

  const flush = async () => {
    await db.tickets.bulkPut(tickets, progress.tickets);
    if (articles.length || attachments.length || history.length) {
      await putDetails(db, { articles, attachments, history }, progress.details);
    }
    tickets = [];
    articles = [];
    attachments = [];
    history = [];
  };
  /** Ids whose server copy lives in a shadow get it there (null: gone); the rest are returned. */
  const intoShadows = async (table: SyncedTable, ids: string[], row: unknown = null): Promise<string[]> => {
    const plain: string[] = [];
    for (const id of ids) {
      if (shadowed.has(shadowKey(table, id))) await db.shadows.update(shadowKey(table, id), { row: row as never });
      else plain.push(id);
    }
    return plain;
  };

  for (const op of patch) {
    if (op.op === 'ref') {
      await db.reference.put({ kind: op.kind, rows: op.rows as never });
      continue;
    }
    if (op.op === 'put' && op.table === 'history') {
      // Only the server writes history: never shadowed, never optimistic.
      history.push(op.row);
      continue;
    }
    if (op.op === 'put') {
      if (shadowed.has(shadowKey(op.table, op.row.id))) await intoShadows(op.table, [op.row.id], op.row);
      else if (op.table === 'tickets') tickets.push(op.row);
      else if (op.table === 'articles') articles.push(op.row);
      else attachments.push(op.row);
      continue;
    }
    await flush();
    if (op.op === 'clear') {
      await Promise.all([db.tickets.clear(), db.details.clear(), db.reference.clear()]);
      progress.tickets = new Set();
      progress.details = new Set();
      await db.shadows.toCollection().modify({ row: null });
      continue;
    }
    if (op.table === 'tickets') {
      const detail = await db.details.of(op.id);
      await intoShadows(
        'articles',
        (detail?.articles ?? []).map((a) => a.id),
      );
      // Optimistic attachments stay in view until the rebase decides; every article and history row goes.
      const files = await intoShadows(
        'attachments',
        (detail?.attachments ?? []).map((a) => a.id),
      );
      const drop = new Set(files);
      await db.details.edit([op.id], (d) => {
        d.articles = [];
        d.history = [];
        d.attachments = d.attachments.filter((a) => !drop.has(a.id));
      });
      await db.tickets.bulkDelete(await intoShadows('tickets', [op.id]));
    } else {
      const shadow = await db.shadows.get(shadowKey(op.table, op.id));
      if (shadow) await db.shadows.update(shadow.key, { row: null });
      else {
        // The server names only the row: find its ticket among the device's.
        const owner = await ownerOf(db, op.table, op.id);
        if (owner) await removeFromDetail(db, owner, { [op.table]: [op.id] });
      }
    }
  }
  await flush();
}
