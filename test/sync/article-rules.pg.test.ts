import { randomUUID } from 'node:crypto';
import type { Database } from '@mesa/api/db/client';
import { articles, tickets } from '@mesa/api/db/schema';
import type { Actor } from '@mesa/api/http/context';
import { createReference } from '@mesa/api/services/reference-service';
import { toArticle, toTicket } from '@mesa/api/services/ticket-dto';
import { applyOnServer } from '@mesa/api/sync/server-mutators';
import {
  AppError,
  type ArticleKind,
  applyMutation,
  type LocalState,
  type MutatorName,
  parseMutation,
} from '@mesa/core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../support/db';
import { insertBareTicket } from '../support/tickets';
import { buildWorld, type World } from '../support/world';

/**
 * The rules of writing on a conversation (core's assertMayWriteArticle / assertMayAttachTo) run on the
 * device (applyMutation) and on the server (applyOnServer). Over every role × note kind × staff field,
 * and every role × kind of article a file goes on, both must accept or refuse alike, with the same code
 * and fields: a note the device accepts and the server refuses would be lost from the user's view.
 */
let database: Database;
let w: World;
let ticketId: string;
const articleOf = new Map<ArticleKind, string>();

/** The device's copy of the ticket and its conversation, as a full pull would give it. */
async function localState(): Promise<LocalState> {
  const [t] = await database.db.select().from(tickets).where(eq(tickets.id, ticketId));
  const rows = await database.db.select().from(articles).where(eq(articles.ticketId, ticketId));
  return {
    tickets: new Map([[ticketId, toTicket(t!)]]),
    articles: new Map(rows.map((a) => [a.id, toArticle(a, null)])),
    attachments: new Map(),
  };
}

const outcome = (e: unknown): string => {
  if (!(e instanceof AppError)) throw e;
  const fields = (e.details as { fields?: string[] } | undefined)?.fields;
  return fields ? `${e.code} ${fields.join(',')}` : e.code;
};

/** What the device and the server each answer to one mutation (the server's runs after the device's). */
async function both(actor: Actor, name: MutatorName, args: Record<string, unknown>) {
  // The ticket waits on staff work each time, so a note's next state is a real move.
  await database.db.update(tickets).set({ status: 'in_progress' }).where(eq(tickets.id, ticketId));
  const m = parseMutation(name, args);
  const state = await localState();
  const device = await Promise.resolve()
    .then(() => applyMutation(state, m, { id: actor.id, role: actor.role, name: actor.name }, new Date()))
    .then(() => 'ok', outcome);
  const server = await applyOnServer(database.db, createReference(database.db), actor, m).then(() => 'ok', outcome);
  return { device, server };
}

beforeAll(async () => {
  database = await openTestDatabase();
  w = await buildWorld(database);
  ticketId = await insertBareTicket(database, w, 'Reglas', w.users.customer, 'sistemas');
  // Owned by the technician: the admin, the agent (department), the technician and the customer all see it.
  await database.db.update(tickets).set({ ownerId: w.users.technician.id }).where(eq(tickets.id, ticketId));
  for (const kind of ['public_reply', 'internal_note', 'email_in'] as const) {
    const [a] = await database.db
      .insert(articles)
      .values({ ticketId, kind, authorId: w.users.agent.id, body: kind })
      .returning({ id: articles.id });
    articleOf.set(kind, a!.id);
  }
});

afterAll(async () => {
  await database.close();
});

const roles = ['admin', 'agent', 'technician', 'customer'] as const;

describe('the conversation-writing rules', () => {
  it('answer alike on the device and the server for every note', async () => {
    const seen = new Set<string>();
    let compared = 0;
    for (const who of roles)
      for (const kind of ['public_reply', 'internal_note'] as const)
        for (const extra of [
          {},
          { nextStatus: 'attended' },
          { realProblem: 'Fuente' },
          { realSolution: 'Cambio' },
          { timeSpentMinutes: 45 },
        ]) {
          const r = await both(w.actors[who], 'addNote@1', {
            id: randomUUID(),
            ticketId,
            kind,
            body: `Nota ${who}`,
            ...extra,
          });
          expect(r.device, `${who} × ${kind} × ${JSON.stringify(extra)}`).toBe(r.server);
          seen.add(r.server);
          compared++;
        }
    expect(compared).toBe(40);
    // Acceptance and every refusal occurred: the matrix crosses each of the rule's edges.
    expect([...seen].sort()).toEqual([
      'FORBIDDEN kind',
      'FORBIDDEN nextStatus',
      'FORBIDDEN nextStatus,kind',
      'FORBIDDEN realProblem',
      'FORBIDDEN realProblem,kind',
      'FORBIDDEN realSolution',
      'FORBIDDEN realSolution,kind',
      'FORBIDDEN timeSpentMinutes',
      'FORBIDDEN timeSpentMinutes,kind',
      'ok',
    ]);
  });

  it('answer alike on the device and the server for every file, on every kind of article or none', async () => {
    const seen = new Set<string>();
    let compared = 0;
    for (const who of roles)
      for (const kind of ['public_reply', 'internal_note', 'email_in', null] as const) {
        const r = await both(w.actors[who], 'addAttachment@1', {
          id: randomUUID(),
          ticketId,
          ...(kind ? { articleId: articleOf.get(kind) } : {}),
          filename: 'foto.jpg',
          contentType: 'image/jpeg',
          size: 10,
          sha256: 'a'.repeat(64),
        });
        expect(r.device, `${who} × ${kind}`).toBe(r.server);
        seen.add(`${w.actors[who].role} ${kind} ${r.server}`);
        compared++;
      }
    expect(compared).toBe(16);
    expect(seen.has('customer internal_note FORBIDDEN')).toBe(true);
    expect(seen.has('customer public_reply ok')).toBe(true);
    expect(seen.has('technician internal_note ok')).toBe(true);
  });
});
