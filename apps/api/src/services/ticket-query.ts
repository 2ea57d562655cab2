import {
  AppError,
  type Article,
  ErrorCode,
  mayReadHistory,
  prioritySchema,
  type Ticket,
  type TicketHistoryEntry,
  type TicketListQuery,
} from '@mesa/core';
import { and, asc, eq, ilike, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { articles, sites, ticketHistory, tickets, users } from '../db/schema';
import type { Actor } from '../http/context';
import { articleVisibility, ticketScope } from './access';
import { type TicketRow, toArticle, toHistoryRow, toTicket } from './ticket-dto';

/** The queue position of the last row seen: (priority, seq) — first come, first served within priority. */
const cursorSchema = z.tuple([prioritySchema, z.number().int().positive()]);

export const encodeCursor = (t: Pick<TicketRow, 'priority' | 'seq'>): string =>
  Buffer.from(JSON.stringify([t.priority, t.seq])).toString('base64url');

export function decodeCursor(cursor: string): z.infer<typeof cursorSchema> {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new AppError(ErrorCode.BAD_CURSOR);
  }
}

const likeEscape = (s: string): string => s.replace(/[\\%_]/g, (m) => `\\${m}`);

function filters(actor: Actor, q: TicketListQuery): SQL[] {
  // Deleted tickets stay only as tombstones for sync; lists never show them.
  const where: SQL[] = [ticketScope(actor), isNull(tickets.deletedAt)];
  if (q.status) where.push(inArray(tickets.status, q.status));
  if (q.priority) where.push(inArray(tickets.priority, q.priority));
  if (q.departmentId) where.push(eq(tickets.departmentId, q.departmentId));
  if (q.ownerId === 'none') where.push(isNull(tickets.ownerId));
  else if (q.ownerId) where.push(eq(tickets.ownerId, q.ownerId === 'me' ? actor.id : q.ownerId));
  if (q.organizationId) where.push(eq(tickets.organizationId, q.organizationId));
  if (q.siteId) where.push(eq(tickets.siteId, q.siteId));
  if (q.regionId) {
    where.push(sql`${tickets.siteId} in (
      select s.id from ${sites} s where s.region_id in (
        with recursive down(id) as (
          select ${q.regionId}::uuid
          union all
          select r.id from regions r join down on r.parent_id = down.id
        ) select id from down))`);
  }
  if (q.q) {
    const pattern = `%${likeEscape(q.q)}%`;
    where.push(
      or(
        ilike(tickets.number, pattern),
        ilike(tickets.subject, pattern),
        ilike(tickets.description, pattern),
        ilike(tickets.requesterName, pattern),
      ) as SQL,
    );
  }
  if (q.cursor) {
    const [priority, seq] = decodeCursor(q.cursor);
    where.push(sql`(${tickets.priority}, ${tickets.seq}) > (${priority}, ${seq})`);
  }
  return where;
}

export async function listTickets(
  db: Db,
  actor: Actor,
  q: TicketListQuery,
): Promise<{ items: Ticket[]; nextCursor: string | null }> {
  const rows = await db
    .select()
    .from(tickets)
    .where(and(...filters(actor, q)))
    .orderBy(asc(tickets.priority), asc(tickets.seq))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return { items: page.map(toTicket), nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null };
}

export async function findVisibleTicket(db: Db, actor: Actor, number: string): Promise<TicketRow> {
  const [row] = await db
    .select()
    .from(tickets)
    .where(and(eq(tickets.number, number.toUpperCase()), ticketScope(actor)))
    .limit(1);
  if (!row) throw new AppError(ErrorCode.TICKET_NOT_FOUND);
  // 410, not 404, for whoever could see it: the PWA can say so and drop its copy (writes answer the same).
  if (row.deletedAt) throw new AppError(ErrorCode.TICKET_DELETED);
  return row;
}

export const getTicket = async (db: Db, actor: Actor, number: string): Promise<Ticket> =>
  toTicket(await findVisibleTicket(db, actor, number));

/** Customers see the conversation, never internal notes. */
export async function listArticles(db: Db, actor: Actor, number: string): Promise<Article[]> {
  const ticket = await findVisibleTicket(db, actor, number);
  const rows = await db
    .select({ article: articles, authorName: users.name })
    .from(articles)
    .leftJoin(users, eq(users.id, articles.authorId))
    .where(and(eq(articles.ticketId, ticket.id), articleVisibility(actor)))
    .orderBy(asc(articles.createdAt), asc(articles.id));
  return rows.map((r) => toArticle(r.article, r.authorName));
}

export async function listHistory(db: Db, actor: Actor, number: string): Promise<TicketHistoryEntry[]> {
  if (!mayReadHistory(actor.role)) throw new AppError(ErrorCode.FORBIDDEN);
  const ticket = await findVisibleTicket(db, actor, number);
  const rows = await db
    .select({ h: ticketHistory, actorName: users.name })
    .from(ticketHistory)
    .leftJoin(users, eq(users.id, ticketHistory.actorId))
    .where(eq(ticketHistory.ticketId, ticket.id))
    .orderBy(asc(ticketHistory.id));
  return rows.map(({ h, actorName }) => toHistoryRow(h, actorName));
}
