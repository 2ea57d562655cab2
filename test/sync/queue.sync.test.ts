import { randomUUID } from 'node:crypto';
import { articles, sessions, ticketHistory } from '@mesa/api/db/schema';
import { ErrorCode, isOpenStatus, PROTOCOL_VERSION, SCHEMA_VERSION } from '@mesa/core';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { expectConverged, settle } from '../support/sync-checks';
import { useLab } from '../support/sync-world';

const env = useLab();

const notesWithId = (id: string) => env.database.db.select().from(articles).where(eq(articles.id, id));
const statusChanges = (ticketId: string) =>
  env.database.db
    .select()
    .from(ticketHistory)
    .where(and(eq(ticketHistory.ticketId, ticketId), eq(ticketHistory.field, 'status')));

const waitFor = async (what: string, ok: () => Promise<boolean>, ms = 10_000) => {
  const until = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('offline queue scenarios', () => {
  it('lost push response: the retry is acknowledged, the note and the status change happen once', async () => {
    const t = await env.lab.fieldTicket();
    const tech = await env.lab.device('technician');
    await settle(tech);
    const noteId = randomUUID();
    tech.faults.offline = true;
    await tech.client.mutate('changeStatus@1', { ticketId: t.id, to: 'in_progress' });
    await tech.client.mutate('addNote@1', {
      id: noteId,
      ticketId: t.id,
      kind: 'internal_note',
      body: 'Cambio de fuente',
    });
    // A cycle while offline fails at once; when syncNow returns no cycle is in flight to meet the fault.
    await tech.client.syncNow();
    tech.faults.offline = false;
    tech.faults.next.push({ path: '/sync/push', lose: 'response' });
    await tech.client.syncNow();
    expect(tech.faults.fired).toEqual([{ path: '/api/sync/push', lose: 'response' }]);
    expect(tech.client.state.get().error?.code).toBe('NETWORK');
    expect(await tech.client.db.mutations.count()).toBe(2);
    await settle(tech);
    expect(await notesWithId(noteId)).toHaveLength(1);
    expect((await statusChanges(t.id)).filter((h) => h.newValue === 'in_progress')).toHaveLength(1);
    await expectConverged(tech, env.lab.server.url);
  });

  it('failed push with no new writes: the device retries on its own with backoff', async () => {
    const t = await env.lab.fieldTicket();
    const tech = await env.lab.device('technician');
    await settle(tech);
    tech.faults.next.push({ path: '/sync/push', lose: 'request' });
    const noteId = randomUUID();
    await tech.client.mutate('addNote@1', { id: noteId, ticketId: t.id, kind: 'internal_note', body: 'Sin señal' });
    // No syncNow and no further writes: the backoff timer alone must get it there.
    await waitFor('the retried push', async () => (await notesWithId(noteId)).length === 1);
    expect(tech.faults.fired).toEqual([{ path: '/api/sync/push', lose: 'request' }]);
    await waitFor('the queue to drain', async () => (await tech.client.db.mutations.count()) === 0);
    await waitFor('the error to clear', async () => tech.client.state.get().error === null);
  });

  it('a proxy page instead of the API (502, HTML) is NETWORK by code: shown offline, retried, nothing lost', async () => {
    const t = await env.lab.fieldTicket();
    const tech = await env.lab.device('technician');
    await settle(tech);
    const noteId = randomUUID();
    tech.faults.offline = true;
    await tech.client.mutate('addNote@1', { id: noteId, ticketId: t.id, kind: 'internal_note', body: 'Proxy caído' });
    await tech.client.syncNow();
    tech.faults.offline = false;
    tech.faults.next.push({ path: '/sync/push', lose: 'gateway' });
    await tech.client.syncNow();
    expect(tech.faults.fired).toEqual([{ path: '/api/sync/push', lose: 'gateway' }]);
    expect(tech.client.state.get()).toMatchObject({ online: false, error: { code: 'NETWORK' } });
    await settle(tech);
    expect(await notesWithId(noteId)).toHaveLength(1);
    await expectConverged(tech, env.lab.server.url);
  });

  it('a replay in a smaller batch than the lost push still hears every rejection of the lost push', async () => {
    const t = await env.lab.fieldTicket();
    const tech = await env.lab.device('technician');
    await settle(tech);
    tech.faults.offline = true;
    const ok = randomUUID();
    await tech.client.mutate('addNote@1', { id: ok, ticketId: t.id, kind: 'internal_note', body: 'Bien' });
    const bad = await tech.queueRaw('addNote@1', 'no es un objeto');
    await tech.client.syncNow();
    tech.faults.offline = false;
    // The server applies both, the answer is lost.
    tech.faults.next.push({ path: '/sync/push', lose: 'response' });
    await tech.client.syncNow();
    expect(tech.faults.fired).toEqual([{ path: '/api/sync/push', lose: 'response' }]);
    // A mutation too large for any push makes the device halve its batches down to one: the replay of the
    // first mutation alone gets back a ledger past it.
    const big = await tech.queueRaw('addNote@1', {
      id: randomUUID(),
      ticketId: t.id,
      kind: 'public_reply',
      body: 'x'.repeat(1_000_000),
    });
    await settle(tech);
    const rejections = await tech.client.db.rejections.toArray();
    expect(rejections.map((r) => [r.id, r.code])).toEqual([
      [bad, ErrorCode.VALIDATION_FAILED],
      [big, ErrorCode.VALIDATION_FAILED],
    ]);
    expect(await notesWithId(ok)).toHaveLength(1);
    await expectConverged(tech, env.lab.server.url);
  });

  it('killed while offline with a queue: the queue survives the restart and is sent once', async () => {
    const t = await env.lab.fieldTicket();
    const tech = await env.lab.device('technician');
    await settle(tech);
    tech.faults.offline = true;
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const [i, id] of ids.entries()) {
      await tech.client.mutate('addNote@1', { id, ticketId: t.id, kind: 'internal_note', body: `Paso ${i + 1}` });
    }
    await tech.restart();
    expect(await tech.client.db.mutations.count()).toBe(3);
    // The optimistic notes are still on screen after the restart.
    expect((await tech.client.db.articlesOf(t.id)).length).toBeGreaterThanOrEqual(3);
    tech.faults.offline = false;
    await settle(tech);
    for (const id of ids) expect(await notesWithId(id)).toHaveLength(1);
    await expectConverged(tech, env.lab.server.url);
  });

  it('a permanently invalid mutation is rejected with its code and never blocks the queue', async () => {
    const t1 = await env.lab.fieldTicket('Visita 1');
    const t2 = await env.lab.fieldTicket('Visita 2');
    const tech = await env.lab.device('technician');
    await settle(tech);
    tech.faults.offline = true;
    const bad = await tech.client.mutate('addNote@1', {
      id: randomUUID(),
      ticketId: t1.id,
      kind: 'internal_note',
      body: 'Llego a las 10',
    });
    const later = randomUUID();
    await tech.client.mutate('addNote@1', { id: later, ticketId: t2.id, kind: 'internal_note', body: 'Hecho' });
    // Meanwhile the office closes the first ticket: the device's note on it can no longer apply.
    const closed = await env.lab.office.admin.post(`/api/tickets/${t1.number}/close`, { note: 'Cerrado por oficina' });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    tech.faults.offline = false;
    await settle(tech);
    const rejections = await tech.client.db.rejections.toArray();
    expect(rejections.map((r) => [r.id, r.code])).toEqual([[bad, ErrorCode.INVALID_TRANSITION]]);
    expect(await notesWithId(later)).toHaveLength(1);
    expect(tech.client.state.get().rejected).toBe(1);
    await expectConverged(tech, env.lab.server.url);
  });

  it('token expired during 48 h offline: sync pauses, keeps the queue, and resumes after logging in again', async () => {
    const t = await env.lab.fieldTicket();
    const tech = await env.lab.device('technician');
    await settle(tech);
    tech.faults.offline = true;
    const noteId = randomUUID();
    await tech.client.mutate('addNote@1', { id: noteId, ticketId: t.id, kind: 'internal_note', body: 'Sin cobertura' });
    await env.database.db.delete(sessions).where(eq(sessions.userId, env.lab.world.users.technician.id));
    tech.faults.offline = false;
    await tech.client.syncNow();
    expect(tech.client.state.get().authRequired).toBe(true);
    expect(await tech.client.db.mutations.count()).toBe(1);
    await tech.client.syncNow(); // paused: nothing is sent while logged out
    expect(await notesWithId(noteId)).toHaveLength(0);
    await tech.login();
    tech.client.resume();
    await settle(tech);
    expect(await notesWithId(noteId)).toHaveLength(1);
    await expectConverged(tech, env.lab.server.url);
  });

  it('syncNow resolves only after a cycle that started after the call, not one already in flight', async () => {
    const t = await env.lab.fieldTicket();
    const tech = await env.lab.device('technician');
    await settle(tech);
    const held = tech.hold('/sync/pull');
    const noteId = randomUUID();
    // The edit kicks a cycle: its push goes through, its pull's response is held in the network.
    await tech.client.mutate('addNote@1', { id: noteId, ticketId: t.id, kind: 'internal_note', body: 'En curso' });
    await held.reached;
    let resolved = false;
    const now = tech.client.syncNow().then(() => {
      resolved = true;
    });
    // The session ends while that cycle is in flight: only a cycle started after syncNow() can find out.
    await env.database.db.delete(sessions).where(eq(sessions.userId, env.lab.world.users.technician.id));
    await new Promise((r) => setTimeout(r, 20));
    expect(resolved).toBe(false);
    held.release();
    await now;
    expect(tech.client.state.get().authRequired).toBe(true);
    expect(await notesWithId(noteId)).toHaveLength(1);
    await tech.login();
    tech.client.resume();
    await settle(tech);
    await expectConverged(tech, env.lab.server.url);
  });

  it("another user on the same device never sees nor pushes the first user's queue", async () => {
    const t = await env.lab.fieldTicket();
    const tech = await env.lab.device('technician');
    await settle(tech);
    tech.faults.offline = true;
    const noteId = randomUUID();
    await tech.client.mutate('addNote@1', { id: noteId, ticketId: t.id, kind: 'internal_note', body: 'Pendiente' });
    await tech.kill();
    // The agent logs in on the same browser: their own database, empty queue.
    const agent = await env.lab.device('agent');
    await settle(agent);
    expect(agent.client.db.name).not.toBe(tech.client.db.name);
    expect(await agent.client.db.mutations.count()).toBe(0);
    expect(await notesWithId(noteId)).toHaveLength(0);
    // The technician comes back later and the queue goes out as theirs.
    tech.faults.offline = false;
    await tech.start();
    await settle(tech);
    expect((await notesWithId(noteId))[0]?.authorId).toBe(env.lab.world.users.technician.id);
  });

  it('schema upgrade with queued mutations: 426 keeps the queue, the updated app sends it', async () => {
    const t = await env.lab.fieldTicket();
    const old = await env.lab.device('technician', {
      versions: { protocol: PROTOCOL_VERSION, schema: SCHEMA_VERSION + 1 },
    });
    old.faults.offline = true;
    const noteId = randomUUID();
    // A ticket already on the device before the server moved on.
    await old.client.db.tickets.put((await env.lab.office.admin.get(`/api/tickets/${t.number}`)).body);
    await old.client.mutate('addNote@1', { id: noteId, ticketId: t.id, kind: 'internal_note', body: 'Versión vieja' });
    old.faults.offline = false;
    await old.client.syncNow();
    expect(old.client.state.get().upgradeRequired).toBe(true);
    expect(old.client.state.get().error?.code).toBe(ErrorCode.CLIENT_UPGRADE_REQUIRED);
    expect(await old.client.db.mutations.count()).toBe(1);
    // The app updates: same storage, current versions.
    await old.kill();
    delete (old.opts as { versions?: unknown }).versions;
    await old.start();
    await settle(old);
    expect(await notesWithId(noteId)).toHaveLength(1);
    await expectConverged(old, env.lab.server.url);
  });

  it('pulls when the browser says it is back online or the tab gets focus, with no sync call', async () => {
    const t = await env.lab.fieldTicket('Vuelve la red');
    // A browser-like window: the client listens to online, offline and focus.
    const win = Object.assign(new EventTarget(), {
      document: Object.assign(new EventTarget(), { visibilityState: 'visible' }),
    });
    (globalThis as { window?: unknown }).window = win;
    try {
      const tech = await env.lab.device('technician');
      await settle(tech);
      win.dispatchEvent(new Event('offline'));
      expect(tech.client.state.get().online).toBe(false);
      const r = await env.lab.office.admin.post(`/api/tickets/${t.number}/articles`, {
        kind: 'public_reply',
        body: 'Oficina',
      });
      expect(r.status).toBe(201);
      win.dispatchEvent(new Event('online'));
      await waitFor('the pull after online', async () =>
        (await tech.client.db.articlesOf(t.id)).some((a) => a.id === r.body.id),
      );
      const r2 = await env.lab.office.admin.post(`/api/tickets/${t.number}/articles`, {
        kind: 'public_reply',
        body: 'Otra',
      });
      win.dispatchEvent(new Event('focus'));
      await waitFor('the pull on focus', async () =>
        (await tech.client.db.articlesOf(t.id)).some((a) => a.id === r2.body.id),
      );
      expect(tech.client.state.get().online).toBe(true);
      await tech.kill();
    } finally {
      delete (globalThis as { window?: unknown }).window;
    }
  });

  it('two tabs: a follower’s edit goes out through the leader; when the leader closes the other tab takes over', async () => {
    const t = await env.lab.fieldTicket();
    const tech = await env.lab.device('technician');
    const second = await tech.openTab();
    await settle(tech);
    expect(tech.client.state.get().leader).toBe(true);
    expect(second.state.get().leader).toBe(false);
    const a = randomUUID();
    await second.mutate('addNote@1', { id: a, ticketId: t.id, kind: 'internal_note', body: 'Desde la otra pestaña' });
    await waitFor('the leader to push the follower’s note', async () => (await notesWithId(a)).length === 1);
    await tech.client.stop();
    await waitFor('the second tab to lead', async () => second.state.get().leader);
    const b = randomUUID();
    await second.mutate('addNote@1', { id: b, ticketId: t.id, kind: 'internal_note', body: 'Ahora lidero yo' });
    await waitFor('the new leader to push', async () => (await notesWithId(b)).length === 1);
    tech.client = second;
    await settle(tech);
    await expectConverged(tech, env.lab.server.url);
  });
});

describe('a pull of several pages', () => {
  it('tells how many rows and bytes arrived while it runs, and nothing once it is written', async () => {
    for (let i = 0; i < 5; i++) await env.lab.fieldTicket();
    const tech = await env.lab.device('technician', { pullPageSize: 2 });
    const seen: Array<{ rows: number; bytes: number; applying?: boolean }> = [];
    tech.client.state.subscribe((s) => {
      if (s.pulling) seen.push(s.pulling);
    });
    await settle(tech);
    // Growing page by page, then the same totals while they are written.
    const pages = seen.filter((p) => !p.applying);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < pages.length; i++) {
      expect(pages[i]!.rows).toBeGreaterThan(pages[i - 1]!.rows);
      expect(pages[i]!.bytes).toBeGreaterThan(pages[i - 1]!.bytes);
    }
    const last = seen.at(-1)!;
    expect(last.bytes).toBeGreaterThan(pages.at(-1)!.bytes);
    expect(last.applying).toBe(true);
    expect(last.rows).toBeGreaterThanOrEqual(5);
    expect(last.bytes).toBeGreaterThan(1000);
    expect(tech.client.state.get().pulling).toBeNull();
    expect(await tech.client.db.tickets.count()).toBeGreaterThanOrEqual(5);
  });

  it("a first pull writes its first page at once, the user's own open tickets first; cut off, it starts over and ends whole", async () => {
    const opened = [];
    for (let i = 0; i < 5; i++) opened.push(await env.lab.fieldTicket());
    const tech = await env.lab.device('technician', { pullPageSize: 2 }, { start: false });
    const firstPage = tech.hold('/sync/pull');
    await tech.start();
    await firstPage.reached;
    // The second page's answer is lost on the way: the pull stops after writing the first.
    tech.faults.next.push({ path: '/sync/pull', lose: 'response' });
    firstPage.release();
    await waitFor('the cut', async () => tech.faults.fired.length === 1 && !tech.client.state.get().syncing);
    expect(tech.client.state.get().error?.code).toBe('NETWORK');
    // The first page (two rows per table here) led with the technician's own open tickets last updated (the
    // two just given to him), then the two first rows in change order.
    const shown = (await tech.client.db.tickets.toArray()).map((t) => t.id);
    expect(shown).toEqual(expect.arrayContaining(opened.slice(-2).map((t) => t.id)));
    expect(shown.length).toBeLessThanOrEqual(4);
    expect(opened.slice(-2).every((t) => isOpenStatus(t.status))).toBe(true);
    // Not complete, so not remembered: the next pull starts over rather than leave holes.
    expect(await tech.client.db.getMeta('cookie')).toBeNull();
    await tech.restart();
    await settle(tech);
    await expectConverged(tech, env.lab.server.url);
    expect(await tech.client.db.tickets.count()).toBeGreaterThanOrEqual(5);
    expect(tech.timeTravel).toEqual([]);
  });

  it('says when it last synced after a restart with no network', async () => {
    await env.lab.fieldTicket();
    const tech = await env.lab.device('technician');
    await settle(tech);
    const synced = tech.client.state.get().lastSyncAt;
    expect(synced).toEqual(expect.any(Number));
    tech.faults.offline = true;
    await tech.restart();
    expect(tech.client.state.get().lastSyncAt).toBe(synced);
  });
});
