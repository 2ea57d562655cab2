import type { Article, AttachmentRow, HistoryRow } from '@mesa/core';
import type { TicketDetail } from './buckets';
import type { SyncDatabase } from './schema';
import type { Fresh } from './stores';

/** Rows for tickets' details, written together: one read and one write per bucket touched. */
export interface DetailRows {
  articles?: readonly Article[];
  history?: readonly HistoryRow[];
  attachments?: readonly AttachmentRow[];
}

/** Replaces by id what is there, appends what is new (articles keep their order; history stays in id order). */
function upsert<T extends { id: string | number }>(list: T[], rows: readonly T[]): void {
  const at = new Map(list.map((x, i) => [x.id, i]));
  for (const row of rows) {
    const i = at.get(row.id);
    if (i === undefined) {
      at.set(row.id, list.length);
      list.push(row);
    } else {
      list[i] = row;
    }
  }
}

/** Inserts or replaces articles, history rows and attachments (by id) in their tickets' details. */
export async function putDetails(db: SyncDatabase, rows: DetailRows, fresh: Fresh = null): Promise<void> {
  const articles = groupByTicket(rows.articles ?? []);
  const history = groupByTicket(rows.history ?? []);
  const attachments = groupByTicket(rows.attachments ?? []);
  const ids = [...articles.keys(), ...history.keys(), ...attachments.keys()];
  await db.details.edit(
    ids,
    (detail, id) => {
      upsert(detail.articles, articles.get(id) ?? []);
      const h = history.get(id);
      if (h) {
        upsert(detail.history, h);
        detail.history.sort((a, b) => a.id - b.id);
      }
      upsert(detail.attachments, attachments.get(id) ?? []);
    },
    fresh,
  );
}

export const putArticles = (db: SyncDatabase, rows: readonly Article[]) => putDetails(db, { articles: rows });

export const putHistory = (db: SyncDatabase, rows: readonly HistoryRow[]) => putDetails(db, { history: rows });

/** Removes articles and attachments from a ticket's details by id. */
export async function removeFromDetail(
  db: SyncDatabase,
  ticketId: string,
  ids: { articles?: readonly string[]; attachments?: readonly string[] },
): Promise<void> {
  const articles = new Set(ids.articles ?? []);
  const attachments = new Set(ids.attachments ?? []);
  await db.details.edit([ticketId], (d) => {
    d.articles = d.articles.filter((a) => !articles.has(a.id));
    d.attachments = d.attachments.filter((a) => !attachments.has(a.id));
  });
}

export const removeArticles = (db: SyncDatabase, ticketId: string, ids: readonly string[]) =>
  removeFromDetail(db, ticketId, { articles: ids });

/** The ticket an article or attachment belongs to, when only its id is known (a scan; the server rarely asks). */
export async function ownerOf(db: SyncDatabase, kind: 'articles' | 'attachments', id: string) {
  const found = (await db.details.all()).find(([, d]: [string, TicketDetail]) => d[kind].some((x) => x.id === id));
  return found?.[0];
}

export async function getArticle(db: SyncDatabase, ticketId: string, id: string): Promise<Article | undefined> {
  return (await db.articlesOf(ticketId)).find((a) => a.id === id);
}

export async function getAttachment(db: SyncDatabase, ticketId: string, id: string) {
  return (await db.attachmentsOf(ticketId)).find((a) => a.id === id);
}

export function groupByTicket<T extends { ticketId: string }>(rows: readonly T[]): Map<string, T[]> {
  const byTicket = new Map<string, T[]>();
  for (const row of rows) {
    const list = byTicket.get(row.ticketId);
    if (list) list.push(row);
    else byTicket.set(row.ticketId, [row]);
  }
  return byTicket;
}
