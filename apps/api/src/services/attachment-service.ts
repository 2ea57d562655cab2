import { AppError, ErrorCode } from '@mesa/core';
import { and, eq, isNotNull, isNull, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { articles, attachments, tickets } from '../db/schema';
import type { Actor } from '../http/context';
import { attachmentVisibility, ticketScope } from './access';
import { openBlob } from './blob-store';
import type { PieceStore } from './piece-store';

export interface AttachmentContent {
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  /** The bytes, read from the store as the response is sent. */
  body: ReadableStream<Uint8Array>;
}

/**
 * An attachment the actor may see, for a query joining its ticket and (left) its article: the ticket is
 * in scope and not deleted, and the file is one the actor may read (attachmentVisibility).
 */
export const visibleAttachment = (actor: Actor, id: string): SQL | undefined =>
  and(eq(attachments.id, id), ticketScope(actor), isNull(tickets.deletedAt), attachmentVisibility(actor));

/** An attachment in the actor's scope whose own bytes arrived (a matching hash alone is not the file). */
export async function readAttachment(db: Db, store: PieceStore, actor: Actor, id: string): Promise<AttachmentContent> {
  const [row] = await db
    .select({ filename: attachments.filename, contentType: attachments.contentType, sha256: attachments.sha256 })
    .from(attachments)
    .innerJoin(tickets, eq(tickets.id, attachments.ticketId))
    .leftJoin(articles, eq(articles.id, attachments.articleId))
    .where(and(visibleAttachment(actor, id), isNotNull(attachments.storedAt)));
  if (!row) throw new AppError(ErrorCode.NOT_FOUND, 'attachment not found');
  const blob = await openBlob(db, store, row.sha256);
  return { filename: row.filename, contentType: row.contentType, sha256: row.sha256, size: blob.size, body: blob.body };
}
