import { AppError, ErrorCode } from './errors';
import { isStaff, managesQueues, type Role, type SupportTier, supportTiers, type TicketStatus } from './values';

/**
 * Hand-over between owners and support tiers (seeds 001, 002), written once for the server's service and
 * the device's mutator.
 */

export interface AssignmentChange {
  /** A staff member's id, or null to return the ticket to its department's queue. */
  ownerId?: string | null | undefined;
  supportTier?: SupportTier | undefined;
}

interface AssignedTicket {
  status: TicketStatus;
  ownerId: string | null;
  supportTier: SupportTier;
}

/** Agents, supervisors and admins hand over any ticket they see; a technician only their own. */
export const mayHandOver = (actor: { id: string; role: Role }, ticket: { ownerId: string | null }): boolean =>
  managesQueues(actor.role) || (actor.role === 'technician' && ticket.ownerId === actor.id);

/** The next support tier up, or null at the last one (seed 002: escalation by expertise). */
export const nextTier = (tier: SupportTier): SupportTier | null =>
  (supportTiers.find((t) => t > tier) as SupportTier | undefined) ?? null;

/**
 * What a hand-over changes on the ticket. `owner` is the new owner as the writer knows them: their role, null
 * when nobody by that id may own tickets (unknown or disabled), undefined when the writer cannot tell (a
 * device without the staff directory leaves that check to the server). "Open" means assigned: taking a new
 * ticket opens it, returning an open one to the queue makes it new again.
 */
export function assignmentPatch(
  ticket: AssignedTicket,
  change: AssignmentChange,
  actor: { id: string; role: Role },
  owner: { role: Role } | null | undefined,
): Partial<AssignedTicket> {
  if (!isStaff(actor.role) || !mayHandOver(actor, ticket)) throw new AppError(ErrorCode.FORBIDDEN);
  const patch: Partial<AssignedTicket> = {};
  if (change.supportTier !== undefined && change.supportTier !== ticket.supportTier) {
    patch.supportTier = change.supportTier;
  }
  const to = change.ownerId;
  if (to === undefined || to === ticket.ownerId) return patch;
  if (to !== null) {
    if (owner === null) throw new AppError(ErrorCode.REFERENCE_NOT_FOUND, 'owner not found', { field: 'ownerId' });
    if (owner && !isStaff(owner.role)) {
      const message = 'the owner must be a staff member';
      throw new AppError(ErrorCode.VALIDATION_FAILED, message, {
        issues: [{ path: 'ownerId', message, code: 'custom' }],
      });
    }
  }
  patch.ownerId = to;
  if (ticket.status === 'new' && to !== null) patch.status = 'open';
  if (ticket.status === 'open' && to === null) patch.status = 'new';
  return patch;
}

/** The department mail lands in and finished work returns to (seed 001: back to the service-desk agent). */
export const SERVICE_DESK_SLUG = 'atencion';

interface StaffMember {
  id: string;
  name: string;
  role: Role;
  departmentIds: readonly string[];
}

/** Whom a ticket may go to: the staff of its department first, then everyone else, each in name order. */
export function ownerCandidates<S extends StaffMember>(
  staff: readonly S[],
  departmentId: string,
): { department: S[]; others: S[] } {
  const sorted = staff.filter((s) => isStaff(s.role)).sort((a, b) => a.name.localeCompare(b.name));
  return {
    department: sorted.filter((s) => s.departmentIds.includes(departmentId)),
    others: sorted.filter((s) => !s.departmentIds.includes(departmentId)),
  };
}

/**
 * The service-desk agent a finished ticket goes back to: the latest of its past owners who works at the
 * service desk, else the service desk's first agent by name; undefined when the desk has nobody.
 */
export function serviceDeskAgent<S extends StaffMember>(
  staff: readonly S[],
  serviceDeskId: string,
  pastOwners: readonly string[],
): S | undefined {
  const desk = staff.filter((s) => isStaff(s.role) && s.departmentIds.includes(serviceDeskId));
  for (const id of [...pastOwners].reverse()) {
    const found = desk.find((s) => s.id === id);
    if (found) return found;
  }
  return [...desk].sort((a, b) => a.name.localeCompare(b.name))[0];
}
