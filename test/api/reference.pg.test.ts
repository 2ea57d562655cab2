import type { Database } from '@mesa/api/db/client';
import { makeContract, makeEquipment, makeRegion, makeSite } from '@mesa/api/db/factories';
import { settings } from '@mesa/api/db/schema';
import { defaultPriorityMatrix, defaultSlaPolicy, ErrorCode, errorStatus, type PriorityMatrix } from '@mesa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, client, clientsFor, testApp } from '../support/api';
import { openTestDatabase } from '../support/db';
import { request } from '../support/http';
import { expectError, newTicket, openTicket, writeCounts } from '../support/tickets';
import { buildWorld, type World } from '../support/world';

let database: Database;
let world: World;
let app: ReturnType<typeof testApp>;
let as: Record<'admin' | 'agent' | 'technician' | 'customer', Client>;
let equipmentId: string;

beforeAll(async () => {
  database = await openTestDatabase();
  world = await buildWorld(database);
  app = testApp(database);
  as = await clientsFor(app, {
    admin: 'admin@t.test',
    agent: 'agent@t.test',
    technician: 'tech@t.test',
    customer: 'ana@acme.test',
  });
  const db = database.db;
  const region = await makeRegion(db, 'Chacao', (await makeRegion(db, 'Venezuela')).id);
  const site = await makeSite(db, { name: 'Sede Chacao', address: 'Av. Miranda', regionId: region.id });
  const contract = await makeContract(db, world.organizations.sharing.id, 'CT-300');
  const eq = await makeEquipment(db, {
    model: 'Impresora HP LaserJet',
    maintenanceCode: 'MC-7777',
    serialNumber: 'SN-7777',
    siteId: site.id,
    contractId: contract.id,
    contactId: world.users.customer.id,
  });
  equipmentId = eq.id;
});
afterAll(() => database.close());

describe('GET /api/departments', () => {
  it('lists departments to anyone, in their language, the urgent-only 24x7 one last', async () => {
    const es = await client(app, 'es').get('/api/departments');
    expect(es.status).toBe(200);
    expect(es.body.items).toHaveLength(7);
    expect(es.body.items.at(-1)).toMatchObject({ slug: 'soporte-24h', urgentOnly: true, is24x7: true });
    expect(es.body.items.find((d: any) => d.slug === 'sistemas')).toMatchObject({ name: 'Sistemas', is24x7: false });
    const en = await client(app, 'en').get('/api/departments');
    expect(en.body.items.find((d: any) => d.slug === 'sistemas').name).toBe('Systems');
  });
});

describe('GET /api/lookup/equipment', () => {
  it('resolves a maintenance code or a serial number for staff', async () => {
    const r = await as.agent.get('/api/lookup/equipment?maintenanceCode=mc-7777');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      equipment: {
        id: equipmentId,
        serialNumber: 'SN-7777',
        model: 'Impresora HP LaserJet',
        maintenanceCode: 'MC-7777',
      },
      site: expect.objectContaining({
        name: 'Sede Chacao',
        address: 'Av. Miranda',
        regionPath: ['Venezuela', 'Chacao'],
      }),
      contract: expect.objectContaining({ number: 'CT-300' }),
      organization: { id: world.organizations.sharing.id, name: 'Acme' },
      contact: { id: world.users.customer.id, name: 'Ana Acme', email: 'ana@acme.test', phone: null },
    });
    const bySerial = await as.technician.get('/api/lookup/equipment?serialNumber=SN-7777');
    expect(bySerial.body.equipment.id).toBe(equipmentId);
  });

  it('answers NOT_FOUND for an unknown code and refuses bad queries and non-staff', async () => {
    expectError(await as.agent.get('/api/lookup/equipment?maintenanceCode=MC-0000'), 404, 'NOT_FOUND');
    expectError(await as.agent.get('/api/lookup/equipment'), 400, 'VALIDATION_FAILED');
    expectError(await as.agent.get('/api/lookup/equipment?maintenanceCode='), 400, 'VALIDATION_FAILED');
    expectError(await as.agent.get(`/api/lookup/equipment?serialNumber=${'9'.repeat(65)}`), 400, 'VALIDATION_FAILED');
    expectError(await as.agent.get('/api/lookup/equipment?maintenanceCode=MC-7777&x=1'), 400, 'VALIDATION_FAILED');
    expectError(await as.customer.get('/api/lookup/equipment?maintenanceCode=MC-7777'), 403, 'FORBIDDEN');
    expectError(await client(app).get('/api/lookup/equipment?maintenanceCode=MC-7777'), 401, 'UNAUTHENTICATED');
  });
});

describe('/api/settings', () => {
  const flat = (p: 'P1' | 'P2' | 'P3' | 'P4'): PriorityMatrix =>
    Object.fromEntries(
      Object.keys(defaultPriorityMatrix).map((s) => [s, { critical: p, high: p, medium: p, low: p }]),
    ) as PriorityMatrix;

  it('shows the priority matrix and SLA policy to staff only', async () => {
    const r = await as.technician.get('/api/settings');
    expect(r.status).toBe(200);
    expect(r.body.priorityMatrix).toEqual(defaultPriorityMatrix);
    expect(r.body.slaPolicy.P1).toMatchObject({ firstResponseMinutes: 120, clock: 'calendar' });
    expectError(await as.customer.get('/api/settings'), 403, 'FORBIDDEN');
    expectError(await client(app).get('/api/settings'), 401, 'UNAUTHENTICATED');
  });

  it('refuses a non-admin and an invalid matrix, changing nothing', async () => {
    expectError(await as.agent.put('/api/settings', { priorityMatrix: flat('P1') }), 403, 'FORBIDDEN');
    expectError(await as.customer.put('/api/settings', { priorityMatrix: flat('P1') }), 403, 'FORBIDDEN');
    expectError(await client(app).put('/api/settings', { priorityMatrix: flat('P1') }), 401, 'UNAUTHENTICATED');
    const { low: _dropped, ...missingRow } = flat('P1');
    const { low: _cell, ...missingCell } = flat('P1').critical;
    const invalid = [
      {},
      { priorityMatrix: missingRow },
      { priorityMatrix: { ...flat('P1'), critical: missingCell } },
      { priorityMatrix: { ...flat('P1'), critical: { ...flat('P1').critical, low: 'P0' } } },
      { priorityMatrix: { ...flat('P1'), apocalyptic: flat('P1').critical } },
      { slaPolicy: { P1: { firstResponseMinutes: 'soon' } } },
      { priorityMatrix: flat('P1'), theme: 'dark' },
    ];
    for (const body of invalid) expectError(await as.admin.put('/api/settings', body), 400, 'VALIDATION_FAILED');
    expectError(await as.admin.raw('PUT', '/api/settings', '{"priorityMatrix": {'), 400, 'MALFORMED_JSON');
    expect((await as.admin.get('/api/settings')).body.priorityMatrix).toEqual(defaultPriorityMatrix);
  });

  it('lets an admin replace the matrix; tickets classified afterwards use it', async () => {
    const before = await openTicket(as.customer, world, { severity: 'low', urgency: 'low' });
    expect(before.priority).toBe('P4');
    const matrix = { ...flat('P3'), low: { critical: 'P2', high: 'P2', medium: 'P2', low: 'P1' } };
    const r = await as.admin.put('/api/settings', { priorityMatrix: matrix });
    expect(r.status).toBe(200);
    expect(r.body.priorityMatrix).toEqual(matrix);
    expect((await as.agent.get('/api/settings')).body.priorityMatrix).toEqual(matrix);
    const after = await openTicket(as.customer, world, { severity: 'low', urgency: 'low' });
    expect(after.priority).toBe('P1');
    expect((await as.admin.get(`/api/tickets/${before.number}`)).body.priority).toBe('P4');
    expect(await openTicket(as.customer, world, { severity: 'critical', urgency: 'critical' })).toMatchObject({
      priority: 'P3',
    });
  });
});

describe('errors', () => {
  const defaults = { priorityMatrix: defaultPriorityMatrix, slaPolicy: defaultSlaPolicy };
  /** Every number in a settings body, as dotted paths, found by walking it. */
  const numberPaths = (v: unknown, at: string[] = []): string[] =>
    typeof v === 'number'
      ? [at.join('.')]
      : v && typeof v === 'object'
        ? Object.entries(v).flatMap(([k, x]) => numberPaths(x, [...at, k]))
        : [];
  const setAt = (body: unknown, path: string, value: number) => {
    const copy = structuredClone(body) as Record<string, any>;
    const keys = path.split('.');
    keys.slice(0, -1).reduce((o, k) => o[k], copy)[keys.at(-1) as string] = value;
    return copy;
  };
  beforeAll(async () => {
    // Start from the defaults whatever the tests above stored.
    expect((await as.admin.put('/api/settings', defaults)).status).toBe(200);
  });

  it('refuses every settings number out of its range with 422 VALUE_OUT_OF_RANGE naming the field', async () => {
    const paths = numberPaths(defaults);
    expect(paths).toHaveLength(8);
    const answers: string[] = [];
    for (const path of paths) {
      for (const value of [0, -1, 525_601, 1e10, 1e308]) {
        const r = await as.admin.put('/api/settings', setAt(defaults, path, value));
        expect(expectError(r, 422, 'VALUE_OUT_OF_RANGE').details).toEqual({ field: path, min: 1, max: 525_600 });
        answers.push(r.body.error.message);
      }
    }
    expect(answers).toHaveLength(40);
    expect(answers[0]).toBe('slaPolicy.P1.firstResponseMinutes must be between 1 and 525600.');
    const es = await client(app, 'es')
      .login('admin@t.test')
      .then((c) => c.put('/api/settings', setAt(defaults, 'slaPolicy.P4.resolutionMinutes', 1e10)));
    expectError(es, 422, 'VALUE_OUT_OF_RANGE');
    expect(es.body.error.message).toBe('El campo slaPolicy.P4.resolutionMinutes debe estar entre 1 y 525600.');
    expect((await as.admin.get('/api/settings')).body).toEqual(defaults);
  });

  it('takes the ends of every range, and tickets still get due times', async () => {
    const longest = Object.fromEntries(
      Object.keys(defaultSlaPolicy).map((p) => [
        p,
        { firstResponseMinutes: 1, resolutionMinutes: 525_600, clock: 'business' },
      ]),
    );
    const r = await as.admin.put('/api/settings', { slaPolicy: longest });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const t = await openTicket(as.customer, world, { severity: 'low', urgency: 'low' });
    expect(t.priority).toBe('P4');
    // A year of business minutes (570 a day, five days a week) is three and a half calendar years and more away.
    const years = (Date.parse(t.resolutionDueAt as string) - Date.parse(t.createdAt)) / (365.25 * 24 * 60 * 60 * 1000);
    expect(years).toBeGreaterThan(3.5);
    expect(years).toBeLessThan(4);
    expect((await as.admin.put('/api/settings', { slaPolicy: defaultSlaPolicy })).status).toBe(200);
  });

  it('a policy stored out of range (before the ranges existed) falls back to the defaults, never a 500', async () => {
    // Past the largest date JavaScript holds: computing the due time threw a RangeError (a 500).
    const P4 = { firstResponseMinutes: 570, resolutionMinutes: 1e12, clock: 'calendar' };
    await database.db
      .insert(settings)
      .values({ key: 'sla_policy', value: { ...defaultSlaPolicy, P4 } })
      .onConflictDoUpdate({ target: settings.key, set: { value: { ...defaultSlaPolicy, P4 } } });
    const t = await openTicket(as.customer, world, { severity: 'low', urgency: 'low' });
    expect(t.priority).toBe('P4');
    expect((await as.admin.get('/api/settings')).body.slaPolicy).toEqual(defaultSlaPolicy);
    expect((await as.admin.put('/api/settings', { slaPolicy: defaultSlaPolicy })).status).toBe(200);
  });

  it('documents each range in the OpenAPI document', async () => {
    const doc = (await client(app).get('/api/openapi.json')).body;
    const body = doc.paths['/api/settings'].put.requestBody.content['application/json'].schema;
    const resolve = (s: any): any => (s?.$ref ? resolve(doc.components.schemas[s.$ref.split('/').at(-1)]) : s);
    const minutes = Object.keys(defaultSlaPolicy).flatMap((p) => {
      const target = resolve(resolve(resolve(body).properties.slaPolicy).properties[p]);
      return ['firstResponseMinutes', 'resolutionMinutes'].map((f) => target.properties[f]);
    });
    expect(minutes).toHaveLength(8);
    for (const m of minutes) expect(m).toMatchObject({ type: 'integer', minimum: 1, maximum: 525_600 });
  });

  it("documents every route's error responses from core's code → status map: each status, exactly its codes", async () => {
    const doc = (await client(app).get('/api/openapi.json')).body;
    const byStatus = new Map<string, string[]>();
    for (const code of Object.values(ErrorCode)) {
      const status = String(errorStatus[code]);
      byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
    }
    const want = Object.fromEntries(
      [...byStatus].sort(([a], [b]) => a.localeCompare(b)).map(([status, codes]) => [status, codes]),
    );
    const resolve = (s: any): any => (s?.$ref ? resolve(doc.components.schemas[s.$ref.split('/').at(-1)]) : s);
    const operations = Object.entries(doc.paths).flatMap(([path, ops]: [string, any]) =>
      Object.entries(ops).map(([method, op]: [string, any]) => ({ route: `${method} ${path}`, op })),
    );
    expect(operations.length).toBeGreaterThan(20);
    // Health answers its own body with 503 (the database is down), not the error shape.
    const ownBodies = operations.filter(
      ({ op }) => !resolve(op.responses['503']?.content?.['application/json']?.schema)?.properties?.error,
    );
    expect(ownBodies.map((o) => o.route)).toEqual(['get /api/health']);
    for (const { route, op } of operations.filter((o) => !ownBodies.includes(o))) {
      const errors = Object.entries(op.responses).filter(([status]) => Number(status) >= 400);
      const documented = Object.fromEntries(
        errors.map(([status, r]: [string, any]) => {
          const schema = resolve(resolve(r.content['application/json'].schema).properties.error);
          const codes = resolve(schema.properties.code).enum;
          expect(r.description, `${route} ${status}`).toContain(codes.join(', '));
          return [status, codes];
        }),
      );
      expect(documented, route).toEqual(want);
    }
    expect(Object.keys(want)).toEqual(expect.arrayContaining(['410', '426', '503']));
  });
});

describe('operations endpoints', () => {
  it('reports health with the database kind', async () => {
    const r = await client(app).get('/api/health');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      status: 'ok',
      database: { ok: true, kind: database.kind, latencyMs: expect.any(Number) },
    });
  });

  it('serves the OpenAPI document and the docs page', async () => {
    const r = await client(app).get('/api/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    for (const path of ['/api/tickets', '/api/tickets/{number}', '/api/tickets/{number}/articles', '/api/auth/login']) {
      expect(Object.keys(r.body.paths)).toContain(path);
    }
    const param = r.body.paths['/api/tickets/{number}'].get.parameters.find((p: any) => p.name === 'number');
    expect(param).toMatchObject({ in: 'path', required: true, schema: { type: 'string' } });
    const docs = await request(app, 'GET', '/api/docs');
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    expect(docs.body).toContain('/api/openapi.json');
  });

  it('answers unknown /api routes with the NOT_FOUND error shape', async () => {
    expectError(await client(app).get('/api/nope'), 404, 'NOT_FOUND');
    expectError(await as.admin.get('/api/tickets/T-000001/attachments/x'), 404, 'NOT_FOUND');
    expectError(await as.admin.raw('DELETE', '/api/tickets', '{}'), 404, 'NOT_FOUND');
    const es = await client(app, 'es').get('/api/nada');
    expect(expectError(es, 404, 'NOT_FOUND') && es.body.error.message).toBe('No encontrado.');
  });

  it('refuses a body over 256 KiB with PAYLOAD_TOO_LARGE and writes nothing', async () => {
    const before = await writeCounts(database);
    const huge = JSON.stringify(newTicket(world, { description: 'x'.repeat(256 * 1024) }));
    const r = await as.customer.raw('POST', '/api/tickets', huge);
    expect(expectError(r, 413, 'PAYLOAD_TOO_LARGE').details).toEqual({ maxBytes: 256 * 1024 });
    const anon = await request(app, 'POST', '/api/auth/register', { contentType: 'application/json', body: huge });
    expectError(anon, 413, 'PAYLOAD_TOO_LARGE');
    expect(await writeCounts(database)).toEqual(before);
  });
});
