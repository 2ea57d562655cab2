import type { Article } from '@mesa/core';
import { getArticle, putArticles, removeArticles, SyncDatabase } from '@mesa/sync-client';
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

describe('article threads (one IndexedDB record per ticket)', () => {
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
    expect(await db.threads.count()).toBe(2);
    expect((await getArticle(db, 't1', 'b'))?.id).toBe('b');
    expect(await getArticle(db, 't2', 'b')).toBeUndefined();
  });

  it('skips the read only for tickets said to have no thread, never losing one that exists', async () => {
    await open();
    await putArticles(db, [article('t1', 'a')]);
    await putArticles(db, [article('t1', 'b'), article('t3', 'z')], (id) => id === 't3');
    expect((await db.articlesOf('t1')).map((a) => a.id)).toEqual(['a', 'b']);
    expect((await db.articlesOf('t3')).map((a) => a.id)).toEqual(['z']);
  });

  it('removes articles and the thread once empty', async () => {
    await open();
    await putArticles(db, [article('t1', 'a'), article('t1', 'b')]);
    await removeArticles(db, 't1', ['a']);
    expect((await db.articlesOf('t1')).map((a) => a.id)).toEqual(['b']);
    await removeArticles(db, 't1', ['b']);
    expect(await db.threads.get('t1')).toBeUndefined();
    await removeArticles(db, 'nope', ['b']);
    expect(await db.allArticles()).toEqual([]);
  });
});
