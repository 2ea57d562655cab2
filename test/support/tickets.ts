import type { Database } from '@mesa/api/db/client';
import { articles, outbox, ticketHistory, tickets, users } from '@mesa/api/db/schema';
import type { Ticket } from '@mesa/core';
import { and, eq, sql } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Client, Reply } from './api';
import type { World } from './world';

/** A valid create-ticket body in the Systems department; override any field. */
export const newTicket = (w: World, over: Record<string, unknown> = {}) => ({
  departmentId: w.dept('sistemas').id,
  subject: 'Impresora no imprime',
  description: 'Desde esta mañana la impresora del piso 3 no imprime.',
  severity: 'high',
  urgency: 'medium',
  ...over,
});

/** Opens a ticket through the API and fails loudly if it was refused. */
export async function openTicket(as: Client, w: World, over: Record<string, unknown> = {}): Promise<Ticket> {
  const r = await as.post<Ticket>('/api/tickets', newTicket(w, over));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

/** Asserts the one error shape `{ error: { code, message, details?, requestId } }` and returns the error. */
export function expectError(r: Reply<any>, status: number, code: string) {
  expect({ status: r.status, code: r.body?.error?.code }, JSON.stringify(r.body)).toEqual({ status, code });
  expect(Object.keys(r.body)).toEqual(['error']);
  const { details, ...rest } = r.body.error;
  expect(rest).toEqual({ code, message: expect.stringMatching(/\S/), requestId: expect.stringMatching(/\S/) });
  return { code, details } as { code: string; details: any };
}

/** Row counts of every table a ticket or account write touches: equal before and after means nothing was written. */
export async function writeCounts(database: Database) {
  const db = database.db;
  return {
    tickets: await db.$count(tickets),
    history: await db.$count(ticketHistory),
    articles: await db.$count(articles),
    outbox: await db.$count(outbox),
    users: await db.$count(users),
  };
}

/** Outbox rows of one kind, optionally only those about one ticket. */
export async function outboxRows(database: Database, kind: string, ticketId?: string) {
  return database.db
    .select()
    .from(outbox)
    .where(and(eq(outbox.kind, kind), ticketId ? sql`${outbox.payload}->>'ticketId' = ${ticketId}` : undefined))
    .orderBy(outbox.id);
}

/** The ticket's history as staff see it. */
export async function historyOf(as: Client, number: string): Promise<Array<Record<string, any>>> {
  const r = await as.get(`/api/tickets/${number}/history`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.items;
}

/** Every ticket number a client sees for a query, following cursors. */
export async function visibleNumbers(as: Client, query = ''): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | null = null;
  do {
    const qs = new URLSearchParams(query);
    qs.set('limit', '100');
    if (cursor) qs.set('cursor', cursor);
    const r = await as.get(`/api/tickets?${qs}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    out.push(...r.body.items.map((t: Ticket) => t.number));
    cursor = r.body.nextCursor;
  } while (cursor);
  return out;
}

/** A ticket row written straight to the database (no services, no outbox): for change-log tests. */
export async function insertBareTicket(
  database: Database,
  w: World,
  subject: string,
  requester: { id: string; organizationId: string | null },
  dept: string,
): Promise<string> {
  const [row] = await database.db
    .insert(tickets)
    .values({
      subject,
      description: 'd',
      requesterId: requester.id,
      organizationId: requester.organizationId,
      requesterName: subject,
      channel: 'web',
      departmentId: w.dept(dept).id,
      severity: 'low',
      urgency: 'low',
      priority: 'P4',
      status: 'new',
    })
    .returning({ id: tickets.id });
  return row!.id;
}
