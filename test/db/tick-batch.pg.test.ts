import type { Database } from '@mesa/api/db/client';
import { outbox, sessions, ticketHistory, tickets } from '@mesa/api/db/schema';
import { createReference } from '@mesa/api/services/reference-service';
import { createSession, loadActor } from '@mesa/api/services/session-service';
import { createTicket } from '@mesa/api/services/ticket-create';
import { insertTicket } from '@mesa/api/services/ticket-insert';
import { and, count, eq, inArray, sql } from 'drizzle-orm';
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

describe('concurrent calls sharing one statement', () => {
  it('gives each create its own ticket, history and outbox row', async () => {
    const reference = createReference(database.db, 0);
    const [before] = await database.db.select({ n: count() }).from(outbox);
    const created = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        createTicket(database.db, reference, world.actors.customer, {
          departmentId: world.dept('sistemas').id,
          subject: `Impresora ${i}`,
          description: 'No imprime',
          severity: 'low',
          urgency: 'low',
          cc: [],
        }),
      ),
    );
    // Every caller got back the ticket it asked for, not a neighbour's.
    expect(created.map((t) => t.subject)).toEqual(Array.from({ length: 40 }, (_, i) => `Impresora ${i}`));
    expect(new Set(created.map((t) => t.number)).size).toBe(40);
    const [after] = await database.db.select({ n: count() }).from(outbox);
    expect(Number(after?.n) - Number(before?.n)).toBe(40);
    const [history] = await database.db
      .select({ n: count() })
      .from(ticketHistory)
      .where(
        and(
          eq(ticketHistory.field, 'created'),
          inArray(
            ticketHistory.ticketId,
            created.map((t) => t.id),
          ),
        ),
      );
    expect(history?.n).toBe(40);
    // They really shared statements: rows written by one statement share its transaction id.
    const [xids] = await database.db
      .select({ n: sql<number>`count(distinct ${tickets.changeXid}::text)::int` })
      .from(tickets)
      .where(
        inArray(
          tickets.id,
          created.map((t) => t.id),
        ),
      );
    // Each request's other reads take their own time, so not all forty meet in one turn, but they share.
    expect(xids?.n).toBeGreaterThanOrEqual(1);
    expect(xids?.n).toBeLessThan(40);
  });

  it('fails only the bad row when one row of a batch breaks a constraint', async () => {
    const now = new Date();
    const values = (subject: string, requesterId: string) => ({
      requesterId,
      organizationId: null,
      requesterName: 'x',
      requesterOrganization: null,
      requesterLocation: null,
      requesterPhone: null,
      requesterEmail: null,
      equipmentId: null,
      siteId: null,
      contractId: null,
      priority: 'P4' as const,
      firstResponseDueAt: now,
      resolutionDueAt: now,
      subject,
      description: 'd',
      channel: 'web' as const,
      departmentId: world.dept('sistemas').id,
      severity: 'low' as const,
      urgency: 'low' as const,
      status: 'new' as const,
      ownerId: null,
      cc: [],
      createdById: world.users.customer.id,
      createdAt: now,
      updatedAt: now,
      mailboxId: null,
      linkedTicketId: null,
    });
    const results = await Promise.allSettled([
      insertTicket(database.db, values('good 1', world.users.customer.id)),
      insertTicket(database.db, values('bad', '00000000-0000-4000-8000-000000000000')),
      insertTicket(database.db, values('good 2', world.users.customer.id)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const stored = await database.db
      .select({ subject: tickets.subject })
      .from(tickets)
      .where(inArray(tickets.subject, ['good 1', 'bad', 'good 2']));
    expect(stored.map((t) => t.subject).sort()).toEqual(['good 1', 'good 2']);
  });

  it('loads each session for its own token: valid, expired and unknown in one batch', async () => {
    const a = await createSession(database.db, world.users.customer.id, 1);
    const b = await createSession(database.db, world.users.agent.id, 1);
    const expired = await createSession(database.db, world.users.outsider.id, 1);
    await database.db
      .update(sessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(sessions.userId, world.users.outsider.id));
    const loaded = await Promise.all([
      loadActor(database.db, a.token),
      loadActor(database.db, 'not-a-token'),
      loadActor(database.db, b.token),
      loadActor(database.db, expired.token),
      loadActor(database.db, a.token),
    ]);
    expect(loaded.map((x) => x?.email ?? null)).toEqual(['ana@acme.test', null, 'agent@t.test', null, 'ana@acme.test']);
  });
});
