import { AppError, ErrorCode } from '@mesa/core';
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { blobs, departments, mailboxes, mailMessages } from '../db/schema';

/** One inbound message the intake kept without a ticket (automated mail, spam, a sender nobody can answer). */
export interface StoredInboundMail {
  id: string;
  mailbox: string | null;
  from: string | null;
  subject: string | null;
  /** Why it opened no ticket: the classifier's reason (`dsn`, `spam:score`, `sender:invalid`…). */
  reason: string | null;
  size: number | null;
  createdAt: Date;
}

const stored = and(eq(mailMessages.direction, 'in'), isNull(mailMessages.ticketId), eq(mailMessages.outcome, 'stored'));

/** The newest `limit` of them, newest first. */
export async function listStoredInbound(db: Db, limit: number): Promise<StoredInboundMail[]> {
  return db
    .select({
      id: mailMessages.id,
      mailbox: mailboxes.address,
      from: mailMessages.fromAddress,
      subject: mailMessages.subject,
      reason: mailMessages.automated,
      size: mailMessages.size,
      createdAt: mailMessages.createdAt,
    })
    .from(mailMessages)
    .leftJoin(mailboxes, eq(mailboxes.id, mailMessages.mailboxId))
    .where(stored)
    .orderBy(desc(mailMessages.createdAt), desc(mailMessages.id))
    .limit(limit);
}

/** The raw bytes of a stored inbound message, as received. */
export async function storedInboundRaw(db: Db, id: string): Promise<{ content: Uint8Array; messageId: string | null }> {
  const [row] = await db
    .select({ content: blobs.content, messageId: mailMessages.messageId })
    .from(mailMessages)
    .innerJoin(blobs, eq(blobs.sha256, mailMessages.rawSha256))
    .where(and(eq(mailMessages.id, id), stored));
  if (!row) throw new AppError(ErrorCode.NOT_FOUND);
  return row;
}

export interface DepartmentMailSettings {
  automatedMailOpensTickets: boolean;
}

/** Sets how a department's mailboxes treat automated mail; unknown slugs are a 404. */
export async function setDepartmentMailSettings(
  db: Db,
  slug: string,
  input: DepartmentMailSettings,
): Promise<DepartmentMailSettings & { slug: string }> {
  const [row] = await db
    .update(departments)
    .set({ automatedMailOpensTickets: input.automatedMailOpensTickets })
    .where(eq(departments.slug, slug))
    .returning({ slug: departments.slug, automatedMailOpensTickets: departments.automatedMailOpensTickets });
  if (!row) throw new AppError(ErrorCode.NOT_FOUND);
  return row;
}
