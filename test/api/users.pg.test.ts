import { randomUUID } from 'node:crypto';
import type { Database } from '@mesa/api/db/client';
import type { User } from '@mesa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, client, clientsFor, testApp } from '../support/api';
import { openTestDatabase } from '../support/db';
import { expectError, writeCounts } from '../support/tickets';
import { buildWorld, type World } from '../support/world';

let database: Database;
let world: World;
let app: ReturnType<typeof testApp>;
let as: Record<'admin' | 'supervisor' | 'agent' | 'technician' | 'customer', Client>;

beforeAll(async () => {
  database = await openTestDatabase();
  world = await buildWorld(database);
  app = testApp(database);
  as = await clientsFor(app, {
    admin: 'admin@t.test',
    supervisor: 'super@t.test',
    agent: 'agent@t.test',
    technician: 'tech@t.test',
    customer: 'ana@acme.test',
  });
});
afterAll(() => database.close());

const newUser = (over: Record<string, unknown> = {}) => ({
  email: 'Nueva.Agente@t.test',
  name: 'Nueva Agente',
  password: 'clave-segura-1',
  role: 'agent',
  departmentIds: [world.dept('redes').id],
  ...over,
});

describe('POST /api/users', () => {
  it('lets an admin create staff, verified and ready to log in', async () => {
    const r = await as.admin.post('/api/users', newUser());
    expect(r.status).toBe(201);
    expect(r.body.user).toMatchObject({
      email: 'nueva.agente@t.test',
      role: 'agent',
      emailVerified: true,
      departmentIds: [world.dept('redes').id],
      organizationId: null,
    });
    const me = await (await client(app).login('nueva.agente@t.test', 'clave-segura-1')).get('/api/auth/me');
    expect(me.body.user).toMatchObject({ id: r.body.user.id, role: 'agent' });
  });

  it('lets an admin create a customer contact of an organization', async () => {
    const r = await as.admin.post(
      '/api/users',
      newUser({
        email: 'carla@acme.test',
        role: 'customer',
        departmentIds: [],
        organizationId: world.organizations.sharing.id,
      }),
    );
    expect(r.status).toBe(201);
    expect(r.body.user).toMatchObject({
      role: 'customer',
      organizationId: world.organizations.sharing.id,
      departmentIds: [],
    });
  });

  it('refuses everyone but an admin, writing nothing', async () => {
    const before = await writeCounts(database);
    for (const who of ['supervisor', 'agent', 'technician', 'customer'] as const) {
      expectError(await as[who].post('/api/users', newUser({ email: `by-${who}@t.test` })), 403, 'FORBIDDEN');
    }
    expectError(await client(app).post('/api/users', newUser({ email: 'anon@t.test' })), 401, 'UNAUTHENTICATED');
    // A customer cannot promote themselves by creating an admin either.
    expectError(await as.customer.post('/api/users', newUser({ role: 'admin', departmentIds: [] })), 403, 'FORBIDDEN');
    expect(await writeCounts(database)).toEqual(before);
  });

  it('refuses a taken e-mail, whatever its case', async () => {
    const before = await writeCounts(database);
    expectError(await as.admin.post('/api/users', newUser({ email: 'AGENT@T.TEST' })), 409, 'EMAIL_TAKEN');
    expect(await writeCounts(database)).toEqual(before);
  });

  it('gives one 201 and EMAIL_TAKEN (never a 5xx) to simultaneous creates of one e-mail', async () => {
    const replies = await Promise.all(
      Array.from({ length: 4 }, () =>
        as.admin.post('/api/users', newUser({ email: 'twins@t.test', departmentIds: [] })),
      ),
    );
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    for (const r of replies.filter((x) => x.status !== 201)) expectError(r, 409, 'EMAIL_TAKEN');
  });

  it('refuses departments for a customer', async () => {
    const before = await writeCounts(database);
    const r = await as.admin.post('/api/users', newUser({ email: 'c@acme.test', role: 'customer' }));
    const { details } = expectError(r, 400, 'VALIDATION_FAILED');
    expect(details.issues).toEqual([expect.objectContaining({ path: 'departmentIds' })]);
    expect(await writeCounts(database)).toEqual(before);
  });

  it('refuses bad input with 4xx and leaves no half-created user', async () => {
    const before = await writeCounts(database);
    const invalid = [
      newUser({ email: 'x1@t.test', role: 'root' }),
      newUser({ email: 'x2@t.test', password: 'short' }),
      newUser({ email: 'x3@t.test', name: 'n'.repeat(10_000) }),
      newUser({ email: 'x4@t.test', name: ['array'] }),
      newUser({ email: 'x5@t.test', departmentIds: ['not-a-uuid'] }),
      newUser({ email: 'x6@t.test', isAdmin: true }),
      newUser({ email: 'not-an-email' }),
    ];
    for (const body of invalid) expectError(await as.admin.post('/api/users', body), 400, 'VALIDATION_FAILED');
    expectError(await as.admin.raw('POST', '/api/users', '{"email":'), 400, 'MALFORMED_JSON');
    // Unknown references fail inside the transaction: the user row must not survive the failed membership insert.
    const ghostOrg = newUser({ email: 'x7@t.test', departmentIds: [], organizationId: randomUUID() });
    expectError(await as.admin.post('/api/users', ghostOrg), 422, 'REFERENCE_NOT_FOUND');
    const ghostDept = newUser({ email: 'x8@t.test', departmentIds: [randomUUID()] });
    expectError(await as.admin.post('/api/users', ghostDept), 422, 'REFERENCE_NOT_FOUND');
    expect(await writeCounts(database)).toEqual(before);
    await expect(client(app).login('x8@t.test', 'clave-segura-1')).rejects.toThrow(/INVALID_CREDENTIALS/);
  });
});

describe('GET /api/users', () => {
  it('lists staff (never customers) to any staff member', async () => {
    for (const who of ['technician', 'agent', 'admin'] as const) {
      const r = await as[who].get('/api/users');
      expect(r.status).toBe(200);
      const emails = r.body.items.map((u: User) => u.email);
      expect(emails).toEqual(expect.arrayContaining(['admin@t.test', 'agent@t.test', 'agent2@t.test', 'tech@t.test']));
      expect(r.body.items.every((u: User) => u.role !== 'customer')).toBe(true);
    }
  });

  it('filters by role and by department', async () => {
    const techs = await as.agent.get('/api/users?role=technician');
    expect(techs.body.items.map((u: User) => u.email)).toEqual(['tech@t.test']);
    const sistemas = await as.agent.get(`/api/users?departmentId=${world.dept('sistemas').id}`);
    expect(sistemas.body.items.map((u: User) => u.email)).toEqual(['agent@t.test']);
    const agent = sistemas.body.items[0] as User;
    expect(agent.departmentIds).toEqual([world.dept('sistemas').id]);
  });

  it('finds customers for the desk (agents and up), not for technicians', async () => {
    const r = await as.agent.get('/api/users?role=customer');
    expect(r.body.items.map((u: User) => u.email)).toEqual(
      expect.arrayContaining(['ana@acme.test', 'eve@globex.test']),
    );
    expectError(await as.technician.get('/api/users?role=customer'), 403, 'FORBIDDEN');
  });

  it('refuses customers and anonymous callers, and bad queries', async () => {
    expectError(await as.customer.get('/api/users'), 403, 'FORBIDDEN');
    expectError(await client(app).get('/api/users'), 401, 'UNAUTHENTICATED');
    expectError(await as.agent.get('/api/users?role=wizard'), 400, 'VALIDATION_FAILED');
    expectError(await as.agent.get('/api/users?departmentId=sistemas'), 400, 'VALIDATION_FAILED');
    expectError(await as.agent.get('/api/users?page=2'), 400, 'VALIDATION_FAILED');
  });
});

describe('security', () => {
  it('refuses a common or whitespace-only password for an account an admin creates, an admin included', async () => {
    const before = await writeCounts(database);
    const cases = [
      ['12345678', 'common_password'],
      ['password', 'common_password'],
      [' '.repeat(8), 'blank_password'],
    ] as const;
    for (const [password, code] of cases) {
      const r = await as.admin.post(
        '/api/users',
        newUser({ email: 'weak-admin@t.test', role: 'admin', departmentIds: [], password }),
      );
      const { details } = expectError(r, 422, 'WEAK_PASSWORD');
      expect(details.issues).toEqual([{ path: 'password', code, message: expect.any(String) }]);
    }
    expect(await writeCounts(database)).toEqual(before);
  });
});
