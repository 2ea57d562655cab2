import { eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { mailMessages, tickets } from '../db/schema';
import type { TicketRow } from '../services/ticket-dto';
import { ticketNumberFromOurMessageId } from './classify';
import { ticketNumberInSubject } from './subject';
import type { ParsedMail } from './types';

export type ThreadMatch = { ticket: TicketRow; by: 'in-reply-to' | 'references' | 'message-id' | 'marker' | 'subject' };

/**
 * A ticket of another mailbox is someone else's thread; web and phone tickets belong to every mailbox.
 * A deleted ticket is nobody's: a reply to it opens a new ticket rather than vanishing into a tombstone.
 */
const ours = (ticket: TicketRow, mailboxId: string) =>
  ticket.deletedAt === null && (ticket.mailboxId === null || ticket.mailboxId === mailboxId);

async function byNumber(tx: DbOrTx, number: string | null, mailboxId: string): Promise<TicketRow | null> {
  if (!number) return null;
  const [row] = await tx.select().from(tickets).where(eq(tickets.number, number.toUpperCase()));
  return row && ours(row, mailboxId) ? row : null;
}

/**
 * Which ticket a message follows up, in order: In-Reply-To, then References newest first, against
 * every stored Message-ID (in and out); our own Message-ID format; the body marker (for providers that
 * rewrite Message-ID); the subject tag, when that ticket exists. Null → a new ticket.
 */
export async function resolveThread(
  tx: DbOrTx,
  mailboxId: string,
  mail: ParsedMail,
  ownDomain: string,
): Promise<ThreadMatch | null> {
  const candidates = [...new Set([mail.inReplyTo, ...[...mail.references].reverse()].filter((x) => !!x))] as string[];
  if (candidates.length > 0) {
    const rows = await tx
      .select({ messageId: mailMessages.messageId, ticket: tickets })
      .from(mailMessages)
      .innerJoin(tickets, eq(tickets.id, mailMessages.ticketId))
      .where(inArray(mailMessages.messageId, candidates));
    for (const id of candidates) {
      const hit = rows.find((r) => r.messageId === id && ours(r.ticket, mailboxId));
      if (hit) return { ticket: hit.ticket, by: id === mail.inReplyTo ? 'in-reply-to' : 'references' };
    }
    for (const id of candidates) {
      const ticket = await byNumber(tx, ticketNumberFromOurMessageId(id, ownDomain), mailboxId);
      if (ticket) return { ticket, by: 'message-id' };
    }
  }
  const marked = await byNumber(tx, mail.markerTicketNumber, mailboxId);
  if (marked) return { ticket: marked, by: 'marker' };
  const tagged = await byNumber(tx, mail.subject ? ticketNumberInSubject(mail.subject) : null, mailboxId);
  if (tagged) return { ticket: tagged, by: 'subject' };
  return null;
}
