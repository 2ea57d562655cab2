import { assertMayAttachTo, assertMayWriteArticle } from '../article-rules';
import { assignmentPatch } from '../assignment';
import { customerReplyEffect } from '../customer-reply';
import { AppError, ErrorCode } from '../errors';
import type { Article } from '../schemas/article';
import { isStaff, type Role, type TicketStatus } from '../schemas/enums';
import type { Ticket } from '../schemas/ticket';
import { classifyTicket } from '../sla';
import { createdChannel, createdOwner } from '../ticket-create-rules';
import { reopenTarget, statusChange } from '../ticket-states';
import { attachmentOf, type MutatorArgs, type ParsedMutation, type TicketField } from './mutators';
import type { AttachmentRow } from './protocol';
import {
  assertDepartmentTakes,
  type DeviceReference,
  departmentNotFound,
  equipmentNotFound,
  findEquipment,
} from './reference';
import { applyFieldChanges, ticketFieldsEditableBy } from './ticket-fields';

/** A synced ticket; `deletedAt` marks a tombstone the client keeps so later edits fail with TICKET_DELETED. */
export type LocalTicket = Ticket & { deletedAt?: string | null };

/** The client's view of the synced tables (the PWA maps Dexie to and from this). */
export interface LocalState {
  tickets: Map<string, LocalTicket>;
  articles: Map<string, Article>;
  attachments: Map<string, AttachmentRow>;
  /** Departments, policy and profile: what opening a ticket and a customer's answer depend on. */
  reference?: DeviceReference;
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

/**
 * A new severity, urgency or department re-classifies the ticket as the server does, when the device holds
 * the policy and the department (otherwise the next pull brings the server's values).
 */
function reclassified(state: LocalState, before: Ticket, after: Ticket): Partial<Ticket> {
  const { severity, urgency, departmentId } = after;
  if (severity === before.severity && urgency === before.urgency && departmentId === before.departmentId) return {};
  const department = state.reference?.departments.get(departmentId);
  const policy = state.reference?.policy;
  if (department) assertDepartmentTakes(department, urgency);
  if (!department || !policy) return {};
  const c = classifyTicket(policy, department.calendar, severity, urgency, new Date(after.createdAt));
  return {
    priority: c.priority,
    firstResponseDueAt: c.firstResponseDueAt.toISOString(),
    resolutionDueAt: c.resolutionDueAt.toISOString(),
  };
}

function updateFields(state: LocalState, args: MutatorArgs<'updateTicketFields@1'>, actor: SyncActor, now: string) {
  // The role's field table first, as on the server: a field the role may never edit is refused as such.
  const c = args.changes;
  const allowed = ticketFieldsEditableBy(actor.role);
  const refused = (Object.keys(c) as TicketField[]).filter((f) => c[f] !== undefined && !allowed.includes(f));
  if (refused.length > 0) {
    throw new AppError(ErrorCode.FORBIDDEN, 'fields not editable by this role', { fields: refused });
  }
  const ticket = liveTicket(state, args.ticketId);
  const next: LocalTicket = { ...ticket, ...applyFieldChanges(ticket, c), updatedAt: now };
  return withTicket(state, { ...next, ...reclassified(state, ticket, next) });
}

function addNote(state: LocalState, args: MutatorArgs<'addNote@1'>, actor: SyncActor, now: string): LocalState {
  if (state.articles.has(args.id)) return state;
  const staff = isStaff(actor.role);
  assertMayWriteArticle(actor.role, args);
  const ticket = liveTicket(state, args.ticketId);
  // Staff reopen a closed ticket first; a customer's answer follows the department's policy (only a
  // reopening joins the ticket: a new linked ticket or a refusal is the server's to decide).
  const closedPolicy = state.reference?.departments.get(ticket.departmentId)?.closedReplyPolicy ?? 'reject';
  const effect = customerReplyEffect(ticket.status, closedPolicy);
  if (ticket.status === 'closed' && (staff || effect !== 'reopen')) {
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
  } else if (effect !== 'append') {
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
    timeSpentMinutes: args.timeSpentMinutes ?? null,
    createdAt: now,
  };
  return {
    ...withTicket(state, { ...ticket, ...patch, updatedAt: now }),
    articles: new Map(state.articles).set(article.id, article),
  };
}

/**
 * A ticket opened on the device, as the server will store it: priority from the matrix, due times on the
 * department's calendar from the same creation time, the requester from the profile. What only the server
 * can resolve (equipment by maintenance code or serial, a contact by e-mail) arrives with the next pull.
 */
function createTicket(state: LocalState, args: MutatorArgs<'createTicket@1'>, actor: SyncActor, now: Date) {
  if (state.tickets.has(args.id)) return state;
  const ref = state.reference;
  const department = ref?.departments.get(args.departmentId);
  if (!department) throw departmentNotFound();
  assertDepartmentTakes(department, args.urgency);
  if (!ref?.policy) throw new AppError(ErrorCode.REFERENCE_NOT_FOUND, 'priority policy not on this device');
  const { priority, ...due } = classifyTicket(ref.policy, department.calendar, args.severity, args.urgency, now);
  const at = now.toISOString();
  const given = args.requester ?? {};
  const customer = actor.role === 'customer';
  const profile = ref.profile;
  // The equipment a code or serial names, when the device holds the list the user may name from.
  const named = args.maintenanceCode || args.serialNumber;
  const found = named && ref.equipment ? findEquipment(ref.equipment, args) : undefined;
  if (named && ref.equipment && !found) {
    throw equipmentNotFound(args.maintenanceCode ? 'maintenanceCode' : 'serialNumber');
  }
  if (!customer && !args.requesterId && !args.maintenanceCode && !args.serialNumber && !given.name && !given.email) {
    const message = 'the requester is required: requesterId, maintenanceCode or requester.name';
    throw new AppError(ErrorCode.VALIDATION_FAILED, message, {
      issues: [{ path: 'requester.name', message, code: 'custom' }],
    });
  }
  const ticket: LocalTicket = {
    id: args.id,
    number: '',
    subject: args.subject,
    description: args.description,
    status: 'new',
    severity: args.severity,
    urgency: args.urgency,
    priority,
    channel: createdChannel(actor.role, args.channel),
    departmentId: args.departmentId,
    ownerId: createdOwner(actor),
    supportTier: 1,
    requesterId: customer ? actor.id : (args.requesterId ?? null),
    organizationId: customer ? (profile?.organizationId ?? null) : (found?.organizationId ?? null),
    requester: customer
      ? {
          name: profile?.name ?? actor.name ?? '',
          organization: profile?.organizationName ?? null,
          location: given.location || null,
          phone: given.phone || null,
          email: profile?.email ?? null,
        }
      : {
          name: given.name ?? '',
          organization: given.organization || null,
          location: given.location || null,
          phone: given.phone || null,
          email: given.email || null,
        },
    // Staff may name them directly; what a code names fills the rest, as on the server.
    siteId: (customer ? undefined : args.siteId) ?? found?.siteId ?? null,
    equipmentId: (customer ? undefined : args.equipmentId) ?? found?.id ?? null,
    contractId: found?.contractId ?? null,
    cc: [...new Set(args.cc)],
    firstResponseDueAt: due.firstResponseDueAt.toISOString(),
    resolutionDueAt: due.resolutionDueAt.toISOString(),
    createdAt: at,
    updatedAt: at,
    firstResponseAt: null,
    attendedAt: null,
    resolvedAt: null,
    closedAt: null,
    version: 0,
  };
  return withTicket(state, ticket);
}

/**
 * A hand-over as the server makes it. An owner outside the device's staff directory (a stale directory, or
 * none on the device) is the server's to check.
 */
function assign(state: LocalState, args: MutatorArgs<'assignTicket@1'>, actor: SyncActor, now: string): LocalState {
  if (args.noteId && state.articles.has(args.noteId)) return state;
  const ticket = liveTicket(state, args.ticketId);
  const owner = args.ownerId ? state.reference?.staff?.find((s) => s.id === args.ownerId) : undefined;
  const patch = assignmentPatch(ticket, args, actor, owner);
  const next = withTicket(state, { ...ticket, ...patch, updatedAt: now });
  if (!args.note || !args.noteId) return next;
  const note: Article = {
    id: args.noteId,
    ticketId: ticket.id,
    kind: 'internal_note',
    authorId: actor.id,
    authorName: actor.name ?? null,
    body: args.note,
    nextStatus: null,
    realProblem: null,
    realSolution: null,
    timeSpentMinutes: null,
    createdAt: now,
  };
  return { ...next, articles: new Map(state.articles).set(note.id, note) };
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
 * Priority and due times follow severity, urgency and department as on the server when the device holds the
 * reference data; without it the next pull brings the server's values.
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
    case 'createTicket@1':
      return createTicket(state, m.args, actor, now);
    case 'assignTicket@1':
      return assign(state, m.args, actor, at);
  }
}
