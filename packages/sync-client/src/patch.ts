import type { Article, AttachmentRow, HistoryRow, LocalTicket, PatchOperation } from '@mesa/core';
import { shadowKey } from './optimistic';
import type { SyncDatabase, SyncedTable } from './schema';
import { putArticles, putHistory, removeArticles } from './threads';

/**
 * Applies a pull's patch to the server's copy of the rows, inside the caller's transaction: rows that
 * pending mutations changed on the device live in shadows and are updated there; the others are
 * written straight to the view. Deleting a ticket drops its articles and attachments too (the server
 * sends only the ticket's `del`, e.g. when it left the caller's scope).
 */
export async function applyPatch(db: SyncDatabase, patch: PatchOperation[]): Promise<void> {
  const shadowed = new Set((await db.shadows.toCollection().primaryKeys()) as string[]);
  let tickets: LocalTicket[] = [];
  let articles: Article[] = [];
  let attachments: AttachmentRow[] = [];
  let history: HistoryRow[] = [];

  // After a clear, a thread exists only if this patch wrote it: the others need no read before writing.
  let written: Set<string> | null = null;
  let cleared: Set<string> | null = null;
  const flush = async () => {
    if (tickets.length) await db.tickets.bulkPut(tickets);
    if (articles.length) {
      const known = written;
      await putArticles(db, articles, known ? (id) => !known.has(id) : undefined);
      for (const a of articles) known?.add(a.ticketId);
    }
    if (attachments.length) await db.attachments.bulkPut(attachments);
    if (history.length) await putHistory(db, history, cleared ? (id) => !cleared?.has(id) : undefined);
    for (const h of history) cleared?.add(h.ticketId);
    history = [];
    tickets = [];
    articles = [];
    attachments = [];
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
      await Promise.all([
        db.tickets.clear(),
        db.threads.clear(),
        db.histories.clear(),
        db.attachments.clear(),
        db.reference.clear(),
      ]);
      written = new Set();
      cleared = new Set();
      await db.shadows.toCollection().modify({ row: null });
      continue;
    }
    if (op.table === 'tickets') {
      const thread = await db.articlesOf(op.id);
      await intoShadows(
        'articles',
        thread.map((a) => a.id),
      );
      await db.threads.delete(op.id);
      await db.histories.delete(op.id);
      const files = (await db.attachments.where('ticketId').equals(op.id).primaryKeys()) as string[];
      await db.attachments.bulkDelete(await intoShadows('attachments', files));
      await db.tickets.bulkDelete(await intoShadows('tickets', [op.id]));
    } else if (op.table === 'articles') {
      const shadow = await db.shadows.get(shadowKey('articles', op.id));
      if (shadow) await db.shadows.update(shadow.key, { row: null });
      else {
        // The server names only the article: find its thread among the device's.
        const owner = (await db.threads.toArray()).find((t) => t.articles.some((a) => a.id === op.id));
        if (owner) await removeArticles(db, owner.ticketId, [op.id]);
      }
    } else {
      await db.attachments.bulkDelete(await intoShadows('attachments', [op.id]));
    }
  }
  await flush();
}
