import { pullChanges } from '@mesa/api/sync/change-log';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../support/db';
import { insertBareTicket } from '../support/tickets';
import { buildWorld, type World } from '../support/world';

// Two real sessions committing out of order: only a Postgres server has them. The `postgres`
// project runs this file on the Postgres leg, where it never skips.
const server = inject('pgServer');
if (!server) throw new Error('*.postgres.test.ts needs DATABASE_URL (a Postgres server)');

let database: TestDatabase;
let world: World;
beforeAll(async () => {
  database = await openTestDatabase();
  world = await buildWorld(database);
});
afterAll(() => database.close());

describe('commits landing out of order', () => {
  it('never skips a transaction that started before a pull and committed after it', async () => {
    const url = database.url;
    if (!url) throw new Error('a Postgres test database has a url');
    const connA = postgres(url, { max: 1, onnotice: () => {} });
    const connB = postgres(url, { max: 1, onnotice: () => {} });
    const first = await insertBareTicket(database, world, 'First', world.users.customer, 'sistemas');
    try {
      const second = await insertBareTicket(database, world, 'Second', world.users.customer, 'sistemas');
      const start = await pullChanges(database.db, world.actors.admin, null);

      // A takes its transaction id first, then B writes and commits while A is still open.
      let commitA!: () => void;
      const release = new Promise<void>((resolve) => {
        commitA = resolve;
      });
      let updatedA!: () => void;
      const updated = new Promise<void>((resolve) => {
        updatedA = resolve;
      });
      const txA = connA.begin(async (tx) => {
        await tx`update tickets set subject = 'by A' where id = ${first}`;
        updatedA();
        await release;
      });
      await updated;
      await connB`update tickets set subject = 'by B' where id = ${second}`;

      const mid = await pullChanges(database.db, world.actors.admin, start.cookie);
      expect(mid.tickets.map((r) => [r.id, r.subject])).toEqual([[second, 'by B']]);

      commitA();
      await txA;
      const late = await pullChanges(database.db, world.actors.admin, mid.cookie);
      // A's id is older than B's, which a "highest version seen" cursor would have skipped.
      expect(late.tickets.map((r) => [r.id, r.subject])).toEqual([[first, 'by A']]);
      expect(BigInt(late.tickets[0]!.changeXid)).toBeLessThan(BigInt(mid.tickets[0]!.changeXid));
      const idle = await pullChanges(database.db, world.actors.admin, late.cookie);
      expect(idle.tickets).toEqual([]);
    } finally {
      await Promise.all([connA.end({ timeout: 5 }), connB.end({ timeout: 5 })]);
    }
  });
});
