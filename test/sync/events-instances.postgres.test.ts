import { type Database, postgresDatabase } from '@mesa/api/db/client';
import { createLogger } from '@mesa/api/logger';
import { POKE_CHANNEL, pokeHub } from '@mesa/api/sync/pokes/hub';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { clientsFor, testApp } from '../support/api';
import { openTestDatabase, type TestDatabase } from '../support/db';
import { type EventStream, openEvents, sessionCookie } from '../support/sse';
import { openTicket } from '../support/tickets';
import { buildWorld, type World } from '../support/world';

// Two API instances on one Postgres, each with its own pool and LISTEN connection: only a Postgres
// server has them. The `postgres` project runs this file on the Postgres leg, where it never skips.
const server = inject('pgServer');
if (!server) throw new Error('*.postgres.test.ts needs DATABASE_URL (a Postgres server)');

const log = createLogger('silent');
let first: TestDatabase;
let second: Database;
let world: World;
let appA: ReturnType<typeof testApp>;
let appB: ReturnType<typeof testApp>;
const open: EventStream[] = [];

beforeAll(async () => {
  first = await openTestDatabase();
  world = await buildWorld(first);
  if (!first.url) throw new Error('a Postgres test database has a url');
  second = postgresDatabase(first.url, 4);
  appA = testApp(first);
  appB = testApp(second);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await pokeHub(second, log).close();
  await second.close();
  await first.close();
});

async function streamOn(app: typeof appB, email: string): Promise<EventStream> {
  const s = await openEvents(app, await sessionCookie(app, email));
  open.push(s);
  expect(s.status).toBe(200);
  await s.nextNamed('poke');
  return s;
}

const pokes = (events: Array<{ name: string }>) => events.filter((e) => e.name === 'poke').length;

/** Backends of this database holding a LISTEN on the poke channel. */
const listeners = async () =>
  first.db
    .select({ pid: sql<number>`pid` })
    .from(sql`pg_stat_activity`)
    .where(sql`datname = current_database() and query ilike ${`listen%${POKE_CHANNEL}%`}`);

describe('pokes across API instances', () => {
  it('a write through instance A pokes the subscribers of instance B whose scope it touched', async () => {
    const agent = await streamOn(appB, 'agent@t.test');
    const other = await streamOn(appB, 'agent2@t.test');
    const as = await clientsFor(appA, { customer: 'ana@acme.test' });
    await openTicket(as.customer, world); // Sistemas: the first agent's queue
    await agent.nextNamed('poke');
    expect(pokes(await other.quiet(300))).toBe(0);
    // Instance A holds no LISTEN: nobody streams from it.
    expect(pokeHub(first, log).size).toBe(0);
  });

  it('pokes every subscriber after its LISTEN connection was lost and came back', async () => {
    const agent = await streamOn(appB, 'agent@t.test');
    const other = await streamOn(appB, 'agent2@t.test');
    const [held] = await listeners();
    expect(held).toBeDefined();
    await first.db.execute(sql`select pg_terminate_backend(${held!.pid})`);
    // No commit at all, yet both pull: what was committed while the connection was down was not announced.
    await agent.nextNamed('poke', 15_000);
    await other.nextNamed('poke', 15_000);
    const [again] = await listeners();
    expect(again?.pid).not.toBe(held!.pid);

    // And it listens for real again.
    const as = await clientsFor(appA, { customer: 'ana@acme.test' });
    await openTicket(as.customer, world, { departmentId: world.dept('facturacion').id });
    await other.nextNamed('poke');
    expect(pokes(await agent.quiet(300))).toBe(0);
  });
});
