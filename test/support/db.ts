import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { type Database, pgliteDatabase, postgresDatabase } from '@mesa/api/db/client';
import postgres from 'postgres';
import { inject } from 'vitest';

let seq = 0;

/** A test database; `url` reaches it from more sessions (Postgres only: PGlite has one connection). */
export type TestDatabase = Database & { url: string | null };

/**
 * A fresh, migrated database for one test file: a copy of the template database
 * on Postgres, or a PGlite loaded from the migrated dump. Close it in afterAll.
 */
export async function openTestDatabase(): Promise<TestDatabase> {
  const server = inject('pgServer');
  if (server) {
    const name = `mesa_t_${process.pid}_${Date.now().toString(36)}_${seq++}`;
    const admin = postgres(server.url, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`create database ${name} template ${server.template}`);
    } finally {
      await admin.end();
    }
    const url = new URL(server.url);
    url.pathname = `/${name}`;
    const database = postgresDatabase(url.toString(), 10);
    return {
      ...database,
      url: url.toString(),
      close: async () => {
        await database.close();
        const dropper = postgres(server.url, { max: 1, onnotice: () => {} });
        await dropper.unsafe(`drop database if exists ${name} with (force)`);
        await dropper.end();
      },
    };
  }
  const dump = inject('pgliteDump');
  if (!dump) throw new Error('global setup provided no database');
  const pg = await PGlite.create({ loadDataDir: new Blob([readFileSync(dump)]) });
  return { ...pgliteDatabase(pg), url: null };
}
