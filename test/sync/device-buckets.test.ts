import type { Article, LocalTicket } from '@mesa/core';
import {
  BUCKETS,
  bucketOf,
  getArticle,
  layoutBeforeBuckets,
  putArticles,
  putDetails,
  removeArticles,
  SyncDatabase,
} from '@mesa/sync-client';
import { Dexie } from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';

const article = (ticketId: string, id: string, body = id): Article => ({
  id,
  ticketId,
  kind: 'public_reply',
  authorId: null,
  authorName: null,
  body,
  nextStatus: null,
  realProblem: null,
  realSolution: null,
  createdAt: '2026-11-23T10:00:00.000Z',
});

let db: SyncDatabase;
const open = async () => {
  db = new SyncDatabase('threads-test', { indexedDB: new IDBFactory(), IDBKeyRange });
  await db.open();
};
afterEach(() => db?.close());

const ticket = (id: string, number: string, subject = id): LocalTicket =>
  ({ id, number, subject, status: 'new', updatedAt: '2026-11-23T10:00:00.000Z' }) as LocalTicket;

describe('ticket details (one IndexedDB record per bucket of tickets)', () => {
  it('appends new articles in order and replaces an existing one in place', async () => {
    await open();
    await putArticles(db, [article('t1', 'a'), article('t2', 'x'), article('t1', 'b')]);
    await putArticles(db, [article('t1', 'a', 'editada'), article('t1', 'c')]);
    expect((await db.articlesOf('t1')).map((a) => [a.id, a.body])).toEqual([
      ['a', 'editada'],
      ['b', 'b'],
      ['c', 'c'],
    ]);
    expect((await db.articlesOf('t2')).map((a) => a.id)).toEqual(['x']);
    expect((await getArticle(db, 't1', 'b'))?.id).toBe('b');
    expect(await getArticle(db, 't2', 'b')).toBeUndefined();
  });

  it('skips the read only for buckets known to be empty, never losing rows of one that was written', async () => {
    await open();
    await putArticles(db, [article('t1', 'a')]);
    // After a clear nothing was written: every bucket is fresh, so t1's is not read and starts empty.
    const fresh = new Set<number>();
    await putDetails(db, { articles: [article('t3', 'z')] }, fresh);
    expect(fresh).toEqual(new Set([bucketOf('t3')]));
    // A bucket written since the clear is read again before the next write to it.
    await putDetails(db, { articles: [article('t3', 'y')] }, fresh);
    expect((await db.articlesOf('t3')).map((a) => a.id)).toEqual(['z', 'y']);
  });

  it('removes articles, and a ticket whose details are all gone', async () => {
    await open();
    await putArticles(db, [article('t1', 'a'), article('t1', 'b')]);
    await removeArticles(db, 't1', ['a']);
    expect((await db.articlesOf('t1')).map((a) => a.id)).toEqual(['b']);
    await removeArticles(db, 't1', ['b']);
    expect(await db.details.of('t1')).toBeUndefined();
    await removeArticles(db, 'nope', ['b']);
    expect(await db.allArticles()).toEqual([]);
  });
});

describe('tickets in buckets', () => {
  it('stores a thousand tickets in far fewer records, and finds each by id and by number', async () => {
    await open();
    const rows = Array.from({ length: 1000 }, (_, i) => ticket(`id-${i}`, `T-${String(i).padStart(6, '0')}`));
    await db.tickets.bulkPut(rows);
    expect(await db.tickets.count()).toBe(1000);
    expect(await db.ticketBuckets.count()).toBeLessThanOrEqual(BUCKETS);
    expect(await db.ticketBuckets.count()).toBeLessThan(1000);
    expect((await db.tickets.get('id-417'))?.number).toBe('T-000417');
    expect((await db.tickets.byNumber('T-000417'))?.id).toBe('id-417');
    expect(await db.tickets.byNumber('T-999999')).toBeUndefined();
    expect((await db.tickets.toArray()).map((t) => t.id).sort()).toEqual(rows.map((t) => t.id).sort());
  });

  it('a ticket opened on the device gets its number later; a deleted one is found by neither', async () => {
    await open();
    await db.tickets.put(ticket('new', ''));
    expect(await db.tickets.byNumber('')).toBeUndefined();
    await db.tickets.put(ticket('new', 'T-000042', 'numerado'));
    expect((await db.tickets.byNumber('T-000042'))?.subject).toBe('numerado');
    await db.tickets.delete('new');
    expect(await db.tickets.get('new')).toBeUndefined();
    expect(await db.tickets.byNumber('T-000042')).toBeUndefined();
    expect(await db.tickets.count()).toBe(0);
  });
});

describe('a device database from before buckets', () => {
  it('keeps the queue, drops the old row stores and pulls in full next time', async () => {
    const indexedDB = new IDBFactory();
    // The layout of the previous release (Dexie version 3), with a row, a queued edit and a cookie.
    const old = new Dexie('upgrade-test', { indexedDB, IDBKeyRange });
    for (const [i, stores] of layoutBeforeBuckets.entries()) old.version(i + 1).stores(stores);
    await old.open();
    await old.table('tickets').put(ticket('t1', 'T-000001'));
    await old
      .table('mutations')
      .put({ id: 7, name: 'changeStatus@1', args: { ticketId: 't1', to: 'open' }, clientTime: 1 });
    await old.table('meta').bulkPut([
      { key: 'cookie', value: 'an-old-cookie' },
      { key: 'nextMutationId', value: 8 },
    ]);
    old.close();

    db = new SyncDatabase('upgrade-test', { indexedDB, IDBKeyRange });
    await db.open();
    expect(db.tables.map((t) => t.name).sort()).toEqual(
      [
        'blobs',
        'detailBuckets',
        'meta',
        'mutations',
        'numberBuckets',
        'reference',
        'rejections',
        'shadows',
        'ticketBuckets',
      ].sort(),
    );
    expect(await db.mutations.toArray()).toEqual([
      { id: 7, name: 'changeStatus@1', args: { ticketId: 't1', to: 'open' }, clientTime: 1 },
    ]);
    expect(await db.getMeta('nextMutationId')).toBe(8);
    expect(await db.getMeta('cookie')).toBeNull();
    expect(await db.tickets.count()).toBe(0);
  });
});
