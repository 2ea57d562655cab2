import type { Db } from '../db/client';
import type { Env } from '../env';
import type { Logger } from '../logger';

/** What every mail module needs: no HTTP, no globals. */
export interface MailDeps {
  db: Db;
  env: Env;
  log: Logger;
  /** Public base URL of the PWA, for links in mail (no trailing slash). */
  publicUrl: string;
}

export interface Address {
  /** Lower-cased. */
  address: string;
  name: string;
}

export interface ParsedAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
  size: number;
  sha256: string;
  /** Without angle brackets; set for inline parts referenced as cid: from the HTML. */
  contentId: string | null;
  inline: boolean;
}

export interface BounceInfo {
  /** Message-ID of the mail that bounced, from the embedded message or its headers. */
  originalMessageId: string | null;
  /** Addresses that failed (X-Failed-Recipients, DSN Final-Recipient). */
  failedRecipients: string[];
}

/** A parsed inbound message. Message-IDs are stored without angle brackets. */
export interface ParsedMail {
  messageId: string | null;
  inReplyTo: string | null;
  /** As in the header: oldest first. */
  references: string[];
  /** Decoded; null when missing or blank. */
  subject: string | null;
  date: Date | null;
  from: Address | null;
  replyTo: Address[];
  to: Address[];
  cc: Address[];
  /** Plain text body (from the text part, or derived from the HTML). */
  text: string;
  /** Sanitized HTML, cid: links untouched (rewrite with rewriteCidLinks once attachments are stored). */
  html: string | null;
  attachments: ParsedAttachment[];
  /** Header name (lower case) → values. */
  headers: Record<string, string[]>;
  /** Why the message is automated (auto-reply, bulk, list, bounce…), or null when a person wrote it. */
  automated: string | null;
  bounce: BounceInfo | null;
  /** The body carries our marker (providers that rewrite Message-ID): the ticket number it names. */
  markerTicketNumber: string | null;
  size: number;
}

/** The one intake function both the IMAP reader and the SMTP listener feed. */
export type IntakeFn = (mailboxId: string, raw: Buffer) => Promise<IntakeResult>;

export interface IntakeResult {
  outcome:
    | 'created'
    | 'appended'
    | 'reopened'
    | 'linked'
    | 'rejected'
    | 'bounce'
    | 'loop'
    | 'automated'
    /** Kept for admins without a ticket: automated mail, spam, or a sender nobody can answer. */
    | 'stored'
    | 'duplicate'
    | 'too_large';
  ticketId: string | null;
  ticketNumber: string | null;
}
