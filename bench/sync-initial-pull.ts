/**
 * A new device's first sync: 10,000 tickets with 50,000 articles pulled into IndexedDB by the real
 * sync client in headless Chromium, vs a raw postgres.js read of the same rows serialized to JSON.
 *
 *   pnpm bench:sync-initial-pull     (BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test)
 *   BENCH_TICKETS=10000 BENCH_ARTICLES_PER_TICKET=5 BENCH_RUNS=3 pnpm bench:sync-initial-pull
 *
 * Needs Postgres and /usr/bin/chromium (apt-get install chromium). The API runs in this process behind
 * one loopback origin that also serves the bundled client, as the PWA is served. Each run is a fresh
 * browser profile: log in, then `start()` + `syncNow()` until Dexie holds every row.
 * Targets: initial pull ≤ 5 s; rows/s ratio pull / raw ≥ 0.3.
 */
import { loadavg } from 'node:os';
import { postgresDatabase } from '@mesa/api/db/client';
import postgres from 'postgres';
import { seedTickets } from '../test/support/bench-seed';
import { bundleSyncClient, launchChromium, serveApiAndPage } from '../test/support/browser-bench';
import { buildWorld, PASSWORD } from '../test/support/world';
import { scratchDatabase } from './scratch-database';

const ticketCount = Number(process.env.BENCH_TICKETS ?? 10_000);
const articlesPerTicket = Number(process.env.BENCH_ARTICLES_PER_TICKET ?? 5);
const runs = Number(process.env.BENCH_RUNS ?? 3);
// Desks accumulate rows over many transactions (the pull pages by change xid): a few tickets per commit.
const ticketsPerCommit = Number(process.env.BENCH_TICKETS_PER_COMMIT ?? 10);
const scratch = scratchDatabase('mesa_bench_sync');
const benchUrl = scratch.url;
const TARGET_SECONDS = 5;
const TARGET_RATIO = 0.3;

await scratch.recreate();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

interface PageRun {
  ms: number;
  tickets: number;
  articles: number;
  pulls: number;
  /** Σ request start → first response byte of the pull requests: the server's work plus loopback. */
  serverMs: number;
  /** Σ first → last response byte. */
  bodyMs: number;
  /** Time between one pull's last byte and the next pull's start (JSON parse, patch accumulation). */
  betweenMs: number;
  /** After the last pull's last byte until Dexie held every row (the one bulk write transaction). */
  applyMs: number;
  responseBytes: number;
}

/** Runs in the page: log in, sync from scratch, and say where the time went (Resource Timing). */
const pageRun = (args: { email: string; password: string; actor: unknown; tickets: number; articles: number }) => `
(async () => {
  const a = ${JSON.stringify(args)};
  const login = await fetch('/api/auth/login', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: a.email, password: a.password }),
  });
  if (!login.ok) throw new Error('login ' + login.status + ' ' + (await login.text()));
  performance.setResourceTimingBufferSize(100000);
  performance.clearResourceTimings();
  const client = new window.SyncClient({ actor: a.actor, pokes: false });
  const t0 = performance.now();
  await client.start();
  await client.syncNow();
  // syncNow returns once the pull's one transaction committed: that is when the device holds the rows.
  let ms = performance.now() - t0;
  let tickets = 0, articles = 0;
  for (;;) {
    [tickets, articles] = await Promise.all([client.db.tickets.count(), client.db.allArticles().then((xs) => xs.length)]);
    if (tickets >= a.tickets && articles >= a.articles) break;
    if (performance.now() - t0 > 300000) throw new Error('pull incomplete: ' + tickets + ' tickets, ' + articles + ' articles');
    await new Promise((r) => setTimeout(r, 5));
    ms = performance.now() - t0;
  }
  const pulls = performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/api/sync/pull'));
  let serverMs = 0, bodyMs = 0, betweenMs = 0, responseBytes = 0, prevEnd = null;
  for (const e of pulls) {
    serverMs += e.responseStart - e.startTime;
    bodyMs += e.responseEnd - e.responseStart;
    responseBytes += e.encodedBodySize;
    if (prevEnd !== null) betweenMs += e.startTime - prevEnd;
    prevEnd = e.responseEnd;
  }
  await client.stop();
  return { ms, tickets, articles, pulls: pulls.length, serverMs, bodyMs, betweenMs,
    applyMs: t0 + ms - (prevEnd ?? t0), responseBytes };
})()`;

let closeServer = async () => {};
let closeBrowser = async () => {};
try {
  const database = postgresDatabase(benchUrl);
  await database.migrate();
  const world = await buildWorld(database);
  const { supervisor } = world.users;
  const sql = postgres(benchUrl, { max: 4, onnotice: () => {} });

  const seedStarted = performance.now();
  await seedTickets(sql, world, { tickets: ticketCount, articlesPerTicket, ticketsPerCommit });
  await sql`vacuum analyze`;
  const [counts] = await sql<{ tickets: number; articles: number }[]>`
    select (select count(*)::int from tickets where deleted_at is null) as tickets,
           (select count(*)::int from articles) as articles`;
  if (counts?.tickets !== ticketCount || counts.articles !== ticketCount * articlesPerTicket) {
    throw new Error(`seeded ${JSON.stringify(counts)}`);
  }
  const rows = counts.tickets + counts.articles;
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  // Raw leg: the same rows read with postgres.js and turned into one JSON text each.
  const raw = async () => {
    const t = performance.now();
    const ticketRows = await sql`select * from tickets where deleted_at is null`;
    const articleRows = await sql`select * from articles`;
    const bytes = JSON.stringify(ticketRows).length + JSON.stringify(articleRows).length;
    return { ms: performance.now() - t, bytes };
  };

  const files = await bundleSyncClient();
  const server = await serveApiAndPage(database, files);
  closeServer = server.close;
  const browser = await launchChromium();
  closeBrowser = () => browser.close();

  await raw(); // warm-up: the same buffers and plans the pull will find
  const pullRuns: PageRun[] = [];
  for (let i = 0; i < runs; i++) {
    // A fresh profile each time: an empty IndexedDB, a new session, a new client group.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForFunction('typeof window.SyncClient === "function"');
    const run = (await page.evaluate(
      pageRun({
        email: supervisor.email,
        password: PASSWORD,
        actor: { id: supervisor.id, role: supervisor.role, name: supervisor.name },
        tickets: counts.tickets,
        articles: counts.articles,
      }),
    )) as PageRun;
    if (run.tickets !== counts.tickets || run.articles !== counts.articles) {
      throw new Error(`device holds ${run.tickets} tickets, ${run.articles} articles`);
    }
    pullRuns.push(run);
    await context.close();
  }
  const rawRuns: Array<{ ms: number; bytes: number }> = [];
  for (let i = 0; i < runs; i++) rawRuns.push(await raw());
  await sql.end();
  await database.close();

  const pullMs = median(pullRuns.map((r) => r.ms));
  const typical = pullRuns.find((r) => r.ms === pullMs) as PageRun;
  const rawMs = median(rawRuns.map((r) => r.ms));
  const pullRate = rows / (pullMs / 1000);
  const rawRate = rows / (rawMs / 1000);
  const ratio = pullRate / rawRate;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(
    `rows: ${counts.tickets} tickets + ${counts.articles} articles = ${rows} (seeded in ${seedSeconds.toFixed(1)} s, ` +
      `${ticketsPerCommit} tickets per commit); device: supervisor in headless Chromium; runs: ${runs} (median); ` +
      `load average ${loadavg()[0]?.toFixed(1)}`,
  );
  console.log(
    `initial pull (start + syncNow until Dexie holds every row): ${s(pullMs)}, ${pullRate.toFixed(0)} rows/s ` +
      `[runs ${pullRuns.map((r) => s(r.ms)).join(', ')}] (target ≤ ${TARGET_SECONDS} s)`,
  );
  console.log(
    `  where: ${typical.pulls} pull pages, ${(typical.responseBytes / 1e6).toFixed(1)} MB; server to first byte ` +
      `${s(typical.serverMs)}, bodies ${s(typical.bodyMs)}, client between pages ${s(typical.betweenMs)}, ` +
      `Dexie apply ${s(typical.applyMs)}`,
  );
  console.log(
    `raw postgres.js select + JSON.stringify: ${s(rawMs)}, ${rawRate.toFixed(0)} rows/s ` +
      `(${((rawRuns[0]?.bytes ?? 0) / 1e6).toFixed(1)} MB of JSON)`,
  );
  // Met when both targets are: the time a new device waits, and the rate against the raw read.
  const met = pullMs <= TARGET_SECONDS * 1000 && ratio >= TARGET_RATIO;
  console.log(
    `result: initial pull ${s(pullMs)} (target ≤ ${TARGET_SECONDS} s), ${pullRate.toFixed(0)} rows/s vs raw ` +
      `${rawRate.toFixed(0)} rows/s ratio=${ratio.toFixed(3)} target=${TARGET_RATIO} ${met ? 'MET' : 'NOT MET'}`,
  );
} finally {
  await closeBrowser().catch(() => {});
  await closeServer().catch(() => {});
  await scratch.drop();
}
