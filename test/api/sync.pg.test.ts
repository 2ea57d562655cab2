import { randomUUID } from 'node:crypto';
import type { Database } from '@mesa/api/db/client';
import { makeContract, makeEquipment, makeRegion, makeSite } from '@mesa/api/db/factories';
import { outbox, tickets } from '@mesa/api/db/schema';
import { isOpenStatus, PROTOCOL_VERSION, referenceKinds, SCHEMA_VERSION, type Ticket } from '@mesa/core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, client, clientsFor, testApp } from '../support/api';
import { openTestDatabase } from '../support/db';
import { type PatchOp, protocolDevice, syncVersions } from '../support/sync-device';
import { expectError, historyOf, openTicket } from '../support/tickets';
import { buildWorld, type World } from '../support/world';

let database: Database;
let world: World;
let as: Record<'admin' | 'agent' | 'otherAgent' | 'customer' | 'outsider', Client>;

beforeAll(async () => {
  database = await openTestDatabase();
  world = await buildWorld(database);
  as = await clientsFor(testApp(database), {
    admin: 'admin@t.test',
    agent: 'agent@t.test',
    otherAgent: 'agent2@t.test',
    customer: 'ana@acme.test',
    outsider: 'eve@globex.test',
  });
});
afterAll(() => database.close());

const versions = syncVersions;

const device = protocolDevice;

const ticketIn = (patch: Array<{ op: string; table?: string; row?: { id: string } }>, id: string) =>
  patch.find((p) => p.op === 'put' && p.table === 'tickets' && p.row?.id === id);

describe('POST /api/sync/push', () => {
  it('applies a queue in order, once, and acknowledges a replay without running it again', async () => {
    const t = await openTicket(as.customer, world);
    const d = device(as.agent);
    const noteId = randomUUID();
    const batch = [
      { id: 1, name: 'changeStatus@1', args: { ticketId: t.id, to: 'open' } },
      { id: 2, name: 'addNote@1', args: { id: noteId, ticketId: t.id, kind: 'internal_note', body: 'Revisado' } },
      { id: 3, name: 'updateTicketFields@1', args: { ticketId: t.id, changes: { subject: 'Impresora piso 3' } } },
    ];
    // The agent must own the ticket to open it: assign first through REST.
    expect((await as.agent.post(`/api/tickets/${t.number}/assign`, { ownerId: world.users.agent.id })).status).toBe(
      200,
    );
    const r = await d.push(batch);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ lastMutationId: 3, rejected: [{ id: 1, code: 'INVALID_TRANSITION' }] });
    const again = await d.push(batch);
    // Nothing runs twice; the earlier rejection is reported again so a lost response loses nothing.
    expect(again.body).toMatchObject({ lastMutationId: 3, rejected: [{ id: 1, code: 'INVALID_TRANSITION' }] });
    const articles = (await as.agent.get(`/api/tickets/${t.number}/articles`)).body.items;
    expect(articles.filter((a: { id: string }) => a.id === noteId)).toHaveLength(1);
    expect((await as.agent.get(`/api/tickets/${t.number}`)).body.subject).toBe('Impresora piso 3');
  });

  it('refuses a gap with the expected id', async () => {
    const d = device(as.agent);
    const t = await openTicket(as.customer, world);
    const r = await d.push([
      { id: 5, name: 'updateTicketFields@1', args: { ticketId: t.id, changes: { subject: 'x' } } },
    ]);
    const error = expectError(r, 409, 'MUTATION_OUT_OF_ORDER');
    expect(error.details).toMatchObject({ expected: 1, got: 5 });
  });

  it('records a permanently invalid mutation and moves on', async () => {
    const d = device(as.agent);
    const t = await openTicket(as.customer, world);
    const r = await d.push([
      { name: 'noSuchMutator@1', args: {} },
      { name: 'updateTicketFields@1', args: { ticketId: t.id, changes: { subject: '' } } },
      { name: 'updateTicketFields@1', args: { ticketId: t.id, changes: { subject: 'Válido' } } },
    ]);
    expect(r.body.lastMutationId).toBe(3);
    expect(r.body.rejected.map((x: { id: number; code: string }) => [x.id, x.code])).toEqual([
      [1, 'VALIDATION_FAILED'],
      [2, 'VALIDATION_FAILED'],
    ]);
    expect((await as.agent.get(`/api/tickets/${t.number}`)).body.subject).toBe('Válido');
    // The response was lost and the device sends the same batch again: the rejections are reported again.
    const replay = await d.push([
      { id: 1, name: 'noSuchMutator@1', args: {} },
      { id: 2, name: 'updateTicketFields@1', args: { ticketId: t.id, changes: { subject: '' } } },
      { id: 3, name: 'updateTicketFields@1', args: { ticketId: t.id, changes: { subject: 'Válido' } } },
    ]);
    expect(replay.body).toMatchObject({ lastMutationId: 3, rejected: r.body.rejected });
  });

  it('last write wins per field in arrival order and history marks the value the writer had not seen', async () => {
    const t: Ticket = await openTicket(as.customer, world, { subject: 'Original' });
    const a = device(as.agent);
    const b = device(as.admin);
    await a.push([
      {
        name: 'updateTicketFields@1',
        args: { ticketId: t.id, changes: { subject: 'De A' }, seen: { subject: 'Original' } },
      },
    ]);
    await b.push([
      {
        name: 'updateTicketFields@1',
        args: { ticketId: t.id, changes: { subject: 'De B' }, seen: { subject: 'Original' } },
      },
    ]);
    expect((await as.admin.get(`/api/tickets/${t.number}`)).body.subject).toBe('De B');
    const conflicts = (await historyOf(as.admin, t.number)).filter((h) => h.field === 'conflict');
    expect(conflicts).toMatchObject([
      { newValue: { field: 'subject', overwritten: 'De A', seen: 'Original', value: 'De B' } },
    ]);
  });

  it('rejects edits to a deleted ticket with TICKET_DELETED', async () => {
    const t = await openTicket(as.customer, world);
    await database.db.update(tickets).set({ deletedAt: new Date() }).where(eq(tickets.id, t.id));
    const r = await device(as.agent).push([
      { name: 'updateTicketFields@1', args: { ticketId: t.id, changes: { subject: 'tarde' } } },
    ]);
    expect(r.body.rejected).toMatchObject([{ id: 1, code: 'TICKET_DELETED' }]);
  });

  it('answers 426 to another protocol version, keeping nothing', async () => {
    const r = await as.agent.post('/api/sync/push', {
      protocolVersion: PROTOCOL_VERSION + 1,
      schemaVersion: SCHEMA_VERSION,
      clientGroupId: randomUUID(),
      clientId: randomUUID(),
      mutations: [],
    });
    expectError(r, 426, 'CLIENT_UPGRADE_REQUIRED');
  });

  it('refuses bad input and anonymous callers', async () => {
    expectError(await as.agent.post('/api/sync/push', { ...versions, clientId: 'x' }), 400, 'VALIDATION_FAILED');
    const anonymous = client(testApp(database));
    expectError(
      await anonymous.post('/api/sync/push', {
        ...versions,
        clientGroupId: randomUUID(),
        clientId: randomUUID(),
        mutations: [],
      }),
      401,
      'UNAUTHENTICATED',
    );
    expectError(
      await anonymous.post('/api/sync/pull', { ...versions, clientGroupId: randomUUID(), cookie: null }),
      401,
      'UNAUTHENTICATED',
    );
  });

  it("never runs another user's queue: the client id is bound to its first user", async () => {
    const t = await openTicket(as.customer, world);
    const d = device(as.agent);
    await d.push([{ name: 'updateTicketFields@1', args: { ticketId: t.id, changes: { subject: 'Agente' } } }]);
    const r = await as.otherAgent.post('/api/sync/push', {
      ...versions,
      clientGroupId: d.clientGroupId,
      clientId: d.clientId,
      mutations: [
        { id: 2, name: 'updateTicketFields@1', args: { ticketId: t.id, changes: { subject: 'Otro' } }, clientTime: 0 },
      ],
    });
    expectError(r, 403, 'FORBIDDEN');
  });

  it('applies the same access rules as REST: a ticket out of scope is not found', async () => {
    const t = await openTicket(as.customer, world);
    const r = await device(as.outsider).push([
      { name: 'addNote@1', args: { id: randomUUID(), ticketId: t.id, kind: 'public_reply', body: 'hola' } },
    ]);
    expect(r.body.rejected).toMatchObject([{ id: 1, code: 'TICKET_NOT_FOUND' }]);
  });

  it("refuses a customer's file on an agent's internal note, as the device would", async () => {
    const t = await openTicket(as.customer, world);
    const note = await as.agent.post(`/api/tickets/${t.number}/articles`, { kind: 'internal_note', body: 'interno' });
    expect(note.status, JSON.stringify(note.body)).toBe(201);
    const file = { ticketId: t.id, filename: 'a.png', contentType: 'image/png', size: 3, sha256: 'a'.repeat(64) };
    const r = await device(as.customer).push([
      { name: 'addAttachment@1', args: { id: randomUUID(), articleId: note.body.id, ...file } },
      { name: 'addAttachment@1', args: { id: randomUUID(), ...file } },
    ]);
    expect(r.body).toMatchObject({ lastMutationId: 2, rejected: [{ id: 1, code: 'FORBIDDEN' }] });
  });
});

describe('assignTicket@1', () => {
  it('hands a ticket over with its reason as an internal note, once; an owner who is no staff is refused', async () => {
    const t = await openTicket(as.customer, world);
    const noteId = randomUUID();
    const handOver = {
      ticketId: t.id,
      ownerId: world.users.agent.id,
      supportTier: 2,
      note: 'Segundo nivel: requiere especialista en redes.',
      noteId,
    };
    const batch = [
      { id: 1, name: 'assignTicket@1', args: handOver },
      { id: 2, name: 'assignTicket@1', args: { ticketId: t.id, ownerId: world.users.customer.id } },
      { id: 3, name: 'assignTicket@1', args: { ticketId: t.id, note: 'sin id' } },
    ];
    const d = device(as.agent);
    const r = await d.push(batch);
    expect(r.body).toMatchObject({
      lastMutationId: 3,
      rejected: [
        { id: 2, code: 'VALIDATION_FAILED' },
        { id: 3, code: 'VALIDATION_FAILED' },
      ],
    });
    const after = (await as.agent.get(`/api/tickets/${t.number}`)).body as Ticket;
    expect(after).toMatchObject({ ownerId: world.users.agent.id, supportTier: 2, status: 'open' });
    // The same hand-over from a device that never heard back (a new queue): the note is not written twice.
    expect((await device(as.agent).push([{ id: 1, name: 'assignTicket@1', args: handOver }])).body.rejected).toEqual(
      [],
    );
    const notes = (await as.agent.get(`/api/tickets/${t.number}/articles`)).body.items.filter(
      (a: { id: string }) => a.id === noteId,
    );
    expect(notes).toMatchObject([{ kind: 'internal_note', body: handOver.note, authorId: world.users.agent.id }]);
    const mail = await database.db.select().from(outbox).where(eq(outbox.kind, 'ticket_assigned'));
    expect(mail.filter((m) => (m.payload as { ticketId: string }).ticketId === t.id)).toHaveLength(1);
    // A customer cannot hand over even their own ticket.
    const own = await device(as.customer).push([
      { id: 1, name: 'assignTicket@1', args: { ticketId: t.id, supportTier: 3 } },
    ]);
    expect(own.body.rejected).toMatchObject([{ id: 1, code: 'FORBIDDEN' }]);
  });
});

describe('errors', () => {
  it('text Postgres cannot store (NUL, a lone surrogate) is a recorded rejection naming the field; the queue goes on', async () => {
    const d = device(as.agent);
    const t = await openTicket(as.customer, world);
    const note = (body: string) => ({ id: randomUUID(), ticketId: t.id, kind: 'internal_note', body });
    const valid = note('Después de los inválidos');
    const r = await d.push([
      { name: 'addNote@1', args: note('antes\u0000después') },
      { name: 'updateTicketFields@1', args: { ticketId: t.id, changes: { subject: 'Impresora\u0000' } } },
      {
        name: 'addAttachment@1',
        args: {
          id: randomUUID(),
          ticketId: t.id,
          filename: 'foto\u0000.jpg',
          contentType: 'image/jpeg',
          size: 10,
          sha256: 'a'.repeat(64),
        },
      },
      { name: 'addNote@1', args: note('mitad de un par \uD83D') },
      { name: 'changeStatus@1', args: { ticketId: t.id, to: 'pending_customer', note: 'x\uDE00y' } },
      { name: 'addNote@1', args: valid },
    ]);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.lastMutationId).toBe(6);
    const fieldOf = (x: { message?: string }) => x.message;
    expect(r.body.rejected.map((x: { id: number; code: string }) => [x.id, x.code])).toEqual([
      [1, 'VALIDATION_FAILED'],
      [2, 'VALIDATION_FAILED'],
      [3, 'VALIDATION_FAILED'],
      [4, 'VALIDATION_FAILED'],
      [5, 'VALIDATION_FAILED'],
    ]);
    expect(r.body.rejected.map(fieldOf)).toEqual([
      'invalid mutator args: body',
      'invalid mutator args: changes.subject',
      'invalid mutator args: filename',
      'invalid mutator args: body',
      'invalid mutator args: note',
    ]);
    const articles = (await as.agent.get(`/api/tickets/${t.number}/articles`)).body.items;
    expect(articles.map((a: { id: string }) => a.id)).toContain(valid.id);
    expect(articles.map((a: { body: string }) => a.body).filter((b: string) => /antes|mitad/.test(b))).toEqual([]);
    const replay = await d.push([{ id: 1, name: 'addNote@1', args: note('antes\u0000después') }]);
    expect(replay.body).toMatchObject({ lastMutationId: 6, rejected: [r.body.rejected[0]] });
  });
});

describe('reference data and tickets opened on a device', () => {
  type Op = { op: string; kind?: string; rows?: Array<Record<string, unknown>> };
  const refs = (patch: Op[]): Record<string, Array<Record<string, unknown>> | undefined> =>
    Object.fromEntries(patch.filter((p) => p.op === 'ref').map((p) => [p.kind, p.rows]));

  it('sends every kind once with a full pull, then only the kind that changed', async () => {
    const d = device(as.agent);
    const full = await d.pullAll(null);
    const sent = refs(full.patch);
    expect(Object.keys(sent).sort()).toEqual([...referenceKinds].sort());
    expect(sent.profile).toEqual([
      expect.objectContaining({ id: world.users.agent.id, email: 'agent@t.test', role: 'agent' }),
    ]);
    const hosting = sent.departments?.find((x) => x.urgentOnly === true);
    expect(hosting).toMatchObject({
      nameEs: expect.any(String),
      nameEn: expect.any(String),
      closedReplyPolicy: 'reopen',
    });
    expect(sent.staff?.map((x) => x.id)).toContain(world.users.otherAgent.id);
    expect(sent.staff?.some((x) => x.role === 'customer')).toBe(false);
    expect(refs((await d.pullAll(full.cookie)).patch)).toEqual({});

    const before = (await as.admin.get('/api/settings')).body;
    const slaPolicy = { ...before.slaPolicy, P4: { ...before.slaPolicy.P4, resolutionMinutes: 6000 } };
    expect((await as.admin.put('/api/settings', { slaPolicy })).status).toBe(200);
    try {
      const next = refs((await d.pullAll(full.cookie)).patch);
      expect(Object.keys(next)).toEqual(['policy']);
      expect(next.policy?.[0]).toMatchObject({ slaPolicy: { P4: { resolutionMinutes: 6000 } } });
    } finally {
      await as.admin.put('/api/settings', { slaPolicy: before.slaPolicy });
    }
  });

  it('sends staff every organization, site and equipment; a customer only their organization’s', async () => {
    const db = database.db;
    const country = await makeRegion(db, 'Venezuela');
    const region = await makeRegion(db, 'Miranda', country.id);
    const carabobo = await makeRegion(db, 'Carabobo', country.id);
    await makeRegion(db, 'Zulia', country.id);
    const acmeSite = await makeSite(db, { name: 'Acme Chacao', regionId: region.id });
    const globexSite = await makeSite(db, { name: 'Globex Valencia', regionId: carabobo.id });
    const acme = await makeContract(db, world.organizations.sharing.id, 'CT-SYNC-A');
    const globex = await makeContract(db, world.organizations.private.id, 'CT-SYNC-G');
    const mine = await makeEquipment(db, { maintenanceCode: 'MC-SYNC-A', siteId: acmeSite.id, contractId: acme.id });
    const theirs = await makeEquipment(db, {
      maintenanceCode: 'MC-SYNC-G',
      siteId: globexSite.id,
      contractId: globex.id,
    });
    const ids = (rows: Array<Record<string, unknown>> | undefined) => (rows ?? []).map((r) => r.id);

    const customer = refs((await device(as.customer).pullAll(null)).patch);
    expect(ids(customer.organizations)).toEqual([world.organizations.sharing.id]);
    expect(ids(customer.equipment)).toEqual([mine.id]);
    expect(customer.equipment?.[0]).toMatchObject({
      maintenanceCode: 'MC-SYNC-A',
      contractNumber: 'CT-SYNC-A',
      organizationId: world.organizations.sharing.id,
      siteId: acmeSite.id,
    });
    // Where their equipment stands, not where another customer's does, and the regions that hold it.
    expect(ids(customer.sites)).toEqual([acmeSite.id]);
    expect(customer.regions).toEqual([
      { id: region.id, name: 'Miranda', parentId: country.id },
      { id: country.id, name: 'Venezuela', parentId: null },
    ]);

    const staff = refs((await device(as.agent).pullAll(null)).patch);
    expect(ids(staff.equipment)).toEqual(expect.arrayContaining([mine.id, theirs.id]));
    expect(ids(staff.sites)).toEqual(expect.arrayContaining([acmeSite.id, globexSite.id]));
    expect((staff.regions ?? []).map((r) => r.name)).toEqual(
      expect.arrayContaining(['Venezuela', 'Miranda', 'Carabobo', 'Zulia']),
    );
    expect(ids(staff.organizations)).toEqual(
      expect.arrayContaining([world.organizations.sharing.id, world.organizations.private.id]),
    );
    // Another organization's customer: theirs only.
    const outsider = refs((await device(as.outsider).pullAll(null)).patch);
    expect(ids(outsider.equipment)).toEqual([theirs.id]);
    expect(ids(outsider.sites)).toEqual([globexSite.id]);
  });

  it('keeps the staff directory and the customer contacts from customers', async () => {
    const sent = refs((await device(as.customer).pullAll(null)).patch);
    expect(sent.staff).toEqual([]);
    expect(sent.contacts).toEqual([]);
    expect(sent.profile?.[0]).toMatchObject({ id: world.users.customer.id, organizationName: 'Acme' });
  });

  it("gives staff the directory with each one's departments, to pick an owner of the department", async () => {
    const staff = refs((await device(as.agent).pullAll(null)).patch).staff ?? [];
    expect(staff.find((s) => s.id === world.users.agent.id)).toEqual({
      id: world.users.agent.id,
      name: world.users.agent.name,
      role: 'agent',
      departmentIds: [world.dept('sistemas').id],
    });
    expect(staff.some((s) => s.id === world.users.customer.id)).toBe(false);
  });

  it('gives staff the customer contacts, to find a caller on the device', async () => {
    const contacts = refs((await device(as.otherAgent).pullAll(null)).patch).contacts ?? [];
    expect(contacts.find((c) => c.id === world.users.customer.id)).toEqual({
      id: world.users.customer.id,
      name: 'Ana Acme',
      email: 'ana@acme.test',
      phone: null,
      organizationId: world.organizations.sharing.id,
    });
    expect(contacts.some((c) => c.id === world.users.agent.id)).toBe(false);
  });

  it("creates a device's ticket under the device's id, numbered and acknowledged, once", async () => {
    const d = device(as.customer);
    const id = randomUUID();
    const args = {
      id,
      departmentId: world.dept('sistemas').id,
      subject: 'Abierto sin red',
      description: 'La impresora no responde',
      severity: 'medium',
    };
    const r = await d.push([{ id: 1, name: 'createTicket@1', args }]);
    expect(r.body, JSON.stringify(r.body)).toMatchObject({ lastMutationId: 1, rejected: [] });
    expect((await d.push([{ id: 1, name: 'createTicket@1', args }])).body).toMatchObject({ rejected: [] });
    const rows = await database.db.select().from(tickets).where(eq(tickets.id, id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ channel: 'web', requesterId: world.users.customer.id, status: 'new' });
    expect(rows[0]?.number).toMatch(/^T-\d{6}$/);
    const pulled = ticketIn((await d.pullAll(null)).patch, id) as { row: Ticket } | undefined;
    expect(pulled?.row.number).toBe(rows[0]?.number);
    const acks = await database.db.select().from(outbox).where(eq(outbox.kind, 'ticket_created'));
    expect(acks.filter((o) => (o.payload as { ticketId?: string }).ticketId === id)).toHaveLength(1);
  });

  it('refuses a non-urgent ticket for the urgent-only department, as the device does', async () => {
    const hosting = (await as.customer.get('/api/departments')).body.items.find(
      (x: { urgentOnly: boolean }) => x.urgentOnly,
    );
    const r = await device(as.customer).push([
      {
        name: 'createTicket@1',
        args: {
          id: randomUUID(),
          departmentId: hosting.id,
          subject: 's',
          description: 'd',
          severity: 'low',
          urgency: 'low',
        },
      },
    ]);
    expect(r.body.rejected).toEqual([expect.objectContaining({ id: 1, code: 'VALIDATION_FAILED' })]);
  });
});

describe('POST /api/sync/pull', () => {
  it('starts with clear, then returns only what changed, and the ledger of the group', async () => {
    const d = device(as.customer);
    const first = await d.pull(null);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.patch[0]).toEqual({ op: 'clear' });
    let page = first.body;
    while (page.more) page = (await d.pull(page.cookie)).body;
    const cookie = page.cookie;

    const t = await openTicket(as.customer, world, { subject: 'Nuevo para sync' });
    await d.push([
      { name: 'addNote@1', args: { id: randomUUID(), ticketId: t.id, kind: 'public_reply', body: 'más datos' } },
    ]);
    const next = await d.pull(cookie);
    expect(ticketIn(next.body.patch, t.id)).toBeDefined();
    expect(next.body.patch.some((p: { op: string }) => p.op === 'clear')).toBe(false);
    expect(next.body.lastMutationIds).toEqual({ [d.clientId]: 1 });
    const none = await d.pull(next.body.cookie);
    expect(ticketIn(none.body.patch, t.id)).toBeUndefined();
  });

  it("a full pull's first page leads with the caller's own open tickets, their articles and the reference data", async () => {
    const mine = await openTicket(as.customer, world, { subject: 'Asignado al agente' });
    expect((await as.agent.post(`/api/tickets/${mine.number}/assign`, { ownerId: world.users.agent.id })).status).toBe(
      200,
    );
    expect(
      (
        await as.customer.post(`/api/tickets/${mine.number}/articles`, {
          kind: 'public_reply',
          body: 'Sigue fallando',
        })
      ).status,
    ).toBe(201);
    const newer = await openTicket(as.customer, world, { subject: 'Más reciente, sin dueño' });
    const d = device(as.agent);
    const paged = await d.pullAll(null, 2);
    const [first, ...rest] = paged.pages;
    const puts = (ops: PatchOp[] = [], table = 'tickets') =>
      ops.filter((p) => p.op === 'put' && p.table === table).map((p) => p.row as { id: string; ticketId?: string });
    expect(first?.[0]).toEqual({ op: 'clear' });
    // The lead comes first: the agent's own open tickets, latest updated first (the one just given to him
    // leads), then the other open ones, newest first.
    const whole = await device(as.agent).pullAll(null);
    const all = puts(whole.patch) as unknown as Ticket[];
    const open = all.filter((t) => isOpenStatus(t.status));
    const own = open.filter((t) => t.ownerId === world.users.agent.id);
    const byUpdate = (xs: Ticket[]) => [...xs].sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1));
    const expected = [...byUpdate(own), ...byUpdate(open.filter((t) => t.ownerId !== world.users.agent.id))];
    expect(expected[0]?.id).toBe(mine.id);
    expect(
      puts(first)
        .slice(0, 2)
        .map((t) => t.id),
    ).toEqual(expected.slice(0, 2).map((t) => t.id));
    expect(expected.map((t) => t.id).indexOf(newer.id)).toBe(own.length);
    expect(puts(first, 'articles').map((a) => a.ticketId)).toContain(mine.id);
    expect(
      first
        ?.filter((p) => p.op === 'ref')
        .map((p) => (p as { kind?: string }).kind)
        .sort(),
    ).toEqual([...referenceKinds].sort());
    // The last page sends no reference kind again: nothing changed since the first.
    expect(rest.at(-1)?.some((p) => p.op === 'ref')).toBe(false);
    for (const page of paged.pages) {
      const ids = puts(page).map((t) => t.id);
      expect(new Set(ids).size, 'a page names each ticket once').toBe(ids.length);
    }
    // Pages of two rows end with what one big page holds.
    const idsOf = (ops: PatchOp[]) => [...new Set(puts(ops).map((t) => t.id))].sort();
    expect(idsOf(paged.patch)).toEqual(idsOf(whole.patch));
    expect(whole.patch.filter((p) => p.op === 'put' && p.table === 'tickets' && p.row?.id === mine.id)).toHaveLength(1);
  });

  it('never sends rows outside the caller scope', async () => {
    const t = await openTicket(as.customer, world, { subject: 'Privado de Ana' });
    const outsider = await device(as.outsider).pull(null);
    expect(ticketIn(outsider.body.patch, t.id)).toBeUndefined();
    const other = await device(as.otherAgent).pull(null);
    expect(ticketIn(other.body.patch, t.id)).toBeUndefined();
  });

  it('sends a ticket’s history to staff, conflict marks included, then only new rows; customers get none', async () => {
    const t = await openTicket(as.customer, world, { subject: 'Historia' });
    const staff = device(as.admin);
    const before = await staff.pullAll(null);
    const historyOf = (patch: PatchOp[]) =>
      patch
        .filter((p) => p.op === 'put' && p.table === 'history' && (p.row as { ticketId?: string }).ticketId === t.id)
        .map((p) => p.row);
    const created = historyOf(before.patch);
    expect(created.length).toBeGreaterThan(0);

    const agent = device(as.agent);
    await agent.push([{ name: 'updateTicketFields@1', args: { ticketId: t.id, changes: { subject: 'De agente' } } }]);
    await staff.push([
      {
        name: 'updateTicketFields@1',
        args: { ticketId: t.id, changes: { subject: 'De admin' }, seen: { subject: 'Historia' } },
      },
    ]);
    const next = await staff.pullAll(before.cookie);
    const rows = historyOf(next.patch);
    expect(rows).toMatchObject([
      { field: 'subject', oldValue: 'Historia', newValue: 'De agente', actorName: world.users.agent.name },
      {
        field: 'conflict',
        newValue: { field: 'subject', overwritten: 'De agente', seen: 'Historia', value: 'De admin' },
        actorName: world.users.admin.name,
      },
      { field: 'subject', oldValue: 'De agente', newValue: 'De admin' },
    ]);
    // Rows already sent are not sent again.
    const createdIds = new Set(created.map((r) => r?.id));
    expect(rows.some((r) => createdIds.has(r?.id))).toBe(false);

    const customer = await device(as.customer).pullAll(null);
    expect(ticketIn(customer.patch as never, t.id)).toBeDefined();
    expect(customer.patch.filter((p) => p.table === 'history')).toEqual([]);
    expectError(await as.customer.get(`/api/tickets/${t.number}/history`), 403, 'FORBIDDEN');
  });

  it('answers 410 to a cookie it cannot use, and 400 to bad input', async () => {
    expectError(await device(as.agent).pull('not-a-cookie'), 410, 'SYNC_RESET_REQUIRED');
    expectError(await as.agent.post('/api/sync/pull', { ...versions, cookie: null }), 400, 'VALIDATION_FAILED');
  });

  describe('errors', () => {
    /** Sets `path` (dots, array indexes as numbers) in a deep copy; `undefined` deletes the field. */
    const withField = (cookie: Record<string, unknown>, path: string, value: unknown) => {
      const copy = structuredClone(cookie);
      const keys = path.split('.');
      let at = copy as Record<string, unknown>;
      for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
      const last = keys.at(-1) as string;
      if (value === undefined) delete at[last];
      else at[last] = value;
      return copy;
    };
    const encode = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');
    // The change log's part of the cookie (the reference digests follow a dot; without them every kind goes again).
    const decode = (c: string) =>
      JSON.parse(Buffer.from(c.split('.')[0] as string, 'base64url').toString('utf8')) as Record<string, unknown>;

    it('takes back its own cookie when many transactions were running (a long snapshot)', async () => {
      const d = device(as.agent);
      const final = decode((await d.pullAll(null)).cookie);
      const xmax = BigInt(String(final.s).split(':')[1] as string);
      // A busy server: 100 transactions in progress when the pull ran, in the base and in the page's snapshot.
      const running = Array.from({ length: 100 }, (_, i) => xmax - 200n + BigInt(i * 2)).join(',');
      const snapshot = `${xmax - 200n}:${xmax}:${running}`;
      const cookie = encode({
        ...final,
        s: snapshot,
        p: { s: snapshot, t: final.t, tickets: [`${xmax - 1n}`, randomUUID()] },
      });
      expect(cookie.length).toBeGreaterThan(1000);
      const r = await d.pull(cookie);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.more).toBe(false);
    });

    it('answers exactly 410 SYNC_RESET_REQUIRED to every unusable cookie, field by field', async () => {
      const d = device(as.agent);
      const final = decode((await d.pullAll(null)).cookie);
      // An older snapshot than the pull's own, with room between xmin and xmax to swap them.
      const xmax = String(final.s).split(':')[1] as string;
      const xmin = String(BigInt(xmax) - 5n);
      // A cookie with every field there is: a base snapshot and a page in progress on every table.
      const full = {
        ...final,
        s: `${xmin}:${xmax}:`,
        p: {
          s: final.s,
          t: final.t,
          exits: randomUUID(),
          tickets: [xmin, randomUUID()],
          articles: [xmin, randomUUID()],
          attachments: [xmin, randomUUID()],
        },
      };
      const control = await d.pull(encode(full));
      expect(control.status, JSON.stringify(control.body)).toBe(200);

      const badXids = ['abc', '-1', '1.5', '', '99999999999999999999', '18446744073709551616', '9223372036854775808'];
      const badSnapshots = [
        ...badXids.map((x) => `${x}:${xmax}:`),
        ...badXids.map((x) => `${xmin}:${x}:`),
        ...badXids.filter((x) => x !== '').map((x) => `${xmin}:${xmax}:${x}`),
        `${xmax}:${xmin}:`, // xmin > xmax
        `${xmin}:${xmax}:${xmax}`, // in progress at xmax
        `${xmin}:${xmax}:${BigInt(xmin) - 1n}`, // in progress before xmin
        `${xmin}:${BigInt(xmax) + 1_000_000n}:`, // ahead of this database
        `${xmin}:${xmax}`,
        'abc',
        42,
        null,
        undefined,
      ];
      const badTimes = ['abc', '1', -1, 0, 1e308, Date.now() + 24 * 60 * 60 * 1000, null, undefined, [1]];
      const badUuids = ['abc', '', 42, null, `${randomUUID()}x`];
      const badPositions = [
        ...badXids.map((x) => [x, randomUUID()]),
        ...badUuids.map((u) => [xmin, u]),
        [Number(xmin), randomUUID()],
        [xmin],
        [xmin, randomUUID(), 'extra'],
        'abc',
        null,
      ];
      const cases: Array<[string, unknown]> = [
        // (s = null is a full pull's page in progress: usable.)
        ...badSnapshots.filter((v) => v !== null).map((v): [string, unknown] => ['s', v]),
        ...badTimes.map((v): [string, unknown] => ['t', v]),
        ...['abc', '', 42, null, 'x'.repeat(17)].map((v): [string, unknown] => ['h', v]),
        ...[2, 0, '1', null, 'v1'].map((v): [string, unknown] => ['v', v]),
        ...['abc', 42, null, []].map((v): [string, unknown] => ['p', v]),
        ...badSnapshots.map((v): [string, unknown] => ['p.s', v]),
        ...badTimes.map((v): [string, unknown] => ['p.t', v]),
        ...badUuids.map((v): [string, unknown] => ['p.exits', v]),
        ...['tickets', 'articles', 'attachments'].flatMap((table) =>
          badPositions.map((v): [string, unknown] => [`p.${table}`, v]),
        ),
      ];
      const cookies: Array<[string, string]> = [
        ...cases.map(([path, v]): [string, string] => [
          `${path}=${JSON.stringify(v)}`,
          encode(withField(full, path, v)),
        ]),
        ['bad base64', '%%%not*base64%%%'],
        ['bad JSON', Buffer.from('{"s":', 'utf8').toString('base64url')],
        ['JSON null', encode(null)],
        ['JSON array', encode([full])],
        ['JSON string', encode('cookie')],
        ['JSON number', encode(774)],
        ['not UTF-8', Buffer.from([0xff, 0xfe, 0x7b, 0x7d]).toString('base64url')],
      ];
      const answers: string[] = [];
      for (const [what, cookie] of cookies) {
        const r = await d.pull(cookie);
        answers.push(`${what} → ${r.status} ${r.body?.error?.code} ${Object.keys(r.body ?? {})}`);
      }
      expect(answers).toEqual(cookies.map(([what]) => `${what} → 410 SYNC_RESET_REQUIRED error`));
      expect(cookies).toHaveLength(152);
    });
  });
});
