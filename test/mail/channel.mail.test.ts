import { readFileSync } from 'node:fs';
import { mailMessages, tickets } from '@mesa/api/db/schema';
import { startImapReader } from '@mesa/api/mail/imap-reader';
import { startOutboxWorker } from '@mesa/api/mail/outbox-worker';
import { startSmtpInbound } from '@mesa/api/mail/smtp-inbound';
import { addArticle } from '@mesa/api/services/ticket-articles';
import { closeTicket } from '@mesa/api/services/ticket-commands';
import { and, eq } from 'drizzle-orm';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dovecot, startDovecot } from '../support/dovecot';
import { type MailDesk, openMailDesk } from '../support/mail-desk';
import { composeMail, fixture } from '../support/mail-factory';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink';

/**
 * The whole channel on real servers: mail APPENDed to Dovecot is read by the IMAP reader, goes
 * through the intake into the database, and what the desk answers leaves through the outbox
 * worker to a real SMTP listener.
 */
let dovecot: Dovecot;
let sink: SmtpSink;
let desk: MailDesk;
let reader: ReturnType<typeof startImapReader>;
let worker: ReturnType<typeof startOutboxWorker>;

beforeAll(async () => {
  [dovecot, sink] = await Promise.all([startDovecot(), startSmtpSink()]);
  desk = await openMailDesk({ SMTP_URL: sink.url, IMAP_POLL_SECONDS: '5' });
  reader = startImapReader({
    deps: desk.deps,
    mailbox: { id: desk.mailbox.id, name: desk.mailbox.name, url: dovecot.url('INBOX') },
    intake: desk.intake,
    retry: { baseMs: 50, maxMs: 200 },
  });
  // Driven by runOnce() so each test knows when mail has gone out.
  worker = startOutboxWorker(desk.deps, { intervalMs: 3_600_000 });
});

afterAll(async () => {
  await reader?.stop();
  await worker?.stop();
  await Promise.all([dovecot?.stop(), sink?.close(), desk?.close()]);
});

let n = 0;
const uid = () => `c${++n}.${Date.now()}@client.example`;

/** APPENDs, lets the reader take it, and sends whatever the desk queued. */
async function deliver(raw: Buffer): Promise<number> {
  const imapUid = await dovecot.append(raw);
  await reader.pollNow();
  await worker.runOnce();
  return imapUid;
}

async function ticketByMessage(messageId: string) {
  const [row] = await desk.database.db
    .select({ ticket: tickets, outcome: mailMessages.outcome })
    .from(mailMessages)
    .innerJoin(tickets, eq(tickets.id, mailMessages.ticketId))
    .where(and(eq(mailMessages.direction, 'in'), eq(mailMessages.messageId, messageId)));
  if (!row) throw new Error(`no ticket for ${messageId}`);
  return row;
}

const sentTo = (address: string) => sink.messages.filter((m) => m.envelope.to.includes(address));
const header = (m: (typeof sink.messages)[number], name: string) => {
  const v = m.parsed.headers.get(name);
  return typeof v === 'string' ? v : JSON.stringify(v);
};

describe('mail in, mail out', () => {
  it('a new mail opens a ticket, is marked \\Seen after the commit, and is acknowledged once', async () => {
    const messageId = uid();
    const imapUid = await deliver(
      await composeMail({ from: 'Marta Ruiz <marta@example.com>', messageId, subject: 'Sin internet en piso 2' }),
    );
    const { ticket } = await ticketByMessage(messageId);
    expect(ticket).toMatchObject({ subject: 'Sin internet en piso 2', channel: 'email', status: 'new' });
    expect(await dovecot.flagsOf(imapUid)).toContain('\\Seen');

    const [ack, ...more] = sentTo('marta@example.com');
    expect(more).toEqual([]);
    expect(ack!.parsed.subject).toContain(`[${ticket.number}]`);
    expect(header(ack!, 'auto-submitted')).toBe('auto-replied');
    expect(header(ack!, 'x-auto-response-suppress')).toBe('All');
    expect(ack!.parsed.inReplyTo).toBe(`<${messageId}>`);
    expect(ack!.parsed.text).toContain(`http://desk.test/tickets/${ticket.number}`);
    expect(ack!.parsed.messageId).toMatch(/^<mesa\./);
  });

  it('a reply to our acknowledgement threads into the ticket; an out-of-office reply to it changes nothing', async () => {
    const messageId = uid();
    await deliver(await composeMail({ from: 'pablo@example.com', messageId, subject: 'Impresora atascada' }));
    const { ticket } = await ticketByMessage(messageId);
    const ack = sentTo('pablo@example.com')[0]!;

    const ooo = uid();
    const before = sink.messages.length;
    await deliver(
      await composeMail({
        from: 'pablo@example.com',
        messageId: ooo,
        inReplyTo: ack.parsed.messageId!,
        subject: `Respuesta automática: ${ack.parsed.subject}`,
        text: 'Estoy de vacaciones hasta el lunes.',
        headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
      }),
    );
    expect((await ticketByMessage(ooo)).ticket.id).toBe(ticket.id);
    expect(sink.messages.length).toBe(before);

    const reply = uid();
    await deliver(
      await composeMail({
        from: 'pablo@example.com',
        messageId: reply,
        inReplyTo: ack.parsed.messageId!,
        references: [messageId, ack.parsed.messageId!],
        subject: `Re: ${ack.parsed.subject}`,
        text: 'Es la HP del pasillo.\n\nEl lun, 4 mar 2024 a las 10:00, Soporte escribió:\n> Recibimos su caso',
      }),
    );
    const { ticket: same, outcome } = await ticketByMessage(reply);
    expect(same.id).toBe(ticket.id);
    expect(outcome).toBe('appended');
    const bodies = (await desk.articlesOf(ticket.id)).map((a) => a.body);
    expect(bodies).toContain('Es la HP del pasillo.');
  });

  it('staff updates reach requester and CCs threaded; closing states the times and invites a rating', async () => {
    const messageId = uid();
    await deliver(
      await composeMail({ from: 'lucia@example.com', cc: 'jefa@example.com', messageId, subject: 'Correo lento' }),
    );
    const { ticket } = await ticketByMessage(messageId);
    const staff = desk.world.actors.supervisor;
    await addArticle(desk.database.db, staff, ticket.number, { kind: 'public_reply', body: 'Revisamos el servidor.' });
    await worker.runOnce();
    const update = sentTo('lucia@example.com').find((m) => m.parsed.text?.includes('Revisamos el servidor.'));
    expect(update).toBeDefined();
    expect(update!.envelope.to).toContain('jefa@example.com');
    const refs = update!.parsed.references;
    expect(Array.isArray(refs) ? refs : [refs]).toContain(`<${messageId}>`);

    await closeTicket(desk.database.db, staff, ticket.number);
    await worker.runOnce();
    const closing = sentTo('lucia@example.com').at(-1)!;
    expect(closing.parsed.text).toMatch(/atención|attention/i);
    expect(closing.parsed.text).toMatch(/resoluci|resolution/i);
    expect(closing.parsed.text).toContain(`/tickets/${ticket.number}?rate=1`);
  });

  it('a crash between the commit and \\Seen re-reads the message without a second ticket or acknowledgement', async () => {
    const crashing = startImapReader({
      deps: desk.deps,
      mailbox: { id: desk.mailbox.id, name: desk.mailbox.name, url: dovecot.url('INBOX') },
      intake: desk.intake,
      retry: { baseMs: 50, maxMs: 200 },
      afterIntake: async () => {
        throw new Error('simulated crash after commit');
      },
    });
    await reader.stop();
    const messageId = uid();
    const imapUid = await dovecot.append(await composeMail({ from: 'caida@example.com', messageId, subject: 'Caída' }));
    await crashing.pollNow();
    await crashing.stop();
    expect(await dovecot.flagsOf(imapUid)).not.toContain('\\Seen');
    expect((await ticketByMessage(messageId)).outcome).toBe('created');

    reader = startImapReader({
      deps: desk.deps,
      mailbox: { id: desk.mailbox.id, name: desk.mailbox.name, url: dovecot.url('INBOX') },
      intake: desk.intake,
      retry: { baseMs: 50, maxMs: 200 },
    });
    await reader.pollNow();
    await worker.runOnce();
    expect(await dovecot.flagsOf(imapUid)).toContain('\\Seen');
    const rows = await desk.database.db.select().from(mailMessages).where(eq(mailMessages.messageId, messageId));
    expect(rows).toHaveLength(1);
    expect(sentTo('caida@example.com')).toHaveLength(1);
  });

  it('a forwarded thread opens one ticket with the forwarded conversation kept', async () => {
    const raw = fixture('forwarded-thread.eml');
    await deliver(raw);
    const id = /^Message-ID:\s*<([^>]+)>/im.exec(raw.toString())![1]!;
    const { ticket } = await ticketByMessage(id);
    const [article] = await desk.articlesOf(ticket.id);
    expect(`${article!.body}\n${article!.quotedText ?? ''}`).toMatch(/Forwarded message|Mensaje reenviado/i);
  });

  it('a Windows-1252 message with an attachment arrives decoded', async () => {
    const raw = fixture('windows-1252-attachment.eml');
    await deliver(raw);
    const id = /^Message-ID:\s*<([^>]+)>/im.exec(raw.toString())![1]!;
    const { ticket } = await ticketByMessage(id);
    expect(ticket.subject).toMatch(/dañada/);
  });

  it('a 12 MB message is refused with a polite notice, not a ticket', async () => {
    const messageId = uid();
    const imapUid = await deliver(
      await composeMail({
        from: 'fotos@example.com',
        messageId,
        subject: 'Fotos del rack',
        attachments: [{ filename: 'rack.jpg', content: Buffer.alloc(12 * 1024 * 1024, 3) }],
      }),
    );
    expect(await dovecot.flagsOf(imapUid)).toContain('\\Seen');
    const [row] = await desk.database.db.select().from(mailMessages).where(eq(mailMessages.messageId, messageId));
    expect(row).toMatchObject({ outcome: 'too_large', ticketId: null });
    const [notice, ...more] = sentTo('fotos@example.com');
    expect(more).toEqual([]);
    expect(notice!.parsed.text).toMatch(/MB/);
  });

  it('a bounce of our mail is noted on the ticket and the address gets no more automatic mail', async () => {
    const messageId = uid();
    await deliver(await composeMail({ from: 'nobody@example.com', messageId, subject: 'Clave bloqueada' }));
    const { ticket } = await ticketByMessage(messageId);
    const ack = sentTo('nobody@example.com')[0]!;
    const dsn = readFileSync(new URL('./fixtures/bounce-dsn.eml', import.meta.url), 'utf8').replaceAll(
      'mesa.T-000042.abc123@mesa.test',
      ack.parsed.messageId!.replace(/[<>]/g, ''),
    );
    await deliver(Buffer.from(dsn));
    const notes = (await desk.articlesOf(ticket.id)).filter((a) => a.kind === 'internal_note');
    expect(notes.map((a) => a.body).join()).toMatch(/nobody@example.com/);

    const before = sentTo('nobody@example.com').length;
    await addArticle(desk.database.db, desk.world.actors.supervisor, ticket.number, {
      kind: 'public_reply',
      body: '¿Puede probar de nuevo?',
    });
    await worker.runOnce();
    expect(sentTo('nobody@example.com').length).toBe(before);
  });
});

describe('the built-in SMTP listener', () => {
  it('feeds the same intake and answers only after the commit', async () => {
    const listener = await startSmtpInbound({
      port: 0,
      host: '127.0.0.1',
      mailboxId: desk.mailbox.id,
      intake: desk.intake,
      log: desk.deps.log,
      hardLimitBytes: 30 * 1024 * 1024,
    });
    try {
      const client = createTransport({ host: '127.0.0.1', port: listener.port, secure: false, ignoreTLS: true });
      const messageId = uid();
      const info = await client.sendMail({
        envelope: { from: 'mx@example.com', to: ['atencion@mesa.test'] },
        raw: await composeMail({ from: 'mx@example.com', messageId, subject: 'Por el MX' }),
      });
      expect(info.response).toMatch(/^250 .*T-\d{6}/);
      expect((await ticketByMessage(messageId)).ticket.subject).toBe('Por el MX');
      client.close();
    } finally {
      await listener.close();
    }
  });
});
