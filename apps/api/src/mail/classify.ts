/**
 * Telling people from machines. Automated mail is stored but never acknowledged (acknowledging an auto-reply starts
 * a mail loop), our own notifications coming back are dropped, and bounces are tied to the mail that bounced.
 * Everything here is pure: it reads the header map that parse.ts builds (lower-case name → raw values).
 */
import { randomBytes } from 'node:crypto';
import { parseTicketNumber } from '@mesa/core';
import { isMailbox } from './address';
import type { BounceInfo } from './types';

export type HeaderMap = Record<string, string[]>;

/** Set on every mail we send; seeing it inbound means our own mail came back. */
export const LOOP_HEADER = 'X-Mesa-Loop';

const first = (headers: HeaderMap, name: string): string | null => headers[name]?.[0] ?? null;
const has = (headers: HeaderMap, name: string): boolean => (headers[name]?.length ?? 0) > 0;

/** The main value of a structured header, lower-cased, without parameters (`auto-replied; foo=1` → `auto-replied`). */
const mainValue = (value: string): string => (value.split(';')[0] ?? '').trim().toLowerCase();

const BULK_PRECEDENCE = new Set(['bulk', 'junk', 'list', 'auto_reply', 'auto-reply']);

/** Robot senders, also with a tag or suffix (`no-reply+abc`, `noreply-billing`). */
const ROBOT_SENDERS: [RegExp, string][] = [
  [/^mailer-daemon(?:[+._-].*)?$/, 'mailer-daemon'],
  [/^postmaster(?:[+._-].*)?$/, 'postmaster'],
  [/^no[._-]?reply(?:[+._-].*)?$/, 'noreply'],
  [/^do[._-]?not[._-]?reply(?:[+._-].*)?$/, 'donotreply'],
  // System accounts: cron mails its output from root or the cron user, gateways and schedulers from daemon.
  [/^cron(?:[+._-].*)?$/, 'cron'],
  [/^root(?:[+._-].*)?$/, 'root'],
  [/^daemon(?:[+._-].*)?$/, 'daemon'],
  [/^bounces?(?:[+._-].*)?$/, 'bounce'],
];

/** SpamAssassin's default: scores at or above it are spam unless MAIL_SPAM_SCORE says otherwise. */
export const DEFAULT_SPAM_SCORE = 5;

export interface ClassifyOptions {
  /** A spam filter score at or above this marks the message as spam. */
  spamScore?: number;
}

/**
 * Issue trackers, CI and other desks put their own header on every notification (Jira's X-JIRA-FingerPrint, Redmine's
 * X-Redmine-Project…): a prefix is enough, since people's mail clients never add them.
 */
const TRACKER_PREFIXES = [
  'x-jira-',
  'x-redmine-',
  'x-bugzilla-',
  'x-gitlab-',
  'x-github-',
  'x-phabricator-',
  'x-trac-',
  'x-mantis-',
  'x-youtrack-',
  'x-otrs-',
  'x-zendesk-',
  'x-freshdesk-',
];

/** Mailers that only send bulk mail (newsletters, marketing, transactional platforms), as in their X-Mailer. */
const BULK_MAILERS: [RegExp, string][] = [
  [/mailchimp/i, 'mailchimp'],
  [/sendgrid/i, 'sendgrid'],
  [/mailgun/i, 'mailgun'],
  [/sendinblue|brevo/i, 'brevo'],
  [/mailjet/i, 'mailjet'],
  [/phplist/i, 'phplist'],
  [/constant ?contact/i, 'constantcontact'],
  [/campaign ?monitor|createsend/i, 'campaignmonitor'],
  [/mautic/i, 'mautic'],
  [/hubspot/i, 'hubspot'],
  [/acumbamail/i, 'acumbamail'],
  [/mailrelay/i, 'mailrelay'],
  [/mailpoet/i, 'mailpoet'],
  [/salesforce|exacttarget/i, 'salesforce'],
];

/** The filter's score from X-Spam-Score, or the `score=` of X-Spam-Status; null when no filter scored it. */
function spamScore(headers: HeaderMap): number | null {
  const raw =
    first(headers, 'x-spam-score') ?? /\bscore=(-?\d+(?:\.\d+)?)/i.exec(first(headers, 'x-spam-status') ?? '')?.[1];
  const score = raw === undefined || raw === null ? Number.NaN : Number.parseFloat(raw);
  return Number.isFinite(score) ? score : null;
}

/** Why a spam filter's headers call this spam, or null. */
function spamReason(headers: HeaderMap, threshold: number): string | null {
  if ((headers['x-spam-flag'] ?? []).some((v) => /^yes\b/i.test(v.trim()))) return 'spam:x-spam-flag';
  if ((headers['x-spam-status'] ?? []).some((v) => /^yes\b/i.test(v.trim()))) return 'spam:x-spam-status';
  const score = spamScore(headers);
  return score !== null && score >= threshold ? 'spam:score' : null;
}

/** The canonical robot name of a sender address (`MAILER-DAEMON@x` → `mailer-daemon`), or null for anyone else. */
export function robotSender(from: string | null): string | null {
  if (!from) return null;
  const at = from.lastIndexOf('@');
  const local = (at >= 0 ? from.slice(0, at) : from).trim().toLowerCase();
  for (const [pattern, name] of ROBOT_SENDERS) if (pattern.test(local)) return name;
  return null;
}

const isReport = (headers: HeaderMap): boolean =>
  mainValue(first(headers, 'content-type') ?? '') === 'multipart/report';

/**
 * Why a message is automated, as a short stable reason (`auto-submitted:auto-replied`, `precedence:bulk`, `list-id`,
 * `sender:mailer-daemon`, `dsn`…), or null when a person seems to have written it. `from` is the sender's address.
 */
export function automatedReason(headers: HeaderMap, from: string | null, options: ClassifyOptions = {}): string | null {
  // Bounces first: they also match the sender rule, but "dsn" says more.
  if (isReport(headers)) return 'dsn';
  if (has(headers, 'x-failed-recipients')) return 'x-failed-recipients';
  // Spam next: answering it confirms the address to the spammer (and may go to a forged sender).
  const spam = spamReason(headers, options.spamScore ?? DEFAULT_SPAM_SCORE);
  if (spam) return spam;
  // A From that does not parse as a mailbox is nobody to answer.
  if (from !== null && !isMailbox(from)) return 'sender:invalid';

  const autoSubmitted = first(headers, 'auto-submitted');
  if (autoSubmitted !== null && mainValue(autoSubmitted) !== 'no') {
    return `auto-submitted:${mainValue(autoSubmitted) || 'yes'}`;
  }
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoresponse']) if (has(headers, name)) return name;
  for (const name of ['precedence', 'x-precedence']) {
    for (const value of headers[name] ?? []) {
      const v = mainValue(value);
      if (BULK_PRECEDENCE.has(v)) return `${name}:${v}`;
    }
  }
  // Exchange sets it on auto-replies and system mail, whatever the value (All, OOF, AutoReply…).
  if (has(headers, 'x-auto-response-suppress')) return 'x-auto-response-suppress';
  if (has(headers, 'x-loop')) return 'x-loop';
  if (has(headers, 'list-id')) return 'list-id';
  if (has(headers, 'list-unsubscribe')) return 'list-unsubscribe';
  // An empty envelope sender is how MTAs mark mail that must never be answered (RFC 5321 §4.5.5).
  if ((headers['return-path'] ?? []).some((v) => v.replace(/\s+/g, '') === '<>')) return 'return-path:empty';
  if (has(headers, 'x-cron-env')) return 'x-cron-env';
  for (const name of Object.keys(headers)) {
    if (TRACKER_PREFIXES.some((prefix) => name.startsWith(prefix))) return `tracker:${name}`;
  }
  // Set by bulk senders for feedback loops (Gmail, Amazon SES…): people's mail clients never add it.
  if (has(headers, 'feedback-id')) return 'feedback-id';
  const mailer = first(headers, 'x-mailer') ?? '';
  for (const [pattern, name] of BULK_MAILERS) if (pattern.test(mailer)) return `x-mailer:${name}`;
  const robot = robotSender(from);
  if (robot) return `sender:${robot}`;
  return null;
}

/** Strips whitespace and one pair of angle brackets from a Message-ID. */
export const bareMessageId = (id: string): string => id.trim().replace(/^<\s*/, '').replace(/\s*>$/, '');

/** A Message-ID for mail we send: `mesa.<ticket number or x>.<random base36>@<domain>`, no brackets. */
export function ourMessageId(domain: string, ticketNumber?: string | null): string {
  const random = Date.now().toString(36) + randomBytes(8).readBigUInt64BE().toString(36);
  return `mesa.${ticketNumber ?? 'x'}.${random}@${domain}`;
}

const OUR_ID = /^mesa\.([^.@]+)\.[a-z0-9]+@(.+)$/i;

/** The ticket number inside one of our Message-IDs (with or without brackets), or null. */
export function ticketNumberFromOurMessageId(id: string, domain: string): string | null {
  const m = OUR_ID.exec(bareMessageId(id));
  if (!m || m[2]?.toLowerCase() !== domain.toLowerCase()) return null;
  const number = (m[1] ?? '').toUpperCase();
  return parseTicketNumber(number) === null ? null : number;
}

/** True when the message is one we sent: it carries our loop header, or our Message-ID format on our domain. */
export function isOwnMail(headers: HeaderMap, ownDomain: string, messageId: string | null): boolean {
  if (has(headers, LOOP_HEADER.toLowerCase())) return true;
  if (!messageId) return false;
  const id = bareMessageId(messageId).toLowerCase();
  return id.startsWith('mesa.') && id.endsWith(`@${ownDomain.toLowerCase()}`);
}

/** The parts of a parsed message bounce detection looks at. */
export interface BounceInput {
  headers: HeaderMap;
  /** Sender address. */
  from: string | null;
  subject: string | null;
  text: string;
  attachments: ReadonlyArray<{ contentType: string; content: Buffer }>;
}

const FAILURE_SUBJECT =
  /undeliver|delivery status notification|returned mail|mail delivery (?:failed|failure|system)|delivery (?:has )?failed|delivery failure|failure notice|could not be delivered|non[- ]?remis|no se (?:pudo|ha podido) entregar|no entregad|error de entrega|unzustellbar|nicht zugestellt/i;

const ORIGINAL_TYPES = new Set([
  'message/rfc822',
  'text/rfc822-headers',
  'message/rfc822-headers',
  'message/global',
  'message/global-headers',
]);
const STATUS_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);

/** The header block of a message (up to the first blank line), unfolded. */
function headerBlock(source: string): string {
  const end = source.search(/\r?\n\r?\n/);
  return (end >= 0 ? source.slice(0, end) : source).replace(/\r?\n[ \t]+/g, ' ');
}

const messageIdIn = (headerText: string): string | null => {
  const m = /^message-id:\s*<?([^\s<>]+@[^\s<>]+)>?/im.exec(headerText);
  return m?.[1] ?? null;
};

/**
 * Per-recipient blocks of a delivery-status report, keeping recipients whose Action is failed (or missing): a
 * "delayed" or "delivered" report is not a bounce.
 */
function failedInReport(report: string): { failed: string[]; reported: number } {
  const failed: string[] = [];
  let reported = 0;
  for (const block of report.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n\s*\r?\n/)) {
    const recipient = /^final-recipient:\s*(?:[^;\n]*;)?\s*<?([^\s<>;]+@[^\s<>;]+)>?/im.exec(block)?.[1];
    if (!recipient) continue;
    reported++;
    const action = /^action:\s*([a-z]+)/im.exec(block)?.[1]?.toLowerCase();
    if (!action || action === 'failed') failed.push(recipient.toLowerCase());
  }
  return { failed, reported };
}

/**
 * Recognises a bounce (a delivery failure report) and finds which of our messages bounced and for whom.
 * Null for anything else, including "delayed" and "delivered" reports and read receipts.
 */
export function detectBounce(mail: BounceInput): BounceInfo | null {
  const contentType = first(mail.headers, 'content-type') ?? '';
  const reportType = /report-type\s*=\s*"?([a-z-]+)/i.exec(contentType)?.[1]?.toLowerCase();
  const statusParts = mail.attachments.filter((a) => STATUS_TYPES.has(a.contentType.toLowerCase()));
  const xFailed = (mail.headers['x-failed-recipients'] ?? [])
    .flatMap((v) => v.split(/[\s,;]+/))
    .map((a) => bareMessageId(a).toLowerCase())
    .filter((a) => a.includes('@'));

  const dsn = isReport(mail.headers) && (reportType === 'delivery-status' || statusParts.length > 0);
  const robotFailure =
    (robotSender(mail.from) === 'mailer-daemon' || robotSender(mail.from) === 'postmaster') &&
    FAILURE_SUBJECT.test(mail.subject ?? '');
  if (!dsn && !robotFailure && xFailed.length === 0) return null;

  // Reports travel as attachments (parse.ts keeps delivery-status parts out of the text); some MTAs inline them.
  const reports = statusParts.map((a) => a.content.toString('utf8'));
  if (reports.length === 0 && /^final-recipient:/im.test(mail.text)) reports.push(mail.text);
  let reported = 0;
  const failed = new Set(xFailed);
  for (const report of reports) {
    const r = failedInReport(report);
    reported += r.reported;
    for (const a of r.failed) failed.add(a);
  }
  // Every reported recipient delayed or delivered: a status update ("Delivery Status Notification (Delay)").
  if (reported > 0 && failed.size === 0) return null;

  let originalMessageId: string | null = null;
  for (const part of mail.attachments) {
    if (!ORIGINAL_TYPES.has(part.contentType.toLowerCase())) continue;
    originalMessageId = messageIdIn(headerBlock(part.content.toString('utf8')));
    if (originalMessageId) break;
  }
  // Non-DSN bounces (old qmail, Exim's plain format) paste the original headers into the body.
  originalMessageId ??= messageIdIn(mail.text);

  return { originalMessageId, failedRecipients: [...failed] };
}
