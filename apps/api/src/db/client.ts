import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Services take either: a caller may already hold a transaction. */
export type DbOrTx = Db | Tx;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  migrate(): Promise<void>;
  /**
   * LISTEN on `channel` (a plain lower-case identifier). `onListen` runs each time the LISTEN takes hold:
   * once at first, and again after a lost connection was re-established (notifications sent meanwhile
   * are lost). A lost or refused connection is retried with backoff until the returned stop function is called.
   */
  listen(channel: string, handlers: ListenHandlers): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface ListenHandlers {
  onPayload(payload: string): void;
  onListen(): void;
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/** Connections each database handle has (PGlite: its one), for code that sizes its concurrency to them. */
const connections = new WeakMap<Db, number>();
export const connectionsOf = (db: Db): number => connections.get(db) ?? 1;

export function pgliteDatabase(client: PGlite): Database {
  const db = drizzlePglite(client, { schema });
  connections.set(db as unknown as Db, 1);
  return {
    db: db as unknown as Db,
    kind: 'pglite',
    migrate: () => migratePglite(db, { migrationsFolder }),
    async listen(channel, { onPayload, onListen }) {
      if (!CHANNEL.test(channel)) throw new RangeError(`listen: bad channel ${channel}`);
      // One embedded connection that never drops: listening once is enough.
      const unlisten = await client.listen(channel, onPayload);
      onListen();
      return async () => {
        if (!client.closed) await unlisten();
      };
    },
    close: () => client.close(),
  };
}

export function postgresDatabase(url: string, max = 20): Database {
  // onnotice: Postgres 15 prints NOTICEs for "IF NOT EXISTS" in migrations; they are not errors.
  const client = postgres(url, { max, onnotice: () => {} });
  const db = drizzlePostgres(client, { schema });
  connections.set(db as unknown as Db, max);
  const listeners = new Set<() => Promise<void>>();
  return {
    db: db as unknown as Db,
    kind: 'postgres',
    migrate: () => migratePostgres(db, { migrationsFolder }),
    async listen(channel, handlers) {
      const stop = await listenPostgres(url, channel, handlers);
      const remove = async () => {
        listeners.delete(remove);
        await stop();
      };
      listeners.add(remove);
      return remove;
    },
    close: async () => {
      await Promise.all([...listeners].map((stop) => stop()));
      await client.end({ timeout: 5 });
    },
  };
}

/**
 * LISTEN through postgres.js on an instance of its own, so stopping it ends just this connection.
 * postgres.js re-listens whenever the connection closes (retrying with backoff while the server is
 * unreachable) and calls onlisten each time it holds; a first attempt that fails keeps retrying the same way.
 */
async function listenPostgres(url: string, channel: string, { onPayload, onListen }: ListenHandlers) {
  if (!CHANNEL.test(channel)) throw new RangeError(`listen: bad channel ${channel}`);
  const conn = postgres(url, { max: 1, onnotice: () => {} });
  await conn.listen(channel, onPayload, onListen).catch(() => {
    // Unreachable right now: postgres.js keeps trying in the background and calls onListen once it holds.
  });
  return () => conn.end({ timeout: 1 });
}

export async function openDatabase(opts: { databaseUrl?: string | undefined; dataDir: string }): Promise<Database> {
  if (opts.databaseUrl) return postgresDatabase(opts.databaseUrl);
  mkdirSync(opts.dataDir, { recursive: true });
  return pgliteDatabase(await PGlite.create(`${opts.dataDir}/pglite`));
}
