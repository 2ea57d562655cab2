import type { Article, HistoryRow } from '@mesa/core';
import type { ArticleThread, SyncDatabase, TicketHistory } from './schema';

/**
 * Inserts or replaces articles (by id) in their tickets' threads: one read and one write per ticket.
 * `absent` names tickets known to have no thread yet (just cleared), whose read is skipped.
 */
export async function putArticles(
  db: SyncDatabase,
  rows: readonly Article[],
  absent?: (ticketId: string) => boolean,
): Promise<void> {
  if (rows.length === 0) return;
  const byTicket = groupByTicket(rows);
  const ticketIds = [...byTicket.keys()];
  const toRead = absent ? ticketIds.filter((id) => !absent(id)) : ticketIds;
  const read = toRead.length ? await db.threads.bulkGet(toRead) : [];
  const found = new Map(read.filter((t) => t !== undefined).map((t) => [t.ticketId, t]));
  const existing = ticketIds.map((id) => found.get(id));
  const merged: ArticleThread[] = ticketIds.map((ticketId, i) => {
    const articles = [...(existing[i]?.articles ?? [])];
    const at = new Map(articles.map((a, j) => [a.id, j]));
    for (const row of byTicket.get(ticketId) ?? []) {
      const j = at.get(row.id);
      if (j === undefined) {
        at.set(row.id, articles.length);
        articles.push(row);
      } else {
        articles[j] = row;
      }
    }
    return { ticketId, articles };
  });
  await db.threads.bulkPut(merged);
}

/** Removes articles from a ticket's thread (the thread goes when it is empty). */
export async function removeArticles(db: SyncDatabase, ticketId: string, ids: readonly string[]): Promise<void> {
  const thread = await db.threads.get(ticketId);
  if (!thread) return;
  const gone = new Set(ids);
  const articles = thread.articles.filter((a) => !gone.has(a.id));
  if (articles.length === 0) await db.threads.delete(ticketId);
  else if (articles.length !== thread.articles.length) await db.threads.put({ ticketId, articles });
}

export async function getArticle(db: SyncDatabase, ticketId: string, id: string): Promise<Article | undefined> {
  return (await db.articlesOf(ticketId)).find((a) => a.id === id);
}

/** Adds history rows (by id, kept in id order) to their tickets' records; `absent` as for putArticles. */
export async function putHistory(
  db: SyncDatabase,
  rows: readonly HistoryRow[],
  absent?: (ticketId: string) => boolean,
): Promise<void> {
  const byTicket = groupByTicket(rows);
  const ticketIds = [...byTicket.keys()];
  const toRead = absent ? ticketIds.filter((id) => !absent(id)) : ticketIds;
  const read = toRead.length ? await db.histories.bulkGet(toRead) : [];
  const found = new Map(read.filter((h) => h !== undefined).map((h) => [h.ticketId, h]));
  const merged: TicketHistory[] = ticketIds.map((ticketId) => {
    const byId = new Map((found.get(ticketId)?.rows ?? []).map((r) => [r.id, r]));
    for (const row of byTicket.get(ticketId) ?? []) byId.set(row.id, row);
    return { ticketId, rows: [...byId.values()].sort((a, b) => a.id - b.id) };
  });
  await db.histories.bulkPut(merged);
}

function groupByTicket<T extends { ticketId: string }>(rows: readonly T[]): Map<string, T[]> {
  const byTicket = new Map<string, T[]>();
  for (const row of rows) {
    const list = byTicket.get(row.ticketId);
    if (list) list.push(row);
    else byTicket.set(row.ticketId, [row]);
  }
  return byTicket;
}
