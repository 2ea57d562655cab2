import type { DbOrTx } from '../db/client';
import { outbox } from '../db/schema';

/**
 * Kinds of outgoing work. Rows are written in the same transaction as the change
 * that causes them, so a rollback never sends mail and a commit never loses it.
 */
export type OutboxKind =
  | 'verify_email'
  | 'reset_password'
  /** Someone tried to register an address that has an account: its owner gets a set-password link. */
  | 'account_exists'
  | 'ticket_created'
  | 'ticket_public_update'
  | 'customer_replied'
  | 'ticket_assigned'
  | 'ticket_closed'
  | 'ticket_reopened'
  /** A polite notice to a human sender whose mail was refused (too large, or to a closed ticket). */
  | 'mail_rejected';

export async function enqueue(tx: DbOrTx, kind: OutboxKind, payload: Record<string, unknown>): Promise<void> {
  await tx.insert(outbox).values({ kind, payload });
}
