import { subjectTag } from '@mesa/core';
import { and, asc, eq, isNotNull } from 'drizzle-orm';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { DbOrTx } from '../db/client';
import { mailMessages } from '../db/schema';
import type { Env } from '../env';
import { LOOP_HEADER } from './message-id';
import type { Rendered } from './templates';

/**
 * What a mail is, for the caps and for the headers that keep auto-responders quiet:
 * an acknowledgement of a new ticket, a notice answering one inbound mail (refused), a
 * notification the desk generates, or null for a person's words relayed (a staff reply).
 */
export type Automated = 'ack' | 'notice' | 'notification';

export interface Thread {
  /** The newest message of the ticket's chain. */
  inReplyTo: string | null;
  /** The chain, oldest first. */
  references: string[];
}

export interface ComposeInput {
  /** Without angle brackets. */
  messageId: string;
  to: string[];
  cc: string[];
  replyTo: string | null;
  ticketNumber: string | null;
  automated: Automated | null;
  thread: Thread;
  content: Rendered;
}

/** Long chains are cut in the middle: the root and the newest messages are what threading needs. */
const MAX_REFERENCES = 20;

export const mailDomain = (env: Env): string => env.MAIL_FROM.split('@')[1] ?? 'localhost';

/** The Message-IDs of every mail in and out of a ticket, as In-Reply-To and References for the next one. */
export async function ticketThread(db: DbOrTx, ticketId: string): Promise<Thread> {
  const rows = await db
    .select({ messageId: mailMessages.messageId })
    .from(mailMessages)
    .where(and(eq(mailMessages.ticketId, ticketId), isNotNull(mailMessages.messageId)))
    .orderBy(asc(mailMessages.createdAt), asc(mailMessages.id));
  const ids = [...new Set(rows.map((r) => r.messageId as string))];
  const references = ids.length > MAX_REFERENCES ? [ids[0]!, ...ids.slice(-(MAX_REFERENCES - 1))] : ids;
  return { inReplyTo: references.at(-1) ?? null, references };
}

const automationHeaders = (automated: Automated | null): Record<string, string> => {
  switch (automated) {
    case 'ack':
    case 'notice':
      // RFC 3834: a reply a machine wrote; Exchange's header stops out-of-office answers to it.
      return { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' };
    case 'notification':
      return { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', Precedence: 'bulk' };
    case null:
      return {};
  }
};

export const taggedSubject = (subject: string, ticketNumber: string | null): string =>
  ticketNumber ? `${subjectTag(ticketNumber)} ${subject}` : subject;

/** The raw MIME message (multipart text + HTML) exactly as it will be sent and stored. */
export async function composeMail(env: Env, input: ComposeInput): Promise<{ raw: Buffer; subject: string }> {
  const subject = taggedSubject(input.content.subject, input.ticketNumber);
  const composer = new MailComposer({
    from: { name: env.MAIL_FROM_NAME, address: env.MAIL_FROM },
    to: input.to,
    ...(input.cc.length > 0 ? { cc: input.cc } : {}),
    ...(input.replyTo ? { replyTo: input.replyTo } : {}),
    subject,
    messageId: `<${input.messageId}>`,
    ...(input.thread.inReplyTo ? { inReplyTo: `<${input.thread.inReplyTo}>` } : {}),
    ...(input.thread.references.length > 0 ? { references: input.thread.references.map((id) => `<${id}>`) } : {}),
    headers: { ...automationHeaders(input.automated), [LOOP_HEADER]: mailDomain(env) },
    text: input.content.text,
    html: input.content.html,
    // Content is ours; never let a value in it make the composer read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    // CRLF throughout, as SMTP carries it: the stored raw message is byte for byte what was received.
    newline: 'windows',
  });
  return { raw: await composer.compile().build(), subject };
}
