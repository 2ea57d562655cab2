/**
 * Is the API still responsive under load? /api/health (one `select 1`) is polled every 20 ms while each
 * load runs in turn, against the API in its own process (as in production):
 *
 *   search   200 concurrent ticket list searches by an agent (`q=` over a few thousand seeded tickets)
 *   push     50 concurrent sync pushes of 100 addNote@1 each (50 devices of one agent)
 *   login    200 concurrent wrong logins, distinct accounts and client addresses (no throttle refuses them:
 *            each would hash, and the bounded hashing queue answers 503 SERVER_BUSY to what does not fit)
 *   throttled  200 concurrent wrong logins for one account from one address (the throttle answers most)
 *
 *   pnpm bench:load-health                          (Postgres: BENCH_DATABASE_URL or the local server)
 *   BENCH_DB=pglite pnpm bench:load-health          (the embedded database, in a scratch DATA_DIR)
 *   BENCH_BURSTS=3 BENCH_TICKETS=3000 BENCH_LOADS=search,push BENCH_CPU_PROF=/tmp/prof pnpm bench:load-health
 *
 * Each load is fired BENCH_BURSTS times back to back (the push load once); every poll sent during a load
 * counts for it, and an idle phase before the loads is the baseline. The loads' keep-alive connections are
 * opened before measuring, as a proxy in front of the API keeps its own. The work is checked: searches return
 * the seeded matches, pushes store every note, logins answer 401/429/503. Target: health p99 ≤ 250 ms under
 * every load (on Postgres); the result line gives ratio = target / worst p99 (≥ 1 is met).
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, openDatabase, postgresDatabase } from '@mesa/api/db/client';
import { makeUser } from '@mesa/api/db/factories';
import { articles, tickets, users } from '@mesa/api/db/schema';
import { seedBase } from '@mesa/api/db/seed-base';
import { hashPassword } from '@mesa/api/services/password';
import { PROTOCOL_VERSION, SCHEMA_VERSION } from '@mesa/core';
import { pct, sleep, startApi, startHealthPoller } from '../test/support/api-process';
import { benchServerUrl, scratchDatabase } from './scratch-database';

const onPglite = process.env.BENCH_DB === 'pglite';
const bursts = Number(process.env.BENCH_BURSTS ?? 3);
const ticketCount = Number(process.env.BENCH_TICKETS ?? 3000);
const SEARCHES = 200;
const PUSHES = 50;
const NOTES_PER_PUSH = 100;
const LOGINS = 200;
const POLL_MS = 20;
const TARGET_P99_MS = 250;
const PASSWORD = 'password123';
/** One subject in ten carries the search term. */
const TERM = 'impresora';
/** A push burst alone is 5000 mutations (a minute on a busy 2-core machine): it runs once. */
const burstsOf = (load: string) => (load === 'push' ? 1 : bursts);

const port = 19000 + Math.floor(Math.random() * 1000);
const scratch = scratchDatabase('mesa_bench_load');
const dataDir = onPglite ? mkdtempSync(join(tmpdir(), 'mesa-load-')) : '';

async function openBenchDatabase(): Promise<Database> {
  if (onPglite) return await openDatabase({ dataDir });
  await scratch.recreate();
  return postgresDatabase(scratch.url, 4);
}

/** The desk: an agent of Systems with `ticketCount` tickets, and 200 accounts per wrong-login burst. */
async function seed(database: Database) {
  const db = database.db;
  await database.migrate();
  await seedBase(db);
  const [dept] = await db.query.departments.findMany({ where: (d, { eq }) => eq(d.slug, 'sistemas') });
  if (!dept) throw new Error('no sistemas department');
  const agent = await makeUser(db, { role: 'agent', email: 'agent@load.test', departmentIds: [dept.id] });
  const customer = await makeUser(db, { email: 'cliente@load.test', name: 'Cliente Carga' });
  const now = new Date();
  const subjects = [
    'Router sin conexión',
    'Correo no sincroniza',
    `La ${TERM} no imprime`,
    'VPN lenta',
    'Pantalla azul',
  ];
  for (let i = 0; i < ticketCount; i += 500) {
    await db.insert(tickets).values(
      Array.from({ length: Math.min(500, ticketCount - i) }, (_, k) => {
        const n = i + k;
        // Every tenth ticket mentions the term: in the subject for half, in the description for the others.
        const hit = n % 10 === 0;
        return {
          subject:
            hit && n % 20 === 0
              ? `La ${TERM} del piso ${n % 7} atasca el papel`
              : `${subjects[n % 5]!.replace(TERM, 'impresión')} ${n}`,
          description:
            hit && n % 20 !== 0
              ? `Desde ayer la ${TERM} de recepción marca error ${n}.`
              : `El equipo del puesto ${n} falla desde las 8:00. Ubicación: piso ${n % 7}.`,
          requesterId: customer.id,
          requesterName: customer.name,
          requesterEmail: customer.email,
          channel: 'phone' as const,
          departmentId: dept.id,
          severity: 'medium' as const,
          urgency: 'medium' as const,
          priority: (['P1', 'P2', 'P3', 'P4'] as const)[n % 4]!,
          status: 'open' as const,
          cc: [],
          createdById: agent.id,
          firstResponseDueAt: now,
          resolutionDueAt: now,
        };
      }),
    );
  }
  const hash = await hashPassword(PASSWORD);
  const accounts = Array.from({ length: LOGINS * bursts }, (_, i) => `persona${i}@load.test`);
  for (let i = 0; i < accounts.length; i += 500) {
    await db
      .insert(users)
      .values(
        accounts
          .slice(i, i + 500)
          .map((email) => ({ email, name: email, role: 'customer' as const, passwordHash: hash })),
      );
  }
  const ticketIds = (await db.select({ id: tickets.id }).from(tickets)).map((t) => t.id);
  const matches = ticketCount === 0 ? 0 : Math.ceil(ticketCount / 10);
  return { agent, accounts, ticketIds, matches };
}

async function countRows(database: Database) {
  return database.db.$count(articles);
}

const agentHttp = new Agent({ keepAlive: true, maxSockets: 400 });
/** Health polls get their own sockets, so a poll never waits client-side behind a load request. */
const healthHttp = new Agent({ keepAlive: true, maxSockets: 200 });

/** Requests sent again after a kept-alive socket was reset under them. */
let resets = 0;
type Reply = { status: number; body: string; setCookie: string | undefined };
type SendOptions = { body?: unknown; cookie?: string; forwardedFor?: string; agent?: Agent };

function send(method: string, path: string, opts: SendOptions = {}, retry = true): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const headers: Record<string, string | number> = { 'accept-language': 'es' };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    if (opts.cookie) headers.cookie = opts.cookie;
    if (opts.forwardedFor) headers['x-forwarded-for'] = opts.forwardedFor;
    const req = request({ host: '127.0.0.1', port, path, method, agent: opts.agent ?? agentHttp, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
          setCookie: res.headers['set-cookie']?.[0]?.split(';')[0],
        }),
      );
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      // A kept-alive socket the server closed as it was reused (Node's advice: retry once); counted and printed.
      if (retry && req.reusedSocket && e.code === 'ECONNRESET') {
        resets++;
        send(method, path, opts, false).then(resolve, reject);
      } else reject(new Error(`${method} ${path}: ${e.message} (${e.code}, reused socket: ${req.reusedSocket})`));
    });
    req.end(payload);
  });
}

let api: ChildProcess | undefined;
let database: Database | undefined;
try {
  database = await openBenchDatabase();
  const seedStarted = performance.now();
  const world = await seed(database);
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  // PGlite is one process's files: the bench closes it before the API opens it, and reopens it to check.
  if (onPglite) {
    await database.close();
    database = undefined;
  }

  api = await startApi({
    port,
    database: onPglite ? { dataDir } : { url: scratch.url },
    // Logins come from many client addresses, given in X-Forwarded-For by "the proxy" (one hop).
    env: { TRUST_PROXY: '1' },
    // The API's own log lines (JSON, warnings and errors only) go to this process's stderr.
    stdout: 'stderr',
  });
  const login = await send('POST', '/api/auth/login', { body: { email: 'agent@load.test', password: PASSWORD } });
  if (login.status !== 200 || !login.setCookie) throw new Error(`agent login failed: ${login.status} ${login.body}`);
  const cookie = login.setCookie;

  const loads: Record<string, (burst: number) => Promise<string>> = {
    async search() {
      // Each reply is parsed as it arrives: 200 × 100 tickets parsed at once would stall this process's
      // event loop, and with it the health polls' clocks.
      const found = await Promise.all(
        Array.from({ length: SEARCHES }, () =>
          send('GET', `/api/tickets?q=${TERM}&limit=100`, { cookie }).then((r) =>
            r.status === 200 ? (JSON.parse(r.body) as { items: unknown[] }).items.length : -1,
          ),
        ),
      );
      const want = Math.min(100, world.matches);
      const good = found.filter((n) => n === want).length;
      if (good !== SEARCHES) throw new Error(`search: ${good}/${SEARCHES} returned ${want} tickets (${found[0]})`);
      return `${SEARCHES} searches, each ${want} tickets`;
    },
    async push(burst) {
      const replies = await Promise.all(
        Array.from({ length: PUSHES }, (_, p) => {
          const mutations = Array.from({ length: NOTES_PER_PUSH }, (_, j) => ({
            id: j + 1,
            name: 'addNote@1',
            args: {
              id: randomUUID(),
              ticketId:
                world.ticketIds[(burst * PUSHES * NOTES_PER_PUSH + p * NOTES_PER_PUSH + j) % world.ticketIds.length],
              kind: 'internal_note',
              body: `Revisado en sitio (dispositivo ${p}, nota ${j}): se reinició el equipo y quedó en observación.`,
            },
            clientTime: Date.now(),
          }));
          const body = {
            protocolVersion: PROTOCOL_VERSION,
            schemaVersion: SCHEMA_VERSION,
            clientGroupId: randomUUID(),
            clientId: randomUUID(),
            mutations,
          };
          return send('POST', '/api/sync/push', { cookie, body });
        }),
      );
      const applied = replies.filter((r) => {
        if (r.status !== 200) return false;
        const b = JSON.parse(r.body) as { lastMutationId: number; rejected: unknown[] };
        return b.lastMutationId === NOTES_PER_PUSH && b.rejected.length === 0;
      }).length;
      if (applied !== PUSHES)
        throw new Error(`push: ${applied}/${PUSHES} applied (${replies[0]?.status} ${replies[0]?.body.slice(0, 200)})`);
      return `${PUSHES} pushes × ${NOTES_PER_PUSH} notes`;
    },
    async login(burst) {
      const replies = await Promise.all(
        Array.from({ length: LOGINS }, (_, i) => {
          const n = burst * LOGINS + i;
          return send('POST', '/api/auth/login', {
            body: { email: world.accounts[n], password: 'wrong-password' },
            forwardedFor: `10.${(n >> 8) & 255}.${n & 255}.7`,
          });
        }),
      );
      const by = tally(replies.map((r) => r.status));
      if ((by[401] ?? 0) + (by[429] ?? 0) + (by[503] ?? 0) !== LOGINS)
        throw new Error(`login: answers ${JSON.stringify(by)}`);
      return `${LOGINS} wrong logins: ${fmtTally(by)}`;
    },
    async throttled(burst) {
      const replies = await Promise.all(
        Array.from({ length: LOGINS }, () =>
          send('POST', '/api/auth/login', {
            body: { email: world.accounts[burst], password: 'wrong-password' },
            forwardedFor: '192.0.2.1',
          }),
        ),
      );
      const by = tally(replies.map((r) => r.status));
      if ((by[401] ?? 0) + (by[429] ?? 0) + (by[503] ?? 0) !== LOGINS)
        throw new Error(`throttled: answers ${JSON.stringify(by)}`);
      return `${LOGINS} wrong logins, one account: ${fmtTally(by)}`;
    },
  };

  // Keep-alive connections for the loads, opened before measuring (as a proxy or browsers keep theirs).
  await Promise.all(Array.from({ length: 2 * LOGINS }, () => send('GET', '/api/health')));
  const poller = startHealthPoller(
    () => send('GET', '/api/health', { agent: healthHttp }).then((r) => r.status === 200),
    POLL_MS,
  );
  await sleep(3000);
  const work: Record<string, string[]> = {};
  const elapsed: Record<string, number> = {};
  const starts: Record<string, number[]> = {};
  // BENCH_LOADS=search,push runs some of them (e.g. to profile one with BENCH_CPU_PROF).
  const only = process.env.BENCH_LOADS?.split(',');
  const chosen = Object.entries(loads).filter(([name]) => !only || only.includes(name));
  for (const [name, run] of chosen) {
    poller.set(name);
    const t0 = performance.now();
    work[name] = [];
    starts[name] = [];
    for (let b = 0; b < burstsOf(name); b++) {
      starts[name].push(performance.now());
      work[name].push(await run(b));
    }
    elapsed[name] = performance.now() - t0;
    poller.set('between');
    await sleep(1000);
  }
  const samples = await poller.stop();

  console.log(
    `database: ${onPglite ? 'PGlite (embedded, one connection)' : `Postgres ${benchServerUrl.replace(/\/\/.*@/, '//…@')} (pool of 20)`}; ` +
      `${ticketCount} tickets (${world.matches} match "${TERM}"), seeded in ${seedSeconds.toFixed(1)} s; ` +
      `${bursts} bursts per load (push: ${burstsOf('push')}); health polled every ${POLL_MS} ms; load average ${loadavg()[0]?.toFixed(1)}`,
  );
  const line = (phase: string) => {
    const xs = samples.filter((s) => s.phase === phase);
    const ms = xs.map((s) => s.ms);
    const failed = xs.filter((s) => !s.ok).length;
    return { n: xs.length, p50: pct(ms, 0.5), p99: pct(ms, 0.99), max: pct(ms, 1), failed };
  };
  const idle = line('idle');
  const f = (ms: number) => `${ms.toFixed(1)} ms`;
  console.log(`  idle        health p50 ${f(idle.p50)}, p99 ${f(idle.p99)} (n=${idle.n})  ← baseline`);
  let worst = { name: '', p99: 0 };
  for (const [name] of chosen) {
    const s = line(name);
    if (s.n < 5) throw new Error(`${name}: only ${s.n} health samples`);
    if (s.p99 > worst.p99) worst = { name, p99: s.p99 };
    console.log(
      `  ${name.padEnd(11)} health p50 ${f(s.p50)}, p99 ${f(s.p99)}, max ${f(s.max)} (n=${s.n}, failed ${s.failed}); ` +
        `load ${(elapsed[name]! / 1000).toFixed(1)} s: ${[...new Set(work[name])].join(' | ')}`,
    );
    // Where in a burst the slowest polls were sent: at its start (requests arriving), or later.
    const slowest = samples
      .filter((x) => x.phase === name)
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 3)
      .map((x) => {
        const b = (starts[name] ?? []).filter((t) => t <= x.at).length;
        return `${f(x.ms)} sent ${((x.at - (starts[name]?.[b - 1] ?? x.at)) / 1000).toFixed(2)} s into burst ${b}`;
      });
    console.log(`              slowest: ${slowest.join('; ')}`);
  }
  api.kill('SIGTERM');
  await new Promise((r) => api?.once('exit', r));
  api = undefined;
  // Counted once the API stopped: on PGlite the API must close the files before the bench opens them.
  if (onPglite) database = await openDatabase({ dataDir });
  const notes = await countRows(database!);
  const wantNotes = chosen.some(([name]) => name === 'push') ? burstsOf('push') * PUSHES * NOTES_PER_PUSH : 0;
  if (notes !== wantNotes) throw new Error(`notes stored: ${notes}, expected ${wantNotes}`);
  console.log(
    `  checked: ${notes} notes stored (expected ${wantNotes}); requests resent after a socket reset: ${resets}`,
  );
  const ratio = TARGET_P99_MS / worst.p99;
  console.log(
    `result: health p99 under load (worst: ${worst.name}) ${f(worst.p99)} ratio=${ratio.toFixed(2)} ` +
      `target=${TARGET_P99_MS}ms ${ratio >= 1 ? 'MET' : 'NOT MET'}`,
  );
} finally {
  api?.kill('SIGTERM');
  await sleep(500);
  await database?.close();
  if (onPglite) rmSync(dataDir, { recursive: true, force: true });
  else await scratch.drop();
}

function tally(xs: number[]): Record<number, number> {
  const by: Record<number, number> = {};
  for (const x of xs) by[x] = (by[x] ?? 0) + 1;
  return by;
}
function fmtTally(by: Record<number, number>): string {
  return Object.entries(by)
    .map(([k, v]) => `${v}× ${k}`)
    .join(', ');
}
