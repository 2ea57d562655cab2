import { AppError, type Article, assertMayWriteArticle, type CreateArticleInput, ErrorCode, isStaff } from '@mesa/core';
import { eq } from 'drizzle-orm';
import type { Db, Tx } from '../db/client';
import { articles } from '../db/schema';
import type { Actor } from '../http/context';
import { customerReplyEffectOn, type JoiningEffect, joinsTicket, recordCustomerReply } from './customer-reply';
import { recordEvent } from './history';
import { enqueue } from './outbox';
import { type TicketRow, toArticle } from './ticket-dto';
import { statusPatch } from './ticket-status';
import { lockTicket, saveTicket, withTicket } from './ticket-write';

const closedTicket = () =>
  new AppError(ErrorCode.INVALID_TRANSITION, 'ticket is closed', {
    from: 'closed',
    to: 'closed',
    reason: 'TICKET_CLOSED',
  });

/**
 * A reply or a note. Staff notes may set the next state and record the real
 * problem and solution (seed 001); a customer's reply does what core's customerReplyEffect says
 * (hands a waiting ticket back, reopens finished work, or follows the department's policy when closed).
 */
export async function addArticle(
  db: Db,
  actor: Actor,
  ticket: string | { id: string },
  input: CreateArticleInput,
  /** A client-generated id (offline notes): the same id twice is one article. */
  id?: string,
): Promise<Article> {
  const staff = isStaff(actor.role);
  assertMayWriteArticle(actor.role, input);
  return withTicket(db, actor, ticket, async (tx, row) => {
    if (id) {
      const [existing] = await tx.select().from(articles).where(eq(articles.id, id));
      if (existing && existing.ticketId === row.id) return toArticle(existing, actor.name);
      if (existing) throw new AppError(ErrorCode.VALIDATION_FAILED, 'article id already used', { field: 'id' });
    }
    // Staff never write on a closed ticket (reopen it first); a customer's answer follows the rule.
    let reply: JoiningEffect | null = null;
    if (!staff) {
      const effect = await customerReplyEffectOn(tx, row);
      if (!joinsTicket(effect)) throw closedTicket();
      reply = effect;
    } else if (row.status === 'closed') throw closedTicket();
    const now = new Date();
    const [article] = await tx
      .insert(articles)
      .values({
        ...(id ? { id } : {}),
        ticketId: row.id,
        kind: input.kind,
        authorId: actor.id,
        body: input.body,
        nextStatus: input.nextStatus ?? null,
        realProblem: input.realProblem || null,
        realSolution: input.realSolution || null,
        timeSpentMinutes: input.timeSpentMinutes ?? null,
        createdAt: now,
      })
      .returning();
    if (!article) throw new Error('article insert returned no row');
    if (reply !== null) {
      await recordCustomerReply(tx, actor, row, reply, article, now);
      return toArticle(article, actor.name);
    }
    const patch: Partial<TicketRow> = {};
    if (input.nextStatus && input.nextStatus !== row.status) {
      Object.assign(patch, statusPatch(actor, row, input.nextStatus, now));
    }
    if (input.kind === 'public_reply' && !row.firstResponseAt) patch.firstResponseAt = now;
    const after = await saveTicket(tx, actor.id, row, patch, now);
    await recordEvent(tx, row.id, actor.id, now, 'article', { id: article.id, kind: article.kind });
    if (input.kind === 'public_reply') {
      await enqueue(tx, 'ticket_public_update', { ticketId: row.id, articleId: article.id });
    }
    if (after.status === 'closed') await enqueue(tx, 'ticket_closed', { ticketId: row.id });
    return toArticle(article, actor.name);
  });
}

/**
 * A note for staff written by the desk itself (a bounce, a reused Message-ID), inside the caller's
 * transaction: no author, through the same lock and save as every write, so the ticket's version moves
 * and history lists it. Null when the ticket is gone meanwhile (a tombstone takes no notes): the mail
 * that caused it must still be processed.
 */
export async function addDeskNote(tx: Tx, ticketId: string, body: string, now = new Date()): Promise<string | null> {
  const row = await lockTicket(tx, null, { id: ticketId }).catch((e: unknown) => {
    if (e instanceof AppError && (e.code === ErrorCode.TICKET_DELETED || e.code === ErrorCode.TICKET_NOT_FOUND)) {
      return null;
    }
    throw e;
  });
  if (!row) return null;
  const [note] = await tx
    .insert(articles)
    .values({ ticketId: row.id, kind: 'internal_note', authorId: null, body, createdAt: now })
    .returning({ id: articles.id });
  if (!note) throw new Error('article insert returned no row');
  await saveTicket(tx, null, row, {}, now);
  await recordEvent(tx, row.id, null, now, 'article', { id: note.id, kind: 'internal_note' });
  return note.id;
}
