import { attachments, departments, mailMessages, mailSuppressions, tickets, users } from '@mesa/api/db/schema';
import { ourMessageId } from '@mesa/api/mail/classify';
import { bodyMarker } from '@mesa/api/mail/parse';
import { sha256Of } from '@mesa/api/services/blob-store';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailDesk, openMailDesk } from '../support/mail-desk';
import { composeMail, fixture } from '../support/mail-factory';

let desk: MailDesk;
beforeAll(async () => {
  desk = await openMailDesk({ MAIL_MAX_BYTES: String(1024 * 1024) });
});
afterAll(() => desk.close());

let n = 0;
const uid = () => `m${++n}.${Date.now()}@client.example`;
const send = (raw: Buffer, mailboxId = desk.mailbox.id) => desk.intake(mailboxId, raw);
const newTicket = async (opts: Parameters<typeof composeMail>[0] = {}) => {
  const messageId = opts.messageId ?? uid();
  const r = await send(await composeMail({ subject: 'La impresora no imprime', text: 'Hola', ...opts, messageId }));
  expect(r.outcome).toBe('created');
  return { ...r, messageId, ticketId: r.ticketId!, number: r.ticketNumber! };
};
const setStatus = (id: string, status: string) =>
  desk.database.db
    .update(tickets)
    .set({ status: status as never })
    .where(eq(tickets.id, id));

describe('a new mail', () => {
  it('opens a ticket for an unknown sender, stores the mail and queues the acknowledgement', async () => {
    const r = await newTicket({ from: 'Luis Pérez <Luis.Perez@Example.com>', text: 'No imprime desde ayer.' });
    const ticket = await desk.ticket(r.ticketId);
    expect(ticket).toMatchObject({ channel: 'email', status: 'new', mailboxId: desk.mailbox.id });
    expect(ticket.departmentId).toBe(desk.world.dept('atencion').id);
    expect(ticket.description).toBe('No imprime desde ayer.');
    const [contact] = await desk.database.db.select().from(users).where(eq(users.id, ticket.requesterId!));
    expect(contact).toMatchObject({ email: 'luis.perez@example.com', name: 'Luis Pérez', role: 'customer' });
    expect(contact?.passwordHash).toBeNull();
    const acks = (await desk.outboxRows('ticket_created')).filter((o) => o.payload.ticketId === r.ticketId);
    expect(acks).toHaveLength(1);
    expect(acks[0]?.payload.skipAck).toBeUndefined();
    const [article] = await desk.articlesOf(r.ticketId);
    expect(article).toMatchObject({ kind: 'email_in', body: 'No imprime desde ayer.' });
  });

  it('makes CC addresses participants, minus our own addresses and the sender', async () => {
    const r = await newTicket({
      from: 'ana@example.com',
      to: ['atencion@mesa.test', 'jefe@example.com'],
      cc: ['Soporte <SOPORTE@mesa.test>', 'colega@example.com', 'ana@example.com'],
    });
    expect((await desk.ticket(r.ticketId)).cc.sort()).toEqual(['colega@example.com', 'jefe@example.com']);
  });

  it('fills the requester fields from labelled lines (seed 000), not from the quoted "Otra Persona"', async () => {
    const r = await send(fixture('labelled-fields.eml'));
    expect(r.outcome).toBe('created');
    const ticket = await desk.ticket(r.ticketId!);
    expect({
      name: ticket.requesterName,
      organization: ticket.requesterOrganization,
      location: ticket.requesterLocation,
      phone: ticket.requesterPhone,
      email: ticket.requesterEmail,
      description: ticket.description,
    }).toEqual({
      name: 'Juan Pérez',
      organization: 'Dirección de Rentas',
      location: 'Edificio Central, piso 3, oficina 12',
      phone: '(0381) 442-1234 int. 56',
      email: 'juan.perez@rentas.example.gob.ar',
      description: 'La computadora no enciende desde esta mañana.\nYa probé cambiar el cable.',
    });
  });

  it('names a ticket without subject in the sender language', async () => {
    const r = await send(fixture('no-subject.eml'));
    expect((await desk.ticket(r.ticketId!)).subject).toBe('(sin asunto)');
  });

  it('decodes a Windows-1252 message and stores its attachment with the original name', async () => {
    const r = await send(fixture('windows-1252-attachment.eml'));
    const ticket = await desk.ticket(r.ticketId!);
    expect(ticket.subject).toBe('Impresora dañada ¿quién la repara?');
    expect(ticket.requesterName).toBe('José Muñoz');
    expect(ticket.description).toContain('El repuesto cuesta 45 €.');
    const list = await desk.database.db.select().from(attachments).where(eq(attachments.ticketId, r.ticketId!));
    expect(list.map((a) => [a.filename, a.contentType])).toEqual([['Informe técnico mañana.pdf', 'application/pdf']]);
  });

  it('rewrites cid: images to attachment URLs and strips scripts', async () => {
    const r = await send(fixture('html-inline-image.eml'));
    const [article] = await desk.articlesOf(r.ticketId!);
    expect(article?.bodyHtml).toMatch(/src="http:\/\/desk\.test\/api\/attachments\/[0-9a-f-]{36}"/);
    expect(article?.bodyHtml).not.toMatch(/<script|onclick|cid:/i);
  });

  it('folds quoted text away and keeps it', async () => {
    const r = await newTicket({
      text: 'Sigue fallando.\n\nEl lun, 4 mar 2024 a las 10:00, Soporte escribió:\n> ¿Sigue fallando?',
    });
    const [article] = await desk.articlesOf(r.ticketId);
    expect(article?.body).toBe('Sigue fallando.');
    expect(article?.quotedText).toMatch(/Sigue fallando\?/);
  });
});

describe('duplicates', () => {
  it('a re-fetch of the same message creates nothing and queues nothing', async () => {
    const raw = await composeMail({ messageId: uid(), subject: 'Otra vez' });
    const first = await send(raw);
    const before = (await desk.outboxRows()).length;
    const again = await send(raw);
    expect(again).toEqual({ outcome: 'duplicate', ticketId: first.ticketId, ticketNumber: first.ticketNumber });
    expect((await desk.outboxRows()).length).toBe(before);
  });

  it('dedupes on the sha-256 of the raw message when it has no Message-ID', async () => {
    const raw = Buffer.from('From: x@example.com\r\nTo: atencion@mesa.test\r\nSubject: sin id\r\n\r\nHola\r\n');
    expect((await send(raw)).outcome).toBe('created');
    expect((await send(raw)).outcome).toBe('duplicate');
  });

  it('the same Message-ID in two mailboxes makes one ticket per mailbox', async () => {
    const other = await desk.addMailbox('redes');
    const raw = await composeMail({ messageId: uid(), subject: 'Enlace caído' });
    const a = await send(raw);
    const b = await send(raw, other.id);
    expect(a.outcome).toBe('created');
    expect(b.outcome).toBe('created');
    expect(a.ticketId).not.toBe(b.ticketId);
    expect((await desk.ticket(b.ticketId!)).departmentId).toBe(desk.world.dept('redes').id);
  });
});

describe('follow-ups', () => {
  it('threads by In-Reply-To, then References newest first', async () => {
    const t = await newTicket();
    const viaReply = await send(await composeMail({ messageId: uid(), inReplyTo: t.messageId, subject: 'Re: x' }));
    expect(viaReply).toMatchObject({ outcome: 'appended', ticketId: t.ticketId });
    const viaRefs = await send(
      await composeMail({ messageId: uid(), references: [t.messageId, 'unknown@elsewhere'], subject: 'otra cosa' }),
    );
    expect(viaRefs).toMatchObject({ outcome: 'appended', ticketId: t.ticketId });
  });

  it('threads by an outbound Message-ID, our id format, the body marker and the subject tag', async () => {
    const t = await newTicket();
    const out = `mesa.${t.number}.zz${n}@mesa.test`;
    await desk.database.db.insert(mailMessages).values({ direction: 'out', messageId: out, ticketId: t.ticketId });
    expect((await send(await composeMail({ messageId: uid(), inReplyTo: out }))).ticketId).toBe(t.ticketId);
    const unknownOurs = ourMessageId('mesa.test', t.number);
    expect((await send(await composeMail({ messageId: uid(), inReplyTo: unknownOurs }))).ticketId).toBe(t.ticketId);
    const marked = await composeMail({
      messageId: uid(),
      subject: 'sin etiqueta',
      text: `Gracias\n\n${bodyMarker(t.number)}`,
    });
    expect((await send(marked)).ticketId).toBe(t.ticketId);
    for (const prefix of ['Re:', 'RE:', 'AW:', 'Fwd:', 'RV:', 'Re[5]:']) {
      const tagged = await composeMail({ messageId: uid(), subject: `${prefix} [${t.number}] La impresora` });
      expect((await send(tagged)).ticketId).toBe(t.ticketId);
    }
  });

  it('a subject tag of a ticket that does not exist opens a new ticket', async () => {
    const r = await send(await composeMail({ messageId: uid(), subject: 'Re: [T-999999] viejo' }));
    expect(r.outcome).toBe('created');
  });

  it('a reply to a deleted ticket opens a new one instead of vanishing into the tombstone', async () => {
    const t = await newTicket();
    await desk.database.db.update(tickets).set({ deletedAt: new Date() }).where(eq(tickets.id, t.ticketId));
    const r = await send(await composeMail({ messageId: uid(), inReplyTo: t.messageId, subject: `Re: [${t.number}]` }));
    expect(r.outcome).toBe('created');
    expect(r.ticketId).not.toBe(t.ticketId);
  });

  it('a match from another mailbox does not count', async () => {
    const other = await desk.addMailbox('facturacion');
    const t = await newTicket();
    const r = await send(
      await composeMail({ messageId: uid(), inReplyTo: t.messageId, subject: `[${t.number}]` }),
      other.id,
    );
    expect(r.outcome).toBe('created');
    expect(r.ticketId).not.toBe(t.ticketId);
  });

  it("a customer's reply hands a waiting ticket back and notifies staff", async () => {
    const t = await newTicket();
    await setStatus(t.ticketId, 'pending_customer');
    const r = await send(await composeMail({ messageId: uid(), inReplyTo: t.messageId, text: 'Ya reinicié' }));
    expect(r.outcome).toBe('appended');
    expect((await desk.ticket(t.ticketId)).status).toBe('new');
    const replied = (await desk.outboxRows('customer_replied')).filter((o) => o.payload.ticketId === t.ticketId);
    expect(replied).toHaveLength(1);
  });
});

describe('replies to a closed ticket follow the department policy', () => {
  const policy = (p: 'reopen' | 'new_ticket' | 'reject') =>
    desk.database.db.update(departments).set({ closedReplyPolicy: p }).where(eq(departments.slug, 'atencion'));

  it('reopen', async () => {
    await policy('reopen');
    const t = await newTicket();
    await setStatus(t.ticketId, 'closed');
    const r = await send(await composeMail({ messageId: uid(), inReplyTo: t.messageId }));
    expect(r).toMatchObject({ outcome: 'reopened', ticketId: t.ticketId });
    expect((await desk.ticket(t.ticketId)).status).toBe('new');
  });

  it('new linked ticket', async () => {
    await policy('new_ticket');
    const t = await newTicket();
    await setStatus(t.ticketId, 'closed');
    const r = await send(await composeMail({ messageId: uid(), inReplyTo: t.messageId }));
    expect(r.outcome).toBe('linked');
    expect((await desk.ticket(r.ticketId!)).linkedTicketId).toBe(t.ticketId);
    expect((await desk.ticket(t.ticketId)).status).toBe('closed');
  });

  it('reject with a notice', async () => {
    await policy('reject');
    const t = await newTicket({ from: 'rechazo@example.com' });
    await setStatus(t.ticketId, 'closed');
    const r = await send(await composeMail({ from: 'rechazo@example.com', messageId: uid(), inReplyTo: t.messageId }));
    expect(r.outcome).toBe('rejected');
    expect((await desk.ticket(t.ticketId)).status).toBe('closed');
    const notices = (await desk.outboxRows('mail_rejected')).filter((o) => o.payload.ticketId === t.ticketId);
    expect(notices).toMatchObject([{ payload: { to: 'rechazo@example.com', reason: 'closed_ticket' } }]);
    await policy('reopen');
  });
});

describe('automated mail', () => {
  it('an out-of-office reply is stored but never acknowledged, never reopens, never answers', async () => {
    const t = await newTicket();
    await setStatus(t.ticketId, 'pending_customer');
    const ooo = await composeMail({
      messageId: uid(),
      inReplyTo: t.messageId,
      subject: 'Fuera de la oficina',
      headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
    });
    const r = await send(ooo);
    expect(r).toMatchObject({ outcome: 'appended', ticketId: t.ticketId });
    expect((await desk.ticket(t.ticketId)).status).toBe('pending_customer');
    expect((await desk.outboxRows('customer_replied')).some((o) => o.payload.ticketId === t.ticketId)).toBe(false);

    await setStatus(t.ticketId, 'closed');
    const again = await send(
      await composeMail({ messageId: uid(), inReplyTo: t.messageId, headers: { Precedence: 'bulk' } }),
    );
    expect(again.outcome).toBe('appended');
    expect((await desk.ticket(t.ticketId)).status).toBe('closed');
  });

  it('a new automated mail opens no ticket: it is stored for admins with its reason', async () => {
    const messageId = uid();
    const r = await send(await composeMail({ messageId, headers: { 'List-Id': '<news.example.com>' } }));
    expect(r).toEqual({ outcome: 'stored', ticketId: null, ticketNumber: null });
    const [row] = (await desk.inbound()).filter((m) => m.messageId === messageId);
    expect(row).toMatchObject({ outcome: 'stored', automated: 'list-id', ticketId: null, articleId: null });
    expect(row?.rawSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a department may open tickets from automated mail, still without acknowledgement', async () => {
    const opens = (on: boolean) =>
      desk.database.db
        .update(departments)
        .set({ automatedMailOpensTickets: on })
        .where(eq(departments.slug, 'atencion'));
    await opens(true);
    try {
      const r = await send(await composeMail({ from: 'no-reply@monitor.example.com', messageId: uid() }));
      expect(r.outcome).toBe('created');
      const created = (await desk.outboxRows('ticket_created')).filter((o) => o.payload.ticketId === r.ticketId);
      expect(created.map((o) => o.payload.skipAck)).toEqual([true]);
      // An address that does not parse is nobody to open a ticket for, whatever the setting.
      const broken = await send(
        await composeMail({ from: '"Broken <<joe@@example..com', messageId: uid(), subject: 'hola' }),
      );
      expect(broken.outcome).toBe('stored');
    } finally {
      await opens(false);
    }
  });

  it('our own notification coming back is dropped', async () => {
    const r = await send(
      await composeMail({ from: 'soporte@mesa.test', messageId: ourMessageId('mesa.test', 'T-000001') }),
    );
    expect(r.outcome).toBe('loop');
    const r2 = await send(await composeMail({ messageId: uid(), headers: { 'X-Mesa-Loop': 'mesa.test' } }));
    expect(r2.outcome).toBe('loop');
  });

  it('a bounce is noted on the original ticket and the address gets no automatic mail for 60 days', async () => {
    const t = await newTicket();
    await desk.database.db
      .insert(mailMessages)
      .values({ direction: 'out', messageId: 'mesa.T-000042.abc123@mesa.test', ticketId: t.ticketId });
    const r = await send(fixture('bounce-dsn.eml'));
    expect(r).toMatchObject({ outcome: 'bounce', ticketId: t.ticketId });
    const notes = (await desk.articlesOf(t.ticketId)).filter((a) => a.kind === 'internal_note');
    expect(notes.map((a) => a.body)).toEqual([
      'No se pudo entregar el correo / Mail delivery failed: nobody@example.com',
    ]);
    const [s] = await desk.database.db
      .select()
      .from(mailSuppressions)
      .where(eq(mailSuppressions.address, 'nobody@example.com'));
    expect(s!.until.getTime() - Date.now()).toBeGreaterThan(59 * 86_400_000);
  });
});

describe('machines and spam', () => {
  const cases: [string, string][] = [
    ['cron-report.eml', 'x-cron-env'],
    ['invoice-feedback-id.eml', 'feedback-id'],
    ['vendor-notice-bulk-mailer.eml', 'x-mailer:mailchimp'],
    ['fax-gateway.eml', 'sender:daemon'],
    ['issue-tracker-jira.eml', 'tracker:x-jira-fingerprint'],
    ['spam-filter-wrapper.eml', 'spam:x-spam-flag'],
    ['spam-score-only.eml', 'spam:score'],
    ['spam-unparsable-from.eml', 'sender:invalid'],
    ['broken-from.eml', 'sender:invalid'],
    ['delay-notice.eml', 'dsn'],
    ['noreply-report.eml', 'sender:noreply'],
  ];

  it('are stored with their reason, open no ticket, create no contact and get no acknowledgement', async () => {
    const usersBefore = await desk.database.db.$count(users);
    const outboxBefore = (await desk.outboxRows()).length;
    const seen: string[] = [];
    for (const [name, reason] of cases) {
      const raw = fixture(name);
      const r = await send(raw);
      expect(r, name).toEqual({ outcome: 'stored', ticketId: null, ticketNumber: null });
      const messageId = /^Message-ID: <([^>]+)>/im.exec(raw.toString('latin1'))?.[1];
      const rows = (await desk.inbound()).filter((m) => m.messageId === messageId);
      expect(
        rows.map((m) => [m.automated, m.outcome, m.ticketId]),
        name,
      ).toEqual([[reason, 'stored', null]]);
      seen.push(name);
    }
    expect(seen).toHaveLength(11);
    expect(await desk.database.db.$count(users)).toBe(usersBefore);
    expect((await desk.outboxRows()).length).toBe(outboxBefore);
  });
});

describe('spam in a thread', () => {
  it('is stored for admins, never added to the ticket it claims to answer', async () => {
    const t = await newTicket();
    const articlesBefore = (await desk.articlesOf(t.ticketId)).length;
    const r = await send(
      await composeMail({
        messageId: uid(),
        inReplyTo: t.messageId,
        subject: `Re: [${t.number}] Premio`,
        headers: { 'X-Spam-Flag': 'YES' },
      }),
    );
    expect(r).toEqual({ outcome: 'stored', ticketId: null, ticketNumber: null });
    expect((await desk.articlesOf(t.ticketId)).length).toBe(articlesBefore);
  });
});

describe('message ids reused', () => {
  it('another message with a seen Message-ID is stored and processed, and its ticket notes the reuse', async () => {
    const first = await send(fixture('reused-id-original.eml'));
    expect(first.outcome).toBe('created');
    const second = await send(fixture('reused-id-other-sender.eml'));
    expect(second.outcome).toBe('created');
    expect(second.ticketId).not.toBe(first.ticketId);
    const ticket = await desk.ticket(second.ticketId!);
    expect([ticket.subject, ticket.requesterEmail, ticket.description]).toEqual([
      'Sin acceso a la carpeta de Compras',
      'pablo.serrano@otra.example',
      'No puedo abrir la carpeta compartida de Compras.',
    ]);
    const notes = (await desk.articlesOf(second.ticketId!)).filter((a) => a.kind === 'internal_note');
    expect(notes.map((a) => a.body)).toEqual([
      'El Message-ID <20240304081500.reused@example.com> ya lo usaba otro mensaje de este buzón ' +
        '/ Another message in this mailbox already used Message-ID <20240304081500.reused@example.com>',
    ]);
    const acks = (await desk.outboxRows('ticket_created')).filter((o) => o.payload.ticketId === second.ticketId);
    expect(acks.map((o) => o.payload.skipAck)).toEqual([undefined]);
    // Each message is still read once: a re-read of either one is a no-op.
    expect(await send(fixture('reused-id-other-sender.eml'))).toEqual({ ...second, outcome: 'duplicate' });
    expect(await send(fixture('reused-id-original.eml'))).toEqual({ ...first, outcome: 'duplicate' });
    const rows = (await desk.inbound()).filter((m) => m.messageId === '20240304081500.reused@example.com');
    expect(rows.map((m) => m.ticketId).sort()).toEqual([first.ticketId, second.ticketId].sort());
  });
});

describe('charsets and MIME structure', () => {
  it('decodes a raw 8-bit Shift_JIS subject and sender name with the declared charset', async () => {
    const r = await send(fixture('shift-jis-8bit-headers.eml'));
    expect(r.outcome).toBe('created');
    const ticket = await desk.ticket(r.ticketId!);
    expect([ticket.subject, ticket.requesterName, ticket.description]).toEqual([
      'ツールが起動しません',
      '山田太郎',
      '管理ツールが起動しません。',
    ]);
    const [row] = (await desk.inbound()).filter((m) => m.messageId === 'sjis-8bit.1@example.jp');
    expect(row?.subject).toBe('ツールが起動しません');
  });

  it("decodes a raw 8-bit Shift_JIS attachment name in a part's headers", async () => {
    const r = await send(fixture('shift-jis-8bit-filename.eml'));
    expect(r.outcome).toBe('created');
    expect((await desk.ticket(r.ticketId!)).description).toBe('ログを添付します。');
    const list = await desk.database.db.select().from(attachments).where(eq(attachments.ticketId, r.ticketId!));
    expect(list.map((a) => [a.filename, a.sha256])).toEqual([['エラー記録.txt', sha256Of(Buffer.from('error 42'))]]);
  });

  it('a part without a content type after the body is an attachment named file, not more body', async () => {
    const r = await send(fixture('untyped-part-after-body.eml'));
    expect((await desk.ticket(r.ticketId!)).description).toBe('Adjunto el registro del error.');
    const list = await desk.database.db.select().from(attachments).where(eq(attachments.ticketId, r.ticketId!));
    expect(list.map((a) => [a.filename, a.contentType, a.sha256])).toEqual([
      ['file', 'application/octet-stream', sha256Of(Buffer.from('PK\x03\x04 registro binario 0x00ff', 'latin1'))],
    ]);
  });

  it('a multipart without a boundary keeps its bytes as an attachment', async () => {
    const raw = fixture('multipart-no-boundary.eml');
    const r = await send(raw);
    expect(r.outcome).toBe('created');
    const list = await desk.database.db.select().from(attachments).where(eq(attachments.ticketId, r.ticketId!));
    const body = raw.subarray(raw.indexOf('\r\n\r\n') + 4);
    expect(body.toString('latin1')).toMatch(/^--unknown\r\n/);
    expect(list.map((a) => [a.filename, a.contentType, a.sha256])).toEqual([
      ['file', 'application/octet-stream', sha256Of(body)],
    ]);
  });
});

describe('size limit', () => {
  it('refuses an oversized message with a notice to a human sender, once', async () => {
    const big = await composeMail({
      from: 'grande@example.com',
      messageId: uid(),
      subject: 'Fotos',
      attachments: [{ filename: 'foto.jpg', content: Buffer.alloc(1.5 * 1024 * 1024, 7) }],
    });
    const r = await send(big);
    expect(r.outcome).toBe('too_large');
    expect((await send(big)).outcome).toBe('duplicate');
    const notices = (await desk.outboxRows('mail_rejected')).filter((o) => o.payload.to === 'grande@example.com');
    expect(notices).toMatchObject([{ payload: { reason: 'too_large' } }]);
  });

  it('an oversized automated message gets no notice', async () => {
    const big = await composeMail({
      from: 'robot@example.com',
      messageId: uid(),
      headers: { 'Auto-Submitted': 'auto-generated' },
      attachments: [{ filename: 'x.bin', content: Buffer.alloc(1.5 * 1024 * 1024, 1) }],
    });
    expect((await send(big)).outcome).toBe('too_large');
    expect((await desk.outboxRows('mail_rejected')).some((o) => o.payload.to === 'robot@example.com')).toBe(false);
  });
});
