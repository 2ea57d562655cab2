import { createHash } from 'node:crypto';
import type { DbOrTx } from '../db/client';
import { attachments, blobs } from '../db/schema';

export const sha256Of = (content: Buffer): string => createHash('sha256').update(content).digest('hex');

/** Content addressed by sha-256: storing the same bytes twice keeps one copy. */
export async function storeBlob(tx: DbOrTx, content: Buffer, sha256 = sha256Of(content)): Promise<string> {
  await tx.insert(blobs).values({ sha256, size: content.length, content }).onConflictDoNothing();
  return sha256;
}

export interface NewAttachment {
  ticketId: string;
  articleId: string | null;
  filename: string;
  contentType: string;
  content: Buffer;
  sha256?: string;
  uploadedById: string | null;
}

/** Stores the bytes and the attachment row; returns the attachment id. */
export async function storeAttachment(tx: DbOrTx, a: NewAttachment): Promise<string> {
  const sha256 = await storeBlob(tx, a.content, a.sha256);
  const [row] = await tx
    .insert(attachments)
    .values({
      ticketId: a.ticketId,
      articleId: a.articleId,
      filename: a.filename.slice(0, 255),
      contentType: a.contentType.slice(0, 255),
      size: a.content.length,
      sha256,
      uploadedById: a.uploadedById,
    })
    .returning({ id: attachments.id });
  if (!row) throw new Error('attachment insert returned no row');
  return row.id;
}
