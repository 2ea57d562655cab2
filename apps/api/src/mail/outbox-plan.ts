import { type Language, mayReadArticle, ticketStatuses } from '@mesa/core';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { articles, departments, type outbox, ticketHistory, tickets, users } from '../db/schema';
import type { TicketRow } from '../services/ticket-dto';
import type { Automated } from './compose';
import { type MailTemplate, type Rendered, renderMail, type TicketView } from './templates';
import type { MailDeps } from './types';

export type OutboxRow = typeof outbox.$inferSelect;

/** One message an outbox row turns into. */
export interface PlannedMail {
  /** Stable name within the row ('ack', 'notice', 'main'): keys the Message-ID kept in the payload. */
  part: string;
  automated: Automated | null;
  to: string[];
  cc: string[];
  ticketId: string | null;
  ticketNumber: string | null;
  articleId: string | null;
  replyTo: string | null;
  /** Threads under the ticket's chain; otherwise under `inReplyTo` alone (a notice answering one mail). */
  threadTicketId: string | null;
  inReplyTo: string | null;
  content: Rendered;
}

/** Retrying cannot help (unknown kind, bad payload, ticket gone): the row is closed with this message. */
export class PermanentError extends Error {}

type UserRow = typeof users.$inferSelect;
type DepartmentRow = typeof departments.$inferSelect;

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
const lower = (a: string | null | undefined): string | null => (a ? a.trim().toLowerCase() : null);
const langOf = (v: unknown): Language => (v === 'en' ? 'en' : 'es');
const need = (v: unknown, field: string): string => {
  const s = str(v);
  if (!s) throw new PermanentError(`payload has no ${field}`);
  return s;
};

async function userById(db: Db, id: string | null): Promise<UserRow | null> {
  if (!id) return null;
  const [u] = await db.select().from(users).where(eq(users.id, id));
  return u ?? null;
}

async function userByEmail(db: Db, email: string | null): Promise<UserRow | null> {
  if (!email) return null;
  const [u] = await db.select().from(users).where(sql`lower(${users.email}) = ${email.toLowerCase()}`);
  return u ?? null;
}

/** Who last changed the ticket's owner (the history row the assignment wrote). */
async function lastOwnerChangeBy(db: Db, ticketId: string): Promise<string | null> {
  const [h] = await db
    .select({ actorId: ticketHistory.actorId })
    .from(ticketHistory)
    .where(and(eq(ticketHistory.ticketId, ticketId), eq(ticketHistory.field, 'ownerId')))
    .orderBy(desc(ticketHistory.id))
    .limit(1);
  return h?.actorId ?? null;
}

interface TicketContext {
  ticket: TicketRow;
  department: DepartmentRow;
  requester: UserRow | null;
  owner: UserRow | null;
}

async function loadTicket(db: Db, payload: Record<string, unknown>): Promise<TicketContext> {
  const id = need(payload.ticketId, 'ticketId');
  const [row] = await db
    .select({ ticket: tickets, department: departments })
    .from(tickets)
    .innerJoin(departments, eq(departments.id, tickets.departmentId))
    .where(eq(tickets.id, id));
  if (!row) throw new PermanentError(`ticket ${id} not found`);
  const requester = (await userById(db, row.ticket.requesterId)) ?? (await userByEmail(db, row.ticket.requesterEmail));
  const owner = await userById(db, row.ticket.ownerId);
  return { ...row, requester, owner: owner?.disabledAt ? null : owner };
}

export function planner(deps: MailDeps) {
  const { db, env, publicUrl } = deps;
  const signature = env.MAIL_FROM_NAME;
  const ticketLink = (number: string) => `${publicUrl}/tickets/${number}`;

  const view = (c: TicketContext, lang: Language): TicketView => ({
    number: c.ticket.number,
    subject: c.ticket.subject,
    link: ticketLink(c.ticket.number),
    priority: c.ticket.priority,
    requesterName: c.ticket.requesterName,
    requesterEmail: c.ticket.requesterEmail,
    departmentName: lang === 'en' ? c.department.nameEn : c.department.nameEs,
  });

  /** A mail about a ticket, threaded under its chain, answered to the department. */
  const ticketMail = (
    c: TicketContext,
    part: string,
    automated: Automated | null,
    rcpt: { to: Array<string | null>; cc?: string[]; lang: Language },
    template: (v: TicketView) => MailTemplate,
    articleId: string | null = null,
  ): PlannedMail => ({
    part,
    automated,
    to: rcpt.to.map(lower).filter((a) => a !== null),
    cc: (rcpt.cc ?? []).map((a) => a.toLowerCase()),
    ticketId: c.ticket.id,
    ticketNumber: c.ticket.number,
    articleId,
    replyTo: c.department.email,
    threadTicketId: c.ticket.id,
    inReplyTo: null,
    content: renderMail(template(view(c, rcpt.lang)), { lang: rcpt.lang, signature }),
  });

  /** Customer side: the requester, plus the ticket's CCs when `withCc`; the requester's language. */
  const customers = (c: TicketContext, withCc: boolean) => ({
    to: [c.ticket.requesterEmail ?? c.requester?.email ?? null],
    cc: withCc ? c.ticket.cc : [],
    lang: langOf(c.requester?.language),
  });
  /** Staff side: `first` (the owner, usually), else the department's address. */
  const staff = (c: TicketContext, first: 'owner' | 'department') => {
    const owner = c.owner ? { to: [c.owner.email], lang: langOf(c.owner.language) } : null;
    const dept = c.department.email ? { to: [c.department.email], lang: 'es' as Language } : null;
    return (first === 'owner' ? (owner ?? dept) : (dept ?? owner)) ?? { to: [], lang: 'es' as Language };
  };

  const article = async (payload: Record<string, unknown>) => {
    const id = need(payload.articleId, 'articleId');
    const [a] = await db
      .select({ body: articles.body, kind: articles.kind, authorName: users.name })
      .from(articles)
      .leftJoin(users, eq(users.id, articles.authorId))
      .where(eq(articles.id, id));
    if (!a) throw new PermanentError(`article ${id} not found`);
    return { id, ...a };
  };

  const since = (from: Date, to: Date | null): number | null => (to ? to.getTime() - from.getTime() : null);

  /** Standalone mail to one address given in the payload (accounts, refusals). */
  const direct = async (
    payload: Record<string, unknown>,
    automated: Automated,
    template: MailTemplate,
    extra: Partial<PlannedMail> = {},
  ): Promise<PlannedMail[]> => {
    const to = need(payload.to, 'to').toLowerCase();
    const lang = payload.language ? langOf(payload.language) : langOf((await userByEmail(db, to))?.language);
    return [
      {
        part: 'main',
        automated,
        to: [to],
        cc: [],
        ticketId: null,
        ticketNumber: null,
        articleId: null,
        replyTo: null,
        threadTicketId: null,
        inReplyTo: null,
        content: renderMail(template, { lang, signature }),
        ...extra,
      },
    ];
  };

  /** What one outbox row sends, to whom, in which language. Throws PermanentError for rows that can never be sent. */
  return async function plan(row: OutboxRow): Promise<PlannedMail[]> {
    const p = row.payload;
    switch (row.kind) {
      case 'verify_email':
        return direct(p, 'notification', { kind: 'verify_email', link: need(p.link, 'link') });
      case 'reset_password':
        return direct(p, 'notification', { kind: 'reset_password', link: need(p.link, 'link') });
      case 'account_exists':
        return direct(p, 'notification', { kind: 'account_exists', link: need(p.link, 'link') });
      case 'mail_rejected': {
        const reason = p.reason === 'closed_ticket' ? 'closed_ticket' : 'too_large';
        const ticketNumber = str(p.ticketNumber);
        return direct(
          p,
          'notice',
          {
            kind: 'mail_rejected',
            reason,
            subject: str(p.subject),
            ticketNumber,
            maxBytes: typeof p.maxBytes === 'number' ? p.maxBytes : null,
            portalLink: publicUrl,
          },
          { ticketId: str(p.ticketId), ticketNumber, inReplyTo: str(p.inReplyTo) },
        );
      }
      case 'ticket_created': {
        const c = await loadTicket(db, p);
        const notice = ticketMail(c, 'notice', 'notification', staff(c, 'department'), (t) => ({
          kind: 'ticket_notice',
          ticket: t,
          description: c.ticket.description,
        }));
        // Intake sets skipAck for mail from machines: acknowledging an auto-reply starts a loop.
        if (p.skipAck === true) return [notice];
        const ack = ticketMail(c, 'ack', 'ack', customers(c, false), (t) => ({ kind: 'ticket_ack', ticket: t }));
        return [ack, notice];
      }
      case 'ticket_public_update': {
        const c = await loadTicket(db, p);
        const a = await article(p);
        // The one rule of what customers may read: an internal note never leaves by mail, whoever queued it.
        if (!mayReadArticle('customer', a.kind)) throw new PermanentError('not sent: the article is not for customers');
        const mail = ticketMail(
          c,
          'main',
          null,
          customers(c, true),
          (t) => ({ kind: 'ticket_public_update', ticket: t, body: a.body, authorName: a.authorName }),
          a.id,
        );
        return [mail];
      }
      case 'customer_replied': {
        const c = await loadTicket(db, p);
        const a = await article(p);
        const mail = ticketMail(
          c,
          'main',
          'notification',
          staff(c, 'owner'),
          (t) => ({ kind: 'customer_replied', ticket: t, body: a.body }),
          a.id,
        );
        return [mail];
      }
      case 'ticket_assigned': {
        const c = await loadTicket(db, p);
        const owner = await userById(db, need(p.ownerId, 'ownerId'));
        // Handed on again before we got here: the mail would send someone to a ticket that is not theirs.
        if (!owner || owner.disabledAt || c.ticket.ownerId !== owner.id) {
          throw new PermanentError('not sent: the ticket has another owner now');
        }
        if ((await lastOwnerChangeBy(db, c.ticket.id)) === owner.id) {
          throw new PermanentError('not sent: the owner took the ticket themselves');
        }
        const rcpt = { to: [owner.email], lang: langOf(owner.language) };
        return [
          ticketMail(c, 'main', 'notification', rcpt, (t) => ({
            kind: 'ticket_assigned',
            ticket: t,
            ownerName: owner.name,
          })),
        ];
      }
      case 'ticket_closed': {
        const c = await loadTicket(db, p);
        const t0 = c.ticket.createdAt;
        const answered = c.ticket.firstResponseAt ?? c.ticket.attendedAt;
        const resolved = c.ticket.resolvedAt ?? c.ticket.closedAt;
        // Closed without a recorded response: the closing itself was the first answer.
        const times = { attentionMs: since(t0, answered ?? resolved), resolutionMs: since(t0, resolved) };
        const rateLink = `${ticketLink(c.ticket.number)}?rate=1`;
        return [
          ticketMail(c, 'main', 'notification', customers(c, true), (t) => ({
            kind: 'ticket_closed',
            ticket: t,
            times,
            rateLink,
          })),
        ];
      }
      case 'ticket_reopened': {
        const c = await loadTicket(db, p);
        const from = ticketStatuses.find((s) => s === p.from) ?? null;
        return [
          ticketMail(c, 'main', 'notification', staff(c, 'owner'), (t) => ({
            kind: 'ticket_reopened',
            ticket: t,
            from,
          })),
        ];
      }
      default:
        throw new PermanentError(`unknown outbox kind ${row.kind}`);
    }
  };
}
