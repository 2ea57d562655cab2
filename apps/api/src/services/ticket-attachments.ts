import { AppError, type AttachmentRow, assertMayAttachTo, ErrorCode } from '@mesa/core';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { articles, attachments } from '../db/schema';
import type { Actor } from '../http/context';
import { withTicket } from './ticket-write';

export type NewAttachmentMeta = Omit<AttachmentRow, 'createdAt'>;

/**
 * A file a device announced (metadata only): insert-only by the client's id, on a ticket locked in the
 * actor's scope, on an article of that ticket the actor may attach to (core's rule, which the device's
 * optimistic apply runs too). The bytes follow through the upload endpoint; until then the file reads
 * as not found.
 */
export function addAttachmentMeta(db: Db, actor: Actor, a: NewAttachmentMeta): Promise<void> {
  return withTicket(db, actor, { id: a.ticketId }, async (tx, row) => {
    const [existing] = await tx
      .select({ ticketId: attachments.ticketId })
      .from(attachments)
      .where(eq(attachments.id, a.id));
    if (existing) {
      if (existing.ticketId === row.id) return;
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'attachment id already used', { field: 'id' });
    }
    if (a.articleId) {
      const [article] = await tx
        .select({ id: articles.id, kind: articles.kind })
        .from(articles)
        .where(and(eq(articles.id, a.articleId), eq(articles.ticketId, row.id)));
      if (!article) throw new AppError(ErrorCode.REFERENCE_NOT_FOUND, 'article not found', { field: 'articleId' });
      assertMayAttachTo(actor.role, article.kind);
    }
    await tx.insert(attachments).values({
      id: a.id,
      ticketId: row.id,
      articleId: a.articleId,
      filename: a.filename,
      contentType: a.contentType,
      size: a.size,
      sha256: a.sha256,
      kind: a.kind,
      signerName: a.signerName,
      uploadedById: actor.id,
    });
  });
}
