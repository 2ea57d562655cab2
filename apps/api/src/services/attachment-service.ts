import { AppError, ErrorCode } from '@mesa/core';
import { and, eq, isNull, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { articles, attachments, blobs, tickets } from '../db/schema';
import type { Actor } from '../http/context';
import { attachmentVisibility, ticketScope } from './access';

export interface AttachmentContent {
  filename: string;
  contentType: string;
  content: Buffer;
  sha256: string;
}

/**
 * An attachment the actor may see, for a query joining its ticket and (left) its article: the ticket is
 * in scope and not deleted, and the file is one the actor may read (attachmentVisibility).
 */
export const visibleAttachment = (actor: Actor, id: string): SQL | undefined =>
  and(eq(attachments.id, id), ticketScope(actor), isNull(tickets.deletedAt), attachmentVisibility(actor));

export async function readAttachment(db: Db, actor: Actor, id: string): Promise<AttachmentContent> {
  const [row] = await db
    .select({
      filename: attachments.filename,
      contentType: attachments.contentType,
      sha256: attachments.sha256,
      content: blobs.content,
    })
    .from(attachments)
    .innerJoin(tickets, eq(tickets.id, attachments.ticketId))
    .innerJoin(blobs, eq(blobs.sha256, attachments.sha256))
    .leftJoin(articles, eq(articles.id, attachments.articleId))
    .where(visibleAttachment(actor, id));
  if (!row) throw new AppError(ErrorCode.NOT_FOUND, 'attachment not found');
  return {
    filename: row.filename,
    contentType: row.contentType,
    content: Buffer.from(row.content),
    sha256: row.sha256,
  };
}
