import { randomUUID } from 'node:crypto';
import type { Database } from '@mesa/api/db/client';
import type { Ticket } from '@mesa/core';
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

const get = async (number: string): Promise<Ticket> => (await as.admin.get(`/api/tickets/${number}`)).body;
const patch = (who: Client, x: Ticket, body: Record<string, unknown>) =>
  who.patch(`/api/tickets/${x.number}`, { version: x.version, ...body });
/** A customer's ticket handed to the technician (status open). */
async function techTicket(): Promise<Ticket> {
  const x = await openTicket(as.customer, world);
  const r = await as.agent.post(`/api/tickets/${x.number}/assign`, { ownerId: world.users.technician.id });
  expect(r.status).toBe(200);
  return r.body;
}

describe('PATCH /api/tickets/{number}', () => {
  it('re-classifies on severity/urgency: priority and due times from creation, version bump, history', async () => {
    const x = await openTicket(as.customer, world, { severity: 'high', urgency: 'medium' });
    expect(x.priority).toBe('P2');
    const r = await patch(as.agent, x, { severity: 'critical', urgency: 'critical' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ severity: 'critical', urgency: 'critical', priority: 'P1', version: x.version + 1 });
    // P1 runs on the wall clock: 2 h to first response, 8 h to resolution, counted from creation.
    const created = Date.parse(x.createdAt);
    expect(Date.parse(r.body.firstResponseDueAt) - created).toBe(120 * 60_000);
    expect(Date.parse(r.body.resolutionDueAt) - created).toBe(480 * 60_000);
    const changes = (await historyOf(as.agent, x.number)).filter((h) => h.field !== 'created');
    const byField = Object.fromEntries(changes.map((h) => [h.field, h]));
    expect(byField.severity).toMatchObject({
      oldValue: 'high',
      newValue: 'critical',
      actorName: world.users.agent.name,
    });
    expect(byField.urgency).toMatchObject({ oldValue: 'medium', newValue: 'critical' });
    expect(byField.priority).toMatchObject({ oldValue: 'P2', newValue: 'P1' });
    expect(byField.firstResponseDueAt).toMatchObject({
      oldValue: x.firstResponseDueAt,
      newValue: r.body.firstResponseDueAt,
    });
    expect(byField.departmentId).toBeUndefined();
  });

  it('refuses a stale version with VERSION_CONFLICT and writes nothing', async () => {
    const x = await openTicket(as.customer, world);
    expect((await patch(as.agent, x, { subject: 'Primera edición' })).status).toBe(200);
    const before = await writeCounts(database);
    const stale = await patch(as.agent, x, { subject: 'Edición perdida' });
    expect(expectError(stale, 409, 'VERSION_CONFLICT').details).toEqual({ currentVersion: x.version + 1 });
    expect(await writeCounts(database)).toEqual(before);
    expect(await get(x.number)).toMatchObject({ subject: 'Primera edición', version: x.version + 1 });
  });

  it('lets a customer change only cc', async () => {
    const x = await openTicket(as.customer, world);
    const ok = await patch(as.customer, x, { cc: ['Jefa@Acme.test', 'jefa@acme.test'] });
    expect(ok.status).toBe(200);
    expect(ok.body.cc).toEqual(['jefa@acme.test']);
    const before = await writeCounts(database);
    const r = await patch(as.customer, ok.body, { subject: 'Mío', severity: 'critical', cc: [] });
    expect(expectError(r, 403, 'FORBIDDEN').details.fields.sort()).toEqual(['severity', 'subject']);
    expect(await writeCounts(database)).toEqual(before);
  });

  it('refuses a severity change by a technician, and a close', async () => {
    const x = await techTicket();
    const r = await patch(as.technician, x, { severity: 'critical' });
    expect(expectError(r, 403, 'FORBIDDEN').details).toEqual({ fields: ['severity'] });
    const close = await patch(as.technician, x, { status: 'closed' });
    expect(expectError(close, 403, 'TRANSITION_NOT_ALLOWED').details).toEqual({
      from: 'open',
      to: 'closed',
      reason: 'ROLE_NOT_ALLOWED',
    });
    const work = await patch(as.technician, x, { status: 'in_progress' });
    expect(work.body).toMatchObject({ status: 'in_progress', firstResponseAt: expect.any(String) });
  });

  it('runs status changes through the state machine', async () => {
    const x = await openTicket(as.customer, world);
    const before = await writeCounts(database);
    const r = await patch(as.agent, x, { status: 'in_progress' });
    expect(expectError(r, 422, 'INVALID_TRANSITION').details).toEqual({
      from: 'new',
      to: 'in_progress',
      reason: 'OWNER_REQUIRED',
    });
    expect(await writeCounts(database)).toEqual(before);
    const waiting = await patch(as.agent, x, { status: 'pending_customer' });
    expect(waiting.body.status).toBe('pending_customer');
  });

  it('refuses bad input, other callers and unknown references without writing', async () => {
    const x = await openTicket(as.customer, world);
    const before = await writeCounts(database);
    const bad = [
      { subject: 'sin versión' },
      { version: x.version },
      { version: '1', subject: 'tipo' },
      { version: x.version, severity: 'enorme' },
      { version: x.version, subject: 'x'.repeat(201) },
      { version: x.version, owner: 'me' },
      { version: x.version, subject: 'nul\u0000' },
      { version: x.version, departmentId: world.dept('soporte-24h').id },
    ];
    for (const body of bad)
      expectError(await as.agent.patch(`/api/tickets/${x.number}`, body), 400, 'VALIDATION_FAILED');
    expectError(await as.agent.raw('PATCH', `/api/tickets/${x.number}`, '{"version":'), 400, 'MALFORMED_JSON');
    expectError(await patch(as.agent, x, { departmentId: randomUUID() }), 422, 'REFERENCE_NOT_FOUND');
    expectError(await patch(as.agent, x, { siteId: randomUUID() }), 422, 'REFERENCE_NOT_FOUND');
    expectError(await as.agent.patch('/api/tickets/T-1', { version: 1, subject: 'x' }), 400, 'VALIDATION_FAILED');
    expectError(await patch(as.outsider, x, { cc: [] }), 404, 'TICKET_NOT_FOUND');
    expectError(await patch(as.otherAgent, x, { subject: 'ajeno' }), 404, 'TICKET_NOT_FOUND');
    expectError(await patch(client(app), x, { cc: [] }), 401, 'UNAUTHENTICATED');
    expect(await writeCounts(database)).toEqual(before);
    expect((await get(x.number)).version).toBe(x.version);
  });
});

describe('POST /api/tickets/{number}/assign', () => {
  it('hands a new ticket to a technician: open, mail, history, and the technician sees it', async () => {
    const x = await openTicket(as.customer, world);
    const r = await as.agent.post(`/api/tickets/${x.number}/assign`, {
      ownerId: world.users.technician.id,
      note: 'Ver hoy',
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ownerId: world.users.technician.id, status: 'open', version: x.version + 1 });
    const mail = await outboxRows(database, 'ticket_assigned', x.id);
    expect(mail.map((m) => m.payload)).toEqual([{ ticketId: x.id, ownerId: world.users.technician.id }]);
    const history = await historyOf(as.agent, x.number);
    expect(history).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'ownerId', oldValue: null, newValue: world.users.technician.id }),
        expect.objectContaining({
          field: 'status',
          oldValue: 'new',
          newValue: 'open',
          actorName: world.users.agent.name,
        }),
      ]),
    );
    expect((await as.technician.get(`/api/tickets/${x.number}`)).status).toBe(200);
  });

  it('requires the owner to exist and to be staff; an owner or tier is required', async () => {
    const x = await openTicket(as.customer, world);
    const before = await writeCounts(database);
    const url = `/api/tickets/${x.number}/assign`;
    const customer = await as.agent.post(url, { ownerId: world.users.customer.id });
    expect(expectError(customer, 400, 'VALIDATION_FAILED').details.issues[0].path).toBe('ownerId');
    expectError(await as.agent.post(url, { ownerId: randomUUID() }), 422, 'REFERENCE_NOT_FOUND');
    for (const body of [{}, { note: 'solo nota' }, { ownerId: 'tech' }, { supportTier: 4 }, { supportTier: '2' }]) {
      expectError(await as.agent.post(url, body), 400, 'VALIDATION_FAILED');
    }
    expectError(await as.agent.raw('POST', url, '{'), 400, 'MALFORMED_JSON');
    expect(await writeCounts(database)).toEqual(before);
  });

  it('lets a technician hand their ticket back to the agent, after which they no longer see it', async () => {
    const x = await techTicket();
    const r = await as.technician.post(`/api/tickets/${x.number}/assign`, { ownerId: world.users.agent.id });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ownerId: world.users.agent.id, status: 'open' });
    expectError(await as.technician.get(`/api/tickets/${x.number}`), 404, 'TICKET_NOT_FOUND');
    expectError(
      await as.technician.post(`/api/tickets/${x.number}/assign`, { supportTier: 2 }),
      404,
      'TICKET_NOT_FOUND',
    );
  });

  it('changes the support tier', async () => {
    const x = await openTicket(as.customer, world);
    const r = await as.agent.post(`/api/tickets/${x.number}/assign`, { supportTier: 2 });
    expect(r.body).toMatchObject({ supportTier: 2, ownerId: null, status: 'new' });
    const tier = (await historyOf(as.agent, x.number)).find((h) => h.field === 'supportTier');
    expect(tier).toMatchObject({ oldValue: 1, newValue: 2 });
  });

  it('refuses customers, anonymous callers and agents of other departments', async () => {
    const x = await openTicket(as.customer, world);
    const before = await writeCounts(database);
    const body = { ownerId: world.users.technician.id };
    expectError(await as.customer.post(`/api/tickets/${x.number}/assign`, body), 403, 'FORBIDDEN');
    expectError(await client(app).post(`/api/tickets/${x.number}/assign`, body), 401, 'UNAUTHENTICATED');
    expectError(await as.otherAgent.post(`/api/tickets/${x.number}/assign`, body), 404, 'TICKET_NOT_FOUND');
    expectError(await as.agent.post('/api/tickets/T-ABCDEF/assign', body), 400, 'VALIDATION_FAILED');
    expect(await writeCounts(database)).toEqual(before);
  });
});

describe('close and reopen', () => {
  it('lets a customer close their ticket (with a note) and reopen it to the queue', async () => {
    const x = await openTicket(as.customer, world);
    const closed = await as.customer.post(`/api/tickets/${x.number}/close`, { note: 'Ya funciona, gracias' });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({
      status: 'closed',
      closedAt: expect.any(String),
      resolvedAt: expect.any(String),
    });
    expect(await outboxRows(database, 'ticket_closed', x.id)).toHaveLength(1);
    const thread = (await as.customer.get(`/api/tickets/${x.number}/articles`)).body.items;
    expect(thread).toEqual([expect.objectContaining({ kind: 'public_reply', body: 'Ya funciona, gracias' })]);

    const reopened = await as.customer.post(`/api/tickets/${x.number}/reopen`, { reason: 'Volvió a fallar' });
    expect(reopened.body).toMatchObject({ status: 'new', closedAt: null, resolvedAt: null });
    expect(await outboxRows(database, 'ticket_reopened', x.id)).toHaveLength(1);
  });

  it('reopens an owned ticket back to its owner', async () => {
    const x = await techTicket();
    expect((await as.colleague.post(`/api/tickets/${x.number}/close`, {})).body.status).toBe('closed');
    const r = await as.customer.post(`/api/tickets/${x.number}/reopen`, {});
    expect(r.body).toMatchObject({
      status: 'open',
      ownerId: world.users.technician.id,
      closedAt: null,
      resolvedAt: null,
    });
  });

  it('refuses technicians, outsiders, closing twice and reopening an open ticket', async () => {
    const x = await techTicket();
    const before = await writeCounts(database);
    const tech = await as.technician.post(`/api/tickets/${x.number}/close`, {});
    expect(expectError(tech, 403, 'TRANSITION_NOT_ALLOWED').details.reason).toBe('ROLE_NOT_ALLOWED');
    expectError(await as.outsider.post(`/api/tickets/${x.number}/close`, {}), 404, 'TICKET_NOT_FOUND');
    expectError(await client(app).post(`/api/tickets/${x.number}/close`, {}), 401, 'UNAUTHENTICATED');
    expectError(await as.customer.post(`/api/tickets/${x.number}/reopen`, {}), 422, 'INVALID_TRANSITION');
    expect((await patch(as.technician, x, { status: 'in_progress' })).status).toBe(200);
    const reopenWorking = await as.agent.post(`/api/tickets/${x.number}/reopen`, {});
    expect(expectError(reopenWorking, 422, 'INVALID_TRANSITION').details).toMatchObject({ from: 'in_progress' });
    expect((await get(x.number)).status).toBe('in_progress');

    expect((await as.customer.post(`/api/tickets/${x.number}/close`, {})).status).toBe(200);
    const mid = await writeCounts(database);
    const twice = await as.customer.post(`/api/tickets/${x.number}/close`, {});
    expect(expectError(twice, 422, 'INVALID_TRANSITION').details).toEqual({
      from: 'closed',
      to: 'closed',
      reason: 'SAME_STATE',
    });
    expectError(await as.technician.post(`/api/tickets/${x.number}/reopen`, {}), 403, 'TRANSITION_NOT_ALLOWED');
    expect(await writeCounts(database)).toEqual(mid);
    expect(mid.history).toBeGreaterThan(before.history);
  });

  it('refuses bad bodies without writing', async () => {
    const x = await openTicket(as.customer, world);
    const before = await writeCounts(database);
    const url = `/api/tickets/${x.number}`;
    expectError(await as.customer.post(`${url}/close`, { note: 'x'.repeat(5001) }), 400, 'VALIDATION_FAILED');
    expectError(await as.customer.post(`${url}/close`, { status: 'closed' }), 400, 'VALIDATION_FAILED');
    expectError(await as.customer.post(`${url}/close`, { note: 7 }), 400, 'VALIDATION_FAILED');
    expectError(await as.customer.raw('POST', `${url}/close`, 'note=hi'), 400, 'MALFORMED_JSON');
    expectError(await as.customer.post(`${url}/reopen`, { reason: ['x'] }), 400, 'VALIDATION_FAILED');
    expectError(await as.customer.post('/api/tickets/T-0/close', {}), 400, 'VALIDATION_FAILED');
    expectError(await as.customer.post('/api/tickets/T-000001x/reopen', {}), 400, 'VALIDATION_FAILED');
    expectError(await as.outsider.post(`${url}/reopen`, {}), 404, 'TICKET_NOT_FOUND');
    expectError(await client(app).post(`${url}/reopen`, {}), 401, 'UNAUTHENTICATED');
    expect(await writeCounts(database)).toEqual(before);
  });
});
