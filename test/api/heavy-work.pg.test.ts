import { randomUUID } from 'node:crypto';
import type { Database } from '@mesa/api/db/client';
import { HEAVY_WORK_SLOTS, listSlots, pushSlots, type WorkSlots } from '@mesa/api/db/work-slots';
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
  const held = Array.from({ length: HEAVY_WORK_SLOTS }, () => slots.run(() => gate));
  while (slots.active < HEAVY_WORK_SLOTS) await new Promise((r) => setImmediate(r));
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
});
