import { createHash, randomUUID } from 'node:crypto';
import { AppError, ErrorCode, isStaff, MAX_UPLOAD_CHUNK_BYTES, MIN_UPLOAD_CHUNK_BYTES } from '@mesa/core';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { articles, attachments, attachmentUploads, blobs, tickets } from '../db/schema';
import type { Actor } from '../http/context';
import { visibleAttachment } from './attachment-service';
import { hashPieces, PIECE_BYTES } from './blob-store';
import type { PieceStore } from './piece-store';

/** The attachment an upload is for, as the caller may see it. */
export interface UploadTarget {
  id: string;
  size: number;
  sha256: string;
  /** This attachment's own bytes arrived and matched (never merely: the same file is stored for another). */
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

/** A request that stops writing for this long loses its claim to the next one (a dead process, a stalled link). */
const LEASE_SECONDS = 60;
/** How long a request waits for another one writing the same upload (a retry racing the first try). */
const WAIT_FOR_WRITER_MS = 15_000;
const LEASE_RENEW_MS = 2_000;

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
      storedAt: attachments.storedAt,
    })
    .from(attachments)
    .innerJoin(tickets, eq(tickets.id, attachments.ticketId))
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
  return { id, size: row.size, sha256: row.sha256, stored: row.storedAt !== null };
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

export const completeResult = (t: UploadTarget): UploadResult => ({
  id: t.id,
  sha256: t.sha256,
  size: t.size,
  complete: true,
});

interface Progress {
  stored: boolean;
  received: number;
  /** Another request holds a live claim on the upload. */
  busy: boolean;
}

const leaseFree = () =>
  or(
    isNull(attachmentUploads.writer),
    lt(attachmentUploads.writerSeenAt, sql`now() - make_interval(secs => ${LEASE_SECONDS})`),
  );

async function progress(db: Db, target: UploadTarget): Promise<Progress> {
  const [row] = await db
    .select({
      storedAt: attachments.storedAt,
      received: attachmentUploads.receivedBytes,
      busy: sql<boolean>`${attachmentUploads.writer} is not null and not coalesce(${leaseFree()}, false)`,
    })
    .from(attachments)
    .leftJoin(attachmentUploads, eq(attachmentUploads.attachmentId, attachments.id))
    .where(eq(attachments.id, target.id));
  return { stored: row?.storedAt != null, received: row?.received ?? 0, busy: row?.busy === true };
}

/** How much of the file the server holds, so a device resumes where it stopped. */
export async function uploadStatus(db: Db, target: UploadTarget): Promise<UploadStatus> {
  const now = target.stored ? null : await progress(db, target);
  if (!now || now.stored) return { received: target.size, size: target.size, complete: true };
  return { received: now.received, size: target.size, complete: false };
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

/** The global body limit does not cover uploads: a declared length past the limit is refused before reading. */
export function checkDeclaredLength(declaredLength: string | undefined, maxBytes: number): void {
  if (declaredLength !== undefined && Number(declaredLength) > maxBytes) tooLarge(maxBytes);
}

function corrupted(target: UploadTarget, got: { size: number; sha256: string }): never {
  throw new AppError(ErrorCode.ATTACHMENT_CORRUPTED, 'received bytes do not match the attachment', {
    expected: { size: target.size, sha256: target.sha256 },
    got,
  });
}

const offsetMismatch = (target: UploadTarget, received: number) =>
  new AppError(ErrorCode.UPLOAD_OFFSET_MISMATCH, 'piece does not start at the received offset', {
    received,
    size: target.size,
  });

/**
 * Cuts a request body into pieces of PIECE_BYTES (the last smaller) as it arrives, refusing as soon as
 * more than `maxBytes` came. Memory held: about one piece, whatever the file's size.
 */
async function* piecesOf(body: ReadableStream<Uint8Array> | null, maxBytes: number): AsyncGenerator<Buffer> {
  if (!body) return;
  const reader = body.getReader();
  let parts: Uint8Array[] = [];
  let buffered = 0;
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        tooLarge(maxBytes);
      }
      parts.push(value);
      buffered += value.byteLength;
      while (buffered >= PIECE_BYTES) {
        const all = Buffer.concat(parts, buffered);
        yield all.subarray(0, PIECE_BYTES);
        parts = [all.subarray(PIECE_BYTES)];
        buffered -= PIECE_BYTES;
      }
    }
    if (buffered > 0) yield Buffer.concat(parts, buffered);
  } finally {
    reader.releaseLock();
  }
}

/** The upload this request may write, or what to answer without writing. */
type Claim =
  | { kind: 'claimed'; piecesKey: string; received: number }
  | { kind: 'complete' }
  | { kind: 'acknowledged'; received: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Takes the upload's lease for this request. A whole file starts a fresh upload (dropping any partial
 * copy nobody is writing); a piece must start at the received offset. While another live request holds
 * the lease (a retry racing its first try) this one waits, then answers from what that one left.
 */
async function claim(
  db: Db,
  store: PieceStore,
  target: UploadTarget,
  range: ByteRange | null,
  token: string,
): Promise<Claim> {
  const start = range ? range.start : 'whole';
  const deadline = Date.now() + WAIT_FOR_WRITER_MS;
  const claimed = { piecesKey: attachmentUploads.piecesKey, received: attachmentUploads.receivedBytes };
  const lease = { writer: token, writerSeenAt: sql`now()`, updatedAt: sql`now()` };
  for (;;) {
    let rows: Array<{ piecesKey: string; received: number }> = [];
    if (start === 'whole') {
      const dropped = await db
        .delete(attachmentUploads)
        .where(and(eq(attachmentUploads.attachmentId, target.id), leaseFree()))
        .returning({ piecesKey: attachmentUploads.piecesKey });
      for (const d of dropped) await store.drop(db, d.piecesKey);
    }
    if (start === 'whole' || start === 0) {
      rows = await db
        .insert(attachmentUploads)
        .values({ attachmentId: target.id, ...lease })
        .onConflictDoNothing()
        .returning(claimed);
    }
    if (!rows[0] && start !== 'whole') {
      rows = await db
        .update(attachmentUploads)
        .set(lease)
        .where(
          and(
            eq(attachmentUploads.attachmentId, target.id),
            // A dead request may have left every byte in without finishing: a re-sent piece finishes it.
            or(eq(attachmentUploads.receivedBytes, start), eq(attachmentUploads.receivedBytes, target.size)),
            leaseFree(),
          ),
        )
        .returning(claimed);
    }
    const mine = rows[0];
    if (mine) {
      // Pieces past the offset are a dead request's leftovers: they never counted.
      await store.truncate(db, mine.piecesKey, mine.received);
      return { kind: 'claimed', ...mine };
    }
    const now = await progress(db, target);
    if (now.stored) return { kind: 'complete' };
    if (now.busy && Date.now() < deadline) {
      await sleep(25);
      continue;
    }
    // A re-sent piece (the answer to the first try was lost): acknowledge, append nothing.
    if (range && range.end < now.received && !now.busy) {
      return { kind: 'acknowledged', received: now.received };
    }
    throw offsetMismatch(target, now.received);
  }
}

export interface Received {
  result: UploadResult;
  /** Bytes this request wrote to the store (what its sender's allowance is charged). */
  written: number;
}

/**
 * Receives a whole file (range null) or one piece of it, streaming the body into pieces of the store
 * and hashing it on the way. When the last byte is in, the file is verified and becomes this
 * attachment's: a file the store already holds is not copied again, but its bytes still had to arrive.
 */
export async function receiveUpload(
  db: Db,
  target: UploadTarget,
  { range, body, maxBytes }: { range: ByteRange | null; body: ReadableStream<Uint8Array> | null; maxBytes: number },
  { store, pieceWrites }: { store: PieceStore; pieceWrites: <T>(work: () => Promise<T>) => Promise<T> },
): Promise<Received> {
  const token = randomUUID();
  const lease = { attachmentId: target.id, token };
  const got = await claim(db, store, target, range, token);
  if (got.kind === 'complete') return { result: completeResult(target), written: 0 };
  if (got.kind === 'acknowledged') {
    return { result: { id: target.id, received: got.received, complete: false }, written: 0 };
  }
  const start = range?.start ?? 0;
  const expected = range ? range.end - range.start + 1 : target.size;
  // Every byte in, but a dead request never finished: finish it, ignoring this body.
  if (got.received === target.size && start < target.size) {
    return { result: await finish(db, store, target, got.piecesKey, token, null), written: 0 };
  }
  const hash = createHash('sha256');
  let length = 0;
  let written = 0;
  let renewedAt = 0;
  try {
    for await (const piece of piecesOf(body, maxBytes)) {
      hash.update(piece);
      const at = start + length;
      length += piece.byteLength;
      // Past the announced size is damage already: count and hash it for the answer, store none of it.
      if (length > expected) continue;
      // The lease lasts a minute: renewing it every couple of seconds is plenty, and each renewal costs.
      const renew = Date.now() - renewedAt >= LEASE_RENEW_MS;
      const held = await pieceWrites(() => store.write(db, lease, got.piecesKey, at, piece, renew));
      if (renew) renewedAt = Date.now();
      if (!held) throw offsetMismatch(target, start);
      written += piece.byteLength;
    }
  } catch (err) {
    await release(db, store, target, token, range === null);
    throw err;
  }
  const sha256 = hash.digest('hex');
  if (length !== expected) {
    await release(db, store, target, token, range === null);
    if (!range) corrupted(target, { size: length, sha256 });
    throw new AppError(ErrorCode.VALIDATION_FAILED, 'body length differs from content-range', {
      field: 'content-range',
      bodyBytes: length,
    });
  }
  const received = start + length;
  const [kept] = await db
    .update(attachmentUploads)
    .set({ receivedBytes: received, writerSeenAt: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(attachmentUploads.attachmentId, target.id), eq(attachmentUploads.writer, token)))
    .returning({ received: attachmentUploads.receivedBytes });
  if (!kept) throw offsetMismatch(target, start);
  if (received < target.size) {
    await db
      .update(attachmentUploads)
      .set({ writer: null, writerSeenAt: null })
      .where(and(eq(attachmentUploads.attachmentId, target.id), eq(attachmentUploads.writer, token)));
    return { result: { id: target.id, received, complete: false }, written };
  }
  // A whole file in one request was hashed on the way in; pieces from several requests are read back.
  const whole = range === null || start === 0 ? { size: length, sha256 } : null;
  return { result: await finish(db, store, target, got.piecesKey, token, whole), written };
}

/** Gives the lease back after a failed request: its own pieces go (a whole upload's row too). */
async function release(db: Db, store: PieceStore, target: UploadTarget, token: string, whole: boolean): Promise<void> {
  const mine = and(eq(attachmentUploads.attachmentId, target.id), eq(attachmentUploads.writer, token));
  if (whole) {
    const dropped = await db
      .delete(attachmentUploads)
      .where(mine)
      .returning({ piecesKey: attachmentUploads.piecesKey });
    for (const d of dropped) await store.drop(db, d.piecesKey);
    return;
  }
  const [row] = await db
    .update(attachmentUploads)
    .set({ writer: null, writerSeenAt: null })
    .where(mine)
    .returning({ piecesKey: attachmentUploads.piecesKey, received: attachmentUploads.receivedBytes });
  if (row) await store.truncate(db, row.piecesKey, row.received);
}

/**
 * All bytes are in: verify the whole file, then in one short transaction make the pieces the stored
 * blob (or, when the store already holds the file, drop them) and mark this attachment complete.
 */
async function finish(
  db: Db,
  store: PieceStore,
  target: UploadTarget,
  piecesKey: string,
  token: string,
  hashed: { size: number; sha256: string } | null,
): Promise<UploadResult> {
  const got = hashed ?? (await hashPieces(db, store, piecesKey));
  if (got.size !== target.size || got.sha256 !== target.sha256) {
    // A bad copy must not block the device's fresh start from 0.
    await db
      .delete(attachmentUploads)
      .where(and(eq(attachmentUploads.attachmentId, target.id), eq(attachmentUploads.writer, token)));
    await store.drop(db, piecesKey);
    corrupted(target, got);
  }
  await store.seal(piecesKey);
  const mine = and(
    eq(attachmentUploads.attachmentId, target.id),
    eq(attachmentUploads.writer, token),
    eq(attachmentUploads.piecesKey, piecesKey),
  );
  const done = await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ id: attachmentUploads.attachmentId })
      .from(attachmentUploads)
      .where(mine)
      .for('update');
    if (!row) return 'lost' as const;
    const took = await tx
      .insert(blobs)
      .values({ sha256: target.sha256, size: target.size, content: new Uint8Array(0), piecesKey })
      .onConflictDoNothing()
      .returning({ sha256: blobs.sha256 });
    await tx.update(attachments).set({ storedAt: sql`now()` }).where(eq(attachments.id, target.id));
    // After the blob row: the trigger on attachment_uploads keeps the pieces only if that row took them.
    await tx.delete(attachmentUploads).where(mine);
    return took.length === 1 ? ('kept' as const) : ('duplicate' as const);
  });
  // The store held this file already: one copy is enough.
  if (done === 'duplicate') await store.drop(db, piecesKey);
  if (done === 'lost') {
    // The lease expired meanwhile and another request took the upload over.
    const now = await progress(db, target);
    if (!now.stored) throw offsetMismatch(target, now.received);
  }
  return completeResult(target);
}
