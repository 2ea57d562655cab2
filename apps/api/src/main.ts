import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import postgres from 'postgres';
import { createApp } from './app';
import { bootstrap } from './db/bootstrap';
import { openDatabase } from './db/client';
import { DEMO_PASSWORD, demoLogins } from './db/seed-demo';
import { readEnv } from './env';
import type { Deps } from './http/context';
import { createLogger } from './logger';
import { startMail } from './mail/runtime';
import { createReference } from './services/reference-service';
import { pokeHub } from './sync/pokes/hub';
import { startTombstoneGc } from './sync/tombstone-gc';

const env = readEnv();
const log = createLogger(env.LOG_LEVEL);
const webDist = env.WEB_DIST ?? fileURLToPath(new URL('../../web/dist', import.meta.url));
const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });

/** Several instances may start at once on one Postgres: one migrates and seeds, the others wait. */
async function startupLocked<T>(fn: () => Promise<T>): Promise<T> {
  if (!env.DATABASE_URL) return fn();
  const lock = postgres(env.DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    await lock`select pg_advisory_lock(hashtext('mesa:startup'))`;
    return await fn();
  } finally {
    await lock.end({ timeout: 5 });
  }
}

const boot = await startupLocked(async () => {
  await database.migrate();
  return bootstrap(database.db, env, log);
});

const publicUrl = env.PUBLIC_URL?.replace(/\/$/, '') ?? `http://localhost:${env.PORT}`;
const deps: Deps = {
  database,
  env: { ...env, WEB_DIST: webDist },
  log,
  reference: createReference(database.db),
  publicUrl,
};
const app = createApp(deps);
const mail = await startMail({ db: database.db, env, log, publicUrl, reference: deps.reference });
const tombstoneGc = startTombstoneGc({ db: database.db, databaseUrl: env.DATABASE_URL, log });
const server = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, (info) => {
  const lines = [
    '',
    `  Mesa de ayuda is running on ${database.kind === 'pglite' ? `embedded PGlite (${env.DATA_DIR})` : 'Postgres'}`,
    `  Open:      ${publicUrl}   (port ${info.port})`,
    `  API docs:  ${publicUrl}/api/docs`,
    ...mail.summary.map((l) => `  ${l}`),
    `  Admin:     ${boot.admin.email}${boot.admin.password ? ` / ${boot.admin.password}` : ' (password as configured)'}`,
  ];
  if (env.DEMO_DATA) {
    lines.push(`  Demo users (password ${DEMO_PASSWORD}):`);
    for (const l of demoLogins) lines.push(`    ${l.role.padEnd(11)} ${l.email}`);
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info('shutting down', { signal });
  server.close();
  // Ends the open event streams (server.close waits for them) and the LISTEN connection.
  await pokeHub(database, log).close();
  await tombstoneGc.stop();
  await mail.stop();
  await database.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
