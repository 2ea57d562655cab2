import { randomUUID } from 'node:crypto';
import type { Database } from '@mesa/api/db/client';
import { makeOrganization, makeUser } from '@mesa/api/db/factories';
import {
  articles,
  attachments,
  attachmentUploads,
  organizations,
  syncClients,
  syncRejections,
  syncScopeExits,
  ticketHistory,
  tickets,
  userDepartments,
} from '@mesa/api/db/schema';
import { createLogger } from '@mesa/api/logger';
import { storeAttachment } from '@mesa/api/services/blob-store';
import { actorFor } from '@mesa/api/services/session-service';
import { decodeCookie, encodeCookie, type PullResult, pullChanges, TOMBSTONE_TTL_MS } from '@mesa/api/sync/change-log';
import { collectTombstones, startTombstoneGc } from '@mesa/api/sync/tombstone-gc';
import { ErrorCode, isAppError, type Ticket } from '@mesa/core';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, client, clientsFor, testApp } from '../support/api';
import { openTestDatabase } from '../support/db';
import { type PatchOp, protocolDevice, syncVersions } from '../support/sync-device';
import { expectError, insertBareTicket, openTicket, visibleNumbers, writeCounts } from '../support/tickets';
import { buildWorld, PASSWORD, type World } from '../support/world';

let database: Database;
let world: World;
let app: ReturnType<typeof testApp>;
type Who = 'admin' | 'supervisor' | 'agent' | 'otherAgent' | 'technician' | 'tech2' | 'tech3' | 'customer' | 'outsider';
let as: Record<Who, Client>;
let tech2: { id: string };

beforeAll(async () => {
  database = await openTestDatabase();
  world = await buildWorld(database);
  app = testApp(database);
  tech2 = await makeUser(database.db, { role: 'technician', email: 'tech2@t.test' });
  // Never owns anything: must never hear of anyone's tickets.
  await makeUser(database.db, { role: 'technician', email: 'tech3@t.test' });
  as = await clientsFor(app, {
    admin: 'admin@t.test',
    supervisor: 'super@t.test',
    agent: 'agent@t.test',
    otherAgent: 'agent2@t.test',
    technician: 'tech@t.test',
    tech2: 'tech2@t.test',
    tech3: 'tech3@t.test',
    customer: 'ana@acme.test',
    outsider: 'eve@globex.test',
  });
});
afterAll(() => database.close());

const versions = syncVersions;
type Op = PatchOp;

/** A device of one user whose pulls gather every page into one patch. */
const device = (who: Client) => {
  const d = protocolDevice(who);
  return { push: d.push, pull: d.pullAll };
};

/** What a patch says about one ticket, in order: [], ['put'], ['del'], … */
const about = (patch: Op[], id: string) =>
  patch.filter((p) => p.id === id || (p.table === 'tickets' && p.row?.id === id)).map((p) => p.op);
const ticketPuts = (patch: Op[]) =>
  patch
    .filter((p) => p.op === 'put' && p.table === 'tickets')
    .map((p) => p.row?.id)
    .sort();

async function assign(number: string, ownerId: string) {
  const r = await as.admin.post(`/api/tickets/${number}/assign`, { ownerId });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

async function moveTo(number: string, dept: string) {
  const { version } = (await as.admin.get<Ticket>(`/api/tickets/${number}`)).body;
  const r = await as.admin.patch(`/api/tickets/${number}`, { version, departmentId: world.dept(dept).id });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

describe('tickets leaving the caller scope', () => {
  it("reassigning a technician's ticket: del for the old owner, put for the new, nothing for a third", async () => {
    const t = await openTicket(as.customer, world, { subject: 'Visita técnica' });
    await assign(t.number, world.users.technician.id);
    const [d1, d2, d3] = [device(as.technician), device(as.tech2), device(as.tech3)];
    const [s1, s2, s3] = [await d1.pull(null), await d2.pull(null), await d3.pull(null)];
    expect(about(s1.patch, t.id)).toEqual(['put']);
    expect(about(s2.patch, t.id)).toEqual([]);

    await assign(t.number, tech2.id);
    const n1 = await d1.pull(s1.cookie);
    expect(n1.patch).toEqual([{ op: 'del', table: 'tickets', id: t.id }]);
    const n2 = await d2.pull(s2.cookie);
    expect(about(n2.patch, t.id)).toEqual(['put']);
    expect(n2.patch.some((p) => p.op === 'clear')).toBe(false);
    // The technician who never had it hears nothing, not even that it moved.
    expect((await d3.pull(s3.cookie)).patch).toEqual([]);
    // Told once.
    expect((await d1.pull(n1.cookie)).patch).toEqual([]);
  });

  it("an agent's ticket moved to a department not his is dropped, unless he owns it", async () => {
    const queued = await openTicket(as.customer, world, { subject: 'Cola de sistemas' });
    const owned = await openTicket(as.customer, world, { subject: 'Del agente' });
    await assign(owned.number, world.users.agent.id);
    const [da, db] = [device(as.agent), device(as.otherAgent)];
    const [sa, sb] = [await da.pull(null), await db.pull(null)];
    expect([about(sa.patch, queued.id), about(sa.patch, owned.id)]).toEqual([['put'], ['put']]);
    expect([about(sb.patch, queued.id), about(sb.patch, owned.id)]).toEqual([[], []]);

    await moveTo(queued.number, 'facturacion');
    await moveTo(owned.number, 'facturacion');
    const na = await da.pull(sa.cookie);
    expect(about(na.patch, queued.id)).toEqual(['del']);
    // Still his by ownership: an exit row exists, but the ticket is in scope now.
    expect(about(na.patch, owned.id)).toEqual(['put']);
    const nb = await db.pull(sb.cookie);
    expect([about(nb.patch, queued.id), about(nb.patch, owned.id)]).toEqual([['put'], ['put']]);
  });

  it('a ticket that left and came back is sent as it is now', async () => {
    const t = await openTicket(as.customer, world, { subject: 'Ida y vuelta' });
    const d = device(as.agent);
    const s = await d.pull(null);
    await moveTo(t.number, 'facturacion');
    await moveTo(t.number, 'sistemas');
    expect(about((await d.pull(s.cookie)).patch, t.id)).toEqual(['put']);
  });

  it('a ticket coming back into scope brings its older articles again (the device dropped them on exit)', async () => {
    const t = await openTicket(as.customer, world, { subject: 'Vuelve con historia' });
    await assign(t.number, world.users.technician.id);
    const note = await as.admin.post(`/api/tickets/${t.number}/articles`, { kind: 'internal_note', body: 'Antes' });
    expect(note.status, JSON.stringify(note.body)).toBe(201);
    const d = device(as.technician);
    const s = await d.pull(null);
    const articleOps = (patch: Op[]) => patch.filter((p) => p.table === 'articles' && p.row?.id === note.body.id);
    expect(articleOps(s.patch)).toHaveLength(1);
    await assign(t.number, tech2.id);
    const gone = await d.pull(s.cookie);
    expect(about(gone.patch, t.id)).toEqual(['del']);
    await assign(t.number, world.users.technician.id);
    const back = await d.pull(gone.cookie);
    expect(about(back.patch, t.id)).toEqual(['put']);
    // Written before it left, unchanged since: sent because the ticket came back.
    expect(articleOps(back.patch)).toHaveLength(1);
    // Only once: the next pull is quiet.
    expect((await d.pull(back.cookie)).patch).toEqual([]);
  });

  it('pages the scope exits, each ticket once', async () => {
    const tech = await makeUser(database.db, { role: 'technician' });
    const actor = await actorFor(database.db, tech.id);
    const ids = await Promise.all(
      [1, 2, 3].map((i) => insertBareTicket(database, world, `Ruta ${i}`, world.users.customer, 'sistemas')),
    );
    for (const id of ids) await database.db.update(tickets).set({ ownerId: tech.id }).where(eq(tickets.id, id));
    const start = await pullChanges(database.db, actor, null);
    expect(start.tickets.map((r) => r.id).sort()).toEqual([...ids].sort());
    // Away, back and away again: two exit rows in this technician's scope, still one del.
    for (const owner of [tech2.id, tech.id, tech2.id]) {
      await database.db.update(tickets).set({ ownerId: owner }).where(eq(tickets.id, ids[0]!));
    }
    for (const id of ids.slice(1)) {
      await database.db.update(tickets).set({ ownerId: tech2.id }).where(eq(tickets.id, id));
    }

    const pages: PullResult[] = [];
    let cookie = start.cookie;
    do {
      const page = await pullChanges(database.db, actor, cookie, 1);
      pages.push(page);
      cookie = page.cookie;
    } while (pages.at(-1)!.more && pages.length < 10);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages.every((p) => p.exitedTicketIds.length <= 1 && !p.reset)).toBe(true);
    expect(pages.flatMap((p) => p.exitedTicketIds).sort()).toEqual([...ids].sort());
    expect((await pullChanges(database.db, actor, cookie)).exitedTicketIds).toEqual([]);
    // Staff who see everything have nothing to drop.
    const admin = await pullChanges(database.db, world.actors.admin, start.cookie);
    expect(admin.exitedTicketIds).toEqual([]);
  });
});

describe("the caller's own scope changing", () => {
  it('an agent removed from a department gets a full pull, then incremental ones again', async () => {
    const user = await makeUser(database.db, {
      role: 'agent',
      email: 'agent3@t.test',
      departmentIds: [world.dept('sistemas').id, world.dept('facturacion').id],
    });
    const agent3 = await client(app).login('agent3@t.test', PASSWORD);
    const systems = await openTicket(as.customer, world, { subject: 'Sistemas' });
    const billing = await openTicket(as.outsider, world, {
      subject: 'Facturación',
      departmentId: world.dept('facturacion').id,
    });
    const d = device(agent3);
    const first = await d.pull(null);
    expect([about(first.patch, systems.id), about(first.patch, billing.id)]).toEqual([['put'], ['put']]);

    await database.db
      .delete(userDepartments)
      .where(and(eq(userDepartments.userId, user.id), eq(userDepartments.departmentId, world.dept('facturacion').id)));
    const after = await d.pull(first.cookie);
    expect(after.patch[0]).toEqual({ op: 'clear' });
    expect(after.patch.filter((p) => p.op === 'clear')).toHaveLength(1);
    expect(about(after.patch, billing.id)).toEqual([]);
    expect(about(after.patch, systems.id)).toEqual(['put']);
    // Exactly what a new device of the same user would get.
    expect(ticketPuts(after.patch)).toEqual(ticketPuts((await device(agent3).pull(null)).patch));
    expect((await d.pull(after.cookie)).patch).toEqual([]);

    // Added back: the rows that entered the scope never changed, so only a full pull brings them.
    await database.db.insert(userDepartments).values({ userId: user.id, departmentId: world.dept('facturacion').id });
    const back = await d.pull(after.cookie);
    expect(back.patch[0]).toEqual({ op: 'clear' });
    expect(about(back.patch, billing.id)).toEqual(['put']);
  });

  it("a customer whose organization starts sharing tickets gets a full pull with the colleagues' tickets", async () => {
    const org = await makeOrganization(database.db, { name: 'Initech', membersSeeEachOther: false });
    await makeUser(database.db, { email: 'peter@initech.test', organizationId: org.id });
    await makeUser(database.db, { email: 'milton@initech.test', organizationId: org.id });
    const [peter, milton] = [
      await client(app).login('peter@initech.test'),
      await client(app).login('milton@initech.test'),
    ];
    const mine = await openTicket(peter, world, { subject: 'Mi grapadora' });
    const theirs = await openTicket(milton, world, { subject: 'Su grapadora' });
    const d = device(peter);
    const first = await d.pull(null);
    expect(ticketPuts(first.patch)).toEqual([mine.id]);

    await database.db.update(organizations).set({ membersSeeEachOther: true }).where(eq(organizations.id, org.id));
    const after = await d.pull(first.cookie);
    expect(after.patch[0]).toEqual({ op: 'clear' });
    expect(ticketPuts(after.patch)).toEqual([mine.id, theirs.id].sort());
  });

  it("another user's cookie gets a full pull; a cookie with a malformed hash gets 410", async () => {
    const mine = await pullChanges(database.db, world.actors.agent, null);
    const borrowed = await pullChanges(database.db, world.actors.otherAgent, mine.cookie);
    expect(borrowed.reset).toBe(true);
    expect(borrowed.exitedTicketIds).toEqual([]);
    // A cookie from before scope hashes cannot vouch for the scope either.
    const { h: _, ...noHash } = decodeCookie(mine.cookie)!;
    expect((await pullChanges(database.db, world.actors.agent, encodeCookie(noHash))).reset).toBe(true);
    expect((await pullChanges(database.db, world.actors.agent, mine.cookie)).reset).toBe(false);

    const tampered = encodeCookie({ ...decodeCookie(mine.cookie)!, h: 'not a hash' });
    expect(decodeCookie(tampered)).toBeNull();
    const error = await pullChanges(database.db, world.actors.agent, tampered).catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe(ErrorCode.SYNC_RESET_REQUIRED);
    const r = await as.agent.post('/api/sync/pull', { ...versions, clientGroupId: randomUUID(), cookie: tampered });
    expectError(r, 410, 'SYNC_RESET_REQUIRED');
  });
});

describe('tombstone collection', () => {
  const daysAgo = (days: number) => new Date(Date.now() - days * 24 * 60 * 60 * 1000);
  const ttlDays = TOMBSTONE_TTL_MS / (24 * 60 * 60 * 1000);
  const exists = async (id: string) => (await database.db.$count(tickets, eq(tickets.id, id))) === 1;

  it('removes tombstones and scope exits older than the window and keeps recent ones', async () => {
    const db = database.db;
    const [old, recent, live] = await Promise.all(
      ['Viejo', 'Reciente', 'Vivo'].map((s) => insertBareTicket(database, world, s, world.users.customer, 'sistemas')),
    );
    const [article] = await db
      .insert(articles)
      .values({ ticketId: old!, kind: 'public_reply', body: 'hola' })
      .returning({ id: articles.id });
    const fileId = await storeAttachment(db, {
      ticketId: old!,
      articleId: null,
      filename: 'a.txt',
      contentType: 'text/plain',
      content: Buffer.from('viejo'),
      uploadedById: null,
    });
    await db
      .update(tickets)
      .set({ deletedAt: daysAgo(ttlDays + 1) })
      .where(eq(tickets.id, old!));
    await db
      .update(tickets)
      .set({ deletedAt: daysAgo(ttlDays - 1) })
      .where(eq(tickets.id, recent!));
    const [oldExit, recentExit] = await db
      .insert(syncScopeExits)
      .values([
        { ticketId: live!, createdAt: daysAgo(ttlDays + 1) },
        { ticketId: live!, createdAt: daysAgo(1) },
      ])
      .returning({ id: syncScopeExits.id });

    const clientId = randomUUID();
    await db.insert(syncClients).values({ clientId, clientGroupId: randomUUID(), userId: world.users.technician.id });
    await db.insert(syncRejections).values([
      { clientId, mutationId: 1, code: 'TICKET_DELETED', message: 'old', createdAt: daysAgo(ttlDays + 1) },
      { clientId, mutationId: 2, code: 'TICKET_DELETED', message: 'recent', createdAt: daysAgo(1) },
    ]);

    const upload = (name: string) =>
      storeAttachment(db, {
        ticketId: live!,
        articleId: null,
        filename: name,
        contentType: 'image/jpeg',
        content: Buffer.from(name),
        uploadedById: null,
      });
    const [staleUpload, freshUpload] = [await upload('parada.jpg'), await upload('en-curso.jpg')];
    await db.insert(attachmentUploads).values([
      { attachmentId: staleUpload, receivedBytes: 3, updatedAt: daysAgo(8) },
      { attachmentId: freshUpload, receivedBytes: 2, updatedAt: daysAgo(1) },
    ]);

    expect(await collectTombstones(db)).toEqual({ tickets: 1, scopeExits: 1, rejections: 1, abandonedUploads: 1 });
    expect((await db.select().from(attachmentUploads)).map((u) => u.attachmentId)).toEqual([freshUpload]);
    expect(
      (await db.select().from(syncRejections).where(eq(syncRejections.clientId, clientId))).map((r) => r.mutationId),
    ).toEqual([2]);
    expect([await exists(old!), await exists(recent!), await exists(live!)]).toEqual([false, true, true]);
    expect(await db.$count(articles, eq(articles.id, article!.id))).toBe(0);
    expect(await db.$count(attachments, eq(attachments.id, fileId))).toBe(0);
    const exits = await db
      .select({ id: syncScopeExits.id })
      .from(syncScopeExits)
      .where(eq(syncScopeExits.ticketId, live!));
    expect(exits.map((e) => e.id)).toEqual([recentExit!.id]);
    expect(oldExit!.id).not.toBe(recentExit!.id);
    expect(await collectTombstones(db)).toEqual({ tickets: 0, scopeExits: 0, rejections: 0, abandonedUploads: 0 });
  });

  it('runs on a timer and stops cleanly', async () => {
    const id = await insertBareTicket(database, world, 'Cronómetro', world.users.customer, 'sistemas');
    await database.db
      .update(tickets)
      .set({ deletedAt: daysAgo(ttlDays + 2) })
      .where(eq(tickets.id, id));
    const lines: string[] = [];
    const gc = startTombstoneGc({
      db: database.db,
      databaseUrl: undefined,
      log: createLogger('info', (l) => lines.push(l)),
      everyMs: 20,
    });
    try {
      for (let i = 0; i < 100 && (await exists(id)); i++) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await gc.stop();
    }
    expect(await exists(id)).toBe(false);
    expect(lines.map((l) => JSON.parse(l))).toContainEqual(
      expect.objectContaining({ msg: 'sync: tombstones collected', tickets: 1, scopeExits: 0 }),
    );
  });
});

describe('DELETE /api/tickets/{number}', () => {
  it('lets an admin delete: gone from lists, reads and files, history kept, devices told', async () => {
    const t = await openTicket(as.customer, world, { subject: 'Para borrar' });
    const fileId = await storeAttachment(database.db, {
      ticketId: t.id,
      articleId: null,
      filename: 'datos.json',
      // JSON content, so the JSON-speaking test client can read it back.
      contentType: 'application/json',
      content: Buffer.from('{"lectura":42}'),
      uploadedById: null,
    });
    const file = await as.customer.get(`/api/attachments/${fileId}`);
    expect({ status: file.status, body: file.body }).toEqual({ status: 200, body: { lectura: 42 } });
    const d = device(as.agent);
    const before = await d.pull(null);
    expect(about(before.patch, t.id)).toEqual(['put']);

    const r = await as.admin.delete(`/api/tickets/${t.number.toLowerCase()}`);
    expect(r.status, JSON.stringify(r.body)).toBe(204);
    expect(r.body).toBeNull();

    for (const who of [as.admin, as.agent, as.customer]) {
      expectError(await who.get(`/api/tickets/${t.number}`), 410, 'TICKET_DELETED');
      expect(await visibleNumbers(who)).not.toContain(t.number);
    }
    expectError(await as.customer.get(`/api/tickets/${t.number}/articles`), 410, 'TICKET_DELETED');
    expectError(await as.customer.get(`/api/attachments/${fileId}`), 404, 'NOT_FOUND');
    // Outside the caller's scope it stays a plain 404: deleting reveals nothing new.
    expectError(await as.outsider.get(`/api/tickets/${t.number}`), 404, 'TICKET_NOT_FOUND');

    const [row] = await database.db.select().from(tickets).where(eq(tickets.id, t.id));
    expect(row?.deletedAt).toBeInstanceOf(Date);
    expect(row?.version).toBe(t.version + 1);
    const history = await database.db.select().from(ticketHistory).where(eq(ticketHistory.ticketId, t.id));
    expect(history.filter((h) => h.field === 'deletedAt')).toMatchObject([
      { actorId: world.users.admin.id, oldValue: null, newValue: row!.deletedAt!.toISOString() },
    ]);
    expect((await d.pull(before.cookie)).patch).toEqual([{ op: 'del', table: 'tickets', id: t.id }]);

    expectError(await as.admin.delete(`/api/tickets/${t.number}`), 410, 'TICKET_DELETED');
  });

  it('lets a supervisor delete', async () => {
    const t = await openTicket(as.customer, world);
    expect((await as.supervisor.delete(`/api/tickets/${t.number}`)).status).toBe(204);
    expectError(await as.supervisor.get(`/api/tickets/${t.number}`), 410, 'TICKET_DELETED');
  });

  it('refuses agents, technicians and customers who can see the ticket, changing nothing', async () => {
    const t = await openTicket(as.customer, world);
    await assign(t.number, world.users.technician.id);
    const counts = await writeCounts(database);
    for (const who of [as.agent, as.technician, as.customer]) {
      expect((await who.get(`/api/tickets/${t.number}`)).status).toBe(200);
      expectError(await who.delete(`/api/tickets/${t.number}`), 403, 'FORBIDDEN');
    }
    // And one who cannot see it learns nothing more.
    expectError(await as.otherAgent.delete(`/api/tickets/${t.number}`), 403, 'FORBIDDEN');
    expect(await writeCounts(database)).toEqual(counts);
    expect((await as.admin.get(`/api/tickets/${t.number}`)).status).toBe(200);
  });

  it('answers 404 to an unknown number, 400 to a malformed one and 401 to anonymous callers', async () => {
    expectError(await as.admin.delete('/api/tickets/T-999999'), 404, 'TICKET_NOT_FOUND');
    expectError(await as.admin.delete('/api/tickets/not-a-number'), 400, 'VALIDATION_FAILED');
    const t = await openTicket(as.customer, world);
    expectError(await client(app).delete(`/api/tickets/${t.number}`), 401, 'UNAUTHENTICATED');
    expect((await as.admin.get(`/api/tickets/${t.number}`)).status).toBe(200);
  });

  it('rejects later edits, by sync or REST, with TICKET_DELETED', async () => {
    const t = await openTicket(as.customer, world);
    expect((await as.admin.delete(`/api/tickets/${t.number}`)).status).toBe(204);
    const r = await device(as.agent).push([
      { name: 'updateTicketFields@1', args: { ticketId: t.id, changes: { subject: 'tarde' } } },
      { name: 'addNote@1', args: { id: randomUUID(), ticketId: t.id, kind: 'internal_note', body: 'tarde' } },
    ]);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.rejected).toMatchObject([
      { id: 1, code: 'TICKET_DELETED' },
      { id: 2, code: 'TICKET_DELETED' },
    ]);
    expectError(
      await as.agent.patch(`/api/tickets/${t.number}`, { version: t.version + 1, subject: 'tarde' }),
      410,
      'TICKET_DELETED',
    );
    expect((await database.db.select().from(tickets).where(eq(tickets.id, t.id)))[0]?.subject).toBe(t.subject);
  });
});
