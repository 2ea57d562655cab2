import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, postgresDatabase } from '@mesa/api/db/client';
import { makeUser } from '@mesa/api/db/factories';
import { blobs, mailMessages, mailSuppressions, outbox, tickets } from '@mesa/api/db/schema';
import { testEnv } from '@mesa/api/env';
import type { Actor } from '@mesa/api/http/context';
import { createLogger } from '@mesa/api/logger';
import { type OutboxWorker, startOutboxWorker } from '@mesa/api/mail/outbox-worker';
import { createTransport, type MailTransport } from '@mesa/api/mail/transport';
import type { MailDeps } from '@mesa/api/mail/types';
import { afterResponseSettled } from '@mesa/api/services/after-response';
import { forgotPassword } from '@mesa/api/services/auth-service';
import { enqueue } from '@mesa/api/services/outbox';
import { createReference, type Reference } from '@mesa/api/services/reference-service';
import { actorFor } from '@mesa/api/services/session-service';
import { addArticle } from '@mesa/api/services/ticket-articles';
import { assignTicket, closeTicket } from '@mesa/api/services/ticket-commands';
import { createTicket } from '@mesa/api/services/ticket-create';
import type { Ticket } from '@mesa/core';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../support/db';
import { type SmtpSink, type SunkMail, startSmtpSink } from '../support/smtp-sink';
import { buildWorld, type World } from '../support/world';

const log = createLogger('silent');
/** Asks for a reset link as the route does, and waits for the mail work it defers past the answer. */
const askReset = async (email: string) => {
  await forgotPassword({ db: database.db, log, publicUrl: 'http://mesa.test', address: null }, email);
  await afterResponseSettled();
};
const OUR_ID = /^<mesa\.(T-\d{6})\.[a-z0-9]+@mesa\.test>$/;

let database: TestDatabase;
let world: World;
let reference: Reference;
let sink: SmtpSink;
let deps: MailDeps;
let transport: MailTransport;
let worker: OutboxWorker;
let agent: Actor;
let seq = 0;

beforeAll(async () => {
  database = await openTestDatabase();
  world = await buildWorld(database);
  reference = createReference(database.db, 0);
  sink = await startSmtpSink();
  const env = testEnv({ SMTP_URL: sink.url });
  deps = { db: database.db, env, log, publicUrl: 'http://mesa.test' };
  transport = createTransport(env, log);
  // Polling is effectively off: tests drive rounds with runOnce.
  worker = startOutboxWorker(deps, { transport, intervalMs: 3_600_000 });
  agent = world.actors.agent;
});

afterAll(async () => {
  await worker?.stop();
  transport?.close();
  await sink?.close();
  await database?.close();
});

/** A second connection pool to the same test database (Postgres only; PGlite has one connection). */
async function secondHandle(): Promise<Database | null> {
  return database.url ? postgresDatabase(database.url, 4) : null;
}

/** Runs rounds until nothing due is left; returns the rows handled. */
async function drain(w: OutboxWorker = worker): Promise<number> {
  let total = 0;
  for (let n = await w.runOnce(); n > 0; n = await w.runOnce()) total += n;
  return total;
}

beforeEach(async () => {
  await drain();
  sink.clear();
  // Each test starts with fresh caps: what earlier tests sent happened "two days ago".
  await database.db.execute(sql`update mail_messages set created_at = created_at - interval '2 days'`);
});

async function customer(language: 'es' | 'en' = 'es', name = `Cliente ${++seq}`) {
  const user = await makeUser(database.db, { email: `c${seq}-${Date.now().toString(36)}@acme.test`, name, language });
  return { user, actor: await actorFor(database.db, user.id) };
}

const open = (actor: Actor, over: { subject?: string; cc?: string[] } = {}): Promise<Ticket> =>
  createTicket(database.db, reference, actor, {
    departmentId: world.dept('sistemas').id,
    subject: over.subject ?? 'Impresora no imprime',
    description: 'Desde esta mañana la impresora del piso 3 no imprime.',
    severity: 'high',
    urgency: 'medium',
    cc: over.cc ?? [],
  });

const header = (m: SunkMail, name: string) => m.parsed.headers.get(name);
const to = (address: string) => (m: SunkMail) => m.envelope.to.includes(address);
const textOf = (m: SunkMail) => m.parsed.text ?? '';
const outRows = (ticketId: string) =>
  database.db
    .select()
    .from(mailMessages)
    .where(and(eq(mailMessages.ticketId, ticketId), eq(mailMessages.direction, 'out')))
    .orderBy(mailMessages.createdAt, mailMessages.id);
const rowsOf = (ticketId: string) =>
  database.db.select().from(outbox).where(sql`${outbox.payload}->>'ticketId' = ${ticketId}`).orderBy(outbox.id);

describe('acknowledgement and notice of a new ticket', () => {
  it('acknowledges the requester with auto-reply headers, our Message-ID, the subject tag and Reply-To the department', async () => {
    const c = await customer('es', 'Ana Pérez');
    const t = await open(c.actor, { subject: 'Impresora <rota> & "sin" tóner' });
    expect(await drain()).toBe(1);
    const mails = await sink.waitFor(2);
    expect(mails).toHaveLength(2);

    const ack = mails.find(to(c.user.email))!;
    expect(ack.envelope).toEqual({ from: 'soporte@mesa.test', to: [c.user.email] });
    expect(header(ack, 'auto-submitted')).toBe('auto-replied');
    expect(header(ack, 'x-auto-response-suppress')).toBe('All');
    expect(header(ack, 'precedence')).toBeUndefined();
    expect(header(ack, 'x-mesa-loop')).toBe('mesa.test');
    expect(ack.parsed.messageId).toMatch(OUR_ID);
    expect(OUR_ID.exec(ack.parsed.messageId!)?.[1]).toBe(t.number);
    expect(ack.parsed.subject).toBe(`[${t.number}] Impresora <rota> & "sin" tóner`);
    expect(ack.parsed.replyTo?.value[0]?.address).toBe('sistemas@mesa.test');
    expect(ack.parsed.from?.value[0]).toEqual({ address: 'soporte@mesa.test', name: 'Mesa de ayuda' });
    expect(textOf(ack)).toContain('Recibimos tu solicitud');
    expect(textOf(ack)).toContain(`http://mesa.test/tickets/${t.number}`);
    expect(textOf(ack)).toContain('responde a este correo');
    expect(textOf(ack).trimEnd().endsWith(`[mesa:${t.number}]`)).toBe(true);
    // User input is escaped in the HTML part.
    expect(ack.parsed.html).toContain('Impresora &lt;rota&gt; &amp; &quot;sin&quot; tóner');
    expect(ack.parsed.html).not.toContain('<rota>');

    const notice = mails.find(to('sistemas@mesa.test'))!;
    expect(notice.envelope.to).toEqual(['sistemas@mesa.test']);
    expect(header(notice, 'auto-submitted')).toBe('auto-generated');
    expect(header(notice, 'precedence')).toBe('bulk');
    expect(header(notice, 'x-auto-response-suppress')).toBe('All');
    expect(notice.parsed.subject).toContain(`[${t.number}] Nuevo ticket:`);
    expect(textOf(notice)).toContain('Ana Pérez');
    expect(textOf(notice)).toContain('P2');

    // Recorded as sent, with the raw message exactly as it went out.
    const rows = await outRows(t.id);
    expect(rows.map((r) => r.automated).sort()).toEqual(['ack', 'notification']);
    const ackRow = rows.find((r) => r.automated === 'ack')!;
    expect(`<${ackRow.messageId}>`).toBe(ack.parsed.messageId);
    expect(ackRow.toAddresses).toEqual([c.user.email]);
    const [blob] = await database.db.select().from(blobs).where(eq(blobs.sha256, ackRow.rawSha256!));
    expect(createHash('sha256').update(ack.raw).digest('hex')).toBe(ackRow.rawSha256);
    expect(Buffer.from(blob!.content).equals(ack.raw)).toBe(true);
    const [row] = await rowsOf(t.id);
    expect(row).toMatchObject({ kind: 'ticket_created', attempts: 1, lastError: null });
    expect(row!.doneAt).not.toBeNull();
  });

  it('sends only the notice when intake marked the ticket skipAck (an automated sender)', async () => {
    const c = await customer();
    const t = await open(c.actor);
    await database.db
      .update(outbox)
      .set({ payload: sql`${outbox.payload} || '{"skipAck": true}'::jsonb` })
      .where(sql`${outbox.payload}->>'ticketId' = ${t.id}`);
    await drain();
    expect(sink.messages.map((m) => m.envelope.to)).toEqual([['sistemas@mesa.test']]);
  });
});

describe('threading and languages', () => {
  it('relays a public reply to the requester and the CCs, threaded under the ticket chain', async () => {
    const c = await customer();
    const t = await open(c.actor, { cc: ['carol@acme.test'] });
    await drain();
    const [first, second] = await outRows(t.id);
    sink.clear();

    await addArticle(database.db, agent, t.number, {
      kind: 'public_reply',
      body: 'Reinicie la cola <b>de</b> impresión.',
    });
    await drain();
    const [m] = await sink.waitFor(1);
    expect(sink.messages).toHaveLength(1);
    expect(m!.envelope.to).toEqual([c.user.email, 'carol@acme.test']);
    expect(m!.parsed.to).toMatchObject({ value: [{ address: c.user.email }] });
    expect(m!.parsed.cc).toMatchObject({ value: [{ address: 'carol@acme.test' }] });
    expect(m!.parsed.inReplyTo).toBe(`<${second!.messageId}>`);
    expect(m!.parsed.references).toEqual([`<${first!.messageId}>`, `<${second!.messageId}>`]);
    // A person's words, relayed: not marked as machine mail.
    expect(header(m!, 'auto-submitted')).toBeUndefined();
    expect(header(m!, 'x-mesa-loop')).toBe('mesa.test');
    expect(textOf(m!)).toContain('Reinicie la cola <b>de</b> impresión.');
    expect(m!.parsed.html).toContain('Reinicie la cola &lt;b&gt;de&lt;/b&gt; impresión.');
    expect(m!.parsed.subject).toBe(`[${t.number}] Impresora no imprime`);
    const rows = await outRows(t.id);
    expect(rows.at(-1)).toMatchObject({ automated: null, toAddresses: [c.user.email, 'carol@acme.test'] });
  });

  it.each([
    ['es', 'Tiempo de atención: 2 h 15 min', 'Tiempo de resolución: 1 d 3 h', 'Valorar el servicio'],
    ['en', 'Attention time: 2 h 15 min', 'Resolution time: 1 d 3 h', 'Rate the service'],
  ] as const)(
    'closing mail in %s states attention and resolution times and links the rating',
    async (lang, attention, resolution, rate) => {
      const c = await customer(lang);
      const t = await open(c.actor, { cc: ['watcher@acme.test'] });
      await drain();
      sink.clear();
      const closed = await closeTicket(database.db, agent, t.number);
      // Backdate: opened 1 d 3 h before closing, first answered 2 h 15 min after opening.
      const end = new Date(closed.closedAt!);
      const start = new Date(end.getTime() - 27 * 60 * 60_000);
      await database.db
        .update(tickets)
        .set({ createdAt: start, firstResponseAt: new Date(start.getTime() + 135 * 60_000) })
        .where(eq(tickets.id, t.id));
      await drain();
      const [m] = await sink.waitFor(1);
      expect(m!.envelope.to).toEqual([c.user.email, 'watcher@acme.test']);
      expect(textOf(m!)).toContain(attention);
      expect(textOf(m!)).toContain(resolution);
      expect(textOf(m!)).toContain(`http://mesa.test/tickets/${t.number}?rate=1`);
      expect(m!.parsed.html).toContain(rate);
      expect(m!.parsed.html).toContain(`href="http://mesa.test/tickets/${t.number}?rate=1"`);
      expect(m!.parsed.subject).toBe(
        `[${t.number}] ${lang === 'es' ? 'Ticket cerrado' : 'Ticket closed'}: Impresora no imprime`,
      );
      expect(header(m!, 'auto-submitted')).toBe('auto-generated');
    },
  );

  it('tells the new owner about an assignment, and the owner about a customer reply', async () => {
    const c = await customer();
    const t = await open(c.actor);
    await drain();
    sink.clear();
    await assignTicket(database.db, agent, t.number, { ownerId: world.users.technician.id });
    await drain();
    const [assigned] = await sink.waitFor(1);
    expect(assigned!.envelope.to).toEqual(['tech@t.test']);
    expect(assigned!.parsed.subject).toContain('Ticket asignado');
    sink.clear();

    await addArticle(database.db, c.actor, t.number, { kind: 'public_reply', body: 'Sigue sin imprimir.' });
    await drain();
    const [replied] = await sink.waitFor(1);
    expect(replied!.envelope.to).toEqual(['tech@t.test']);
    expect(textOf(replied!)).toContain('Sigue sin imprimir.');
  });

  it('does not mail an agent who took the ticket themselves', async () => {
    const c = await customer();
    const t = await open(c.actor);
    await drain();
    sink.clear();
    await assignTicket(database.db, agent, t.number, { ownerId: agent.id });
    await drain();
    expect(sink.messages).toHaveLength(0);
    const [row] = (await rowsOf(t.id)).filter((r) => r.kind === 'ticket_assigned');
    expect(row!.doneAt).not.toBeNull();
    expect(row!.lastError).toMatch(/took the ticket themselves/);
  });

  it('answers a refused mail with a notice threaded under it', async () => {
    const c = await customer('en');
    await enqueue(database.db, 'mail_rejected', {
      to: c.user.email,
      reason: 'too_large',
      subject: 'Huge scan',
      maxBytes: 10 * 1024 * 1024,
      inReplyTo: 'abc123@client.test',
    });
    await drain();
    const [m] = await sink.waitFor(1);
    expect(m!.envelope.to).toEqual([c.user.email]);
    expect(m!.parsed.inReplyTo).toBe('<abc123@client.test>');
    expect(header(m!, 'auto-submitted')).toBe('auto-replied');
    expect(m!.parsed.messageId).toMatch(/^<mesa\.x\.[a-z0-9]+@mesa\.test>$/);
    expect(textOf(m!)).toContain('larger than the maximum size we accept (10 MB)');
  });
});

describe('failures and retries', () => {
  it('SMTP down: rows back off and keep their Message-IDs; once it is back each mail goes out exactly once', async () => {
    const c = await customer();
    sink.setDown(true);
    const t = await open(c.actor);
    expect(await drain()).toBe(1);
    expect(sink.messages).toHaveLength(0);
    expect(sink.refused).toBeGreaterThan(0);

    const waitOf = async () => {
      const [row] = await rowsOf(t.id);
      const [w] = await database.db
        .select({ ms: sql<number>`(extract(epoch from ${outbox.availableAt} - now()) * 1000)::float8` })
        .from(outbox)
        .where(eq(outbox.id, row!.id));
      return { row: row!, waitMs: Number(w!.ms) };
    };
    const first = await waitOf();
    expect(first.row).toMatchObject({ attempts: 1, doneAt: null });
    expect(first.row.lastError).toBeTruthy();
    expect(first.waitMs).toBeGreaterThan(7_000);
    expect(first.waitMs).toBeLessThanOrEqual(10_000);
    const ids = first.row.payload.messageIds as Record<string, string>;
    expect(Object.keys(ids).sort()).toEqual(['ack', 'notice']);

    // Not due yet: nothing is claimed.
    expect(await worker.runOnce()).toBe(0);
    const makeDue = () => database.db.update(outbox).set({ availableAt: sql`now()` }).where(isNull(outbox.doneAt));
    await makeDue();
    expect(await drain()).toBe(1);
    const second = await waitOf();
    expect(second.row.attempts).toBe(2);
    expect(second.waitMs).toBeGreaterThan(14_000);
    expect(second.waitMs).toBeLessThanOrEqual(20_000);
    expect(second.row.payload.messageIds).toEqual(ids);
    expect(sink.messages).toHaveLength(0);

    sink.setDown(false);
    await makeDue();
    await drain();
    const mails = await sink.waitFor(2);
    expect(mails.map((m) => m.parsed.messageId).sort()).toEqual([`<${ids.ack}>`, `<${ids.notice}>`].sort());
    await makeDue();
    expect(await drain()).toBe(0);
    expect(sink.messages).toHaveLength(2);
    expect(await outRows(t.id)).toHaveLength(2);
    const [done] = await rowsOf(t.id);
    expect(done).toMatchObject({ attempts: 3, lastError: null });
  });

  it('a part already sent is not sent again when a later part of the same row failed', async () => {
    let sends = 0;
    const flaky: MailTransport = {
      kind: 'smtp',
      async send(raw, envelope) {
        if (++sends === 2) throw new Error('connection reset');
        await transport.send(raw, envelope);
      },
      close() {},
    };
    const w = startOutboxWorker(deps, { transport: flaky, intervalMs: 3_600_000 });
    try {
      const c = await customer();
      const t = await open(c.actor);
      await drain(w);
      expect(sink.messages.map((m) => m.envelope.to)).toEqual([[c.user.email]]);
      await database.db.update(outbox).set({ availableAt: sql`now()` }).where(isNull(outbox.doneAt));
      await drain(w);
      await sink.waitFor(2);
      expect(sink.messages.map((m) => m.envelope.to)).toEqual([[c.user.email], ['sistemas@mesa.test']]);
      expect(await outRows(t.id)).toHaveLength(2);
    } finally {
      await w.stop();
    }
  });

  it('two workers draining the same outbox concurrently never send a row twice', async () => {
    const made: Ticket[] = [];
    for (let i = 0; i < 5; i++) {
      const c = await customer();
      made.push(await open(c.actor), await open(c.actor));
    }
    // On Postgres the second worker gets its own connection pool, like a second API instance.
    const other = await secondHandle();
    const a = startOutboxWorker(deps, { transport, batch: 2, intervalMs: 3_600_000 });
    const b = startOutboxWorker(
      { ...deps, db: other?.db ?? database.db },
      { transport, batch: 2, intervalMs: 3_600_000 },
    );
    try {
      const counts = await Promise.all([drain(a), drain(b), drain(a), drain(b)]);
      expect(counts.reduce((x, y) => x + y, 0)).toBe(made.length);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await other?.close();
    }
    const mails = await sink.waitFor(made.length * 2);
    expect(mails).toHaveLength(made.length * 2);
    expect(new Set(mails.map((m) => m.parsed.messageId)).size).toBe(made.length * 2);
    const rows = await database.db
      .select()
      .from(outbox)
      .where(
        inArray(
          sql`${outbox.payload}->>'ticketId'`,
          made.map((t) => t.id),
        ),
      );
    expect(rows.every((r) => r.doneAt !== null && r.attempts === 1)).toBe(true);
  });

  it('closes rows of unknown kinds with an error instead of retrying them', async () => {
    await database.db.insert(outbox).values({ kind: 'carrier_pigeon', payload: {} });
    expect(await drain()).toBe(1);
    const [row] = await database.db.select().from(outbox).where(eq(outbox.kind, 'carrier_pigeon'));
    expect(row!.doneAt).not.toBeNull();
    expect(row!.lastError).toMatch(/unknown outbox kind/);
  });
});

describe('caps and suppressions', () => {
  it('drops the 4th acknowledgement to one address within 10 minutes', async () => {
    const c = await customer();
    const made = [await open(c.actor), await open(c.actor), await open(c.actor), await open(c.actor)];
    await drain();
    expect(sink.messages.filter(to(c.user.email))).toHaveLength(3);
    expect(sink.messages.filter(to('sistemas@mesa.test'))).toHaveLength(4);
    const [last] = await rowsOf(made[3]!.id);
    expect(last!.doneAt).not.toBeNull();
    expect(last!.lastError).toMatch(/acknowledgement limit/);
  });

  it('never acknowledges the same ticket twice to the same address', async () => {
    const c = await customer();
    const t = await open(c.actor);
    await drain();
    sink.clear();
    await enqueue(database.db, 'ticket_created', { ticketId: t.id });
    await drain();
    expect(sink.messages.filter(to(c.user.email))).toHaveLength(0);
    const rows = await rowsOf(t.id);
    expect(rows.at(-1)!.lastError).toMatch(/already acknowledged/);
  });

  it('sends nothing to a suppressed address (while the suppression lasts)', async () => {
    const c = await customer();
    const gone = await customer();
    await database.db.insert(mailSuppressions).values([
      { address: c.user.email, reason: 'bounce', until: new Date(Date.now() + 86_400_000) },
      { address: gone.user.email, reason: 'bounce', until: new Date(Date.now() - 1000) },
    ]);
    const t = await open(c.actor);
    await open(gone.actor);
    await drain();
    expect(sink.messages.filter(to(c.user.email))).toHaveLength(0);
    expect(sink.messages.filter(to(gone.user.email))).toHaveLength(1);
    const [row] = await rowsOf(t.id);
    expect(row!.doneAt).not.toBeNull();
    expect(row!.lastError).toMatch(/suppressed/);
  });

  it('closes a row with no recipient left, saying why', async () => {
    const c = await customer();
    await database.db
      .insert(mailSuppressions)
      .values({ address: c.user.email, reason: 'bounce', until: new Date(Date.now() + 86_400_000) });
    await askReset(c.user.email);
    await drain();
    expect(sink.messages).toHaveLength(0);
    const [row] = await database.db.select().from(outbox).where(sql`${outbox.payload}->>'to' = ${c.user.email}`);
    expect(row!.doneAt).not.toBeNull();
    expect(row!.lastError).toMatch(/no recipients left/);
  });
});

describe('files transport', () => {
  it('writes each message as an .eml file when no SMTP_URL is set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesa-outbox-'));
    try {
      const env = testEnv({ MAIL_OUTBOX_DIR: dir });
      const files = createTransport(env, log);
      expect(files.kind).toBe('files');
      const w = startOutboxWorker({ ...deps, env }, { transport: files, intervalMs: 3_600_000 });
      const c = await customer('en');
      await askReset(c.user.email);
      await drain(w);
      await w.stop();
      const names = readdirSync(dir);
      expect(names).toHaveLength(1);
      expect(names[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d-]+Z-mesa\.x\.[a-z0-9]+@mesa\.test\.eml$/);
      const parsed: ParsedMail = await simpleParser(readFileSync(join(dir, names[0]!)));
      expect(parsed.subject).toBe('Reset your password');
      expect(parsed.to).toMatchObject({ value: [{ address: c.user.email }] });
      expect(parsed.text).toMatch(/http:\/\/mesa\.test\/reset\?token=/);
      expect(sink.messages).toHaveLength(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
