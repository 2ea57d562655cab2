import { randomUUID } from 'node:crypto';
import type { Database } from '@mesa/api/db/client';
import { makeContract, makeEquipment, makeRegion, makeSite } from '@mesa/api/db/factories';
import { tickets, users } from '@mesa/api/db/schema';
import { errorStatus, UNSTORABLE_TEXT } from '@mesa/core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, client, clientsFor, type Reply, testApp } from '../support/api';
import { openTestDatabase } from '../support/db';
import { loginCookie, request } from '../support/http';
import { expectError, newTicket, openTicket, writeCounts } from '../support/tickets';
import { buildWorld, type World } from '../support/world';

let database: Database;
let world: World;
let app: ReturnType<typeof testApp>;
let as: Record<'admin' | 'agent' | 'otherAgent' | 'technician' | 'customer' | 'colleague' | 'outsider', Client>;
let fixture: { siteId: string; contractId: string; equipmentId: string };

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
  // Seed 002: a maintenance code names Acme's server at its Chacao site, under contract CT-100, contact Ana.
  const db = database.db;
  const region = await makeRegion(db, 'Miranda', (await makeRegion(db, 'Venezuela')).id);
  const site = await makeSite(db, { name: 'Sede Chacao', address: 'Av. Francisco de Miranda', regionId: region.id });
  const contract = await makeContract(db, world.organizations.sharing.id, 'CT-100');
  await makeContract(db, world.organizations.private.id, 'CT-200');
  const equipment = await makeEquipment(db, {
    maintenanceCode: 'MC-0001',
    serialNumber: 'SN-0001',
    siteId: site.id,
    contractId: contract.id,
    contactId: world.users.customer.id,
  });
  fixture = { siteId: site.id, contractId: contract.id, equipmentId: equipment.id };
});
afterAll(() => database.close());

/** Staff-side intake body: no requester fields unless given. */
const intake = (over: Record<string, unknown>) => newTicket(world, { severity: 'critical', urgency: 'high', ...over });

describe('POST /api/tickets', () => {
  it('opens a web ticket for a customer with number, priority and SLA due times', async () => {
    const r = await as.customer.post('/api/tickets', newTicket(world, { cc: ['Jefe@Acme.test'] }));
    expect(r.status).toBe(201);
    expect(r.body.number).toMatch(/^T-\d{6,}$/);
    expect(r.body).toMatchObject({ status: 'new', channel: 'web', priority: 'P2', cc: ['jefe@acme.test'] });
    expect(r.body.requester).toMatchObject({ name: 'Ana Acme', email: 'ana@acme.test', organization: 'Acme' });
    expect(r.body).toMatchObject({
      requesterId: world.users.customer.id,
      organizationId: world.organizations.sharing.id,
    });
    expect(Date.parse(r.body.firstResponseDueAt)).toBeGreaterThan(Date.parse(r.body.createdAt));
  });

  it('rejects bad input with the error shape and writes nothing', async () => {
    const before = await writeCounts(database);
    const bad = [
      newTicket(world, { severity: 'apocalyptic' }),
      newTicket(world, { subject: 'x'.repeat(10_000) }),
      newTicket(world, { description: 'x'.repeat(20_001) }),
      newTicket(world, { unknownField: 1 }),
      newTicket(world, { departmentId: 'not-a-uuid' }),
      newTicket(world, { subject: 42 }),
      newTicket(world, { subject: '   ' }),
      newTicket(world, { cc: ['not-an-email'] }),
      newTicket(world, { cc: Array.from({ length: 21 }, (_, i) => `p${i}@acme.test`) }),
      newTicket(world, { subject: 'nul \u0000 byte' }),
    ];
    for (const body of bad) expectError(await as.customer.post('/api/tickets', body), 400, 'VALIDATION_FAILED');
    expectError(await as.customer.raw('POST', '/api/tickets', '{"subject": '), 400, 'MALFORMED_JSON');
    expectError(await as.customer.raw('POST', '/api/tickets', '[1, 2]'), 400, 'VALIDATION_FAILED');
    const plain = await request(app, 'POST', '/api/tickets', { contentType: 'text/plain', body: 'hola' });
    expectError(plain, 400, 'MALFORMED_JSON');
    expect(await writeCounts(database)).toEqual(before);
  });

  it('answers in the caller’s language', async () => {
    const r = await as.customer.post('/api/tickets', {});
    expect(r.body.error.message).toBe('Some fields are not valid.');
    const es = await (await client(app, 'es').login('ana@acme.test')).post('/api/tickets', {});
    expect(es.body.error.message).toBe('Algunos datos no son válidos.');
  });

  it('refuses anonymous callers', async () => {
    expectError(await client(app).post('/api/tickets', newTicket(world)), 401, 'UNAUTHENTICATED');
  });

  it('takes a phone call for a customer named by requesterId', async () => {
    const t = await openTicket(as.agent, world, intake({ requesterId: world.users.colleague.id }));
    expect(t).toMatchObject({ channel: 'phone', ownerId: null, requesterId: world.users.colleague.id });
    expect(t).toMatchObject({ organizationId: world.organizations.sharing.id, priority: 'P1' });
    expect(t.requester).toMatchObject({ name: 'Bob Acme', email: 'bob@acme.test', organization: 'Acme' });
    expectError(await as.agent.post('/api/tickets', intake({ requesterId: randomUUID() })), 422, 'REFERENCE_NOT_FOUND');
  });

  it('fills requester, equipment, site, contract and organization from a maintenance code', async () => {
    const t = await openTicket(as.agent, world, intake({ maintenanceCode: 'mc-0001' }));
    expect(t).toMatchObject({
      requesterId: world.users.customer.id,
      organizationId: world.organizations.sharing.id,
      equipmentId: fixture.equipmentId,
      siteId: fixture.siteId,
      contractId: fixture.contractId,
    });
    expect(t.requester).toMatchObject({ name: 'Ana Acme', organization: 'Acme', email: 'ana@acme.test' });
    expect(t.requester.location).toBe('Sede Chacao, Av. Francisco de Miranda');
  });

  it('identifies equipment by contract number and serial number, and refuses a mismatch', async () => {
    const t = await openTicket(as.agent, world, intake({ contractNumber: 'CT-100', serialNumber: 'SN-0001' }));
    expect(t).toMatchObject({ contractId: fixture.contractId, equipmentId: fixture.equipmentId });
    const before = await writeCounts(database);
    const mismatch = await as.agent.post('/api/tickets', intake({ contractNumber: 'CT-200', serialNumber: 'SN-0001' }));
    expect(expectError(mismatch, 400, 'VALIDATION_FAILED').details.issues[0].path).toBe('serialNumber');
    const noContract = await as.agent.post(
      '/api/tickets',
      intake({ contractNumber: 'CT-999', serialNumber: 'SN-0001' }),
    );
    expect(expectError(noContract, 422, 'REFERENCE_NOT_FOUND').details).toEqual({ field: 'contractNumber' });
    const noSerial = await as.agent.post('/api/tickets', intake({ serialNumber: 'SN-9999' }));
    expect(expectError(noSerial, 422, 'REFERENCE_NOT_FOUND').details).toEqual({ field: 'serialNumber' });
    expect(await writeCounts(database)).toEqual(before);
  });

  it('creates a customer contact from a typed-in requester, and reuses it next time', async () => {
    const requester = {
      name: 'Carlos Caller',
      email: 'Carlos@Nuevo.test',
      phone: '+58 212 555 0101',
      location: 'Piso 2',
    };
    const t = await openTicket(as.agent, world, intake({ requester }));
    expect(t.requester).toEqual({ ...requester, email: 'carlos@nuevo.test', organization: null });
    const [contact] = await database.db.select().from(users).where(eq(users.email, 'carlos@nuevo.test'));
    expect(contact).toMatchObject({ id: t.requesterId, role: 'customer', passwordHash: null, phone: requester.phone });
    const again = await openTicket(
      as.agent,
      world,
      intake({ requester: { name: 'Carlos', email: 'carlos@nuevo.test' } }),
    );
    expect(again.requesterId).toBe(t.requesterId);
  });

  it('rolls the new contact back when the ticket itself is refused', async () => {
    const before = await writeCounts(database);
    const body = intake({ requester: { name: 'Ghost', email: 'ghost@nuevo.test' }, equipmentId: randomUUID() });
    expectError(await as.agent.post('/api/tickets', body), 422, 'REFERENCE_NOT_FOUND');
    expect(await writeCounts(database)).toEqual(before);
  });

  it('requires staff to say who the ticket is for', async () => {
    const r = await as.agent.post('/api/tickets', intake({}));
    expect(expectError(r, 400, 'VALIDATION_FAILED').details.issues[0].path).toBe('requester.name');
  });

  it('refuses staff-only fields from a customer, and another organization’s maintenance code', async () => {
    const before = await writeCounts(database);
    const channel = await as.customer.post('/api/tickets', newTicket(world, { channel: 'phone' }));
    expect(expectError(channel, 403, 'FORBIDDEN').details).toEqual({ fields: ['channel'] });
    const onBehalf = await as.customer.post('/api/tickets', newTicket(world, { requesterId: world.users.outsider.id }));
    expect(expectError(onBehalf, 403, 'FORBIDDEN').details).toEqual({ fields: ['requesterId'] });
    const foreign = await as.outsider.post('/api/tickets', newTicket(world, { maintenanceCode: 'MC-0001' }));
    expectError(foreign, 422, 'REFERENCE_NOT_FOUND');
    expect(await writeCounts(database)).toEqual(before);
  });

  it('refuses unknown maintenance codes and departments', async () => {
    const before = await writeCounts(database);
    const code = await as.agent.post('/api/tickets', intake({ maintenanceCode: 'MC-NOPE' }));
    expect(expectError(code, 422, 'REFERENCE_NOT_FOUND').details).toEqual({ field: 'maintenanceCode' });
    const dept = await as.customer.post('/api/tickets', newTicket(world, { departmentId: randomUUID() }));
    expect(expectError(dept, 422, 'REFERENCE_NOT_FOUND').details).toEqual({ field: 'departmentId' });
    expect(await writeCounts(database)).toEqual(before);
  });

  it('takes only urgent tickets in the 24-hour department', async () => {
    const soporte = world.dept('soporte-24h').id;
    const low = await as.customer.post('/api/tickets', newTicket(world, { departmentId: soporte, urgency: 'low' }));
    expect(expectError(low, 400, 'VALIDATION_FAILED').details.issues[0].path).toBe('urgency');
    const t = await openTicket(as.customer, world, {
      departmentId: soporte,
      urgency: 'critical',
      severity: 'critical',
    });
    expect(t).toMatchObject({ departmentId: soporte, priority: 'P1' });
  });

  it('gives a technician’s field ticket to the technician', async () => {
    const t = await openTicket(as.technician, world, intake({ requesterId: world.users.customer.id }));
    expect(t).toMatchObject({ channel: 'field', ownerId: world.users.technician.id, status: 'new' });
    expect((await as.technician.get(`/api/tickets/${t.number}`)).status).toBe(200);
  });
});

describe('security', () => {
  it("takes a customer's organization from their account, never from requester.organization", async () => {
    const r = await as.customer.post(
      '/api/tickets',
      newTicket(world, { requester: { organization: '<b>Globex</b>', location: 'Piso 3' } }),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.requester).toEqual({
      name: 'Ana Acme',
      organization: 'Acme',
      location: 'Piso 3',
      phone: null,
      email: 'ana@acme.test',
    });
    expect(r.body.organizationId).toBe(world.organizations.sharing.id);
    const [row] = await database.db
      .select({ label: tickets.requesterOrganization })
      .from(tickets)
      .where(eq(tickets.id, r.body.id));
    expect(row).toEqual({ label: 'Acme' });
    // Staff taking a call still type the caller's organization as they give it.
    const staff = await as.agent.post(
      '/api/tickets',
      intake({ requesterId: world.users.outsider.id, requester: { organization: 'Globex Caracas' } }),
    );
    expect(staff.status, JSON.stringify(staff.body)).toBe(201);
    expect(staff.body.requester.organization).toBe('Globex Caracas');
  });
});

describe('errors', () => {
  it('text Postgres cannot store (NUL, a lone surrogate) is VALIDATION_FAILED naming the field, and nothing is written', async () => {
    const t = await openTicket(as.customer, world);
    const before = await writeCounts(database);
    const cases: Array<[string, Reply, string]> = [
      [
        'subject NUL',
        await as.customer.post('/api/tickets', newTicket(world, { subject: 'Impresora\u0000' })),
        'subject',
      ],
      [
        'description surrogate',
        await as.customer.post('/api/tickets', newTicket(world, { description: 'mitad \uD83D de un par' })),
        'description',
      ],
      [
        'requester location NUL',
        await as.agent.post('/api/tickets', intake({ requester: { name: 'Ana', location: 'Piso\u00003' } })),
        'requester.location',
      ],
      [
        'update subject NUL',
        await as.customer.patch(`/api/tickets/${t.number}`, { version: t.version, subject: 'a\u0000b' }),
        'subject',
      ],
      [
        'note body NUL',
        await as.customer.post(`/api/tickets/${t.number}/articles`, { kind: 'public_reply', body: 'x\u0000' }),
        'body',
      ],
      ['search NUL', await as.agent.get('/api/tickets?q=a%00b'), 'q'],
    ];
    expect(
      cases.map(([what, r]) => {
        const { details } = expectError(r, errorStatus.VALIDATION_FAILED, 'VALIDATION_FAILED');
        return [what, details.issues];
      }),
    ).toEqual(cases.map(([what, , path]) => [what, [{ path, message: UNSTORABLE_TEXT, code: 'custom' }]]));
    expect(await writeCounts(database)).toEqual(before);
  });
});

describe('security: cross-site requests', () => {
  /** A browser's POST with Ana's session cookie and the headers the sending page's browser adds. */
  const postWith = async (headers: Record<string, string>, method = 'POST') => {
    const { cookie } = await loginCookie(app, 'ana@acme.test');
    const res = await app.request('/api/tickets', {
      method,
      headers: { cookie, 'content-type': 'application/json', 'accept-language': 'en', ...headers },
      ...(method === 'POST' ? { body: JSON.stringify(newTicket(world, { subject: 'Desde otra página' })) } : {}),
    });
    return { status: res.status, body: await res.json(), headers: res.headers };
  };

  it("refuses a ticket created by another site's page with the user's cookie, writing nothing", async () => {
    const before = await writeCounts(database);
    const refused: Array<[Record<string, string>, unknown]> = [
      [{ origin: 'https://evil.example' }, { origin: 'https://evil.example' }],
      [{ origin: 'null' }, { origin: 'null' }],
      [{ origin: 'http://mesa.test.evil.example' }, { origin: 'http://mesa.test.evil.example' }],
      [{ origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' }, { origin: 'https://evil.example' }],
      [{ 'sec-fetch-site': 'cross-site' }, { secFetchSite: 'cross-site' }],
      [{ 'sec-fetch-site': 'same-site' }, { secFetchSite: 'same-site' }],
    ];
    for (const [headers, details] of refused) {
      const r = await postWith(headers);
      expect(expectError(r, 403, 'CROSS_SITE_REQUEST_REFUSED').details).toEqual(details);
      expect(r.body.error.message).toBe(
        'Request refused: it did not come from this app. Open the app again from its address.',
      );
    }
    expect(await writeCounts(database)).toEqual(before);
  });

  it("takes the app's own pages (PUBLIC_URL or the address used), browsers' own navigation and non-browsers", async () => {
    const allowed = [
      { origin: 'http://mesa.test' },
      { origin: 'http://localhost' },
      { origin: 'http://mesa.test', 'sec-fetch-site': 'same-site' },
      { 'sec-fetch-site': 'same-origin' },
      { 'sec-fetch-site': 'none' },
      {},
    ];
    const statuses: number[] = [];
    for (const headers of allowed) statuses.push((await postWith(headers)).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 201]);
    // Reading is not refused: the browser keeps another site from seeing the answer.
    expect((await postWith({ origin: 'https://evil.example' }, 'GET')).status).toBe(200);
  });
});

describe('GET /api/tickets/{number}', () => {
  it('returns a visible ticket, whatever the case of the number', async () => {
    const t = await openTicket(as.customer, world);
    const r = await as.customer.get(`/api/tickets/${t.number}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(t);
    const lower = await as.customer.get(`/api/tickets/${t.number.toLowerCase()}`);
    expect(lower.status).toBe(200);
    expect(lower.body.id).toBe(t.id);
    expect((await as.colleague.get(`/api/tickets/${t.number}`)).body.id).toBe(t.id);
  });

  it('hides tickets outside the caller’s scope as not found (404, not 403)', async () => {
    const t = await openTicket(as.customer, world);
    expectError(await as.outsider.get(`/api/tickets/${t.number}`), 404, 'TICKET_NOT_FOUND');
    expectError(await as.otherAgent.get(`/api/tickets/${t.number}`), 404, 'TICKET_NOT_FOUND');
    expectError(await as.technician.get(`/api/tickets/${t.number}`), 404, 'TICKET_NOT_FOUND');
    expectError(await as.admin.get('/api/tickets/T-999999'), 404, 'TICKET_NOT_FOUND');
    expectError(await client(app).get(`/api/tickets/${t.number}`), 401, 'UNAUTHENTICATED');
  });

  it('refuses a malformed number', async () => {
    for (const n of ['T-42', 'T-000000', 'X-000001', 'T-0000001', '000001', 'T-00000A', `T-${'9'.repeat(40)}`, '%00']) {
      expectError(await as.admin.get(`/api/tickets/${n}`), 400, 'VALIDATION_FAILED');
    }
  });
});
