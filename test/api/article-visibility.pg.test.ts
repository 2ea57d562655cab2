import type { Database } from '@mesa/api/db/client';
import { articles, outbox, tickets } from '@mesa/api/db/schema';
import { testEnv } from '@mesa/api/env';
import type { Actor } from '@mesa/api/http/context';
import { createLogger } from '@mesa/api/logger';
import { PermanentError, planner } from '@mesa/api/mail/outbox-plan';
import { storeAttachment } from '@mesa/api/services/blob-store';
import { enqueue } from '@mesa/api/services/outbox';
import { listArticles } from '@mesa/api/services/ticket-query';
import { pullChanges } from '@mesa/api/sync/change-log';
import { POKE_CHANNEL } from '@mesa/api/sync/pokes/hub';
import { organizationKey, requesterKey } from '@mesa/api/sync/pokes/scope-keys';
import { type ArticleKind, articleKinds, mayReadArticle, mayReadAttachment, seesTicket } from '@mesa/core';
import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../support/api';
import { openTestDatabase } from '../support/db';
import { loginCookie, request } from '../support/http';
import { insertBareTicket } from '../support/tickets';
import { buildWorld, type World } from '../support/world';

/**
 * "A customer may see this article" has one home (core's mayReadArticle / mayReadAttachment). Every
 * form of it — REST reads, the sync pull, attachment bytes, which articles mail may carry to customers,
 * and the NOTIFY trigger's customer keys — must answer as it does for every article kind.
 */
let database: Database;
let w: World;
let ticketId: string;
let ticketNumber: string;
const articleOf = new Map<ArticleKind, string>();
/** Each article kind's file, plus (under null) a file on no article. */
const fileOf = new Map<ArticleKind | null, string>();
const articlePayload = new Map<ArticleKind, string>();
const filePayload = new Map<ArticleKind | null, string>();
const payloads: string[] = [];
let stopListening: () => Promise<void>;
let app: ReturnType<typeof testApp>;
/** Session cookies of every user of the world, by world name. */
const cookies = new Map<string, string>();

async function payloadOf(write: () => Promise<unknown>): Promise<string> {
  const before = payloads.length;
  await write();
  const end = performance.now() + 10_000;
  while (payloads.length === before) {
    if (performance.now() > end) throw new Error('no notify in time');
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(payloads.length).toBe(before + 1);
  return payloads[before] as string;
}

/** Every user of the world who sees the ticket (by the scope rule): staff of each role and both customers. */
async function viewers(): Promise<Array<[string, Actor]>> {
  const [t] = await database.db.select().from(tickets).where(eq(tickets.id, ticketId));
  const keys = {
    departmentId: t!.departmentId,
    ownerId: t!.ownerId,
    requesterId: t!.requesterId,
    organizationId: t!.organizationId,
  };
  const seeing = Object.entries(w.actors).filter(([, a]) => seesTicket(a, keys));
  expect(seeing.map(([k]) => k).sort()).toEqual([
    'admin',
    'agent',
    'colleague',
    'customer',
    'supervisor',
    'technician',
  ]);
  return seeing;
}

beforeAll(async () => {
  database = await openTestDatabase();
  w = await buildWorld(database);
  app = testApp(database);
  for (const [who, actor] of Object.entries(w.actors)) cookies.set(who, (await loginCookie(app, actor.email)).cookie);
  stopListening = await database.listen(POKE_CHANNEL, { onPayload: (p) => payloads.push(p), onListen: () => {} });
  ticketId = await insertBareTicket(database, w, 'Visibilidad', w.users.customer, 'sistemas');
  // Owned by the technician, so every role has a viewer who sees the ticket.
  await database.db.update(tickets).set({ ownerId: w.users.technician.id }).where(eq(tickets.id, ticketId));
  const [t] = await database.db.select({ number: tickets.number }).from(tickets).where(eq(tickets.id, ticketId));
  ticketNumber = t!.number;
  for (const kind of articleKinds) {
    articlePayload.set(
      kind,
      await payloadOf(async () => {
        const [a] = await database.db
          .insert(articles)
          .values({ ticketId, kind, authorId: w.users.agent.id, body: `Cuerpo ${kind}` })
          .returning({ id: articles.id });
        articleOf.set(kind, a!.id);
      }),
    );
  }
  for (const kind of [...articleKinds, null]) {
    filePayload.set(
      kind,
      await payloadOf(async () => {
        const id = await storeAttachment(database.db, {
          ticketId,
          articleId: kind === null ? null : (articleOf.get(kind) as string),
          filename: `${kind ?? 'ticket'}.txt`,
          contentType: 'text/plain',
          content: Buffer.from(`archivo ${kind ?? 'ticket'}`),
          uploadedById: w.users.agent.id,
        });
        fileOf.set(kind, id);
      }),
    );
  }
});

afterAll(async () => {
  await stopListening();
  await database.close();
});

describe('the customer-visible article rule', () => {
  it('is what GET …/articles lists, for every viewer who sees the ticket', async () => {
    let compared = 0;
    for (const [who, actor] of await viewers()) {
      const listed = (await listArticles(database.db, actor, ticketNumber)).map((a) => a.kind).sort();
      expect(listed, who).toEqual(articleKinds.filter((k) => mayReadArticle(actor.role, k)).sort());
      compared++;
    }
    expect(compared).toBe(6);
  });

  it('is what a pull sends, articles and files, for every viewer who sees the ticket', async () => {
    let compared = 0;
    for (const [who, actor] of await viewers()) {
      const pulled = await pullChanges(database.db, actor, null, 1000);
      expect(
        pulled.articles
          .filter((a) => a.ticketId === ticketId)
          .map((a) => a.kind)
          .sort(),
        who,
      ).toEqual(articleKinds.filter((k) => mayReadArticle(actor.role, k)).sort());
      const files = new Set(pulled.attachments.map((f) => f.id));
      for (const [kind, id] of fileOf) {
        expect(files.has(id), `${who} × file of ${kind}`).toBe(mayReadAttachment(actor.role, kind));
        compared++;
      }
    }
    expect(compared).toBe(6 * 5);
  });

  it('is what GET /api/attachments/{id} serves, for every viewer who sees the ticket', async () => {
    let compared = 0;
    for (const [who, actor] of await viewers()) {
      for (const [kind, id] of fileOf) {
        const r = await request(app, 'GET', `/api/attachments/${id}`, { cookie: cookies.get(who) as string });
        expect(
          { status: r.status, body: r.status === 200 ? r.body : r.body.error.code },
          `${who} × file of ${kind}`,
        ).toEqual(
          mayReadAttachment(actor.role, kind)
            ? { status: 200, body: `archivo ${kind ?? 'ticket'}` }
            : { status: 404, body: 'NOT_FOUND' },
        );
        compared++;
      }
    }
    expect(compared).toBe(6 * 5);
  });

  it('is which articles the triggers poke the customers for', async () => {
    const customerKeys = [requesterKey(w.users.customer.id), organizationKey(w.organizations.sharing.id)];
    for (const kind of articleKinds) {
      const keys = (articlePayload.get(kind) as string).split(' ');
      expect(
        customerKeys.map((k) => keys.includes(k)),
        kind,
      ).toEqual(customerKeys.map(() => mayReadArticle('customer', kind)));
    }
    for (const [kind, payload] of filePayload) {
      const keys = payload.split(' ');
      expect(
        customerKeys.map((k) => keys.includes(k)),
        `file of ${kind}`,
      ).toEqual(customerKeys.map(() => mayReadAttachment('customer', kind)));
    }
    expect(filePayload.size).toBe(articleKinds.length + 1);
  });
});

describe('security', () => {
  it('mail to customers carries only articles a customer may see', async () => {
    const plan = planner({
      db: database.db,
      env: testEnv(),
      log: createLogger('silent'),
      publicUrl: 'http://mesa.test',
    });
    let compared = 0;
    for (const kind of articleKinds) {
      const articleId = articleOf.get(kind) as string;
      await enqueue(database.db, 'ticket_public_update', { ticketId, articleId });
      const [row] = await database.db.select().from(outbox).orderBy(desc(outbox.id)).limit(1);
      const planned = await plan(row!).then(
        (mails) => mails.map((m) => ({ to: m.to, carries: m.content.text.includes(`Cuerpo ${kind}`) })),
        (e: unknown) => (e instanceof PermanentError ? 'refused' : e),
      );
      expect(planned, kind).toEqual(
        mayReadArticle('customer', kind) ? [{ to: ['ana@acme.test'], carries: true }] : 'refused',
      );
      compared++;
    }
    expect(compared).toBe(4);
  });
});
