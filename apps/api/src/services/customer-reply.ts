import { type ClosedReplyPolicy, type CustomerReplyEffect, customerReplyEffect } from '@mesa/core';
import { eq } from 'drizzle-orm';
import type { Tx } from '../db/client';
import { departments } from '../db/schema';
import type { Actor } from '../http/context';
import { recordEvent } from './history';
import { enqueue } from './outbox';
import type { TicketRow } from './ticket-dto';
import { reopenStatus, statusPatch } from './ticket-status';
import { saveTicket } from './ticket-write';

/** The effects under which the answer joins the ticket (the others open a new ticket or refuse it). */
export type JoiningEffect = Extract<CustomerReplyEffect, 'append' | 'hand_back' | 'reopen'>;

export const joinsTicket = (effect: CustomerReplyEffect): effect is JoiningEffect =>
  effect === 'append' || effect === 'hand_back' || effect === 'reopen';

/** Core's rule on a locked ticket, with its department's policy for answers to closed tickets. */
export async function customerReplyEffectOn(tx: Tx, row: TicketRow): Promise<CustomerReplyEffect> {
  if (row.status !== 'closed') return customerReplyEffect(row.status, 'reopen');
  const [dept] = await tx
    .select({ policy: departments.closedReplyPolicy })
    .from(departments)
    .where(eq(departments.id, row.departmentId));
  const policy: ClosedReplyPolicy = dept?.policy ?? 'reopen';
  return customerReplyEffect(row.status, policy);
}

/**
 * A customer's answer, already stored as `article`, applied to its locked ticket — the same for the
 * portal, a device's note and an e-mail: the state change of the rule (back to the owner, or to the
 * queue), the version bump and history, and the mail to staff (the answer, and a reopening).
 */
export async function recordCustomerReply(
  tx: Tx,
  author: Actor,
  row: TicketRow,
  effect: JoiningEffect,
  article: { id: string; kind: string },
  now: Date,
): Promise<TicketRow> {
  const patch = effect === 'append' ? {} : statusPatch(author, row, reopenStatus(row), now);
  const after = await saveTicket(tx, author.id, row, patch, now);
  await recordEvent(tx, row.id, author.id, now, 'article', { id: article.id, kind: article.kind });
  await enqueue(tx, 'customer_replied', { ticketId: row.id, articleId: article.id });
  if (effect === 'reopen') await enqueue(tx, 'ticket_reopened', { ticketId: row.id, from: row.status });
  return after;
}
