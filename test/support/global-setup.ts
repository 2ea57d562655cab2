import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pgliteDatabase, postgresDatabase } from '@mesa/api/db/client';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set on the Postgres leg: the server URL and a migrated template database to copy per test file. */
    pgServer: { url: string; template: string } | null;
    /** Set on the PGlite leg: a migrated data directory to load per test file. */
    pgliteDump: string | null;
  }
}

const withDatabase = (url: string, name: string): string => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

/** Migrates once per run; each test file then gets its own copy in well under a second. */
export default async function setup(project: TestProject) {
  // Test tooling, not the product: the product reads its environment only in env.ts.
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const template = `mesa_tpl_${process.pid}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${template}`);
    await admin.unsafe(`create database ${template}`);
    const db = postgresDatabase(withDatabase(serverUrl, template), 1);
    await db.migrate();
    await db.close();
    project.provide('pgServer', { url: serverUrl, template });
    project.provide('pgliteDump', null);
    return async () => {
      const leftovers = await admin`select datname from pg_database where datname like ${`mesa_t_${process.pid}_%`}`;
      for (const { datname } of leftovers) await admin.unsafe(`drop database if exists ${datname} with (force)`);
      await admin.unsafe(`drop database if exists ${template} with (force)`);
      await admin.end();
    };
  }
  const pg = await PGlite.create();
  await pgliteDatabase(pg).migrate();
  const dir = mkdtempSync(join(tmpdir(), 'mesa-pglite-'));
  const file = join(dir, 'migrated.tar');
  writeFileSync(file, Buffer.from(await (await pg.dumpDataDir('none')).arrayBuffer()));
  await pg.close();
  project.provide('pgServer', null);
  project.provide('pgliteDump', file);
  return () => rmSync(dir, { recursive: true, force: true });
}
