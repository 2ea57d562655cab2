import type { Language, TicketStatus } from '@mesa/core';
import { bodyMarker } from './message-id';
import { accountExists, resetPassword, verifyEmail } from './templates/account';
import { type ClosedTimes, ticketAck, ticketClosed, ticketPublicUpdate } from './templates/customer';
import { type Draft, type Rendered, renderDoc } from './templates/doc';
import { mailRejected, type Rejection } from './templates/rejected';
import { customerReplied, ticketAssigned, ticketNotice, ticketReopened } from './templates/staff';
import type { TicketView } from './templates/ticket-view';

export type { ClosedTimes } from './templates/customer';
export type { Rendered } from './templates/doc';
export { escapeHtml } from './templates/doc';
export { humanDuration } from './templates/duration';
export type { Rejection } from './templates/rejected';
export type { TicketView } from './templates/ticket-view';

/** Every mail the desk writes, with the data each needs. */
export type MailTemplate =
  | { kind: 'verify_email'; link: string }
  | { kind: 'reset_password'; link: string }
  /** To the owner of an address someone tried to register again, with a set-password link. */
  | { kind: 'account_exists'; link: string }
  /** To the requester of a new ticket. */
  | { kind: 'ticket_ack'; ticket: TicketView }
  /** To the department (or owner) of a new ticket. */
  | { kind: 'ticket_notice'; ticket: TicketView; description: string }
  | { kind: 'ticket_public_update'; ticket: TicketView; body: string; authorName: string | null }
  | { kind: 'customer_replied'; ticket: TicketView; body: string }
  | { kind: 'ticket_assigned'; ticket: TicketView; ownerName: string }
  | { kind: 'ticket_closed'; ticket: TicketView; times: ClosedTimes; rateLink: string }
  | { kind: 'ticket_reopened'; ticket: TicketView; from: TicketStatus | null }
  | ({ kind: 'mail_rejected' } & Rejection);

function draft(t: MailTemplate, lang: Language): Draft {
  switch (t.kind) {
    case 'verify_email':
      return verifyEmail(t.link, lang);
    case 'reset_password':
      return resetPassword(t.link, lang);
    case 'account_exists':
      return accountExists(t.link, lang);
    case 'ticket_ack':
      return ticketAck(t.ticket, lang);
    case 'ticket_notice':
      return ticketNotice(t.ticket, t.description, lang);
    case 'ticket_public_update':
      return ticketPublicUpdate(t.ticket, t.body, t.authorName, lang);
    case 'customer_replied':
      return customerReplied(t.ticket, t.body, lang);
    case 'ticket_assigned':
      return ticketAssigned(t.ticket, t.ownerName, lang);
    case 'ticket_closed':
      return ticketClosed(t.ticket, t.times, t.rateLink, lang);
    case 'ticket_reopened':
      return ticketReopened(t.ticket, t.from, lang);
    case 'mail_rejected':
      return mailRejected(t, lang);
  }
}

const ticketNumberOf = (t: MailTemplate): string | null =>
  'ticket' in t ? t.ticket.number : t.kind === 'mail_rejected' ? t.ticketNumber : null;

/**
 * Subject (untagged: compose adds `[T-000042]`), text and HTML in the recipient's language. Ticket
 * mails end with the body marker, so a reply still finds its ticket when a provider rewrites Message-ID.
 */
export function renderMail(t: MailTemplate, opts: { lang: Language; signature: string }): Rendered {
  const { subject, blocks } = draft(t, opts.lang);
  const number = ticketNumberOf(t);
  return renderDoc({
    lang: opts.lang,
    subject,
    blocks,
    signature: opts.signature,
    marker: number ? bodyMarker(number) : null,
  });
}
