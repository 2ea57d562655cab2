import { and, inArray, isNotNull, lt, type SQL } from 'drizzle-orm';
import { tryAdvisoryLock } from '../db/advisory-lock';
import type { Db } from '../db/client';
import { attachmentUploads, syncRejections, syncScopeExits, tickets } from '../db/schema';
import type { Logger } from '../logger';
import { TOMBSTONE_TTL_MS } from './change-log';

/** Rows per delete statement: a long backlog goes in short statements, not one long lock. */
const BATCH = 500;

export interface TombstoneCounts {
  tickets: number;
  scopeExits: number;
  rejections: number;
  abandonedUploads: number;
}

/**
 * A partial upload untouched this long is dropped: the device still holds the photo and starts over
 * from 0 when it comes back (the server answers its offset question with 0).
 */
export const ABANDONED_UPLOAD_MS = 7 * 24 * 60 * 60 * 1000;

/** Deletes the rows of `table` matching `where`, BATCH at a time by primary key; returns how many. */
async function deleteInBatches(
  db: Db,
  table: typeof tickets | typeof syncScopeExits,
  where: SQL | undefined,
): Promise<number> {
  let total = 0;
  for (;;) {
    const batch = db.select({ id: table.id }).from(table).where(where).limit(BATCH);
    const gone = await db.delete(table).where(inArray(table.id, batch)).returning({ id: table.id });
    total += gone.length;
    if (gone.length < BATCH) return total;
  }
}

/**
 * Hard-deletes what no device can need any more: tickets deleted more than TOMBSTONE_TTL_MS ago (their
 * articles, attachments, history and scope exits cascade), scope exits and recorded sync rejections as
 * old, and partial uploads abandoned for a week. A cookie older than TOMBSTONE_TTL_MS gets 410 and a
 * full pull, which never carries tombstones, so nothing is lost.
 */
export async function collectTombstones(db: Db, now = new Date()): Promise<TombstoneCounts> {
  const cutoff = new Date(now.getTime() - TOMBSTONE_TTL_MS);
  const counts: TombstoneCounts = { tickets: 0, scopeExits: 0, rejections: 0, abandonedUploads: 0 };
  counts.tickets = await deleteInBatches(db, tickets, and(isNotNull(tickets.deletedAt), lt(tickets.deletedAt, cutoff)));
  counts.scopeExits = await deleteInBatches(db, syncScopeExits, lt(syncScopeExits.createdAt, cutoff));
  // Rejections are rare (one per refused edit): one statement.
  const rejections = await db
    .delete(syncRejections)
    .where(lt(syncRejections.createdAt, cutoff))
    .returning({ id: syncRejections.mutationId });
  counts.rejections = rejections.length;
  const uploads = await db
    .delete(attachmentUploads)
    .where(lt(attachmentUploads.updatedAt, new Date(now.getTime() - ABANDONED_UPLOAD_MS)))
    .returning({ id: attachmentUploads.attachmentId });
  counts.abandonedUploads = uploads.length;
  return counts;
}

/**
 * One collection, by one instance of many: the others skip it while the advisory lock is held.
 * Null when another instance had the lock.
 */
export async function collectTombstonesLocked(
  db: Db,
  databaseUrl: string | undefined,
  now = new Date(),
): Promise<TombstoneCounts | null> {
  const lock = await tryAdvisoryLock(databaseUrl, 'mesa:tombstone-gc');
  if (!lock) return null;
  try {
    return await collectTombstones(db, now);
  } finally {
    await lock.release();
  }
}

/** Collects every `everyMs` (first run one interval after start); the timer never keeps the process alive. */
export function startTombstoneGc(opts: { db: Db; databaseUrl: string | undefined; log: Logger; everyMs?: number }): {
  stop(): Promise<void>;
} {
  const { db, databaseUrl, log, everyMs = 60 * 60 * 1000 } = opts;
  let current: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (current) return;
    current = collectTombstonesLocked(db, databaseUrl)
      .then((counts) => {
        if (counts && (counts.tickets || counts.scopeExits)) log.info('sync: tombstones collected', { ...counts });
      })
      .catch((e: unknown) => log.error('sync: tombstone collection failed', { error: String(e) }))
      .finally(() => {
        current = null;
      });
  }, everyMs);
  timer.unref();
  return {
    // Lets a run in progress finish, so the database is not closed under it.
    stop: async () => {
      clearInterval(timer);
      await current;
    },
  };
}
