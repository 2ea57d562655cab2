import type { Database } from '@mesa/api/db/client';
import { makeRegion, makeSite } from '@mesa/api/db/factories';
import { tickets } from '@mesa/api/db/schema';
import type { Ticket } from '@mesa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, client, clientsFor, type Reply, testApp } from '../support/api';
import { openTestDatabase } from '../support/db';
import { expectError, openTicket, visibleNumbers } from '../support/tickets';
import { buildWorld, type World } from '../support/world';

type Who =
  | 'admin'
  | 'supervisor'
  | 'agent'
  | 'otherAgent'
  | 'technician'
  | 'customer'
  | 'colleague'
  | 'outsider'
  | 'peer';
let database: Database;
let world: World;
let app: ReturnType<typeof testApp>;
let as: Record<Who, Client>;
/** Tickets by role in the story, created in this order (so numbers grow down the list). */
const t = {} as Record<
  | 'anaP2'
  | 'anaP1'
  | 'bobBilling'
  | 'eveP3'
  | 'patBilling'
  | 'percent'
  | 'percentDecoy'
  | 'under'
  | 'underDecoy'
  | 'chacao'
  | 'bogota'
  | 'techs'
  | 'closed',
  Ticket
>;
const regions = {} as Record<'venezuela' | 'miranda' | 'chacao' | 'colombia', string>;
const sites = {} as Record<'chacao' | 'caracas' | 'bogota', string>;

beforeAll(async () => {
  database = await openTestDatabase();
  world = await buildWorld(database);
  app = testApp(database);
  as = await clientsFor(app, {
    admin: 'admin@t.test',
    supervisor: 'super@t.test',
    agent: 'agent@t.test',
    otherAgent: 'agent2@t.test',
    technician: 'tech@t.test',
    customer: 'ana@acme.test',
    colleague: 'bob@acme.test',
    outsider: 'eve@globex.test',
    peer: 'pat@globex.test',
  });
  const db = database.db;
  regions.venezuela = (await makeRegion(db, 'Venezuela')).id;
  regions.miranda = (await makeRegion(db, 'Miranda', regions.venezuela)).id;
  regions.chacao = (await makeRegion(db, 'Chacao', regions.miranda)).id;
  regions.colombia = (await makeRegion(db, 'Colombia')).id;
  sites.chacao = (await makeSite(db, { name: 'Sede Chacao', regionId: regions.chacao })).id;
  sites.caracas = (await makeSite(db, { name: 'Sede Caracas', regionId: regions.venezuela })).id;
  sites.bogota = (await makeSite(db, { name: 'Sede Bogotá', regionId: regions.colombia })).id;

  const billing = { departmentId: world.dept('facturacion').id };
  const forAna = { requesterId: world.users.customer.id };
  t.anaP2 = await openTicket(as.customer, world, { severity: 'high', urgency: 'medium' });
  t.anaP1 = await openTicket(as.customer, world, { severity: 'critical', urgency: 'critical' });
  t.bobBilling = await openTicket(as.colleague, world, { ...billing, severity: 'low', urgency: 'low' });
  t.eveP3 = await openTicket(as.outsider, world, { severity: 'medium', urgency: 'medium' });
  t.patBilling = await openTicket(as.peer, world, billing);
  t.percent = await openTicket(as.customer, world, { subject: 'Descuento 100% aplicado' });
  t.percentDecoy = await openTicket(as.customer, world, { subject: 'Descuento 1005 aplicado' });
  t.under = await openTicket(as.customer, world, { subject: 'Campo clave a_b vacío' });
  t.underDecoy = await openTicket(as.customer, world, { subject: 'Campo clave axb vacío' });
  t.chacao = await openTicket(as.agent, world, {
    ...forAna,
    siteId: sites.chacao,
    severity: 'critical',
    urgency: 'low',
  });
  t.bogota = await openTicket(as.agent, world, {
    ...forAna,
    siteId: sites.bogota,
    severity: 'critical',
    urgency: 'low',
  });
  t.techs = await openTicket(as.agent, world, { ...forAna, severity: 'critical', urgency: 'critical' });
  const assigned = await as.agent.post(`/api/tickets/${t.techs.number}/assign`, { ownerId: world.users.technician.id });
  expect(assigned.status).toBe(200);
  t.closed = await openTicket(as.customer, world, { subject: 'Ya no hace falta' });
  expect((await as.customer.post(`/api/tickets/${t.closed.number}/close`, {})).status).toBe(200);
});
afterAll(() => database.close());

const nums = (...list: Ticket[]) => list.map((x) => x.number).sort();
const seen = async (who: Who, query = '') => (await visibleNumbers(as[who], query)).sort();
const all = () => Object.values(t);

describe('GET /api/tickets scope', () => {
  it('shows a customer their own tickets and, in a sharing organization, their colleagues’', async () => {
    const acme = all().filter((x) => x.organizationId === world.organizations.sharing.id);
    expect(acme.length).toBe(11);
    expect(await seen('customer')).toEqual(nums(...acme));
    expect(await seen('colleague')).toEqual(nums(...acme));
  });

  it('shows a customer of a non-sharing organization only their own tickets', async () => {
    expect(await seen('outsider')).toEqual(nums(t.eveP3));
    expect(await seen('peer')).toEqual(nums(t.patBilling));
  });

  it('shows a technician only the tickets they own', async () => {
    expect(await seen('technician')).toEqual(nums(t.techs));
  });

  it('shows an agent their department’s queue and not another department’s', async () => {
    const billing = [t.bobBilling, t.patBilling];
    expect(await seen('agent')).toEqual(nums(...all().filter((x) => !billing.includes(x))));
    expect(await seen('otherAgent')).toEqual(nums(...billing));
  });

  it('shows supervisors and admins everything', async () => {
    const total = await database.db.$count(tickets);
    expect(total).toBe(all().length);
    expect(await seen('supervisor')).toEqual(nums(...all()));
    expect(await seen('admin')).toEqual(nums(...all()));
  });

  it('refuses anonymous callers', async () => {
    expectError(await client(app).get('/api/tickets'), 401, 'UNAUTHENTICATED');
  });
});

describe('GET /api/tickets filters', () => {
  it('filters by status (comma list) and priority', async () => {
    expect(await seen('admin', 'status=closed')).toEqual(nums(t.closed));
    expect(await seen('admin', 'status=open,closed')).toEqual(nums(t.techs, t.closed));
    expect(await seen('admin', 'priority=P1')).toEqual(nums(t.anaP1, t.techs));
    expect(await seen('admin', 'priority=P4,P1&status=new')).toEqual(nums(t.anaP1, t.bobBilling));
  });

  it('filters by department, owner and organization', async () => {
    expect(await seen('admin', `departmentId=${world.dept('facturacion').id}`)).toEqual(
      nums(t.bobBilling, t.patBilling),
    );
    expect(await seen('technician', 'ownerId=me')).toEqual(nums(t.techs));
    expect(await seen('agent', 'ownerId=me')).toEqual([]);
    expect(await seen('admin', `ownerId=${world.users.technician.id}`)).toEqual(nums(t.techs));
    expect(await seen('admin', 'ownerId=none')).toEqual(nums(...all().filter((x) => x !== t.techs)));
    const globex = `organizationId=${world.organizations.private.id}`;
    expect(await seen('admin', globex)).toEqual(nums(t.eveP3, t.patBilling));
    // Filters narrow the scope, never widen it.
    expect(await seen('customer', globex)).toEqual([]);
  });

  it('filters by site and by region, a region including its sub-regions', async () => {
    expect(await seen('admin', `siteId=${sites.chacao}`)).toEqual(nums(t.chacao));
    expect(await seen('admin', `regionId=${regions.venezuela}`)).toEqual(nums(t.chacao));
    expect(await seen('admin', `regionId=${regions.miranda}`)).toEqual(nums(t.chacao));
    expect(await seen('admin', `regionId=${regions.colombia}`)).toEqual(nums(t.bogota));
  });

  it('searches text, number and requester, taking % and _ literally', async () => {
    expect(await seen('admin', 'q=descuento')).toEqual(nums(t.percent, t.percentDecoy));
    expect(await seen('admin', `q=${encodeURIComponent('100%')}`)).toEqual(nums(t.percent));
    expect(await seen('admin', 'q=a_b')).toEqual(nums(t.under));
    expect(await seen('admin', `q=${t.eveP3.number.toLowerCase()}`)).toEqual(nums(t.eveP3));
    expect(await seen('admin', 'q=Pat%20Globex')).toEqual(nums(t.patBilling));
    expect(await seen('outsider', 'q=descuento')).toEqual([]);
  });
});

describe('GET /api/tickets order and pages', () => {
  it('puts P1 first, then first come, first served within a priority', async () => {
    const r = await as.admin.get('/api/tickets?limit=100');
    const items = r.body.items as Ticket[];
    const key = (x: Ticket) => `${x.priority} ${x.number}`;
    expect(items.map(key)).toEqual(items.map(key).sort());
    // anaP1 came after anaP2 but is served first.
    expect(items[0]!.number).toBe(t.anaP1.number);
    expect(items.findIndex((x) => x.id === t.anaP1.id)).toBeLessThan(items.findIndex((x) => x.id === t.anaP2.id));
    expect(items.at(-1)!.priority).toBe('P4');
  });

  it('walks every row exactly once with limit=2', async () => {
    const full = (await as.admin.get('/api/tickets?limit=100')).body.items.map((x: Ticket) => x.number);
    const walked: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: Reply<{ items: Ticket[]; nextCursor: string | null }> = await as.admin.get(
        `/api/tickets?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(r.status).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(2);
      walked.push(...r.body.items.map((x) => x.number));
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    expect(walked).toEqual(full);
    expect(pages).toBe(Math.ceil(full.length / 2));
  });

  it('refuses a garbage cursor with BAD_CURSOR', async () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const cursor of ['garbage', b64(['P9', 1]), b64(['P1', -1]), b64(['P1', 1.5]), b64({ p: 'P1' }), b64('x')]) {
      expectError(await as.admin.get(`/api/tickets?cursor=${cursor}`), 400, 'BAD_CURSOR');
    }
  });

  it('refuses bad limits, filters and unknown parameters', async () => {
    const bad = [
      'limit=0',
      'limit=1000',
      'limit=abc',
      'limit=1.5',
      'foo=1',
      'status=bogus',
      'status=',
      'priority=P5',
      'ownerId=someone',
      'departmentId=sistemas',
      'regionId=not-a-uuid',
      `q=${'x'.repeat(201)}`,
      'q=%00',
      `cursor=${'a'.repeat(300)}`,
    ];
    for (const query of bad) {
      expectError(await as.admin.get(`/api/tickets?${query}`), 400, 'VALIDATION_FAILED');
    }
  });
});
