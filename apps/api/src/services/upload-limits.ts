import { AppError, ErrorCode } from '@mesa/core';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { uploadQuota } from '../db/schema';
import type { Actor } from '../http/context';
import { type ByteRange, receiveUpload, type UploadResult, type UploadTarget } from './attachment-upload';
import type { PieceStore } from './piece-store';

/**
 * How many uploads each user has running in this process. A slot is held while a request's body is
 * read and stored, so one account cannot occupy every connection or the database with uploads.
 */
export function uploadSlots(maxPerUser: number) {
  const running = new Map<string, number>();
  return {
    /** Takes a slot or answers 429 TOO_MANY_UPLOADS; the returned function gives it back (once). */
    acquire(userId: string): () => void {
      const n = running.get(userId) ?? 0;
      if (n >= maxPerUser) {
        throw new AppError(ErrorCode.TOO_MANY_UPLOADS, 'too many uploads at once', { maxConcurrent: maxPerUser });
      }
      running.set(userId, n + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (running.get(userId) ?? 1) - 1;
        if (left <= 0) running.delete(userId);
        else running.set(userId, left);
      };
    },
  };
}
export type UploadSlots = ReturnType<typeof uploadSlots>;

/**
 * At most `max` piece writes in flight in this process, first come first served. Uploads then share the
 * database's write speed instead of every connection of the pool (or PGlite's one) queueing behind
 * 1 MiB inserts: a health check or a ticket list waits behind at most `max` of them.
 */
export function writeGate(max: number) {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
export type WriteGate = ReturnType<typeof writeGate>;

const utcDay = (now: Date) => now.toISOString().slice(0, 10);
const secondsToNextUtcDay = (now: Date) => {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.max(1, Math.ceil((next - now.getTime()) / 1000));
};

/**
 * Reserves `bytes` of the user's daily allowance before a body is read: one statement, so parallel
 * requests (on any instance) cannot overdraw it. Over the limit: 429 UPLOAD_QUOTA_EXCEEDED with what is used.
 */
export async function reserveUploadBytes(
  db: Db,
  userId: string,
  bytes: number,
  limitBytes: number,
  now = new Date(),
): Promise<void> {
  const day = utcDay(now);
  const [row] = await db
    .insert(uploadQuota)
    .values({ userId, day, bytes })
    .onConflictDoUpdate({
      target: [uploadQuota.userId, uploadQuota.day],
      set: { bytes: sql`${uploadQuota.bytes} + ${bytes}` },
      setWhere: sql`${uploadQuota.bytes} + ${bytes} <= ${limitBytes}`,
    })
    .returning({ bytes: uploadQuota.bytes });
  // A first upload larger than the whole allowance: the insert went through, so undo it.
  if (row && row.bytes <= limitBytes) return;
  if (row) await refundUploadBytes(db, userId, bytes, now);
  const [used] = await db
    .select({ bytes: uploadQuota.bytes })
    .from(uploadQuota)
    .where(sql`${uploadQuota.userId} = ${userId} and ${uploadQuota.day} = ${day}`);
  throw new AppError(ErrorCode.UPLOAD_QUOTA_EXCEEDED, 'daily upload allowance used', {
    limitBytes,
    usedBytes: used?.bytes ?? 0,
    retryAfterSeconds: secondsToNextUtcDay(now),
  });
}

/** Gives back what a request reserved but did not store (a re-sent piece, a body cut short). */
export async function refundUploadBytes(db: Db, userId: string, bytes: number, now = new Date()): Promise<void> {
  if (bytes <= 0) return;
  await db
    .update(uploadQuota)
    .set({ bytes: sql`greatest(0, ${uploadQuota.bytes} - ${bytes})` })
    .where(sql`${uploadQuota.userId} = ${userId} and ${uploadQuota.day} = ${utcDay(now)}`);
}

export interface UploadLimits {
  slots: UploadSlots;
  maxBytesPerUserDay: number;
  pieceWrites: WriteGate;
  store: PieceStore;
}

/**
 * One upload request under its sender's limits: a slot among their concurrent uploads, and the bytes it
 * may carry reserved from their daily allowance first (what it did not store is given back).
 */
export async function receiveWithinLimits(
  db: Db,
  limits: UploadLimits,
  actor: Actor,
  target: UploadTarget,
  request: { range: ByteRange | null; body: ReadableStream<Uint8Array> | null; maxBytes: number },
): Promise<UploadResult> {
  const release = limits.slots.acquire(actor.id);
  try {
    const now = new Date();
    const reserved = request.range ? request.range.end - request.range.start + 1 : target.size;
    await reserveUploadBytes(db, actor.id, reserved, limits.maxBytesPerUserDay, now);
    let written = 0;
    try {
      const received = await receiveUpload(db, target, request, limits);
      written = received.written;
      return received.result;
    } finally {
      await refundUploadBytes(db, actor.id, reserved - written, now);
    }
  } finally {
    release();
  }
}
