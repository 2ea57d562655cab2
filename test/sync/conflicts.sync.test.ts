import { randomBytes, randomUUID } from 'node:crypto';
import { articles, blobs, ticketHistory } from '@mesa/api/db/schema';
import { ErrorCode, type Ticket } from '@mesa/core';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { expectConverged, settle } from '../support/sync-checks';
import { prng } from '../support/sync-lab';
import { useLab } from '../support/sync-world';

const env = useLab();

const serverTicket = async (number: string) => (await env.lab.office.admin.get<Ticket>(`/api/tickets/${number}`)).body;

describe('concurrent edits', () => {
  it.each([
    ['agent', 'supervisor'],
    ['supervisor', 'agent'],
  ] as const)(
    'same field on two offline devices: %s reconnects first, the later arrival wins, the overwrite is marked',
    async (first, second) => {
      const t = await env.lab.fieldTicket(`Asunto original ${first}`);
      const a = await env.lab.device(first);
      const b = await env.lab.device(second);
      await Promise.all([settle(a), settle(b)]);
      a.faults.offline = true;
      b.faults.offline = true;
      await a.client.mutate('updateTicketFields@1', { ticketId: t.id, changes: { subject: `Desde ${first}` } });
      await b.client.mutate('updateTicketFields@1', { ticketId: t.id, changes: { subject: `Desde ${second}` } });
      a.faults.offline = false;
      await settle(a);
      b.faults.offline = false;
      await settle(b);
      await settle(a);
      expect((await serverTicket(t.number)).subject).toBe(`Desde ${second}`);
      const conflicts = await env.database.db
        .select()
        .from(ticketHistory)
        .where(and(eq(ticketHistory.ticketId, t.id), eq(ticketHistory.field, 'conflict')));
      expect(conflicts.map((c) => c.newValue)).toMatchObject([
        { field: 'subject', overwritten: `Desde ${first}`, seen: `Asunto original ${first}`, value: `Desde ${second}` },
      ]);
      await expectConverged(a, env.lab.server.url);
      await expectConverged(b, env.lab.server.url);
    },
  );

  it('delete wins over an offline update: the edit is rejected TICKET_DELETED and the ticket leaves the device', async () => {
    const t = await env.lab.fieldTicket('Se borrará');
    const tech = await env.lab.device('technician');
    await settle(tech);
    tech.faults.offline = true;
    await tech.client.mutate('updateTicketFields@1', { ticketId: t.id, changes: { description: 'Editado sin red' } });
    const del = await env.lab.office.admin.raw('DELETE', `/api/tickets/${t.number}`, '');
    expect(del.status, JSON.stringify(del.body)).toBe(204);
    tech.faults.offline = false;
    await settle(tech);
    expect((await tech.client.db.rejections.toArray()).map((r) => r.code)).toEqual([ErrorCode.TICKET_DELETED]);
    expect(await tech.client.db.tickets.get(t.id)).toBeUndefined();
    await expectConverged(tech, env.lab.server.url);
  });

  it('comments from three devices with lost requests and responses: every comment exactly once, everywhere', async () => {
    const t = await env.lab.fieldTicket('Comentarios');
    const random = prng(42);
    const devices = [
      await env.lab.device('technician', { random }),
      await env.lab.device('agent', { random }),
      await env.lab.device('customer', { random }),
    ];
    await Promise.all(devices.map((d) => settle(d)));
    const ids: string[] = [];
    for (const d of devices) {
      d.faults.dropRequest = 0.3;
      d.faults.dropResponse = 0.3;
      // Besides the random losses, each device surely meets both kinds on its first pushes.
      d.faults.next.push({ path: '/sync/push', lose: 'request' }, { path: '/sync/push', lose: 'response' });
      for (let i = 0; i < 5; i++) {
        const id = randomUUID();
        ids.push(id);
        await d.client.mutate('addNote@1', { id, ticketId: t.id, kind: 'public_reply', body: `${d.opts.email} #${i}` });
      }
    }
    await Promise.all(devices.map((d) => settle(d, 100)));
    for (const d of devices) {
      expect(d.faults.fired, d.opts.email).toEqual([
        { path: '/api/sync/push', lose: 'request' },
        { path: '/api/sync/push', lose: 'response' },
      ]);
    }
    for (const d of devices) {
      d.faults.dropRequest = 0;
      d.faults.dropResponse = 0;
      await settle(d);
    }
    const stored = await env.database.db.select({ id: articles.id }).from(articles).where(eq(articles.ticketId, t.id));
    expect(stored.map((a) => a.id).sort()).toEqual(expect.arrayContaining([...ids].sort()));
    expect(new Set(stored.map((a) => a.id)).size).toBe(stored.length);
    for (const id of ids) expect(stored.filter((a) => a.id === id)).toHaveLength(1);
    for (const d of devices) await expectConverged(d, env.lab.server.url);
  });

  it('clock skew of ±1 h and a device stuck in 2001: the server orders by arrival and stamps its own time', async () => {
    const started = Date.now();
    const t = await env.lab.fieldTicket('Relojes');
    const year2001 = Date.UTC(2001, 0, 1) - Date.now();
    const ahead = await env.lab.device('agent', { skewMs: 3_600_000 });
    const behind = await env.lab.device('supervisor', { skewMs: -3_600_000 });
    const ancient = await env.lab.device('admin', { skewMs: year2001 });
    for (const d of [ahead, behind, ancient]) await settle(d);
    const order = [ahead, ancient, behind];
    for (const d of order) d.faults.offline = true;
    for (const d of order) {
      await d.client.mutate('updateTicketFields@1', { ticketId: t.id, changes: { subject: `Reloj ${d.opts.email}` } });
      await d.client.mutate('addNote@1', {
        id: randomUUID(),
        ticketId: t.id,
        kind: 'internal_note',
        body: d.opts.email,
      });
    }
    // Arrival order: ahead, ancient, behind. The device in 2001 is not "older" for the server.
    for (const d of order) {
      d.faults.offline = false;
      await settle(d);
    }
    expect((await serverTicket(t.number)).subject).toBe(`Reloj ${behind.opts.email}`);
    const notes = await env.database.db.select().from(articles).where(eq(articles.ticketId, t.id));
    const ordered = [...notes].sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime()).map((n) => n.body);
    expect(ordered.filter((b) => b.includes('@'))).toEqual(order.map((d) => d.opts.email));
    for (const n of notes) expect(n.createdAt.getTime()).toBeGreaterThanOrEqual(started - 1000);
    for (const d of order) {
      await settle(d);
      await expectConverged(d, env.lab.server.url);
    }
  });

  it('atomic pull and read-your-writes: a note and the status it sets always arrive together', async () => {
    const t = await env.lab.fieldTicket('Atómico');
    const watcher = await env.lab.device('supervisor');
    await settle(watcher);
    const statuses = ['in_progress', 'pending_third_party'] as const;
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 20; i++) {
        const r = await env.lab.office.admin.post(`/api/tickets/${t.number}/articles`, {
          kind: 'internal_note',
          body: `Paso ${i}`,
          nextStatus: statuses[i % 2],
        });
        expect(r.status, JSON.stringify(r.body)).toBe(201);
      }
      writing = false;
    })();
    let checks = 0;
    while (writing || checks === 0) {
      await watcher.client.syncNow();
      const ticket = await watcher.client.db.tickets.get(t.id);
      const notes = (await watcher.client.db.articlesOf(t.id))
        .filter((a) => a.nextStatus)
        .sort((x, y) => x.createdAt.localeCompare(y.createdAt));
      if (notes.length) expect(ticket?.status).toBe(notes.at(-1)?.nextStatus);
      checks++;
    }
    await writer;
    // Read your writes: the device's own edit is there right after its sync, and stays after the next pulls.
    await watcher.client.mutate('updateTicketFields@1', { ticketId: t.id, changes: { urgency: 'critical' } });
    expect((await watcher.client.db.tickets.get(t.id))?.urgency).toBe('critical');
    await settle(watcher);
    expect((await watcher.client.db.tickets.get(t.id))?.urgency).toBe('critical');
    expect(checks).toBeGreaterThan(1);
    await expectConverged(watcher, env.lab.server.url);
  });
});

describe('scope and attachments', () => {
  it('scope removed while offline: the edit is refused and the ticket leaves the device', async () => {
    const t = await env.lab.fieldTicket('Reasignado');
    const tech = await env.lab.device('technician');
    await settle(tech);
    expect(await tech.client.db.tickets.get(t.id)).toBeDefined();
    tech.faults.offline = true;
    await tech.client.mutate('addNote@1', { id: randomUUID(), ticketId: t.id, kind: 'internal_note', body: 'Voy' });
    const r = await env.lab.office.admin.post(`/api/tickets/${t.number}/assign`, {
      ownerId: env.lab.world.users.agent.id,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    tech.faults.offline = false;
    await settle(tech);
    expect((await tech.client.db.rejections.toArray()).map((x) => x.code)).toEqual([ErrorCode.TICKET_NOT_FOUND]);
    expect(await tech.client.db.tickets.get(t.id)).toBeUndefined();
    expect(await tech.client.db.articlesOf(t.id)).toEqual([]);
    await expectConverged(tech, env.lab.server.url);
  });

  it('photo captured offline, app killed, upload exactly once after a lost response', async () => {
    const t = await env.lab.fieldTicket('Foto');
    const tech = await env.lab.device('technician');
    await settle(tech);
    tech.faults.offline = true;
    const photo = new Uint8Array(randomBytes(1_300_000));
    const id = await tech.client.attach({ ticketId: t.id, filename: 'equipo.jpg', contentType: 'image/jpeg' }, photo);
    const signature = new Uint8Array(randomBytes(2_000));
    await tech.client.sign({ ticketId: t.id, signerName: 'Ana Acme', contentType: 'image/png' }, signature);
    expect(await tech.client.db.blobs.count()).toBe(2);
    await tech.restart();
    tech.faults.offline = false;
    tech.faults.next.push({ path: `/attachments/${id}`, lose: 'response' });
    await settle(tech);
    expect(tech.faults.fired).toEqual([{ path: `/api/attachments/${id}`, lose: 'response' }]);
    expect(await tech.client.db.blobs.count()).toBe(0);
    const stored = await env.database.db.select({ sha256: blobs.sha256, size: blobs.size }).from(blobs);
    const photoRows = stored.filter((b) => b.size === photo.byteLength);
    expect(photoRows).toHaveLength(1);
    const res = await fetch(`${env.lab.server.url}/api/attachments/${id}`, { headers: { cookie: tech.cookie } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(photo))).toBe(true);
    await expectConverged(tech, env.lab.server.url);
  });
});
