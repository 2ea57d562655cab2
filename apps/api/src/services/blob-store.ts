import { createHash } from 'node:crypto';
import { and, asc, eq, gte } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client';
import { attachments, blobPieces, blobs } from '../db/schema';

export const sha256Of = (content: Buffer): string => createHash('sha256').update(content).digest('hex');

/** Pieces of uploaded files are at most this large: no statement carries more of a file than this. */
export const PIECE_BYTES = 1024 * 1024;

/**
 * Content addressed by sha-256: storing the same bytes twice keeps one copy. For bytes the server already
 * holds whole (mail, its raw message): they are stored inline.
 */
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

/** Stores the bytes and the attachment row, complete at once (the server has the bytes); returns its id. */
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
      storedAt: new Date(),
    })
    .returning({ id: attachments.id });
  if (!row) throw new Error('attachment insert returned no row');
  return row.id;
}

/**
 * The pieces under `piecesKey` from byte `from` on, one query per piece as the reader asks for more, so
 * a file is never held whole in memory nor read in one statement.
 */
export function piecesStream(db: Db, piecesKey: string, from = 0): ReadableStream<Uint8Array> {
  let next = from;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const [piece] = await db
          .select({ start: blobPieces.start, content: blobPieces.content })
          .from(blobPieces)
          .where(and(eq(blobPieces.piecesKey, piecesKey), gte(blobPieces.start, next)))
          .orderBy(asc(blobPieces.start))
          .limit(1);
        if (!piece) {
          controller.close();
          return;
        }
        // A gap would mean a damaged store: fail loudly rather than serve a file with a hole.
        if (piece.start !== next) {
          controller.error(new Error(`blob pieces ${piecesKey}: expected offset ${next}, found ${piece.start}`));
          return;
        }
        next += piece.content.byteLength;
        controller.enqueue(piece.content);
      },
    },
    { highWaterMark: 0 },
  );
}

/** sha-256 and length of the pieces under a key, read piece by piece. */
export async function hashPieces(db: Db, piecesKey: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const piece of piecesStream(db, piecesKey)) {
    hash.update(piece);
    size += piece.byteLength;
  }
  return { size, sha256: hash.digest('hex') };
}

/** A stored file as a stream: its inline bytes, or its pieces read as the response is sent. */
export async function openBlob(db: Db, sha256: string): Promise<{ size: number; body: ReadableStream<Uint8Array> }> {
  const [row] = await db
    .select({ size: blobs.size, content: blobs.content, piecesKey: blobs.piecesKey })
    .from(blobs)
    .where(eq(blobs.sha256, sha256));
  if (!row) throw new Error(`blob ${sha256} is missing`);
  if (row.piecesKey) return { size: row.size, body: piecesStream(db, row.piecesKey) };
  const content = row.content;
  return {
    size: row.size,
    body: new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(content);
        controller.close();
      },
    }),
  };
}
