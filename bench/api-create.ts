/**
 * Ticket creation through HTTP vs raw postgres.js writing the same rows, in one run on real Postgres.
 *
 *   pnpm bench:api-create            (BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test)
 *   BENCH_CLIENTS=16 BENCH_SECONDS=10 pnpm bench:api-create
 *
 * The API runs in its own process (as in production); this process drives N concurrent
 * keep-alive clients. Two raw legs write the same rows as a create (ticket, 'created' history row, outbox
 * row) with postgres.js and N connections at the same concurrency: one transaction per ticket, and multi-row
 * statements batched per event-loop turn as the API batches. Each leg's row counts are checked after it.
 * Target: HTTP rate / the faster raw leg's ≥ 0.35.
 */
import type { ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { postgresDatabase } from '@mesa/api/db/client';
import { makeOrganization, makeUser } from '@mesa/api/db/factories';
import { seedBase } from '@mesa/api/db/seed-base';
import postgres from 'postgres';
import { startApi } from '../test/support/api-process';
import { benchServerUrl, scratchDatabase } from './scratch-database';

const clients = Number(process.env.BENCH_CLIENTS ?? 16);
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const TARGET_RATIO = 0.35;
const port = 18000 + Math.floor(Math.random() * 1000);
const scratch = scratchDatabase('mesa_bench');
const benchUrl = scratch.url;

await scratch.recreate();

let api: ChildProcess | undefined;
try {
  const database = postgresDatabase(benchUrl, 2);
  await database.migrate();
  await seedBase(database.db);
  const org = await makeOrganization(database.db, { name: 'Bench S.A.' });
  const customer = await makeUser(database.db, { email: 'bench@bench.test', organizationId: org.id });
  const [dept] = await database.db.query.departments.findMany({ where: (d, { eq }) => eq(d.slug, 'sistemas') });
  await database.close();

  api = await startApi({ port, database: { url: benchUrl } });
  const base = `http://127.0.0.1:${port}`;
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bench@bench.test', password: 'password123' }),
  });
  const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
  if (!cookie) throw new Error(`login failed: ${login.status}`);

  const body = (i: number) =>
    JSON.stringify({
      departmentId: dept!.id,
      subject: `Equipo sin respuesta ${i}`,
      description: 'El servidor del rack 4 no responde desde las 8:00. Ubicación: piso 3, sala de servidores.',
      severity: 'high',
      urgency: 'medium',
      cc: ['jefe@bench.test'],
    });

  /** N loops, each sending one request after another, for a fixed time. */
  async function drive(op: (i: number) => Promise<void>, durationMs: number) {
    let count = 0;
    const latencies: number[] = [];
    const end = performance.now() + durationMs;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < end) {
          const t = performance.now();
          await op(count++);
          latencies.push(performance.now() - t);
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.floor(latencies.length * p)]?.toFixed(1);
    return { rate: latencies.length / elapsed, n: latencies.length, p50: pct(0.5), p95: pct(0.95) };
  }

  // node:http with a keep-alive agent: fetch (undici) costs several times more CPU per request,
  // and the client shares the two cores with the API and Postgres.
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const create = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const payload = body(i);
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/api/tickets',
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), cookie },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            res.statusCode === 201
              ? resolve()
              : reject(new Error(`create failed ${res.statusCode}: ${Buffer.concat(chunks).toString()}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  /** Rows of a create, counted before and after each leg: every create must leave a ticket, its history row and its outbox row. */
  const counter = postgres(benchUrl, { max: 1, onnotice: () => {} });
  const rowCounts = async () => {
    const [c] = await counter`
      select (select count(*) from tickets)::int as tickets,
             (select count(*) from ticket_history where field = 'created')::int as history,
             (select count(*) from outbox where kind = 'ticket_created')::int as outbox`;
    return c as { tickets: number; history: number; outbox: number };
  };
  /** Runs a leg (warm-up, then measured) and checks that each of its creates wrote its three rows. */
  async function leg(op: (i: number) => Promise<void>) {
    const before = await rowCounts();
    let done = 0;
    const counted = async (i: number) => {
      await op(i);
      done++;
    };
    await drive(counted, 1500); // warm-up: JIT, connection pools, caches
    const result = await drive(counted, seconds * 1000);
    const after = await rowCounts();
    const added = {
      tickets: after.tickets - before.tickets,
      history: after.history - before.history,
      outbox: after.outbox - before.outbox,
    };
    if (added.tickets !== done || added.history !== done || added.outbox !== done) {
      throw new Error(`${done} creates wrote ${JSON.stringify(added)}`);
    }
    return {
      ...result,
      rows: `${done} creates → +${added.tickets} tickets, +${added.history} history, +${added.outbox} outbox`,
    };
  }

  const http = await leg(create);

  // The raw legs write what the API writes for a create — the ticket, its 'created' history row and its
  // outbox row, into the same tables under the same triggers (number, change xid, NOTIFY) — with the API's
  // work (HTTP, session, validation, SLA, drizzle) taken away.
  const raw = postgres(benchUrl, { max: clients, onnotice: () => {} });
  const now = new Date();
  const row = (i: number) => ({
    subject: `Equipo sin respuesta ${i}`,
    description: 'El servidor del rack 4 no responde desde las 8:00. Ubicación: piso 3, sala de servidores.',
    requester_id: customer.id,
    organization_id: org.id,
    requester_name: customer.name,
    requester_organization: org.name,
    requester_email: customer.email,
    channel: 'web',
    department_id: dept!.id,
    severity: 'high',
    urgency: 'medium',
    priority: 'P2',
    status: 'new',
    cc: ['jefe@bench.test'],
    created_by_id: customer.id,
    first_response_due_at: now,
    resolution_due_at: now,
  });
  /** The history and outbox rows of the tickets in CTE `t`, as the API's insert statement writes them. */
  const historyAndOutbox = (sql: typeof raw) => sql`
    h as (insert into ticket_history (ticket_id, actor_id, at, field, new_value)
          select t.id, t.created_by_id, t.created_at, 'created',
                 jsonb_build_object('status', t.status, 'priority', t.priority, 'channel', t.channel) from t),
    o as (insert into outbox (kind, payload) select 'ticket_created', jsonb_build_object('ticketId', t.id) from t)`;

  // Leg 1: one transaction per ticket, one statement per row.
  const perTicket = async (i: number) => {
    await raw.begin(async (sql) => {
      const [t] = await sql`insert into tickets ${sql(row(i))}
        returning id, created_by_id, created_at, status, priority, channel`;
      if (!t) throw new Error('no ticket');
      await sql`insert into ticket_history (ticket_id, actor_id, at, field, new_value)
        values (${t.id}, ${t.created_by_id}, ${t.created_at},
                'created', ${sql.json({ status: t.status, priority: t.priority, channel: t.channel })})`;
      await sql`insert into outbox (kind, payload) values ('ticket_created', ${sql.json({ ticketId: t.id })})`;
    });
  };
  const single = await leg(perTicket);

  // Leg 2: the same batching chance as the API (db/tick-batch.ts): creates issued in the same turn of the
  // event loop (up to 16) share one multi-row statement — tickets, history and outbox — and one commit.
  const pending: Array<{ i: number; resolve: () => void; reject: (e: unknown) => void }> = [];
  const flush = () => {
    const batch = pending.splice(0, 16);
    if (pending.length > 0) setImmediate(flush);
    raw`with t as (insert into tickets ${raw(batch.map((b) => row(b.i)))} returning *), ${historyAndOutbox(raw)}
        select count(*)::int as n from t`.then(
      ([r]) => {
        for (const b of batch) r?.n === batch.length ? b.resolve() : b.reject(new Error(`batch wrote ${r?.n}`));
      },
      (e) => {
        for (const b of batch) b.reject(e);
      },
    );
  };
  const batched = (i: number) =>
    new Promise<void>((resolve, reject) => {
      if (pending.length === 0) setImmediate(flush);
      pending.push({ i, resolve, reject });
    });
  const multi = await leg(batched);
  await raw.end();
  await counter.end();
  agent.destroy();

  const faster =
    multi.rate >= single.rate ? { name: 'multi-row', ...multi } : { name: 'one transaction per ticket', ...single };
  const ratio = http.rate / faster.rate;
  const legLine = (label: string, unit: string, r: typeof http) =>
    `${label}: ${r.rate.toFixed(0)} ${unit}/s (n=${r.n}, p50 ${r.p50} ms, p95 ${r.p95} ms); checked: ${r.rows}`;
  console.log(
    `clients: ${clients}, duration: ${seconds}s per leg, Postgres: ${benchServerUrl.replace(/\/\/.*@/, '//…@')}, ` +
      `load average ${loadavg()[0]?.toFixed(1)}`,
  );
  console.log(legLine('HTTP POST /api/tickets', 'tickets', http));
  console.log(legLine('raw, one transaction per ticket (3 inserts)', 'tickets', single));
  console.log(legLine('raw, multi-row (≤ 16 per statement, as the API batches)', 'tickets', multi));
  console.log(
    `result: HTTP creates ${http.rate.toFixed(0)} tickets/s vs raw ${faster.name} ${faster.rate.toFixed(0)}/s ` +
      `ratio=${ratio.toFixed(3)} target=${TARGET_RATIO} ${ratio >= TARGET_RATIO ? 'MET' : 'NOT MET'}`,
  );
} finally {
  api?.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  await scratch.drop();
}
