/**
 * Live sync latency between two online devices: device A edits a ticket's subject and syncs; how long until
 * device B, which only listens to its poke stream (GET /api/sync/events), holds the new value in Dexie.
 *
 *   pnpm bench:sync-poke-latency     (BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test)
 *   BENCH_EDITS=200 pnpm bench:sync-poke-latency
 *
 * Both devices are the real sync client on fake-indexeddb over HTTP, with pokes on, and the API (with its
 * LISTEN on Postgres) runs in this process, so all of them share one event loop: a pessimistic setting.
 * The time runs from A's mutate() (optimistic write, queue, push, commit, NOTIFY, SSE poke, B's pull, B's
 * Dexie write) and is read by polling B's database every 2 ms. Edits are spaced out so that each one
 * starts from a quiet system. Baseline, in the same run: a bare NOTIFY → LISTEN round trip on the same
 * Postgres plus one HTTP fetch of the ticket by device B's session. Target: p95 ≤ 300 ms; the result line's
 * ratio is baseline p95 / measured p95 (the share of the time the round trip itself takes).
 */
import { loadavg } from 'node:os';
import type { Database } from '@mesa/api/db/client';
import { postgresDatabase } from '@mesa/api/db/client';
import type { Role } from '@mesa/core';
import postgres from 'postgres';
import { testApp } from '../test/support/api';
import { openFieldVisit } from '../test/support/field-visit';
import { LabDevice, LabServer } from '../test/support/sync-lab';
import { buildWorld } from '../test/support/world';
import { scratchDatabase } from './scratch-database';

const edits = Number(process.env.BENCH_EDITS ?? 200);
const scratch = scratchDatabase('mesa_bench_pokes');
const benchUrl = scratch.url;
const TARGET_P95_MS = 300;

await scratch.recreate();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;

let database: Database | undefined;
let server: LabServer | undefined;
const devices: LabDevice[] = [];
try {
  database = postgresDatabase(benchUrl);
  await database.migrate();
  const world = await buildWorld(database);
  server = new LabServer(database);
  await server.start();

  // The Systems agent edits in the office; the technician's phone holds the ticket (assigned to them).
  const app = testApp(database);
  const visit = await openFieldVisit(app, world);
  const ticketId = visit.id;

  const lab = server;
  const device = async (who: 'agent' | 'technician') => {
    const u = world.users[who];
    const d = new LabDevice(lab, { email: u.email, role: u.role as Role, userId: u.id, name: u.name, pokes: true });
    await d.login();
    await d.start();
    devices.push(d);
    return d;
  };
  const a = await device('agent');
  const b = await device('technician');
  const subjectOn = async (d: LabDevice) => (await d.client.db.tickets.get(ticketId))?.subject;
  const idle = (d: LabDevice) => !d.client.state.get().syncing && d.client.state.get().pending === 0;
  /** Nothing in flight on either device for 100 ms (A's own poke makes it pull once more after each edit). */
  const quiet = async () => {
    for (let n = a.requests + b.requests, still = 0; still < 10; still++) {
      await sleep(10);
      if (a.requests + b.requests !== n || !idle(a) || !idle(b)) {
        n = a.requests + b.requests;
        still = -1;
      }
    }
  };
  for (let t = 0; (await subjectOn(b)) !== visit.subject || (await subjectOn(a)) === undefined; t++) {
    if (t > 500) throw new Error('devices did not sync at start (is GET /api/sync/events there?)');
    await sleep(10);
  }
  await quiet();

  const total: number[] = [];
  const toPull: number[] = [];
  const aSync: number[] = [];
  const warmup = 10;
  for (let i = 1; i <= warmup + edits; i++) {
    const subject = `Visita: router caído, intento ${i}`;
    const requestsB = b.requests;
    const t0 = performance.now();
    await a.client.mutate('updateTicketFields@1', { ticketId, changes: { subject } });
    const synced = a.client.syncNow().then(() => performance.now() - t0);
    let pullAt = Number.NaN;
    for (;;) {
      if (Number.isNaN(pullAt) && b.requests !== requestsB) pullAt = performance.now() - t0;
      if ((await subjectOn(b)) === subject) break;
      if (performance.now() - t0 > 10_000) throw new Error(`edit ${i} did not reach device B in 10 s`);
      await sleep(2);
    }
    const seen = performance.now() - t0;
    if (i > warmup) {
      total.push(seen);
      toPull.push(pullAt);
      aSync.push(await synced);
    } else await synced;
    await quiet();
  }

  // Baseline, same run and same event loop: what a poke cannot avoid — a bare NOTIFY → LISTEN round trip on
  // the same server, then one HTTP fetch of the changed ticket by device B's session.
  const listener = postgres(benchUrl, { max: 1, onnotice: () => {} });
  const notifier = postgres(benchUrl, { max: 1, onnotice: () => {} });
  let heard: (() => void) | undefined;
  await listener.listen('mesa_bench_baseline', () => heard?.());
  const baseline: number[] = [];
  const bareNotify: number[] = [];
  for (let i = 1; i <= warmup + edits; i++) {
    const t0 = performance.now();
    const notified = new Promise<void>((r) => {
      heard = r;
    });
    await notifier`select pg_notify('mesa_bench_baseline', ${String(i)})`;
    await notified;
    const tNotify = performance.now() - t0;
    const res = await fetch(`${lab.url}/api/tickets/${visit.number}`, { headers: { cookie: b.cookie } });
    const row = (await res.json()) as { subject?: string };
    if (res.status !== 200 || !row.subject) throw new Error(`baseline fetch: ${res.status}`);
    if (i > warmup) {
      baseline.push(performance.now() - t0);
      bareNotify.push(tNotify);
    }
    await sleep(5);
  }
  await listener.end();
  await notifier.end();

  const f = (ms: number) => `${ms.toFixed(0)} ms`;
  const f1 = (ms: number) => `${ms.toFixed(1)} ms`;
  const p95 = pct(total, 0.95);
  const base95 = pct(baseline, 0.95);
  console.log(
    `edits: ${total.length} subject changes (after ${warmup} warm-up), agent's device A → technician's device B; ` +
      `load average ${loadavg()[0]?.toFixed(1)}`,
  );
  console.log(
    `edit on A → value in B's Dexie: p50 ${f(pct(total, 0.5))}, p95 ${f(p95)}, max ${f(pct(total, 1))} ` +
      `(target p95 ≤ ${TARGET_P95_MS} ms)`,
  );
  console.log(
    `  where: A's mutate + push + pull p50 ${f(pct(aSync, 0.5))}; B starts its pull (poke received) ` +
      `p50 ${f(pct(toPull, 0.5))}, p95 ${f(pct(toPull, 0.95))} after the edit`,
  );
  console.log(
    `baseline (same run, n=${baseline.length}): bare NOTIFY → LISTEN ${f1(pct(bareNotify, 0.5))} p50, ` +
      `${f1(pct(bareNotify, 0.95))} p95; + one HTTP GET of the ticket: p50 ${f1(pct(baseline, 0.5))}, p95 ${f1(base95)}`,
  );
  // ratio: the unavoidable round trip's share of the measured p95 (1 would mean the sync path adds nothing).
  console.log(
    `result: edit → other device p95 ${f(p95)} (baseline p95 ${f1(base95)}) ratio=${(base95 / p95).toFixed(3)} ` +
      `target=${TARGET_P95_MS}ms ${p95 <= TARGET_P95_MS ? 'MET' : 'NOT MET'}`,
  );
} finally {
  await Promise.all(devices.map((d) => d.kill()));
  await server?.stop();
  await database?.close();
  await scratch.drop();
}
