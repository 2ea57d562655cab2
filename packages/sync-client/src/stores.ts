import { isPendingNumber, type LocalTicket } from '@mesa/core';
import {
  BUCKETS,
  bucketOf,
  type DetailBucket,
  emptyDetail,
  groupByBucket,
  isEmptyDetail,
  NUMBER_BUCKETS,
  type NumberBucket,
  type TicketBucket,
  type TicketDetail,
} from './buckets';
import type { SyncDatabase } from './schema';
import { transactionCache } from './tx-cache';

/**
 * Buckets a write may skip reading: after a pull's `clear`, the ones this pull has not written yet are known
 * to be empty. Null when there was no clear (every bucket may hold rows).
 */
export type Fresh = Set<number> | null;

const known = (fresh: Fresh, bs: number[]) => (fresh ? bs.filter((b) => fresh.has(b)) : bs);

/** Ticket buckets read or written in the running read-write transaction (an edit reads its ticket, then writes it). */
const bucketCache = transactionCache<number, TicketBucket>();

/** The device's tickets, one record per bucket (see buckets.ts), with a Dexie-like surface. */
export class TicketStore {
  constructor(private readonly db: SyncDatabase) {}

  async get(id: string): Promise<LocalTicket | undefined> {
    const b = bucketOf(id);
    const cached = bucketCache()?.get(b);
    if (cached) return cached.rows[id];
    const bucket = await this.db.ticketBuckets.get(b);
    // Looked up again: the transaction's first request is what gives it its IndexedDB transaction.
    if (bucket) bucketCache()?.set(b, bucket);
    return bucket?.rows[id];
  }

  async toArray(): Promise<LocalTicket[]> {
    const out: LocalTicket[] = [];
    for (const bucket of await this.db.ticketBuckets.toArray()) out.push(...Object.values(bucket.rows));
    return out;
  }

  async count(): Promise<number> {
    let n = 0;
    for (const bucket of await this.db.ticketBuckets.toArray()) n += Object.keys(bucket.rows).length;
    return n;
  }

  /** By its `T-…` number (a ticket whose number is pending has none yet). */
  async byNumber(number: string): Promise<LocalTicket | undefined> {
    const id = (await this.db.numberBuckets.get(bucketOf(number, NUMBER_BUCKETS)))?.ids[number];
    const ticket = id ? await this.get(id) : undefined;
    return ticket?.number === number ? ticket : undefined;
  }

  put(row: LocalTicket, fresh: Fresh = null): Promise<void> {
    return this.bulkPut([row], fresh);
  }

  /** Inserts or replaces rows by id: one read and one write per bucket touched. */
  async bulkPut(rows: readonly LocalTicket[], fresh: Fresh = null): Promise<void> {
    if (rows.length === 0) return;
    await this.db.transaction('rw', [this.db.ticketBuckets, this.db.numberBuckets], async () => {
      const groups = groupByBucket(rows, (t) => t.id);
      const loaded = await this.load([...groups.keys()], fresh);
      const numbered: Array<[string, string]> = [];
      const written: TicketBucket[] = [];
      for (const [b, group] of groups) {
        const bucket = loaded.get(b) ?? { b, rows: {} };
        for (const row of group) {
          const before = bucket.rows[row.id];
          if (!isPendingNumber(row) && before?.number !== row.number) numbered.push([row.number, row.id]);
          bucket.rows[row.id] = row;
        }
        written.push(bucket);
        fresh?.add(b);
      }
      await this.db.ticketBuckets.bulkPut(written);
      const cache = bucketCache();
      for (const bucket of written) cache?.set(bucket.b, bucket);
      if (numbered.length) await this.editNumbers(numbered, []);
    });
  }

  delete(id: string): Promise<void> {
    return this.bulkDelete([id]);
  }

  async bulkDelete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.transaction('rw', [this.db.ticketBuckets, this.db.numberBuckets], async () => {
      const groups = groupByBucket(ids, (id) => id);
      const loaded = await this.load([...groups.keys()], null);
      const unnumbered: string[] = [];
      const written: TicketBucket[] = [];
      for (const [b, group] of groups) {
        const bucket = loaded.get(b);
        if (!bucket) continue;
        for (const id of group) {
          const row = bucket.rows[id];
          if (row && !isPendingNumber(row)) unnumbered.push(row.number);
          delete bucket.rows[id];
        }
        written.push(bucket);
      }
      await this.db.ticketBuckets.bulkPut(written);
      if (unnumbered.length) await this.editNumbers([], unnumbered);
    });
  }

  async clear(): Promise<void> {
    bucketCache()?.clear();
    await Promise.all([this.db.ticketBuckets.clear(), this.db.numberBuckets.clear()]);
  }

  /** The buckets, read once per transaction (see seenInTransaction); the caller writes what it changes. */
  private async load(bs: number[], fresh: Fresh): Promise<Map<number, TicketBucket>> {
    const cache = bucketCache();
    const out = new Map<number, TicketBucket>();
    const toRead: number[] = [];
    for (const b of known(fresh, bs)) {
      const hit = cache?.get(b);
      if (hit) out.set(b, hit);
      else toRead.push(b);
    }
    const read = toRead.length ? await this.db.ticketBuckets.bulkGet(toRead) : [];
    const after = cache ?? bucketCache();
    for (const bucket of read) {
      if (!bucket) continue;
      out.set(bucket.b, bucket);
      after?.set(bucket.b, bucket);
    }
    return out;
  }

  private async editNumbers(add: Array<[string, string]>, remove: string[]): Promise<void> {
    const groups = new Map<number, { add: Array<[string, string]>; remove: string[] }>();
    const group = (n: string) => {
      const b = bucketOf(n, NUMBER_BUCKETS);
      const g = groups.get(b) ?? { add: [], remove: [] };
      groups.set(b, g);
      return g;
    };
    for (const pair of add) group(pair[0]).add.push(pair);
    for (const n of remove) group(n).remove.push(n);
    const bs = [...groups.keys()];
    const read = await this.db.numberBuckets.bulkGet(bs);
    const written: NumberBucket[] = bs.map((b, i) => {
      const bucket = read[i] ?? { b, ids: {} };
      const g = groups.get(b) as { add: Array<[string, string]>; remove: string[] };
      for (const n of g.remove) delete bucket.ids[n];
      for (const [n, id] of g.add) bucket.ids[n] = id;
      return bucket;
    });
    await this.db.numberBuckets.bulkPut(written);
  }
}

/** Each ticket's articles, history and attachments, in the detail bucket of the same number as its ticket's. */
export class DetailStore {
  constructor(private readonly db: SyncDatabase) {}

  async of(ticketId: string): Promise<TicketDetail | undefined> {
    return (await this.db.detailBuckets.get(bucketOf(ticketId)))?.tickets[ticketId];
  }

  async all(): Promise<Array<[string, TicketDetail]>> {
    const out: Array<[string, TicketDetail]> = [];
    for (const bucket of await this.db.detailBuckets.toArray()) out.push(...Object.entries(bucket.tickets));
    return out;
  }

  /**
   * Rewrites the details of `ticketIds` with `edit` (given a copy it may change in place; an empty result
   * removes the ticket's entry): one read and one write per bucket.
   */
  async edit(ticketIds: Iterable<string>, edit: (detail: TicketDetail, ticketId: string) => void, fresh: Fresh = null) {
    const ids = [...new Set(ticketIds)];
    if (ids.length === 0) return;
    await this.db.transaction('rw', this.db.detailBuckets, async () => {
      const groups = groupByBucket(ids, (id) => id, BUCKETS);
      const bs = [...groups.keys()];
      const toRead = known(fresh, bs);
      const read = toRead.length ? await this.db.detailBuckets.bulkGet(toRead) : [];
      const loaded = new Map(read.filter((x) => x !== undefined).map((x) => [x.b, x]));
      const written: DetailBucket[] = [];
      for (const [b, group] of groups) {
        const bucket = loaded.get(b) ?? { b, tickets: {} };
        for (const id of group) {
          const was = bucket.tickets[id];
          const detail: TicketDetail = was
            ? { articles: [...was.articles], history: [...was.history], attachments: [...was.attachments] }
            : emptyDetail();
          edit(detail, id);
          if (isEmptyDetail(detail)) delete bucket.tickets[id];
          else bucket.tickets[id] = detail;
        }
        written.push(bucket);
        fresh?.add(b);
      }
      await this.db.detailBuckets.bulkPut(written);
    });
  }

  async clear(): Promise<void> {
    await this.db.detailBuckets.clear();
  }
}
