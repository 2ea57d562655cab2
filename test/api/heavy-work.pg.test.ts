import { randomUUID } from 'node:crypto';
import type { Database } from '@mesa/api/db/client';
import { articles } from '@mesa/api/db/schema';
import { HEAVY_WORK_SLOTS, listSlots, pushSlots, type WorkSlots } from '@mesa/api/db/work-slots';
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, clientsFor, testApp } from '../support/api';
import { openTestDatabase } from '../support/db';
import { protocolDevice } from '../support/sync-device';
import { openTicket } from '../support/tickets';
import { buildWorld, type World } from '../support/world';

let database: Database;
let world: World;
let app: ReturnType<typeof testApp>;
let as: Record<'agent' | 'customer', Client>;

beforeAll(async () => {
  database = await openTestDatabase();
  world = await buildWorld(database);
  app = testApp(database);
  as = await clientsFor(app, { agent: 'agent@t.test', customer: 'ana@acme.test' });
});
afterAll(() => database.close());

/** Takes every slot with work that waits for `release`; resolves once all of them run. */
async function fill(slots: WorkSlots) {
  let release = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const held = Array.from({ length: slots.limit }, () => slots.run(() => gate));
  while (slots.active < slots.limit) await new Promise((r) => setImmediate(r));
  return async () => {
    release();
    await Promise.all(held);
  };
}

const settled = <T>(p: Promise<T>) => {
  const state = { done: false };
  void p.finally(() => {
    state.done = true;
  });
  return state;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('security', () => {
  // PGlite is one connection running queries on the event loop: a short request waits behind one heavy query.
  it('gives heavy work four slots on a Postgres pool and one on PGlite', () => {
    const want = database.kind === 'postgres' ? HEAVY_WORK_SLOTS : 1;
    expect([listSlots(database.db).limit, pushSlots(database.db).limit]).toEqual([want, want]);
  });

  // Heavy requests beyond the slots wait without a connection, so health (and every short request) still answers.
  it('list searches beyond the slots wait for one while /api/health answers', async () => {
    await openTicket(as.customer, world, { subject: 'La impresora no imprime' });
    const releaseAll = await fill(listSlots(database.db));
    const search = as.agent.get('/api/tickets?q=impresora');
    const state = settled(search);
    await sleep(50);
    expect(state.done).toBe(false);
    expect(listSlots(database.db).queued).toBe(1);
    const health = await app.request('/api/health');
    expect(health.status).toBe(200);
    await releaseAll();
    const r = await search;
    expect(r.status).toBe(200);
    expect(r.body.items.map((t: { subject: string }) => t.subject)).toEqual(['La impresora no imprime']);
  });

  it('sync pushes beyond the slots wait for one while /api/health answers', async () => {
    const t = await openTicket(as.customer, world);
    const releaseAll = await fill(pushSlots(database.db));
    const push = protocolDevice(as.agent).push([
      { name: 'addNote@1', args: { id: randomUUID(), ticketId: t.id, kind: 'internal_note', body: 'Revisado' } },
    ]);
    const state = settled(push);
    await sleep(50);
    expect(state.done).toBe(false);
    expect(pushSlots(database.db).queued).toBe(1);
    const health = await app.request('/api/health');
    expect(health.status).toBe(200);
    await releaseAll();
    const r = await push;
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ lastMutationId: 1, rejected: [] });
  });

  // Fewer, short transactions: a full push of 100 notes is 4 commits, not 100 (each a WAL flush and a NOTIFY).
  it('a push of 100 notes commits them 25 to a transaction', async () => {
    const t = await openTicket(as.customer, world);
    const ids = Array.from({ length: 100 }, () => randomUUID());
    const r = await protocolDevice(as.agent).push(
      ids.map((id, n) => ({
        name: 'addNote@1',
        args: { id, ticketId: t.id, kind: 'internal_note', body: `Nota ${n}` },
      })),
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ lastMutationId: 100, rejected: [] });
    const rows = await database.db
      .select({ id: articles.id, xid: articles.changeXid })
      .from(articles)
      .where(inArray(articles.id, ids));
    expect(rows.length).toBe(100);
    const perXid = new Map<string, number>();
    for (const row of rows) perXid.set(String(row.xid), (perXid.get(String(row.xid)) ?? 0) + 1);
    expect([...perXid.values()]).toEqual([25, 25, 25, 25]);
  });

  it('a gap after 30 mutations keeps the 30 and answers the expected id', async () => {
    const t = await openTicket(as.customer, world);
    const device = protocolDevice(as.agent);
    const note = (n: number) => ({
      id: n,
      name: 'addNote@1',
      args: { id: randomUUID(), ticketId: t.id, kind: 'internal_note', body: `Nota ${n}` },
    });
    const r = await device.push([...Array.from({ length: 30 }, (_, i) => note(i + 1)), note(32)]);
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'MUTATION_OUT_OF_ORDER', details: { expected: 31, got: 32 } });
    const replay = await device.push([note(30)]);
    expect(replay.body).toMatchObject({ lastMutationId: 30, rejected: [] });
  });
});
