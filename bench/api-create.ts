/**
 * Ticket creation through HTTP vs raw single-row inserts of the same shape, in one run on real Postgres.
 *
 *   pnpm bench:api-create            (BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test)
 *   BENCH_CLIENTS=16 BENCH_SECONDS=10 pnpm bench:api-create
 *
 * The API runs in its own process (as in production); this process drives N concurrent
 * keep-alive clients. The raw leg uses postgres.js with N connections. Target: ratio ≥ 0.35.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { postgresDatabase } from '@mesa/api/db/client';
import { makeOrganization, makeUser } from '@mesa/api/db/factories';
import { seedBase } from '@mesa/api/db/seed-base';
import postgres from 'postgres';
import { benchServerUrl, scratchDatabase } from './scratch-database';

const clients = Number(process.env.BENCH_CLIENTS ?? 16);
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
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

  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the API process, to see where a request's time goes.
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  api = spawn(
    process.execPath,
    [...prof, '--import', 'tsx', fileURLToPath(new URL('../apps/api/src/main.ts', import.meta.url))],
    {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: benchUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        DEMO_DATA: 'false',
        ADMIN_PASSWORD: 'bench-admin-pass',
        LOG_LEVEL: 'warn',
        // Measures the create path; sending the resulting mail is bench/mail-* territory.
        OUTBOX_WORKER: 'false',
        NODE_ENV: 'production',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ok = await fetch(`${base}/api/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (i > 300) throw new Error('API did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
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
  await drive(create, 1500); // warm-up: JIT, connection pools, caches
  const http = await drive(create, seconds * 1000);

  // Raw leg: the same row, as the API writes it, one autocommitted insert per ticket.
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
  const insert = async (i: number) => {
    await raw`insert into tickets ${raw(row(i))}`;
  };
  await drive(insert, 1500);
  const direct = await drive(insert, seconds * 1000);
  await raw.end();
  agent.destroy();

  const ratio = http.rate / direct.rate;
  console.log(
    `clients: ${clients}, duration: ${seconds}s per leg, Postgres: ${benchServerUrl.replace(/\/\/.*@/, '//…@')}`,
  );
  console.log(
    `HTTP POST /api/tickets: ${http.rate.toFixed(0)} tickets/s (n=${http.n}, p50 ${http.p50} ms, p95 ${http.p95} ms)`,
  );
  console.log(
    `raw postgres.js insert: ${direct.rate.toFixed(0)} rows/s (n=${direct.n}, p50 ${direct.p50} ms, p95 ${direct.p95} ms)`,
  );
  console.log(`ratio: ${ratio.toFixed(3)} (target ≥ 0.35) ${ratio >= 0.35 ? 'MET' : 'NOT MET'}`);
} finally {
  api?.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  await scratch.drop();
}
