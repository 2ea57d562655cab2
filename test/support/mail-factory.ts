/**
 * Raw RFC 5322 messages for tests: composed by nodemailer (what real clients send), or written line by line when a
 * test needs bytes nodemailer would never produce (8-bit Latin-1, broken headers).
 */
import { readFileSync } from 'node:fs';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';

export interface MailAttachment {
  /** false sends the part without a name (nodemailer would otherwise invent one). */
  filename?: string | false;
  content: string | Buffer;
  contentType?: string;
  /** Content-ID without brackets; makes the part an inline (related) attachment. */
  cid?: string;
  contentDisposition?: 'attachment' | 'inline';
}

export interface ComposeOptions {
  from?: string;
  to?: string | string[];
  cc?: string | string[];
  replyTo?: string;
  subject?: string;
  text?: string;
  html?: string;
  /** Extra headers, e.g. `{ 'Auto-Submitted': 'auto-replied' }`. */
  headers?: Record<string, string>;
  /** With or without brackets. */
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  date?: Date;
  attachments?: MailAttachment[];
}

const bracket = (id: string): string => (id.startsWith('<') ? id : `<${id}>`);

/** A message as a mail client would send it (defaults: a customer writing to the helpdesk). */
export async function composeMail(opts: ComposeOptions = {}): Promise<Buffer> {
  const composer = new MailComposer({
    from: opts.from ?? 'Ana Gómez <ana@example.com>',
    to: opts.to ?? 'soporte@mesa.test',
    ...(opts.cc ? { cc: opts.cc } : {}),
    ...(opts.replyTo ? { replyTo: opts.replyTo } : {}),
    ...(opts.subject !== undefined ? { subject: opts.subject } : {}),
    ...(opts.text !== undefined ? { text: opts.text } : {}),
    ...(opts.html !== undefined ? { html: opts.html } : {}),
    ...(opts.headers ? { headers: opts.headers } : {}),
    ...(opts.messageId ? { messageId: bracket(opts.messageId) } : {}),
    ...(opts.inReplyTo ? { inReplyTo: bracket(opts.inReplyTo) } : {}),
    ...(opts.references ? { references: opts.references.map(bracket) } : {}),
    date: opts.date ?? new Date('2024-03-01T12:00:00Z'),
    ...(opts.attachments ? { attachments: opts.attachments } : {}),
  });
  return composer.compile().build();
}

/**
 * A hand-written message: lines joined with CRLF. `latin1` maps each character to one byte, so `'\xe9'` is é in
 * ISO-8859-1 and `'\x80'` is € in Windows-1252.
 */
export const rawMail = (lines: string[], encoding: 'utf8' | 'latin1' = 'utf8'): Buffer =>
  Buffer.from(lines.join('\r\n'), encoding);

/** A fixture from test/mail/fixtures. */
export const fixture = (name: string): Buffer => readFileSync(new URL(`../mail/fixtures/${name}`, import.meta.url));
