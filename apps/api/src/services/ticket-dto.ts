import type { Article, HistoryRow, SupportTier, Ticket } from '@mesa/core';
import type { articles, ticketHistory, tickets } from '../db/schema';

export type TicketRow = typeof tickets.$inferSelect;
export type ArticleRow = typeof articles.$inferSelect;
export type HistoryDbRow = typeof ticketHistory.$inferSelect;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export const toTicket = (t: TicketRow): Ticket => ({
  id: t.id,
  number: t.number,
  subject: t.subject,
  description: t.description,
  status: t.status,
  severity: t.severity,
  urgency: t.urgency,
  priority: t.priority,
  channel: t.channel,
  departmentId: t.departmentId,
  ownerId: t.ownerId,
  supportTier: t.supportTier as SupportTier,
  requesterId: t.requesterId,
  organizationId: t.organizationId,
  requester: {
    name: t.requesterName,
    organization: t.requesterOrganization,
    location: t.requesterLocation,
    phone: t.requesterPhone,
    email: t.requesterEmail,
  },
  siteId: t.siteId,
  equipmentId: t.equipmentId,
  contractId: t.contractId,
  cc: t.cc,
  firstResponseDueAt: iso(t.firstResponseDueAt),
  resolutionDueAt: iso(t.resolutionDueAt),
  createdAt: t.createdAt.toISOString(),
  updatedAt: t.updatedAt.toISOString(),
  firstResponseAt: iso(t.firstResponseAt),
  attendedAt: iso(t.attendedAt),
  resolvedAt: iso(t.resolvedAt),
  closedAt: iso(t.closedAt),
  version: t.version,
});

/** What an article's DTO is made of (the mail's HTML and quoted text stay on the server). */
export type ArticleFields = Omit<ArticleRow, 'bodyHtml' | 'quotedText' | 'changeXid'>;

export const toArticle = (a: ArticleFields, authorName: string | null): Article => ({
  id: a.id,
  ticketId: a.ticketId,
  kind: a.kind,
  authorId: a.authorId,
  authorName,
  body: a.body,
  nextStatus: a.nextStatus as Article['nextStatus'],
  realProblem: a.realProblem,
  realSolution: a.realSolution,
  timeSpentMinutes: a.timeSpentMinutes,
  createdAt: a.createdAt.toISOString(),
});

export const toHistoryRow = (h: HistoryDbRow, actorName: string | null): HistoryRow => ({
  id: h.id,
  ticketId: h.ticketId,
  field: h.field,
  oldValue: h.oldValue,
  newValue: h.newValue,
  actorId: h.actorId,
  actorName,
  at: h.at.toISOString(),
});
