import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Database } from '@mesa/api/db/client';
import { makeOrganization, makeUser } from '@mesa/api/db/factories';
import { articles, tickets } from '@mesa/api/db/schema';
import { createLogger } from '@mesa/api/logger';
import { ticketScope } from '@mesa/api/services/access';
import { POKE_CHANNEL, pokeHub } from '@mesa/api/sync/pokes/hub';
import {
  departmentKey,
  organizationKey,
  ownerKey,
  pokeReaches,
  requesterKey,
  scopeKeys,
} from '@mesa/api/sync/pokes/scope-keys';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Client, clientsFor, testApp } from '../support/api';
import { openTestDatabase } from '../support/db';
import { type EventStream, openEvents, readEventStream, sessionCookie } from '../support/sse';
import { protocolDevice } from '../support/sync-device';
import { expectError, insertBareTicket, openTicket } from '../support/tickets';
import { buildWorld, type World } from '../support/world';

const log = createLogger('silent');
let database: Database;
let world: World;
let app: ReturnType<typeof testApp>;
let as: Record<'admin' | 'agent' | 'otherAgent' | 'technician' | 'customer', Client>;
const emails = {
  admin: 'admin@t.test',
  agent: 'agent@t.test',
  otherAgent: 'agent2@t.test',
  technician: 'tech@t.test',
  customer: 'ana@acme.test',
  outsider: 'eve@globex.test',
} as const;
const open: EventStream[] = [];

beforeAll(async () => {
  database = await openTestDatabase();
  world = await buildWorld(database);
  app = testApp(database);
  as = await clientsFor(app, emails);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await pokeHub(database, log).close();
  await database.close();
});

/** A logged-in stream, already past its connect poke. */
async function streamAs(who: keyof typeof emails, on: typeof app = app): Promise<EventStream> {
  const s = await openEvents(on, await sessionCookie(on, emails[who]));
  open.push(s);
  expect(s.status).toBe(200);
  await s.nextNamed('poke');
  return s;
}

const pokes = (events: Array<{ name: string }>) => events.filter((e) => e.name === 'poke').length;

/** Waits for a condition that settles asynchronously (a disconnect, a LISTEN going away). */
async function eventually(check: () => Promise<boolean> | boolean, ms = 5000) {
  const end = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Is any session of this database listening on the poke channel? */
async function listening(): Promise<boolean> {
  const { db } = database;
  const [row] =
    database.kind === 'pglite'
      ? // One session: its own channels.
        await db
          .select({ n: sql<number>`count(*)::int` })
          .from(sql`pg_listening_channels() as c`)
          .where(sql`c = ${POKE_CHANNEL}`)
      : await db
          .select({ n: sql<number>`count(*)::int` })
          .from(sql`pg_stat_activity`)
          .where(
            sql`datname = current_database() and pid <> pg_backend_pid() and query ilike ${`listen%${POKE_CHANNEL}%`}`,
          );
  return (row?.n ?? 0) > 0;
}

describe('GET /api/sync/events', () => {
  it('refuses a caller without a session with the one error shape', async () => {
    for (const headers of [{}, { cookie: 'mesa_session=not-a-session' }]) {
      const res = await app.request('/api/sync/events', { headers: { ...headers, 'accept-language': 'en' } });
      expectError({ status: res.status, body: await res.json(), headers: res.headers }, 401, 'UNAUTHENTICATED');
    }
  });

  it('answers with an event stream that pokes once on connect', async () => {
    const s = await openEvents(app, await sessionCookie(app, emails.technician));
    open.push(s);
    expect(s.status).toBe(200);
    expect(s.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(s.headers.get('cache-control')).toBe('no-cache');
    // Non-empty data: EventSource drops events whose data is empty.
    expect(await s.next()).toMatchObject({ name: 'poke', data: '{}' });
    expect(await s.quiet(150)).toEqual([]);
    await s.close();
  });

  it('pokes the technician for a change to their ticket, and not an agent of another department', async () => {
    const t = await openTicket(as.customer, world);
    const assigned = await as.agent.post(`/api/tickets/${t.number}/assign`, { ownerId: world.users.technician.id });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
    const tech = await streamAs('technician');
    const other = await streamAs('otherAgent');

    // The technician's device pushes a note: a commit in the technician's scope only.
    const push = await protocolDevice(as.technician).push([
      {
        name: 'addNote@1',
        args: { id: randomUUID(), ticketId: t.id, kind: 'internal_note', body: 'Llego a las 10' },
      },
    ]);
    expect(push.body, JSON.stringify(push.body)).toMatchObject({ lastMutationId: 1, rejected: [] });
    await tech.nextNamed('poke');
    expect(pokes(await other.quiet(300))).toBe(0);

    // A new ticket in Facturación: the other agent's queue, nothing of the technician's.
    await openTicket(as.customer, world, { departmentId: world.dept('facturacion').id });
    await other.nextNamed('poke');
    expect(pokes(await tech.quiet(300))).toBe(0);
    await Promise.all([tech.close(), other.close()]);
  });

  it('pokes the old holders of a ticket that leaves their scope, and the new ones', async () => {
    const t = await openTicket(as.customer, world);
    const agent = await streamAs('agent');
    const other = await streamAs('otherAgent');
    const outsider = await streamAs('outsider');
    const r = await as.admin.patch(`/api/tickets/${t.number}`, {
      version: t.version,
      departmentId: world.dept('facturacion').id,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await agent.nextNamed('poke');
    await other.nextNamed('poke');
    expect(pokes(await outsider.quiet(300))).toBe(0);
    await Promise.all([agent.close(), other.close(), outsider.close()]);
  });

  it('coalesces a burst of commits without losing the last one', async () => {
    const admin = await streamAs('admin');
    let lastCommit = 0;
    for (let i = 0; i < 20; i++) {
      await insertBareTicket(database, world, `Ráfaga ${i}`, world.users.customer, 'sistemas');
      lastCommit = performance.now();
    }
    const events = await admin.quiet(400);
    const times = events.filter((e) => e.name === 'poke').map((e) => e.at);
    expect(times.length).toBeGreaterThan(0);
    expect(times.length).toBeLessThan(20);
    // Whatever was folded, a poke went out after the last commit: the device pulls it.
    expect(Math.max(...times)).toBeGreaterThanOrEqual(lastCommit);
    await admin.close();
  });

  it('sends a heartbeat comment at the configured interval', async () => {
    const quick = testApp(database, { SYNC_HEARTBEAT_SECONDS: '0.05' });
    const s = await streamAs('customer', quick);
    for (let i = 0; i < 3; i++) expect(await s.nextNamed('heartbeat', 2000)).toMatchObject({ name: 'heartbeat' });
    await s.close();
  });

  it('ends the stream at the next heartbeat once the session is over', async () => {
    const quick = testApp(database, { SYNC_HEARTBEAT_SECONDS: '0.05' });
    const cookie = await sessionCookie(quick, emails.customer);
    const s = await openEvents(quick, cookie);
    open.push(s);
    await s.nextNamed('poke');
    const out = await quick.request('/api/auth/logout', { method: 'POST', headers: { cookie } });
    expect(out.status).toBe(204);
    await eventually(() => s.ended);
    expect(pokeHub(database, log).size).toBe(0);
  });

  it('drops the subscriber and stops listening when the last client disconnects', async () => {
    await eventually(() => pokeHub(database, log).size === 0);
    await eventually(async () => !(await listening()));
    const s = await streamAs('agent');
    expect(pokeHub(database, log).size).toBe(1);
    expect(await listening()).toBe(true);
    await s.close();
    await eventually(() => pokeHub(database, log).size === 0);
    await eventually(async () => !(await listening()));
  });

  it('over a real HTTP server, drops the subscriber when the client hangs up', async () => {
    await eventually(() => pokeHub(database, log).size === 0);
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const { port } = server.address() as AddressInfo;
    try {
      const hangUp = new AbortController();
      const res = await fetch(`http://127.0.0.1:${port}/api/sync/events`, {
        headers: { cookie: await sessionCookie(app, emails.agent) },
        signal: hangUp.signal,
      });
      const s = readEventStream(res);
      expect(await s.next()).toMatchObject({ name: 'poke' });
      expect(pokeHub(database, log).size).toBe(1);
      hangUp.abort();
      await eventually(() => pokeHub(database, log).size === 0);
    } finally {
      server.close();
    }
  });
});

describe('the notify triggers', () => {
  /** Collects the payloads naming `key` (or everyone) that the commits of `fn` sent. */
  async function payloadsDuring(key: string, fn: () => Promise<unknown>): Promise<string[][]> {
    // A sentinel commit after fn: notifications arrive in commit order, so once its own has, fn's have too.
    const sentinel = await makeOrganization(database.db);
    const sentinelCustomer = await makeUser(database.db, { organizationId: sentinel.id });
    const sentinelKey = requesterKey(sentinelCustomer.id);
    const seen: string[][] = [];
    let done = false;
    const stop = await database.listen(POKE_CHANNEL, {
      onPayload: (p) => {
        const keys = p.split(' ');
        if (keys.includes(sentinelKey)) done = true;
        else if (p === '*' || keys.includes(key)) seen.push(keys);
      },
      onListen: () => {},
    });
    try {
      await fn();
      await insertBareTicket(database, world, 'Centinela', sentinelCustomer, 'redes');
      await eventually(() => done);
    } finally {
      await stop();
    }
    return seen;
  }

  it('name the old and new scope keys of a ticket, once per transaction, only when it commits', async () => {
    const org = await makeOrganization(database.db, { membersSeeEachOther: true });
    const customer = await makeUser(database.db, { organizationId: org.id });
    const orgKey = organizationKey(org.id);
    let id = '';
    const inserted = await payloadsDuring(orgKey, async () => {
      id = await insertBareTicket(database, world, 'Claves', customer, 'sistemas');
    });
    expect(inserted.map((p) => new Set(p))).toEqual([
      new Set([departmentKey(world.dept('sistemas').id), requesterKey(customer.id), orgKey]),
    ]);

    const twice = await payloadsDuring(orgKey, () =>
      database.db.transaction(async (tx) => {
        await tx.update(tickets).set({ subject: 'Claves (1)' }).where(eq(tickets.id, id));
        // The same keys again in the same transaction: Postgres folds the identical payload.
        await tx.update(tickets).set({ subject: 'Claves (2)' }).where(eq(tickets.id, id));
      }),
    );
    expect(twice).toEqual(inserted);

    const moved = await payloadsDuring(orgKey, () =>
      database.db
        .update(tickets)
        .set({ departmentId: world.dept('redes').id, ownerId: world.users.technician.id })
        .where(eq(tickets.id, id)),
    );
    expect(moved.map((p) => new Set(p))).toEqual([
      new Set([
        departmentKey(world.dept('sistemas').id),
        departmentKey(world.dept('redes').id),
        ownerKey(world.users.technician.id),
        requesterKey(customer.id),
        orgKey,
      ]),
    ]);

    const rolledBack = await payloadsDuring(orgKey, () =>
      database.db
        .transaction(async (tx) => {
          await tx.update(tickets).set({ subject: 'Nunca' }).where(eq(tickets.id, id));
          throw new Error('rollback');
        })
        .catch(() => {}),
    );
    expect(rolledBack).toEqual([]);
  });

  it('leave the requester and organization out of internal notes', async () => {
    const org = await makeOrganization(database.db, { membersSeeEachOther: true });
    const customer = await makeUser(database.db, { organizationId: org.id });
    const id = await insertBareTicket(database, world, 'Notas', customer, 'sistemas');
    const dept = departmentKey(world.dept('sistemas').id);
    // Keyed on the department here: internal notes name no customer key to filter on.
    const seen = await payloadsDuring(dept, async () => {
      await database.db.insert(articles).values({ ticketId: id, kind: 'internal_note', body: 'Solo staff' });
      await database.db.insert(articles).values({ ticketId: id, kind: 'public_reply', body: 'Hola' });
    });
    expect(seen.map((p) => new Set(p))).toEqual([
      new Set([dept]),
      new Set([dept, requesterKey(customer.id), organizationKey(org.id)]),
    ]);
  });

  it('say "*" (everyone) when a statement touches more keys than a payload holds', async () => {
    const orgs = await Promise.all(Array.from({ length: 210 }, () => makeOrganization(database.db)));
    const rows = orgs.map((o, i) => ({
      subject: `Masivo ${i}`,
      description: 'd',
      organizationId: o.id,
      requesterName: 'x',
      channel: 'web' as const,
      departmentId: world.dept('redes').id,
      severity: 'low' as const,
      urgency: 'low' as const,
      priority: 'P4' as const,
      status: 'new' as const,
    }));
    const seen = await payloadsDuring(organizationKey(orgs[0]!.id), () => database.db.insert(tickets).values(rows));
    expect(seen).toEqual([['*']]);
  });
});

describe('the poke matcher', () => {
  it('agrees with ticketScope for every kind of user', async () => {
    // Tickets with every kind of key: an owner, a sharing and a private organization, several departments.
    const owned = await insertBareTicket(database, world, 'Con dueño', world.users.outsider, 'redes');
    await database.db.update(tickets).set({ ownerId: world.users.technician.id }).where(eq(tickets.id, owned));
    await database.db
      .update(tickets)
      .set({ ownerId: world.users.agent.id })
      .where(eq(tickets.id, await insertBareTicket(database, world, 'Del agente', world.users.peer, 'facturacion')));
    await insertBareTicket(database, world, 'Colega', world.users.colleague, 'sistemas');
    const all = await database.db.select().from(tickets);
    expect(all.length).toBeGreaterThan(10);
    for (const [who, actor] of Object.entries(world.actors)) {
      const visible = await database.db
        .select({ id: tickets.id })
        .from(tickets)
        .where(
          and(
            ticketScope(actor),
            inArray(
              tickets.id,
              all.map((t) => t.id),
            ),
          ),
        );
      const reached = all.filter((t) => {
        const keys = new Set(
          [
            departmentKey(t.departmentId),
            t.ownerId && ownerKey(t.ownerId),
            t.requesterId && requesterKey(t.requesterId),
            t.organizationId && organizationKey(t.organizationId),
          ].filter((k): k is string => !!k),
        );
        return pokeReaches(scopeKeys(actor), keys);
      });
      expect(reached.map((t) => t.id).sort(), who).toEqual(visible.map((t) => t.id).sort());
    }
  });
});
