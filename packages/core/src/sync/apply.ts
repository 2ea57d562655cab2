import { assertMayAttachTo, assertMayWriteArticle } from '../article-rules';
import { customerReplyEffect } from '../customer-reply';
import { AppError, ErrorCode } from '../errors';
import type { Article } from '../schemas/article';
import { isStaff, type Role, type TicketStatus } from '../schemas/enums';
import type { Ticket } from '../schemas/ticket';
import { reopenTarget, statusChange } from '../ticket-states';
import { attachmentOf, type MutatorArgs, type ParsedMutation, type TicketField } from './mutators';
import type { AttachmentRow } from './protocol';
import { applyFieldChanges, ticketFieldsEditableBy } from './ticket-fields';

/** A synced ticket; `deletedAt` marks a tombstone the client keeps so later edits fail with TICKET_DELETED. */
export type LocalTicket = Ticket & { deletedAt?: string | null };

/** The client's view of the synced tables (the PWA maps Dexie to and from this). */
export interface LocalState {
  tickets: Map<string, LocalTicket>;
  articles: Map<string, Article>;
  attachments: Map<string, AttachmentRow>;
}

export interface SyncActor {
  id: string;
  role: Role;
  name?: string | null;
}

export const emptyLocalState = (): LocalState => ({ tickets: new Map(), articles: new Map(), attachments: new Map() });

function liveTicket(state: LocalState, id: string): LocalTicket {
  const ticket = state.tickets.get(id);
  if (!ticket) throw new AppError(ErrorCode.TICKET_NOT_FOUND, 'ticket not found', { ticketId: id });
  if (ticket.deletedAt) throw new AppError(ErrorCode.TICKET_DELETED, 'ticket was deleted', { ticketId: id });
  return ticket;
}

/** The same state machine and stamps as the server. */
const statusPatch = (actor: SyncActor, ticket: Ticket, to: TicketStatus, now: string): Partial<Ticket> =>
  statusChange(ticket, to, actor.role, now);

const withTicket = (state: LocalState, ticket: LocalTicket): LocalState => ({
  ...state,
  tickets: new Map(state.tickets).set(ticket.id, ticket),
});

function updateFields(state: LocalState, args: MutatorArgs<'updateTicketFields@1'>, actor: SyncActor, now: string) {
  const ticket = liveTicket(state, args.ticketId);
  const c = args.changes;
  const allowed = ticketFieldsEditableBy(actor.role);
  const refused = (Object.keys(c) as TicketField[]).filter((f) => c[f] !== undefined && !allowed.includes(f));
  if (refused.length > 0) {
    throw new AppError(ErrorCode.FORBIDDEN, 'fields not editable by this role', { fields: refused });
  }
  const next: LocalTicket = { ...ticket, ...applyFieldChanges(ticket, c), updatedAt: now };
  return withTicket(state, next);
}

function addNote(state: LocalState, args: MutatorArgs<'addNote@1'>, actor: SyncActor, now: string): LocalState {
  if (state.articles.has(args.id)) return state;
  const staff = isStaff(actor.role);
  assertMayWriteArticle(actor.role, args);
  const ticket = liveTicket(state, args.ticketId);
  if (ticket.status === 'closed') {
    throw new AppError(ErrorCode.INVALID_TRANSITION, 'ticket is closed', {
      from: 'closed',
      to: 'closed',
      reason: 'TICKET_CLOSED',
    });
  }
  let patch: Partial<Ticket> = {};
  if (staff) {
    if (args.nextStatus && args.nextStatus !== ticket.status) patch = statusPatch(actor, ticket, args.nextStatus, now);
    if (args.kind === 'public_reply' && !ticket.firstResponseAt) patch.firstResponseAt = now;
  } else if (customerReplyEffect(ticket.status, 'reject') !== 'append') {
    // The server's rule; closed tickets were refused above (the device cannot see the department's policy).
    patch = statusPatch(actor, ticket, reopenTarget(ticket.ownerId !== null), now);
  }
  const article: Article = {
    id: args.id,
    ticketId: ticket.id,
    kind: args.kind,
    authorId: actor.id,
    authorName: actor.name ?? null,
    body: args.body,
    nextStatus: args.nextStatus ?? null,
    realProblem: args.realProblem || null,
    realSolution: args.realSolution || null,
    createdAt: now,
  };
  return {
    ...withTicket(state, { ...ticket, ...patch, updatedAt: now }),
    articles: new Map(state.articles).set(article.id, article),
  };
}

function insertAttachment(state: LocalState, row: AttachmentRow, actor: SyncActor): LocalState {
  if (state.attachments.has(row.id)) return state;
  liveTicket(state, row.ticketId);
  if (row.articleId !== null) {
    const article = state.articles.get(row.articleId);
    if (!article || article.ticketId !== row.ticketId) {
      throw new AppError(ErrorCode.REFERENCE_NOT_FOUND, 'article not found on this ticket', {
        articleId: row.articleId,
      });
    }
    assertMayAttachTo(actor.role, article.kind);
  }
  return { ...state, attachments: new Map(state.attachments).set(row.id, row) };
}

/**
 * Applies one mutation optimistically, with the same rules the server enforces (state machine, role field
 * table, insert-only notes and attachments keyed by client ids). Pure: returns a new state, never mutates `state`;
 * a refused mutation throws the AppError the server would reject it with.
 * Caveat: priority is not re-classified on severity/urgency/department changes (needs reference data): the next
 * pull brings the server's value.
 */
export function applyMutation(state: LocalState, m: ParsedMutation, actor: SyncActor, now: Date): LocalState {
  const at = now.toISOString();
  switch (m.name) {
    case 'updateTicketFields@1':
      return updateFields(state, m.args, actor, at);
    case 'changeStatus@1': {
      const ticket = liveTicket(state, m.args.ticketId);
      return withTicket(state, { ...ticket, ...statusPatch(actor, ticket, m.args.to, at), updatedAt: at });
    }
    case 'addNote@1':
      return addNote(state, m.args, actor, at);
    case 'addAttachment@1':
    case 'captureSignature@1':
      return insertAttachment(state, { ...attachmentOf(m), createdAt: at }, actor);
  }
}
