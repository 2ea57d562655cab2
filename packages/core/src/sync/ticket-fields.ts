import type { Role } from '../schemas/enums';
import type { Ticket } from '../schemas/ticket';
import { type FieldConflict, fieldConflicts, flattenFields } from './conflict';
import type { TicketField, TicketFieldChanges, TicketFieldsSeen } from './mutators';

/** The editable values of a ticket, as the device and the API's DTO both hold them. */
export type TicketFieldValues = Pick<Ticket, TicketField>;

const agentFields: readonly TicketField[] = [
  'subject',
  'description',
  'severity',
  'urgency',
  'departmentId',
  'cc',
  'siteId',
  'equipmentId',
  'requester',
];
const editableFields: Record<Role, readonly TicketField[]> = {
  customer: ['cc'],
  technician: ['siteId', 'equipmentId', 'requester', 'description'],
  agent: agentFields,
  supervisor: agentFields,
  admin: agentFields,
};

/** Which fields each role may edit (status goes through the state machine, separately). */
export const ticketFieldsEditableBy = (role: Role): readonly TicketField[] => editableFields[role];

/**
 * The values after an edit: one rule for the device's optimistic apply and the server's write (cc
 * deduplicated, an emptied optional requester line stored as null). Priority and due times are the
 * server's to recompute from severity, urgency and department.
 */
export function applyFieldChanges(current: TicketFieldValues, c: TicketFieldChanges): TicketFieldValues {
  const next: TicketFieldValues = { ...current };
  if (c.subject !== undefined) next.subject = c.subject;
  if (c.description !== undefined) next.description = c.description;
  if (c.severity !== undefined) next.severity = c.severity;
  if (c.urgency !== undefined) next.urgency = c.urgency;
  if (c.departmentId !== undefined) next.departmentId = c.departmentId;
  if (c.cc !== undefined) next.cc = [...new Set(c.cc)];
  if (c.siteId !== undefined) next.siteId = c.siteId;
  if (c.equipmentId !== undefined) next.equipmentId = c.equipmentId;
  if (c.requester) {
    const r = c.requester;
    const req = { ...current.requester };
    if (r.name !== undefined) req.name = r.name;
    if (r.organization !== undefined) req.organization = r.organization || null;
    if (r.location !== undefined) req.location = r.location || null;
    if (r.phone !== undefined) req.phone = r.phone || null;
    if (r.email !== undefined) req.email = r.email;
    next.requester = req;
  }
  return next;
}

/** The overwrites an edit makes of values its writer had not seen (history marks them as conflicts). */
export function ticketFieldConflicts(
  current: TicketFieldValues,
  changes: TicketFieldChanges,
  seen: TicketFieldsSeen,
): FieldConflict[] {
  const touched = Object.keys(changes) as TicketField[];
  const now = flattenFields(Object.fromEntries(touched.map((f) => [f, current[f]])));
  return fieldConflicts(flattenFields(seen), now, flattenFields(changes));
}
