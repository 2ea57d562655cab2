import { createHash } from 'node:crypto';
import { AppError, ErrorCode, isStaff, MAX_UPLOAD_CHUNK_BYTES, MIN_UPLOAD_CHUNK_BYTES } from '@mesa/core';
import { and, eq, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { articles, attachments, attachmentUploads, blobs, tickets } from '../db/schema';
import type { Actor } from '../http/context';
import { visibleAttachment } from './attachment-service';
import { sha256Of, storeBlob } from './blob-store';

/** The attachment an upload is for, as the caller may see it. */
export interface UploadTarget {
  id: string;
  size: number;
  sha256: string;
  /** The bytes are already stored (this upload finished, or the same file arrived elsewhere). */
  stored: boolean;
}

export type UploadResult =
  | { id: string; sha256: string; size: number; complete: true }
  | { id: string; received: number; complete: false };

export interface UploadStatus {
  received: number;
  size: number;
  complete: boolean;
}

/** `bytes start-end/total`, inclusive end, as in RFC 9110 §14.4. */
export interface ByteRange {
  start: number;
  end: number;
  total: number;
}

/**
 * The attachment row under the same rules as reading it (ticket in scope; customers never reach an
 * internal note's files), plus: only staff or whoever announced it may send its bytes. Whoever announced
 * it may always finish sending them, even if the ticket left their scope meanwhile (a technician's photo
 * taken offline before a reassignment): the bytes must match the hash they announced, so nothing leaks.
 */
export async function uploadTarget(db: Db, actor: Actor, id: string): Promise<UploadTarget> {
  const [row] = await db
    .select({
      size: attachments.size,
      sha256: attachments.sha256,
      uploadedById: attachments.uploadedById,
      stored: blobs.sha256,
    })
    .from(attachments)
    .innerJoin(tickets, eq(tickets.id, attachments.ticketId))
    .leftJoin(blobs, eq(blobs.sha256, attachments.sha256))
    .leftJoin(articles, eq(articles.id, attachments.articleId))
    .where(
      or(
        visibleAttachment(actor, id),
        and(eq(attachments.id, id), eq(attachments.uploadedById, actor.id), isNull(tickets.deletedAt)),
      ),
    );
  if (!row) throw new AppError(ErrorCode.NOT_FOUND, 'attachment not found');
  // A customer who shares the ticket may read a colleague's photo, but not replace its bytes.
  if (!isStaff(actor.role) && row.uploadedById !== actor.id) {
    throw new AppError(ErrorCode.FORBIDDEN, 'only staff or the uploader may upload');
  }
  return { id, size: row.size, sha256: row.sha256, stored: row.stored !== null };
}

/** The declared hash must name the file the attachment was announced with. */
export function checkDeclaredHash(target: UploadTarget, declared: string): void {
  if (declared !== target.sha256) {
    throw new AppError(ErrorCode.ATTACHMENT_HASH_MISMATCH, 'x-content-sha256 differs from the attachment', {
      expected: target.sha256,
      got: declared,
    });
  }
}

const complete = (t: UploadTarget): UploadResult => ({ id: t.id, sha256: t.sha256, size: t.size, complete: true });

/** What the server holds now: the file stored, or how many bytes of it so far. */
async function progress(db: Db, target: UploadTarget): Promise<UploadStatus> {
  const [row] = await db
    .select({
      // Parameters, not correlated columns: drizzle leaves single-table column names unqualified.
      received: sql<number | null>`(select octet_length(${attachmentUploads.received}) from ${attachmentUploads}
        where ${attachmentUploads.attachmentId} = ${target.id})`.mapWith(Number),
      stored: sql<boolean>`exists (select 1 from ${blobs} where ${blobs.sha256} = ${target.sha256})`,
    })
    .from(attachments)
    .where(eq(attachments.id, target.id));
  if (row?.stored) return { received: target.size, size: target.size, complete: true };
  return { received: row?.received ?? 0, size: target.size, complete: false };
}

/** How much of the file the server holds, so a device resumes where it stopped. */
export async function uploadStatus(db: Db, target: UploadTarget): Promise<UploadStatus> {
  if (target.stored) return { received: target.size, size: target.size, complete: true };
  return progress(db, target);
}

/** Parses `Content-Range: bytes start-end/total`; the total must be the announced size. */
export function parseContentRange(header: string, size: number): ByteRange {
  const m = /^bytes (\d{1,15})-(\d{1,15})\/(\d{1,15})$/.exec(header.trim());
  const [start, end, total] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [-1, -1, -1];
  if (!m || start > end || end >= total) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, 'bad content-range', {
      field: 'content-range',
      expected: 'bytes start-end/total',
    });
  }
  if (total !== size) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, 'content-range total is not the attachment size', {
      field: 'content-range',
      size,
    });
  }
  if (end - start + 1 > MAX_UPLOAD_CHUNK_BYTES) tooLarge(MAX_UPLOAD_CHUNK_BYTES);
  if (end + 1 < total && end - start + 1 < MIN_UPLOAD_CHUNK_BYTES) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, 'only the last piece may be this small', {
      field: 'content-range',
      minBytes: MIN_UPLOAD_CHUNK_BYTES,
    });
  }
  return { start, end, total };
}

function tooLarge(maxBytes: number): never {
  throw new AppError(ErrorCode.PAYLOAD_TOO_LARGE, 'upload too large', { maxBytes });
}

/**
 * Reads a request body up to `maxBytes`, refusing as soon as it is exceeded (the global body limit
 * does not cover uploads). Hashes while reading so a whole file is not walked twice.
 */
export async function readBody(
  body: ReadableStream<Uint8Array> | null,
  declaredLength: string | undefined,
  maxBytes: number,
): Promise<{ bytes: Buffer; sha256: string }> {
  if (declaredLength !== undefined && Number(declaredLength) > maxBytes) tooLarge(maxBytes);
  const hash = createHash('sha256');
  const parts: Uint8Array[] = [];
  let length = 0;
  if (body) {
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.byteLength;
      if (length > maxBytes) {
        await reader.cancel();
        tooLarge(maxBytes);
      }
      hash.update(value);
      parts.push(value);
    }
  }
  return { bytes: Buffer.concat(parts, length), sha256: hash.digest('hex') };
}

function corrupted(target: UploadTarget, got: { size: number; sha256: string }): never {
  throw new AppError(ErrorCode.ATTACHMENT_CORRUPTED, 'received bytes do not match the attachment', {
    expected: { size: target.size, sha256: target.sha256 },
    got,
  });
}

/** A whole file in one request: verified, stored, and any half-finished chunked copy dropped. */
export async function storeWhole(
  db: Db,
  target: UploadTarget,
  body: { bytes: Buffer; sha256: string },
): Promise<UploadResult> {
  if (body.bytes.length !== target.size || body.sha256 !== target.sha256) {
    corrupted(target, { size: body.bytes.length, sha256: body.sha256 });
  }
  await db.transaction(async (tx) => {
    await storeBlob(tx, body.bytes, target.sha256);
    await tx.delete(attachmentUploads).where(eq(attachmentUploads.attachmentId, target.id));
  });
  return complete(target);
}

/**
 * One piece of a resumable upload. It is appended only if it starts exactly where the stored copy
 * ends (checked in the UPDATE itself, so two devices or a retry racing cannot interleave bytes);
 * a piece already held is acknowledged; anything else tells the device the offset to resume from.
 */
export async function appendChunk(
  db: Db,
  target: UploadTarget,
  range: ByteRange,
  chunk: Buffer,
): Promise<UploadResult> {
  if (chunk.length !== range.end - range.start + 1) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, 'body length differs from content-range', {
      field: 'content-range',
      bodyBytes: chunk.length,
    });
  }
  const appended =
    range.start === 0
      ? await db
          .insert(attachmentUploads)
          .values({ attachmentId: target.id, received: chunk })
          .onConflictDoNothing()
          .returning({ n: sql<number>`octet_length(${attachmentUploads.received})`.mapWith(Number) })
      : await db
          .update(attachmentUploads)
          .set({ received: sql`${attachmentUploads.received} || ${chunk}::bytea`, updatedAt: new Date() })
          .where(
            and(
              eq(attachmentUploads.attachmentId, target.id),
              sql`octet_length(${attachmentUploads.received}) = ${range.start}`,
            ),
          )
          .returning({ n: sql<number>`octet_length(${attachmentUploads.received})`.mapWith(Number) });
  let received = appended[0]?.n;
  if (received === undefined) {
    const now = await progress(db, target);
    // A concurrent request with the last piece may have finished the file meanwhile.
    if (now.complete) return complete(target);
    received = now.received;
    // A re-sent piece (the answer to the first try was lost): acknowledge, append nothing.
    if (range.end >= received) {
      throw new AppError(ErrorCode.UPLOAD_OFFSET_MISMATCH, 'chunk does not start at the received offset', {
        received,
        size: target.size,
      });
    }
  }
  if (received < target.size) return { id: target.id, received, complete: false };
  return finish(db, target);
}

/** All bytes are in: verify the whole file, then store it and drop the partial copy in one transaction. */
async function finish(db: Db, target: UploadTarget): Promise<UploadResult> {
  const outcome = await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ received: attachmentUploads.received })
      .from(attachmentUploads)
      .where(eq(attachmentUploads.attachmentId, target.id))
      .for('update');
    if (!row) return { kind: 'gone' as const };
    const bytes = Buffer.from(row.received);
    const sha256 = sha256Of(bytes);
    // Either way the partial copy goes: a bad one must not block the device's fresh start from 0.
    await tx.delete(attachmentUploads).where(eq(attachmentUploads.attachmentId, target.id));
    if (bytes.length !== target.size || sha256 !== target.sha256) {
      return { kind: 'corrupted' as const, got: { size: bytes.length, sha256 } };
    }
    await storeBlob(tx, bytes, sha256);
    return { kind: 'stored' as const };
  });
  if (outcome.kind === 'corrupted') corrupted(target, outcome.got);
  if (outcome.kind === 'gone') {
    // A concurrent request finished (or discarded) the same upload between our append and this lock.
    const [blob] = await db.select({ sha256: blobs.sha256 }).from(blobs).where(eq(blobs.sha256, target.sha256));
    if (!blob) {
      throw new AppError(ErrorCode.UPLOAD_OFFSET_MISMATCH, 'upload was restarted', { received: 0, size: target.size });
    }
  }
  return complete(target);
}
