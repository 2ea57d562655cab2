import type { Database } from '@mesa/api/db/client';
import { departments } from '@mesa/api/db/schema';
import type { Article, Ticket } from '@mesa/core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, client, clientsFor, testApp } from '../support/api';
import { openTestDatabase } from '../support/db';
import { expectError, historyOf, openTicket, outboxRows, writeCounts } from '../support/tickets';
import { buildWorld, type World } from '../support/world';

let database: Database;
let world: World;
let app: ReturnType<typeof testApp>;
let as: Record<'admin' | 'agent' | 'otherAgent' | 'technician' | 'customer' | 'colleague' | 'outsider', Client>;

beforeAll(async () => {
  database = await openTestDatabase();
  world = await buildWorld(database);
  app = testApp(database);
  as = await clientsFor(app, {
    admin: 'admin@t.test',
    agent: 'agent@t.test',
    otherAgent: 'agent2@t.test',
    technician: 'tech@t.test',
    customer: 'ana@acme.test',
    colleague: 'bob@acme.test',
    outsider: 'eve@globex.test',
  });
});
afterAll(() => database.close());

const post = (who: Client, x: Ticket, body: Record<string, unknown>) =>
  who.post(`/api/tickets/${x.number}/articles`, body);
const thread = async (who: Client, x: Ticket): Promise<Article[]> => {
  const r = await who.get(`/api/tickets/${x.number}/articles`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.items;
};
const get = async (x: Ticket): Promise<Ticket> => (await as.admin.get(`/api/tickets/${x.number}`)).body;
const assign = async (x: Ticket, ownerId = world.users.technician.id) =>
  expect((await as.agent.post(`/api/tickets/${x.number}/assign`, { ownerId })).status).toBe(200);

describe('POST/GET /api/tickets/{number}/articles', () => {
  it('shows public replies to the customer and internal notes only to staff', async () => {
    const x = await openTicket(as.customer, world);
    const reply = await post(as.customer, x, { kind: 'public_reply', body: 'Adjunto más detalles.' });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({
      kind: 'public_reply',
      authorId: world.users.customer.id,
      authorName: 'Ana Acme',
    });
    const note = await post(as.agent, x, { kind: 'internal_note', body: 'Parece el tóner.' });
    expect(note.status).toBe(201);

    expect((await thread(as.customer, x)).map((a) => a.id)).toEqual([reply.body.id]);
    expect((await thread(as.colleague, x)).map((a) => a.id)).toEqual([reply.body.id]);
    expect((await thread(as.agent, x)).map((a) => a.id)).toEqual([reply.body.id, note.body.id]);
    expect((await thread(as.admin, x)).map((a) => a.kind)).toEqual(['public_reply', 'internal_note']);
  });

  it('refuses internal notes and staff fields from a customer, writing nothing', async () => {
    const x = await openTicket(as.customer, world);
    const before = await writeCounts(database);
    const note = await post(as.customer, x, { kind: 'internal_note', body: 'secreto' });
    expect(expectError(note, 403, 'FORBIDDEN').details).toEqual({ fields: ['kind'] });
    const next = await post(as.customer, x, { kind: 'public_reply', body: 'listo', nextStatus: 'closed' });
    expect(expectError(next, 403, 'FORBIDDEN').details).toEqual({ fields: ['nextStatus'] });
    const real = await post(as.customer, x, { kind: 'public_reply', body: 'listo', realSolution: 'yo' });
    expect(expectError(real, 403, 'FORBIDDEN').details).toEqual({ fields: ['realSolution'] });
    const time = await post(as.customer, x, { kind: 'public_reply', body: 'listo', timeSpentMinutes: 30 });
    expect(expectError(time, 403, 'FORBIDDEN').details).toEqual({ fields: ['timeSpentMinutes'] });
    expect(await writeCounts(database)).toEqual(before);
  });

  it('stamps attendedAt from an agent note with next state, real problem and solution, once there is an owner', async () => {
    const x = await openTicket(as.customer, world);
    const note = {
      kind: 'internal_note',
      body: 'Atendido en sitio.',
      nextStatus: 'attended',
      realProblem: 'Fusor dañado',
      realSolution: 'Fusor reemplazado',
      timeSpentMinutes: 90,
    };
    const before = await writeCounts(database);
    const unowned = await post(as.agent, x, note);
    expect(expectError(unowned, 422, 'INVALID_TRANSITION').details).toMatchObject({
      to: 'attended',
      reason: 'OWNER_REQUIRED',
    });
    expect(await writeCounts(database)).toEqual(before);

    await assign(x);
    const r = await post(as.agent, x, note);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      nextStatus: 'attended',
      realProblem: 'Fusor dañado',
      realSolution: 'Fusor reemplazado',
      timeSpentMinutes: 90,
    });
    const after = await get(x);
    expect(after).toMatchObject({ status: 'attended', attendedAt: r.body.createdAt });
    const status = (await historyOf(as.agent, x.number)).filter((h) => h.field === 'status').at(-1);
    expect(status).toMatchObject({ oldValue: 'open', newValue: 'attended', actorName: world.users.agent.name });
  });

  it('stamps firstResponseAt on the first staff public reply only, and mails the customer', async () => {
    const x = await openTicket(as.customer, world);
    expect((await post(as.agent, x, { kind: 'internal_note', body: 'mirando' })).status).toBe(201);
    expect((await get(x)).firstResponseAt).toBeNull();
    const first = await post(as.agent, x, { kind: 'public_reply', body: '¿Qué modelo es?' });
    const stamped = (await get(x)).firstResponseAt;
    expect(stamped).toBe(first.body.createdAt);
    expect((await post(as.agent, x, { kind: 'public_reply', body: '¿Sigue fallando?' })).status).toBe(201);
    expect((await get(x)).firstResponseAt).toBe(stamped);
    const mails = await outboxRows(database, 'ticket_public_update', x.id);
    expect(mails).toHaveLength(2);
    expect(mails[0]!.payload).toEqual({ ticketId: x.id, articleId: first.body.id });
    expect(await outboxRows(database, 'customer_replied', x.id)).toHaveLength(0);
  });

  it('moves a ticket waiting on the customer back when they reply, and tells staff', async () => {
    const owned = await openTicket(as.customer, world);
    await assign(owned);
    const waiting = await post(as.agent, owned, {
      kind: 'public_reply',
      body: '¿Puede probar?',
      nextStatus: 'pending_customer',
    });
    expect(waiting.status).toBe(201);
    expect((await get(owned)).status).toBe('pending_customer');
    const reply = await post(as.customer, owned, { kind: 'public_reply', body: 'Probé, sigue igual.' });
    expect(reply.status).toBe(201);
    expect((await get(owned)).status).toBe('open');
    expect((await outboxRows(database, 'customer_replied', owned.id)).map((m) => m.payload)).toEqual([
      { ticketId: owned.id, articleId: reply.body.id },
    ]);

    const queued = await openTicket(as.customer, world);
    expect(
      (await as.agent.patch(`/api/tickets/${queued.number}`, { version: 1, status: 'pending_customer' })).status,
    ).toBe(200);
    expect((await post(as.colleague, queued, { kind: 'public_reply', body: 'Aquí está.' })).status).toBe(201);
    expect((await get(queued)).status).toBe('new');
  });

  it('refuses staff replies on a closed ticket, and a customer’s where the department does not reopen', async () => {
    const x = await openTicket(as.customer, world);
    expect((await as.customer.post(`/api/tickets/${x.number}/close`, {})).status).toBe(200);
    const before = await writeCounts(database);
    const setPolicy = (p: 'reopen' | 'new_ticket' | 'reject') =>
      database.db.update(departments).set({ closedReplyPolicy: p }).where(eq(departments.id, x.departmentId));
    const refused = [
      [as.agent, 'reopen'],
      [as.customer, 'new_ticket'],
      [as.customer, 'reject'],
    ] as const;
    for (const [who, policy] of refused) {
      await setPolicy(policy);
      const r = await post(who, x, { kind: 'public_reply', body: '¿Hola?' });
      expect(expectError(r, 422, 'INVALID_TRANSITION').details, policy).toEqual({
        from: 'closed',
        to: 'closed',
        reason: 'TICKET_CLOSED',
      });
    }
    expect(await writeCounts(database)).toEqual(before);
    await setPolicy('reopen');
  });

  it('reopens a closed ticket when its customer answers and the department reopens (as by mail)', async () => {
    const x = await openTicket(as.customer, world);
    expect((await as.customer.post(`/api/tickets/${x.number}/close`, {})).status).toBe(200);
    expect((await post(as.colleague, x, { kind: 'public_reply', body: 'Volvió a fallar' })).status).toBe(201);
    expect((await get(x)).status).toBe('new');
    expect((await outboxRows(database, 'ticket_reopened', x.id)).map((o) => o.payload)).toEqual([
      { ticketId: x.id, from: 'closed' },
    ]);
  });

  it('refuses bad bodies, bad numbers and callers outside the ticket', async () => {
    const x = await openTicket(as.customer, world);
    const before = await writeCounts(database);
    const bad = [
      { kind: 'public_reply', body: '' },
      { kind: 'public_reply', body: '   ' },
      { kind: 'public_reply', body: 'x'.repeat(60_000) },
      { kind: 'public_reply' },
      { kind: 'email_in', body: 'falso correo' },
      { kind: 'public_reply', body: 'hola', sticky: true },
      { kind: 'public_reply', body: { text: 'hola' } },
      { kind: 'public_reply', body: 'nul \u0000 byte' },
      { kind: 'internal_note', body: 'hola', timeSpentMinutes: 0 },
      { kind: 'internal_note', body: 'hola', timeSpentMinutes: 1441 },
      { kind: 'internal_note', body: 'hola', timeSpentMinutes: 1.5 },
      { kind: 'internal_note', body: 'hola', timeSpentMinutes: '30' },
    ];
    for (const body of bad) expectError(await post(as.agent, x, body), 400, 'VALIDATION_FAILED');
    expectError(await as.agent.raw('POST', `/api/tickets/${x.number}/articles`, '{"kind":'), 400, 'MALFORMED_JSON');
    expectError(
      await as.agent.post('/api/tickets/T-12/articles', { kind: 'public_reply', body: 'x' }),
      400,
      'VALIDATION_FAILED',
    );
    const reply = { kind: 'public_reply', body: 'intruso' };
    expectError(await post(as.outsider, x, reply), 404, 'TICKET_NOT_FOUND');
    expectError(await post(as.otherAgent, x, reply), 404, 'TICKET_NOT_FOUND');
    expectError(await post(as.technician, x, reply), 404, 'TICKET_NOT_FOUND');
    expectError(await post(client(app), x, reply), 401, 'UNAUTHENTICATED');
    expectError(await as.outsider.get(`/api/tickets/${x.number}/articles`), 404, 'TICKET_NOT_FOUND');
    expectError(await client(app).get(`/api/tickets/${x.number}/articles`), 401, 'UNAUTHENTICATED');
    expectError(await as.agent.get('/api/tickets/nope/articles'), 400, 'VALIDATION_FAILED');
    expect(await writeCounts(database)).toEqual(before);
  });
});

describe('GET /api/tickets/{number}/history', () => {
  it('lists every change with old and new values and the actor’s name', async () => {
    const x = await openTicket(as.customer, world);
    await assign(x);
    const r = await as.agent.patch(`/api/tickets/${x.number}`, { version: 2, subject: 'Impresora piso 3' });
    expect(r.status).toBe(200);
    const history = await historyOf(as.admin, x.number);
    expect(history[0]).toMatchObject({
      field: 'created',
      oldValue: null,
      newValue: { status: 'new', priority: 'P2', channel: 'web' },
      actorId: world.users.customer.id,
      actorName: 'Ana Acme',
    });
    expect(history).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          field: 'ownerId',
          newValue: world.users.technician.id,
          actorName: world.users.agent.name,
        }),
        expect.objectContaining({ field: 'subject', oldValue: x.subject, newValue: 'Impresora piso 3' }),
      ]),
    );
    expect(history.every((h) => typeof h.at === 'string' && !Number.isNaN(Date.parse(h.at)))).toBe(true);
    expect((await historyOf(as.technician, x.number)).length).toBe(history.length);
  });

  it('is for staff only, and only within their scope', async () => {
    const x = await openTicket(as.customer, world);
    expectError(await as.customer.get(`/api/tickets/${x.number}/history`), 403, 'FORBIDDEN');
    expectError(await client(app).get(`/api/tickets/${x.number}/history`), 401, 'UNAUTHENTICATED');
    expectError(await as.technician.get(`/api/tickets/${x.number}/history`), 404, 'TICKET_NOT_FOUND');
    expectError(await as.otherAgent.get(`/api/tickets/${x.number}/history`), 404, 'TICKET_NOT_FOUND');
    expectError(await as.agent.get('/api/tickets/T-00001/history'), 400, 'VALIDATION_FAILED');
  });
});
