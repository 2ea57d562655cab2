import type { Database } from '@mesa/api/db/client';
import { articles, attachments, tickets } from '@mesa/api/db/schema';
import type { Actor } from '@mesa/api/http/context';
import { decodeCookie, encodeCookie, type PullResult, pullChanges } from '@mesa/api/sync/change-log';
import { ErrorCode, errorStatus, isAppError } from '@mesa/core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../support/db';
import { insertBareTicket } from '../support/tickets';
import { buildWorld, type World } from '../support/world';

// The out-of-order commit case needs two real connections: out-of-order-commits.postgres.test.ts.

let database: Database;
let world: World;
/** Ticket ids by name. */
const t: Record<'acme' | 'globex' | 'pat', string> = { acme: '', globex: '', pat: '' };
const a: Record<'reply' | 'note', string> = { reply: '', note: '' };
const f: Record<'loose' | 'onReply' | 'onNote', string> = { loose: '', onReply: '', onNote: '' };

const makeTicket = (subject: string, requester: { id: string; organizationId: string | null }, dept: string) =>
  insertBareTicket(database, world, subject, requester, dept);

async function makeAttachment(ticketId: string, articleId: string | null, filename: string) {
  const [row] = await database.db
    .insert(attachments)
    .values({ ticketId, articleId, filename, contentType: 'text/plain', size: 1, sha256: 'x' })
    .returning({ id: attachments.id });
  return row!.id;
}

const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();
const sorted = (...xs: string[]) => [...xs].sort();

async function expectReset(pull: Promise<unknown>) {
  const error = await pull.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isAppError(error) && error.code).toBe(ErrorCode.SYNC_RESET_REQUIRED);
  expect(isAppError(error) && errorStatus[error.code]).toBe(410);
}

/** Follows `more` to the end; returns every page's rows together and the last cookie. */
async function pullAll(actor: Actor, cookie: string | null, limit = 500) {
  const pages: PullResult[] = [];
  let next = cookie;
  do {
    const page = await pullChanges(database.db, actor, next, limit);
    pages.push(page);
    next = page.cookie;
  } while (pages.at(-1)!.more && pages.length < 100);
  return {
    pages,
    cookie: next as string,
    tickets: pages.flatMap((p) => p.tickets),
    articles: pages.flatMap((p) => p.articles),
    attachments: pages.flatMap((p) => p.attachments),
    deletedTicketIds: pages.flatMap((p) => p.deletedTicketIds),
  };
}

beforeAll(async () => {
  database = await openTestDatabase();
  world = await buildWorld(database);
  const { users } = world;
  t.acme = await makeTicket('Acme printer', users.customer, 'sistemas');
  t.globex = await makeTicket('Globex invoice', users.outsider, 'facturacion');
  t.pat = await makeTicket('Pat laptop', users.peer, 'sistemas');
  const [reply, note] = await database.db
    .insert(articles)
    .values([
      { ticketId: t.acme, kind: 'public_reply', authorId: users.agent.id, body: 'Vamos para allá' },
      { ticketId: t.acme, kind: 'internal_note', authorId: users.agent.id, body: 'Cliente difícil' },
    ])
    .returning({ id: articles.id });
  a.reply = reply!.id;
  a.note = note!.id;
  f.loose = await makeAttachment(t.acme, null, 'photo.jpg');
  f.onReply = await makeAttachment(t.acme, a.reply, 'manual.pdf');
  f.onNote = await makeAttachment(t.acme, a.note, 'notes.txt');
});
afterAll(() => database.close());

describe('a full pull', () => {
  it('returns exactly what each actor may see, internal notes hidden from customers', async () => {
    const { actors } = world;
    const pull = (actor: Actor) => pullChanges(database.db, actor, null);

    const ana = await pull(actors.customer);
    expect(ana.reset).toBe(true);
    expect(ana.more).toBe(false);
    expect(ids(ana.tickets)).toEqual([t.acme]);
    expect(ids(ana.articles)).toEqual([a.reply]);
    expect(ids(ana.attachments)).toEqual(sorted(f.loose, f.onReply));
    expect(ana.deletedTicketIds).toEqual([]);

    // Same organization, which shares tickets.
    const bob = await pull(actors.colleague);
    expect(ids(bob.tickets)).toEqual([t.acme]);
    expect(ids(bob.articles)).toEqual([a.reply]);

    // Globex does not share: Eve sees her own ticket, not Pat's.
    const eve = await pull(actors.outsider);
    expect(ids(eve.tickets)).toEqual([t.globex]);
    expect(eve.articles).toEqual([]);
    expect(eve.attachments).toEqual([]);

    const agent = await pull(actors.agent);
    expect(ids(agent.tickets)).toEqual(sorted(t.acme, t.pat));
    expect(ids(agent.articles)).toEqual(sorted(a.reply, a.note));
    expect(ids(agent.attachments)).toEqual(sorted(f.loose, f.onReply, f.onNote));

    const otherAgent = await pull(actors.otherAgent);
    expect(ids(otherAgent.tickets)).toEqual([t.globex]);
    expect(otherAgent.articles).toEqual([]);

    const technician = await pull(actors.technician);
    expect(technician.tickets).toEqual([]);

    const admin = await pull(actors.admin);
    expect(ids(admin.tickets)).toEqual(sorted(t.acme, t.globex, t.pat));
    expect(ids(admin.articles)).toEqual(sorted(a.reply, a.note));
    expect(ids(admin.attachments)).toEqual(sorted(f.loose, f.onReply, f.onNote));
  });

  it('pages through everything and hands out a cookie that starts after it', async () => {
    const full = await pullChanges(database.db, world.actors.admin, null);
    const paged = await pullAll(world.actors.admin, null, 1);
    expect(paged.pages.length).toBeGreaterThan(2);
    expect(paged.pages.map((p) => p.reset)).toEqual([true, ...paged.pages.slice(1).map(() => false)]);
    expect(ids(paged.tickets)).toEqual(ids(full.tickets));
    expect(ids(paged.articles)).toEqual(ids(full.articles));
    expect(ids(paged.attachments)).toEqual(ids(full.attachments));
    const after = await pullChanges(database.db, world.actors.admin, paged.cookie);
    expect(after).toMatchObject({ reset: false, more: false, tickets: [], articles: [], attachments: [] });
  });
});

describe('an incremental pull', () => {
  it('returns what changed since the cookie and nothing else', async () => {
    const first = await pullChanges(database.db, world.actors.customer, null);
    const idle = await pullChanges(database.db, world.actors.customer, first.cookie);
    expect(idle).toMatchObject({ reset: false, more: false, tickets: [], articles: [], attachments: [] });

    await database.db.update(tickets).set({ subject: 'Acme printer (again)' }).where(eq(tickets.id, t.acme));
    const changed = await pullChanges(database.db, world.actors.customer, idle.cookie);
    expect(changed.reset).toBe(false);
    expect(changed.tickets.map((r) => [r.id, r.subject])).toEqual([[t.acme, 'Acme printer (again)']]);
    expect(changed.articles).toEqual([]);
    expect(changed.attachments).toEqual([]);

    // A new internal note and its attachment reach the agent, never the customer.
    // (Each caller pulls with its own cookie: another user's cookie gets a full pull, see scopeHash.)
    const agentStart = await pullChanges(database.db, world.actors.agent, null);
    const [note] = await database.db
      .insert(articles)
      .values({ ticketId: t.acme, kind: 'internal_note', authorId: world.users.agent.id, body: 'Otra nota' })
      .returning({ id: articles.id });
    const [reply] = await database.db
      .insert(articles)
      .values({ ticketId: t.acme, kind: 'public_reply', authorId: world.users.agent.id, body: 'Listo' })
      .returning({ id: articles.id });
    const agentBefore = await pullChanges(database.db, world.actors.agent, agentStart.cookie);
    const customer = await pullChanges(database.db, world.actors.customer, changed.cookie);
    expect(ids(customer.articles)).toEqual([reply!.id]);
    expect(customer.tickets).toEqual([]);
    expect(ids(agentBefore.articles)).toEqual(sorted(note!.id, reply!.id));
    // The Pat ticket did not change since this cookie.
    expect(agentBefore.tickets).toEqual([]);
  });

  it('reports a deleted ticket once, and a full pull leaves it out', async () => {
    const before = await pullChanges(database.db, world.actors.agent, null);
    expect(ids(before.tickets)).toContain(t.pat);
    await database.db.update(tickets).set({ deletedAt: new Date() }).where(eq(tickets.id, t.pat));

    const changed = await pullChanges(database.db, world.actors.agent, before.cookie);
    expect(changed.deletedTicketIds).toEqual([t.pat]);
    expect(changed.tickets).toEqual([]);
    // Not the agent's business in another scope.
    const otherAgent = await pullChanges(database.db, world.actors.otherAgent, before.cookie);
    expect(otherAgent.deletedTicketIds).toEqual([]);

    const again = await pullChanges(database.db, world.actors.agent, changed.cookie);
    expect(again.deletedTicketIds).toEqual([]);
    const full = await pullChanges(database.db, world.actors.agent, null);
    expect(ids(full.tickets)).not.toContain(t.pat);
    expect(full.deletedTicketIds).toEqual([]);
  });

  it('pages an incremental pull and does not lose a write made between its pages', async () => {
    const start = await pullChanges(database.db, world.actors.admin, null);
    const extra = await Promise.all(
      [1, 2, 3].map((i) => makeTicket(`Batch ${i}`, world.users.outsider, 'facturacion')),
    );
    const page1 = await pullChanges(database.db, world.actors.admin, start.cookie, 2);
    expect(page1.more).toBe(true);
    expect(page1.reset).toBe(false);
    // Written after page 1 was read: it must reach the client, on a later page or the next pull.
    await database.db.update(tickets).set({ subject: 'Acme printer (third)' }).where(eq(tickets.id, t.acme));
    const rest = await pullAll(world.actors.admin, page1.cookie, 2);
    const next = await pullChanges(database.db, world.actors.admin, rest.cookie);
    const seen = [...page1.tickets, ...rest.tickets, ...next.tickets];
    expect([...new Set(ids(seen))].sort()).toEqual(sorted(...extra, t.acme));
    expect(seen.filter((r) => r.id === t.acme).at(-1)?.subject).toBe('Acme printer (third)');
    const idle = await pullChanges(database.db, world.actors.admin, next.cookie);
    expect(idle.tickets).toEqual([]);
  });
});

describe('cookies', () => {
  it('round-trips a cookie', () => {
    const cookie = { s: '10:20:12,15', t: 1, p: { s: '20:22:', t: 2, tickets: ['19', crypto.randomUUID()] } };
    expect(decodeCookie(encodeCookie(cookie as never))).toEqual(cookie);
  });

  it.each([
    ['not base64 json', 'garbage!!'],
    ['not a snapshot', encodeCookie({ s: "1:2:'; drop table tickets; --", t: Date.now() })],
    ['xip outside the snapshot', encodeCookie({ s: '10:20:25', t: Date.now() })],
    ['no time', Buffer.from(JSON.stringify({ s: '10:20:' })).toString('base64url')],
    [
      'bad position',
      encodeCookie({ s: '10:20:', t: Date.now(), p: { s: '10:20:', t: 0, tickets: ['x', 'y'] } } as never),
    ],
  ])('answers an unreadable cookie (%s) with SYNC_RESET_REQUIRED', async (_why, cookie) => {
    expect(decodeCookie(cookie)).toBeNull();
    await expectReset(pullChanges(database.db, world.actors.customer, cookie));
  });

  it('answers a cookie older than the tombstones with SYNC_RESET_REQUIRED', async () => {
    const fresh = await pullChanges(database.db, world.actors.customer, null);
    const { s } = decodeCookie(fresh.cookie)!;
    const old = encodeCookie({ s, t: Date.now() - 91 * 24 * 60 * 60 * 1000 });
    await expectReset(pullChanges(database.db, world.actors.customer, old));
    // So is a later page of a full pull that began too long ago.
    const oldPage = encodeCookie({ s: null, p: { s: s as string, t: Date.now() - 91 * 24 * 60 * 60 * 1000 } });
    await expectReset(pullChanges(database.db, world.actors.customer, oldPage));
    // Just inside the window it still works.
    const recent = encodeCookie({ ...decodeCookie(fresh.cookie)!, t: Date.now() - 89 * 24 * 60 * 60 * 1000 });
    expect((await pullChanges(database.db, world.actors.customer, recent)).reset).toBe(false);
  });

  it('answers a snapshot from the future (another database) with SYNC_RESET_REQUIRED', async () => {
    const cookie = encodeCookie({ s: '9000000000:9000000000:', t: Date.now() });
    await expectReset(pullChanges(database.db, world.actors.customer, cookie));
  });
});
