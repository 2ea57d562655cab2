import { AppError, type AttachmentRow, attachmentOf, ErrorCode, isStaff, type ParsedMutation } from '@mesa/core';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { articles, attachments } from '../db/schema';
import type { Actor } from '../http/context';
import type { Reference } from '../services/reference-service';
import { addArticle } from '../services/ticket-articles';
import { changeStatus, changeTicket } from '../services/ticket-commands';
import { withTicket } from '../services/ticket-write';

type NewAttachmentMeta = Omit<AttachmentRow, 'createdAt'>;

/**
 * Attachment metadata from a device: insert-only by the client's id. The bytes follow through the
 * upload endpoint; until then the file reads as not found.
 */
function addAttachmentMeta(db: Db, actor: Actor, a: NewAttachmentMeta): Promise<void> {
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
      // Same rule as the device's optimistic apply: customers never touch internal notes.
      if (!isStaff(actor.role) && article.kind === 'internal_note') throw new AppError(ErrorCode.FORBIDDEN);
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

/** The server half of each mutator: the same services, access rules and state machine as REST. */
export async function applyOnServer(db: Db, reference: Reference, actor: Actor, m: ParsedMutation): Promise<void> {
  switch (m.name) {
    case 'updateTicketFields@1':
      await changeTicket(db, reference, actor, { id: m.args.ticketId }, m.args.changes, { seen: m.args.seen });
      return;
    case 'changeStatus@1':
      await changeStatus(db, actor, { id: m.args.ticketId }, m.args.to, m.args.note);
      return;
    case 'addNote@1': {
      const { id, ticketId, ...input } = m.args;
      await addArticle(db, actor, { id: ticketId }, input, id);
      return;
    }
    case 'addAttachment@1':
    case 'captureSignature@1':
      await addAttachmentMeta(db, actor, attachmentOf(m));
      return;
  }
}
