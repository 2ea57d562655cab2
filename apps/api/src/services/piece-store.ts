import { mkdirSync } from 'node:fs';
import { type FileHandle, open, readdir, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { and, asc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Database, Db } from '../db/client';
import { attachmentUploads, blobPieces, blobs } from '../db/schema';

/** The request that holds an upload's lease (attachment_uploads.writer). */
export interface Lease {
  attachmentId: string;
  token: string;
}

/**
 * Where an uploaded file's bytes live, under the key its upload row and then its blob row name.
 * Postgres: rows of `blob_pieces`, so every API instance over the database reads every file. PGlite: one
 * file per key under DATA_DIR/blobs — the embedded database runs inside the API's event loop, where a
 * 1 MiB bytea insert takes it for a second (bench:upload-load), and an embedded deployment is one
 * process on one disk anyway.
 */
export interface PieceStore {
  kind: 'database' | 'disk';
  /**
   * Writes one piece at byte `start` if the lease still holds, renewing it; false when it does not. With
   * `renew` false a store may skip the check (the caller renewed it moments ago): on PGlite each check is
   * a commit on the API's event loop.
   */
  write(db: Db, lease: Lease, piecesKey: string, start: number, bytes: Uint8Array, renew: boolean): Promise<boolean>;
  /** Drops what lies at and after `from`: a failed or dead request's bytes, which never counted. */
  truncate(db: Db, piecesKey: string, from: number): Promise<void>;
  /** Drops every piece of an upload no blob took. */
  drop(db: Db, piecesKey: string): Promise<void>;
  /** Makes the pieces durable before a blob row names them. */
  seal(piecesKey: string): Promise<void>;
  /** The bytes from the start, read as the consumer asks for more (one piece or 256 KiB at a time). */
  read(db: Db, piecesKey: string): ReadableStream<Uint8Array>;
}

/** Renews the lease in the same statement that writes the piece, so a request that lost it writes nothing. */
const databasePieces: PieceStore = {
  kind: 'database',
  async write(db, lease, piecesKey, start, bytes) {
    const result = await db.execute(sql`
      with lease as (
        update ${attachmentUploads} set writer_seen_at = now()
        where attachment_id = ${lease.attachmentId} and writer = ${lease.token} and pieces_key = ${piecesKey}
        returning pieces_key
      )
      insert into ${blobPieces} (pieces_key, start, content)
      select pieces_key, ${start}, ${bytes}::bytea from lease
      returning start`);
    // postgres.js returns rows as an array, PGlite as { rows }.
    const rows = Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? []);
    return rows.length === 1;
  },
  async truncate(db, piecesKey, from) {
    await db.delete(blobPieces).where(and(eq(blobPieces.piecesKey, piecesKey), gte(blobPieces.start, from)));
  },
  // The trigger on attachment_uploads drops them with the upload row.
  async drop() {},
  async seal() {},
  read(db, piecesKey) {
    let next = 0;
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
  },
};

const KEY = /^[0-9a-f-]{36}$/;
const READ_BYTES = 256 * 1024;

/** Files untouched this long whose key no upload or blob names are removed (abandoned uploads, deleted tickets). */
const ORPHAN_AGE_MS = 60 * 60 * 1000;

/**
 * Removes files whose key neither an upload nor a blob row names: uploads the hourly collection dropped
 * after a week, or whose ticket was deleted (the rows cascade, files cannot). Rows are written before
 * their file and a blob row replaces its upload row in one transaction, so an unnamed key is garbage.
 */
export async function sweepOrphanFiles(db: Db, dir: string, now = Date.now()): Promise<number> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => KEY.test(n));
  let removed = 0;
  for (let i = 0; i < names.length; i += 500) {
    const batch = names.slice(i, i + 500);
    const named = new Set([
      ...(
        await db
          .select({ key: attachmentUploads.piecesKey })
          .from(attachmentUploads)
          .where(inArray(attachmentUploads.piecesKey, batch))
      ).map((r) => r.key),
      ...(await db.select({ key: blobs.piecesKey }).from(blobs).where(inArray(blobs.piecesKey, batch))).map(
        (r) => r.key,
      ),
    ]);
    for (const name of batch) {
      if (named.has(name)) continue;
      const info = await stat(join(dir, name)).catch(() => null);
      if (!info || now - info.mtimeMs < ORPHAN_AGE_MS) continue;
      await rm(join(dir, name), { force: true });
      removed++;
    }
  }
  return removed;
}

function diskPieces(dir: string): PieceStore {
  mkdirSync(dir, { recursive: true });
  const pathOf = (piecesKey: string) => {
    // Keys are uuids from the database; anything else must never become a path.
    if (!KEY.test(piecesKey)) throw new Error(`bad pieces key ${piecesKey}`);
    return join(dir, piecesKey);
  };
  const ignoreMissing = (err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  };
  return {
    kind: 'disk',
    async write(db, lease, piecesKey, start, bytes, renew) {
      const [held] = !renew
        ? [true]
        : await db
            .update(attachmentUploads)
            .set({ writerSeenAt: sql`now()` })
            .where(
              and(
                eq(attachmentUploads.attachmentId, lease.attachmentId),
                eq(attachmentUploads.writer, lease.token),
                eq(attachmentUploads.piecesKey, piecesKey),
              ),
            )
            .returning({ key: attachmentUploads.piecesKey });
      if (!held) return false;
      const fh = await open(pathOf(piecesKey), 'r+').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return open(pathOf(piecesKey), 'w');
        throw err;
      });
      try {
        await fh.write(bytes, 0, bytes.byteLength, start);
      } finally {
        await fh.close();
      }
      return true;
    },
    async truncate(_db, piecesKey, from) {
      await truncate(pathOf(piecesKey), from).catch(ignoreMissing);
    },
    async drop(_db, piecesKey) {
      await rm(pathOf(piecesKey), { force: true });
    },
    async seal(piecesKey) {
      const fh = await open(pathOf(piecesKey), 'r+').catch((err: NodeJS.ErrnoException) => {
        // An empty file never had a piece written.
        if (err.code === 'ENOENT') return open(pathOf(piecesKey), 'w');
        throw err;
      });
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    },
    read(_db, piecesKey) {
      let fh: FileHandle | null = null;
      let at = 0;
      return new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            try {
              fh ??= await open(pathOf(piecesKey), 'r');
              const { bytesRead, buffer } = await fh.read(Buffer.alloc(READ_BYTES), 0, READ_BYTES, at);
              if (bytesRead === 0) {
                await fh.close();
                controller.close();
                return;
              }
              at += bytesRead;
              controller.enqueue(buffer.subarray(0, bytesRead));
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code === 'ENOENT') controller.close();
              else controller.error(err);
            }
          },
          async cancel() {
            await fh?.close();
          },
        },
        { highWaterMark: 0 },
      );
    },
  };
}

const stores = new WeakMap<Database, PieceStore>();

/** The store for a database: one per database, shared by the upload and download routes. */
export function pieceStoreFor(database: Database, dataDir: string): PieceStore {
  let store = stores.get(database);
  if (!store) {
    const dir = join(dataDir, 'blobs');
    store = database.kind === 'pglite' ? diskPieces(dir) : databasePieces;
    stores.set(database, store);
    if (store.kind === 'disk') {
      // Hourly, never keeping the process alive; a failed sweep is retried the next hour.
      const timer = setInterval(() => {
        sweepOrphanFiles(database.db, dir).catch(() => {});
      }, ORPHAN_AGE_MS);
      timer.unref();
    }
  }
  return store;
}
