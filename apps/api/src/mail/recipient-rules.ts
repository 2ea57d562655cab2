import { and, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { mailboxes, mailMessages, mailSuppressions } from '../db/schema';
import type { Env } from '../env';
import { isMailbox } from './address';
import type { Automated } from './compose';

/**
 * Limits on automatic mail per address, counted from the mail actually sent (mail_messages out rows),
 * so they hold across restarts and across every API instance. They stop loops with auto-responders
 * and keep one noisy sender from making the desk spam anyone.
 */
export const CAPS = {
  /** Acknowledgements to one address in ACK_WINDOW. */
  acksPerWindow: 3,
  ackWindow: '10 minutes',
  /** Automatic mails of any kind to one address in a day. */
  automaticPerDay: 40,
} as const;

/** Addresses mail must never go to: ours, or it would come straight back in as a new message. */
export async function ownAddresses(db: Db, env: Env): Promise<Set<string>> {
  const rows = await db.select({ address: mailboxes.address }).from(mailboxes);
  return new Set([env.MAIL_FROM.toLowerCase(), ...rows.map((r) => r.address.toLowerCase())]);
}

const sentTo = (address: string) =>
  and(eq(mailMessages.direction, 'out'), sql`${address} = any(${mailMessages.toAddresses})`);

/** Why `address` must not get this mail, or null when it may. `address` is lower-case. */
export async function dropReason(
  db: Db,
  address: string,
  mail: { automated: Automated | null; ticketId: string | null },
  own: ReadonlySet<string>,
): Promise<string | null> {
  if (own.has(address)) return 'our own address';
  // Mail to an address that does not parse bounces at best and reaches a stranger at worst.
  if (!isMailbox(address)) return 'not a valid mailbox';
  const suppressed = await db.$count(
    mailSuppressions,
    and(sql`lower(${mailSuppressions.address}) = ${address}`, gt(mailSuppressions.until, sql`now()`)),
  );
  if (suppressed > 0) return 'suppressed (bounced)';
  // A person's words relayed by a colleague are not automatic mail: no caps on a conversation.
  if (mail.automated === null) return null;
  if (mail.automated === 'ack') {
    if (mail.ticketId) {
      const acked = await db.$count(
        mailMessages,
        and(sentTo(address), eq(mailMessages.automated, 'ack'), eq(mailMessages.ticketId, mail.ticketId)),
      );
      if (acked > 0) return 'already acknowledged for this ticket';
    }
    const recent = await db.$count(
      mailMessages,
      and(
        sentTo(address),
        eq(mailMessages.automated, 'ack'),
        sql`${mailMessages.createdAt} > now() - ${CAPS.ackWindow}::interval`,
      ),
    );
    if (recent >= CAPS.acksPerWindow) return `acknowledgement limit (${CAPS.acksPerWindow} in ${CAPS.ackWindow})`;
  }
  const today = await db.$count(
    mailMessages,
    and(
      sentTo(address),
      sql`${mailMessages.automated} is not null`,
      sql`${mailMessages.createdAt} > now() - interval '1 day'`,
    ),
  );
  if (today >= CAPS.automaticPerDay) return `daily limit (${CAPS.automaticPerDay} automatic mails)`;
  return null;
}
