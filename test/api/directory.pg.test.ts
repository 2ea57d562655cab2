import type { Database } from '@mesa/api/db/client';
import { makeRegion, makeSite } from '@mesa/api/db/factories';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, client, clientsFor, testApp } from '../support/api';
import { openTestDatabase } from '../support/db';
import { buildWorld } from '../support/world';

let database: Database;
let as: Record<'agent' | 'technician' | 'customer', Client>;
let anonymous: Client;

beforeAll(async () => {
  database = await openTestDatabase();
  await buildWorld(database);
  const world = await makeRegion(database.db, 'Global');
  const ve = await makeRegion(database.db, 'Venezuela', world.id);
  const ccs = await makeRegion(database.db, 'Caracas', ve.id);
  await makeSite(database.db, { name: 'Sede 100% Caracas', regionId: ccs.id, address: 'Av. Libertador' });
  await makeSite(database.db, { name: 'Sede Valencia', regionId: ve.id });
  const app = testApp(database);
  as = await clientsFor(app, { agent: 'agent@t.test', technician: 'tech@t.test', customer: 'ana@acme.test' });
  anonymous = client(app);
});
afterAll(() => database.close());

describe('GET /api/organizations, /api/regions, /api/sites', () => {
  it('lists organizations, regions and sites with their region path for staff', async () => {
    const orgs = await as.agent.get('/api/organizations');
    expect(orgs.status).toBe(200);
    expect(orgs.body.items.map((o: { name: string }) => o.name)).toEqual(['Acme', 'Globex']);
    expect((await as.technician.get('/api/organizations?q=glo')).body.items).toHaveLength(1);

    const regions = await as.agent.get('/api/regions');
    expect(regions.body.items.map((r: { name: string }) => r.name).sort()).toEqual(['Caracas', 'Global', 'Venezuela']);

    const sites = await as.agent.get('/api/sites');
    expect(sites.body.items[0]).toMatchObject({
      name: 'Sede 100% Caracas',
      regionPath: ['Global', 'Venezuela', 'Caracas'],
    });
    // A search for "%" is literal, not a wildcard.
    expect((await as.agent.get('/api/sites?q=100%25')).body.items).toHaveLength(1);
    expect((await as.agent.get('/api/sites?q=%25%25')).body.items).toHaveLength(0);
  });

  it('refuses bad queries with the error shape', async () => {
    for (const path of ['/api/sites?q=', `/api/organizations?q=${'x'.repeat(101)}`, '/api/sites?limit=5']) {
      const r = await as.agent.get(path);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('is for staff only', async () => {
    for (const path of ['/api/organizations', '/api/regions', '/api/sites']) {
      expect((await as.customer.get(path)).body.error.code).toBe('FORBIDDEN');
      expect((await anonymous.get(path)).body.error.code).toBe('UNAUTHENTICATED');
    }
  });
});
