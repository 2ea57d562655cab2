import type { Database } from '@mesa/api/db/client';
import { createReference } from '@mesa/api/services/reference-service';
import { updateTicket } from '@mesa/api/services/ticket-commands';
import { createTicket } from '@mesa/api/services/ticket-create';
import { findTicketNumbers, formatTicketNumber, parseTicketNumber } from '@mesa/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../support/db';
import { buildWorld, type World } from '../support/world';

let database: Database;
let world: World;
beforeAll(async () => {
  database = await openTestDatabase();
  world = await buildWorld(database);
});
afterAll(() => database.close());

const input = (w: World) => ({
  departmentId: w.dept('sistemas').id,
  subject: 'Servidor caído',
  description: 'No responde',
  severity: 'critical' as const,
  urgency: 'high' as const,
  cc: [],
});

describe('ticket numbers from the database', () => {
  it('match the core format, stay unique under concurrency and grow past six digits', async () => {
    const reference = createReference(database.db, 0);
    const created = await Promise.all(
      Array.from({ length: 20 }, () => createTicket(database.db, reference, world.actors.customer, input(world))),
    );
    const numbers = created.map((t) => t.number);
    expect(numbers).toHaveLength(20);
    expect(new Set(numbers).size).toBe(20);
    // Every number survives a parse and format round trip unchanged (and matches the format).
    expect(numbers.map((n) => formatTicketNumber(parseTicketNumber(n) ?? -1))).toEqual(numbers);
    expect(numbers.filter((n) => /^T-\d{6,}$/.test(n))).toEqual(numbers);

    await database.db.execute(sql`select setval('ticket_number_seq', 999999, false)`);
    const a = await createTicket(database.db, reference, world.actors.customer, input(world));
    const b = await createTicket(database.db, reference, world.actors.customer, input(world));
    expect([a.number, b.number]).toEqual(['T-999999', 'T-1000000']);
    expect(b.number).toBe(formatTicketNumber(1_000_000));
    expect(findTicketNumbers(`Re: [${b.number}] Servidor caído`)).toEqual([b.number]);
  });

  it('lets exactly one of two concurrent edits of the same version win', async () => {
    const reference = createReference(database.db, 0);
    const t = await createTicket(database.db, reference, world.actors.customer, input(world));
    const edit = (subject: string) =>
      updateTicket(database.db, reference, world.actors.supervisor, t.number, { version: t.version, subject });
    const results = await Promise.allSettled([edit('Primero'), edit('Segundo')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ code: 'VERSION_CONFLICT' });
  });
});
