import type { TicketStatus } from './schemas/enums';

/** What a department does with a customer's answer to a closed ticket (seed 004: hosting departments differ). */
export const closedReplyPolicies = ['reopen', 'new_ticket', 'reject'] as const;
export type ClosedReplyPolicy = (typeof closedReplyPolicies)[number];

/**
 * What a customer's answer does to their ticket:
 * - `append`: staff are at work; the answer joins the conversation, the state stays.
 * - `hand_back`: the ticket waited on the customer; it goes back to staff.
 * - `reopen`: the work was finished (resolved, or closed under a `reopen` policy); it opens again.
 * - `new_ticket`: closed, and the department opens a new ticket linked to it instead.
 * - `reject`: closed, and the department refuses the answer (the sender is told).
 */
export type CustomerReplyEffect = 'append' | 'hand_back' | 'reopen' | 'new_ticket' | 'reject';

/**
 * The one rule, for the portal, a device's note and an e-mail alike. Mail that is automated never
 * counts as the customer's answer; that is the mail channel's to decide before asking.
 */
export function customerReplyEffect(status: TicketStatus, closedPolicy: ClosedReplyPolicy): CustomerReplyEffect {
  switch (status) {
    case 'pending_customer':
      return 'hand_back';
    case 'resolved':
      return 'reopen';
    case 'closed':
      return closedPolicy;
    default:
      return 'append';
  }
}
