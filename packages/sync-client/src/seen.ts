import type { LocalTicket, MutatorArgs, TicketFieldsSeen } from '@mesa/core';

type Changes = MutatorArgs<'updateTicketFields@1'>['changes'];

/**
 * What the user was looking at for the fields an edit changes: sent with the edit so the server can
 * mark an overwrite of a value this device had not seen (a conflict) in the ticket's history.
 */
export function seenFor(ticket: LocalTicket, changes: Changes): TicketFieldsSeen {
  const seen: TicketFieldsSeen = {};
  if (changes.subject !== undefined) seen.subject = ticket.subject;
  if (changes.description !== undefined) seen.description = ticket.description;
  if (changes.severity !== undefined) seen.severity = ticket.severity;
  if (changes.urgency !== undefined) seen.urgency = ticket.urgency;
  if (changes.departmentId !== undefined) seen.departmentId = ticket.departmentId;
  if (changes.cc !== undefined) seen.cc = ticket.cc;
  if (changes.siteId !== undefined) seen.siteId = ticket.siteId;
  if (changes.equipmentId !== undefined) seen.equipmentId = ticket.equipmentId;
  if (changes.requester) {
    const r: NonNullable<TicketFieldsSeen['requester']> = {};
    for (const k of ['name', 'organization', 'location', 'phone', 'email'] as const) {
      if (changes.requester[k] !== undefined) (r as Record<string, unknown>)[k] = ticket.requester[k];
    }
    seen.requester = r;
  }
  return seen;
}
