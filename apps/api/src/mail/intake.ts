import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Tx } from '../db/client';
import { articles, departments, mailMessages, mailSuppressions, outbox, tickets } from '../db/schema';
import { sha256Of, storeAttachment, storeBlob } from '../services/blob-store';
import { customerReplyEffectOn, type JoiningEffect, recordCustomerReply } from '../services/customer-reply';
import { recordEvent } from '../services/history';
import { enqueue } from '../services/outbox';
import type { Reference, ReferenceData } from '../services/reference-service';
import { classify } from '../services/sla-service';
import { addDeskNote } from '../services/ticket-articles';
import type { TicketRow } from '../services/ticket-dto';
import { insertTicketIn } from '../services/ticket-insert';
import { lockTicket } from '../services/ticket-write';
import { isMailbox } from './address';
import { isOwnMail } from './classify';
import { type ContactRow, contactActor, findOrCreateContact } from './contacts';
import { extractRequesterFields } from './fields';
import { getMailbox, type MailboxRow, ownAddresses } from './mailboxes';
import { parseMail, rewriteCidLinks } from './parse';
import { splitQuoted } from './quote';
import { resolveThread } from './thread';
import type { IntakeFn, IntakeResult, MailDeps, ParsedMail } from './types';

export interface IntakeDeps extends MailDeps {
  reference: Reference;
}

/** A bounced address gets no automatic mail for this long. */
const SUPPRESS_DAYS = 60;
const NO_SUBJECT = { es: '(sin asunto)', en: '(no subject)' } as const;

/** Outcomes where the message became part of a ticket. */
const PROCESSED = new Set<IntakeResult['outcome']>(['created', 'appended', 'reopened', 'linked']);

/** A note for staff on a ticket, written by the desk itself (through the write path). */
async function internalNote(tx: Tx, ticketId: string, body: string): Promise<Date> {
  const now = new Date();
  await addDeskNote(tx, ticketId, body, now);
  return now;
}

/**
 * True when another inbound message of the mailbox carried this Message-ID with different bytes. Evaluated in the
 * insert's RETURNING, whose snapshot predates the row being inserted: no extra round trip per message.
 */
const reusedId = (mailboxId: string, messageId: string | null, sha: string) =>
  messageId === null
    ? sql<boolean>`false`
    : sql<boolean>`exists (select 1 from mail_messages m where m.direction = 'in' and m.mailbox_id = ${mailboxId}
        and m.dedupe_key = ${messageId} and m.content_sha256 is distinct from ${sha})`;

/** The department's choice to open tickets from automated mail (default: no, they are stored for admins). */
async function automatedOpensTickets(tx: Tx, departmentId: string): Promise<boolean> {
  const [dept] = await tx
    .select({ opens: departments.automatedMailOpensTickets })
    .from(departments)
    .where(eq(departments.id, departmentId));
  return dept?.opens === true;
}

const result = (outcome: IntakeResult['outcome'], ticket?: Pick<TicketRow, 'id' | 'number'> | null): IntakeResult => ({
  outcome,
  ticketId: ticket?.id ?? null,
  ticketNumber: ticket?.number ?? null,
});

/** The header block alone: enough to answer an oversized message without parsing its body. */
function headerPart(raw: Buffer): Buffer {
  const end = raw.indexOf('\r\n\r\n');
  const alt = raw.indexOf('\n\n');
  const cut = end >= 0 ? end : alt;
  return cut >= 0 ? Buffer.concat([raw.subarray(0, cut), Buffer.from('\r\n\r\n')]) : raw.subarray(0, 64 * 1024);
}

/**
 * The one way mail enters the desk, from IMAP or the SMTP listener. Everything it does to the
 * database (dedupe row, raw .eml, ticket or article, attachments, outbox) commits together, so
 * the reader may mark the message \Seen only after this resolves, and a re-fetch after a crash
 * finds the dedupe row and does nothing.
 */
export function createIntake(deps: IntakeDeps): IntakeFn {
  const ownDomain = deps.env.MAIL_FROM.split('@')[1] ?? 'localhost';
  return async (mailboxId, raw) => {
    const mailbox = await getMailbox(deps.db, mailboxId);
    if (!mailbox) throw new Error(`unknown mailbox ${mailboxId}`);
    const tooLarge = raw.length > deps.env.MAIL_MAX_BYTES;
    const mail = await parseMail(tooLarge ? headerPart(raw) : raw, { spamScore: deps.env.MAIL_SPAM_SCORE });
    mail.size = raw.length;
    const rawSha = sha256Of(raw);
    const base = {
      direction: 'in' as const,
      mailboxId,
      dedupeKey: mail.messageId ?? `sha256:${rawSha}`,
      // With the Message-ID: a sender picks the id, so the same id with other bytes is another message.
      contentSha256: rawSha,
      messageId: mail.messageId,
      fromAddress: mail.from?.address ?? null,
      toAddresses: [...mail.to, ...mail.cc].map((a) => a.address),
      subject: mail.subject,
      automated: mail.automated,
      size: raw.length,
    };
    // Read before the transaction: on PGlite (one connection) a query outside it would wait forever.
    const ref = await deps.reference.get();
    return deps.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(mailMessages)
        .values({ ...base, rawSha256: tooLarge ? null : rawSha })
        .onConflictDoNothing()
        .returning({ id: mailMessages.id, reused: reusedId(mailboxId, mail.messageId, rawSha) });
      if (!row) {
        const [seen] = await tx
          .select({ ticketId: mailMessages.ticketId, number: tickets.number })
          .from(mailMessages)
          .leftJoin(tickets, eq(tickets.id, mailMessages.ticketId))
          .where(
            sql`${mailMessages.mailboxId} = ${mailboxId} and ${mailMessages.dedupeKey} = ${base.dedupeKey}
              and ${mailMessages.contentSha256} = ${rawSha} and ${mailMessages.direction} = 'in'`,
          );
        return { outcome: 'duplicate', ticketId: seen?.ticketId ?? null, ticketNumber: seen?.number ?? null };
      }
      const reused = row.reused === true;
      const finish = async (r: IntakeResult, articleId: string | null = null) => {
        await tx
          .update(mailMessages)
          .set({ outcome: r.outcome, ticketId: r.ticketId, articleId })
          .where(eq(mailMessages.id, row.id));
        // Staff should know: threading by this id may have picked the other message's ticket, or this one may be a
        // forgery meant to hide the real message.
        if (reused && r.ticketId && PROCESSED.has(r.outcome)) {
          await internalNote(
            tx,
            r.ticketId,
            `El Message-ID <${mail.messageId}> ya lo usaba otro mensaje de este buzón / ` +
              `Another message in this mailbox already used Message-ID <${mail.messageId}>`,
          );
          await recordEvent(tx, r.ticketId, null, new Date(), 'message_id_reused', { messageId: mail.messageId });
        }
        return r;
      };
      /** Kept (raw .eml and row, listed for admins) without a ticket, an acknowledgement or a contact. */
      const stored = async (reason: string) => {
        if (reason !== mail.automated) {
          await tx.update(mailMessages).set({ automated: reason }).where(eq(mailMessages.id, row.id));
        }
        return finish(result('stored'));
      };

      if (isOwnMail(mail.headers, ownDomain, mail.messageId)) {
        deps.log.warn('mail: dropped our own mail coming back', { mailboxId, messageId: mail.messageId });
        return finish(result('loop'));
      }
      if (tooLarge) {
        if (!mail.automated && mail.from) {
          await enqueue(tx, 'mail_rejected', {
            to: mail.from.address,
            reason: 'too_large',
            subject: mail.subject,
            maxBytes: deps.env.MAIL_MAX_BYTES,
            inReplyTo: mail.messageId,
          });
        }
        deps.log.info('mail: refused, too large', { mailboxId, size: raw.length, from: mail.from?.address });
        return finish(result('too_large'));
      }
      await storeBlob(tx, raw, rawSha);
      if (mail.bounce) return finish(await bounce(tx, mail));

      const own = await ownAddresses(tx, deps.env);
      // Nobody to answer nor to make a contact of: an address that does not parse is no one's.
      if (!mail.from || !isMailbox(mail.from.address) || own.has(mail.from.address)) {
        deps.log.warn('mail: no usable sender', { mailboxId, messageId: mail.messageId, from: mail.from?.address });
        return stored(!mail.from ? 'sender:none' : own.has(mail.from.address) ? 'sender:own' : 'sender:invalid');
      }
      // Spam is kept out of tickets even when it claims a thread: ids and subject tags are easy to copy.
      if (mail.automated?.startsWith('spam:')) return stored(mail.automated);
      const match = await resolveThread(tx, mailboxId, mail, ownDomain);
      // Reports, notices and robots that start no conversation are kept for admins, unless the department wants them.
      if (!match && mail.automated && !(await automatedOpensTickets(tx, mailbox.departmentId))) {
        return stored(mail.automated);
      }
      const contact = await findOrCreateContact(tx, mail.from);
      if (!match) return newTicket(tx, ref, mailbox, mail, contact, own, null, finish);

      // The one write path's lock; the thread, not the sender's scope, says which ticket this answers.
      const ticket = await lockTicket(tx, null, { id: match.ticket.id });
      // What an answer does is core's rule, the portal's too; automated mail is never the customer's answer.
      const effect = mail.automated ? 'append' : await customerReplyEffectOn(tx, ticket);
      if (effect === 'new_ticket') return newTicket(tx, ref, mailbox, mail, contact, own, ticket, finish);
      if (effect === 'reject') {
        await enqueue(tx, 'mail_rejected', {
          to: mail.from.address,
          language: contact.language,
          reason: 'closed_ticket',
          subject: mail.subject,
          ticketNumber: ticket.number,
          ticketId: ticket.id,
          inReplyTo: mail.messageId,
        });
        return finish(result('rejected', ticket));
      }
      return appendToTicket(tx, ticket, mail, contact, effect, finish);
    });
  };

  async function bounce(tx: Tx, mail: ParsedMail): Promise<IntakeResult> {
    const info = mail.bounce;
    const [original] = info?.originalMessageId
      ? await tx
          .select({ ticket: tickets, to: mailMessages.toAddresses })
          .from(mailMessages)
          .innerJoin(tickets, eq(tickets.id, mailMessages.ticketId))
          .where(eq(mailMessages.messageId, info.originalMessageId))
          .limit(1)
      : [];
    const failed = info?.failedRecipients.length ? info.failedRecipients : (original?.to ?? []);
    const until = new Date(Date.now() + SUPPRESS_DAYS * 86_400_000);
    for (const address of failed) {
      await tx
        .insert(mailSuppressions)
        .values({ address: address.toLowerCase(), reason: 'bounce', until, ticketId: original?.ticket.id ?? null })
        .onConflictDoUpdate({ target: mailSuppressions.address, set: { until, reason: 'bounce' } });
    }
    if (!original) {
      deps.log.info('mail: bounce for an unknown message', { failed });
      return result('bounce');
    }
    const now = await internalNote(
      tx,
      original.ticket.id,
      `No se pudo entregar el correo / Mail delivery failed: ${failed.join(', ') || '?'}`,
    );
    await recordEvent(tx, original.ticket.id, null, now, 'bounce', { recipients: failed });
    return result('bounce', original.ticket);
  }

  /** Attachments stored by hash; inline images get URLs the sanitized HTML can load. */
  async function storeParts(tx: Tx, ticketId: string, articleId: string, mail: ParsedMail, authorId: string) {
    const urls = new Map<string, string>();
    for (const a of mail.attachments) {
      const id = await storeAttachment(tx, {
        ticketId,
        articleId,
        filename: a.filename,
        contentType: a.contentType,
        content: a.content,
        sha256: a.sha256,
        uploadedById: authorId,
      });
      if (a.contentId) urls.set(a.contentId, `${deps.publicUrl}/api/attachments/${id}`);
    }
    return mail.html ? rewriteCidLinks(mail.html, (cid) => urls.get(cid) ?? null) : null;
  }

  async function insertArticle(tx: Tx, ticketId: string, mail: ParsedMail, contact: ContactRow, now: Date) {
    const id = randomUUID();
    const { reply, quoted } = splitQuoted(mail.text);
    // The HTML's cid: links need the attachments' ids, and the attachments the article's: only then a second write.
    const linked = mail.html !== null && mail.attachments.some((a) => a.contentId !== null);
    await tx.insert(articles).values({
      id,
      ticketId,
      kind: 'email_in',
      authorId: contact.id,
      body: reply,
      quotedText: quoted,
      bodyHtml: linked ? null : mail.html,
      createdAt: now,
    });
    const html = await storeParts(tx, ticketId, id, mail, contact.id);
    if (linked && html) await tx.update(articles).set({ bodyHtml: html }).where(eq(articles.id, id));
    return id;
  }

  async function newTicket(
    tx: Tx,
    ref: ReferenceData,
    mailbox: MailboxRow,
    mail: ParsedMail,
    contact: ContactRow,
    own: Set<string>,
    linkedTo: TicketRow | null,
    finish: (r: IntakeResult, articleId?: string | null) => Promise<IntakeResult>,
  ): Promise<IntakeResult> {
    const now = new Date();
    const { reply } = splitQuoted(mail.text);
    const fields = extractRequesterFields(reply);
    const sender = mail.from?.address;
    const cc = [...new Set([...mail.to, ...mail.cc].map((a) => a.address))].filter(
      (a) => !own.has(a) && a !== sender && isMailbox(a),
    );
    const severity = 'medium' as const;
    const urgency = 'medium' as const;
    const ticket = await insertTicketIn(tx, {
      requesterId: contact.id,
      organizationId: contact.organizationId,
      requesterName: fields.name ?? contact.name,
      requesterOrganization: fields.organization ?? contact.organizationName,
      requesterLocation: fields.location ?? null,
      requesterPhone: fields.phone ?? contact.phone,
      requesterEmail: fields.email ?? contact.email,
      equipmentId: null,
      siteId: null,
      contractId: null,
      ...classify(ref, mailbox.departmentId, severity, urgency, now),
      subject: (mail.subject ?? NO_SUBJECT[contact.language]).slice(0, 300),
      description: (fields.description ?? reply).slice(0, 20_000) || NO_SUBJECT[contact.language],
      channel: 'email',
      departmentId: mailbox.departmentId,
      severity,
      urgency,
      status: 'new',
      ownerId: null,
      cc,
      createdById: contact.id,
      createdAt: now,
      updatedAt: now,
      mailboxId: mailbox.id,
      linkedTicketId: linkedTo?.id ?? null,
    });
    if (mail.automated) {
      // Stored, never acknowledged: an auto-reply answering an auto-reply is how mail loops start.
      await tx
        .update(outbox)
        .set({ payload: sql`${outbox.payload} || '{"skipAck": true}'::jsonb` })
        .where(sql`${outbox.kind} = 'ticket_created' and ${outbox.payload}->>'ticketId' = ${ticket.id}`);
    }
    if (linkedTo) await recordEvent(tx, linkedTo.id, contact.id, now, 'follow_up', { ticketId: ticket.id });
    const articleId = await insertArticle(tx, ticket.id, mail, contact, now);
    return finish(result(linkedTo ? 'linked' : 'created', ticket), articleId);
  }

  async function appendToTicket(
    tx: Tx,
    ticket: TicketRow,
    mail: ParsedMail,
    contact: ContactRow,
    effect: JoiningEffect,
    finish: (r: IntakeResult, articleId?: string | null) => Promise<IntakeResult>,
  ): Promise<IntakeResult> {
    const now = new Date();
    const articleId = await insertArticle(tx, ticket.id, mail, contact, now);
    const article = { id: articleId, kind: 'email_in' };
    // Automated mail, and staff writing by mail, only join the conversation: neither is the customer's answer.
    if (mail.automated || contact.role !== 'customer') {
      await recordEvent(tx, ticket.id, contact.id, now, 'article', article);
      return finish(result('appended', ticket), articleId);
    }
    await recordCustomerReply(tx, contactActor(contact), ticket, effect, article, now);
    return finish(result(effect === 'reopen' ? 'reopened' : 'appended', ticket), articleId);
  }
}
