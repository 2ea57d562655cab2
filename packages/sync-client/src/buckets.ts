import type { Article, AttachmentRow, HistoryRow, LocalTicket } from '@mesa/core';

/**
 * IndexedDB's cost is per record (in Chromium about 85 µs each, whatever its size, up to tens of KB), so the
 * device keeps its rows in buckets: every ticket lives in bucket `bucketOf(id)` of the ticket store, and
 * everything else of a ticket (articles, history, attachments) in the same-numbered bucket of the detail
 * store. Ten thousand tickets with fifty thousand articles are then about a thousand records, not tens of
 * thousands: a new device writes them in a fraction of the time, and the queue reads them as fast. Writing
 * one ticket rewrites its bucket (tens of rows), still well under a millisecond.
 */
export const BUCKETS = 512;

/** FNV-1a over the id's UTF-16 units: stable, fast, and evenly spread for uuids and ticket numbers. */
export function bucketOf(key: string, buckets = BUCKETS): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % buckets;
}

export interface TicketBucket {
  b: number;
  rows: Record<string, LocalTicket>;
}

/** A ticket's articles (server order, optimistic ones last), history (id order) and attachments. */
export interface TicketDetail {
  articles: Article[];
  history: HistoryRow[];
  attachments: AttachmentRow[];
}

export interface DetailBucket {
  b: number;
  tickets: Record<string, TicketDetail>;
}

/** Ticket number → id, bucketed by the number, so a `T-…` link finds its ticket with one read. */
export interface NumberBucket {
  b: number;
  ids: Record<string, string>;
}

/** Buckets of the number index: fewer, since each entry is a few bytes. */
export const NUMBER_BUCKETS = 64;

export const emptyDetail = (): TicketDetail => ({ articles: [], history: [], attachments: [] });

export const isEmptyDetail = (d: TicketDetail): boolean =>
  d.articles.length === 0 && d.history.length === 0 && d.attachments.length === 0;

/** Rows grouped by their bucket, in first-seen order. */
export function groupByBucket<T>(items: readonly T[], key: (item: T) => string, buckets = BUCKETS): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const item of items) {
    const b = bucketOf(key(item), buckets);
    const list = out.get(b);
    if (list) list.push(item);
    else out.set(b, [item]);
  }
  return out;
}
