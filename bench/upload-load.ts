/**
 * Do uploads stall the API? 20 users each PUT a 25 MiB photo at once (whole, with Content-Length, as in
 * `PUT /api/attachments/{id}`) while /api/health is polled every 20 ms and the API process's RSS is read
 * from /proc every 50 ms. The API runs in its own process, as in production.
 *
 *   pnpm bench:upload-load                    (Postgres: BENCH_DATABASE_URL or the local server)
 *   BENCH_DB=pglite pnpm bench:upload-load    (the embedded database, in a scratch DATA_DIR)
 *   BENCH_UPLOADS=20 BENCH_MIB=25 pnpm bench:upload-load
 *
 * Baselines measured in the same run: health with no uploads (idle), and the raw write of the same bytes
 * — to a file on disk and as 1 MiB bytea rows through one SQL connection of the same database kind —
 * beside the API's upload throughput. The work is checked: every attachment is complete and its stored
 * pieces hash to the file's sha-256. Target: health p99 ≤ 200 ms and RSS growth ≤ 200 MiB during the
 * uploads; ratio = the smaller of target/actual for the two (≥ 1 is met).
 */
import type { ChildProcess } from 'node:child_process';
import { createCipheriv, createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, openDatabase, postgresDatabase } from '@mesa/api/db/client';
import { makeUser } from '@mesa/api/db/factories';
import { attachments, blobPieces, blobs, departments, tickets } from '@mesa/api/db/schema';
import { seedBase } from '@mesa/api/db/seed-base';
import { hashPieces } from '@mesa/api/services/blob-store';
import { pieceStoreFor } from '@mesa/api/services/piece-store';
import { createSession, SESSION_COOKIE } from '@mesa/api/services/session-service';
import { pct, sleep, startApi, startHealthPoller } from '../test/support/api-process';
import { benchServerUrl, scratchDatabase } from './scratch-database';

const onPglite = process.env.BENCH_DB === 'pglite';
const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 20);
const MIB = 1024 * 1024;
const FILE_BYTES = Number(process.env.BENCH_MIB ?? 25) * MIB;
const POLL_MS = 20;
const RSS_MS = 50;
const TARGET_P99_MS = 200;
const TARGET_RSS_MIB = 200;
const PASSWORD = 'password123';
/** On PGlite the raw SQL leg writes only this much of each file (its rate is what matters). */
const RAW_PGLITE_BYTES_PER_FILE = MIB;

const port = 19000 + Math.floor(Math.random() * 1000);
const scratch = scratchDatabase('mesa_bench_upload');
const dataDir = onPglite ? mkdtempSync(join(tmpdir(), 'mesa-upload-')) : '';

const f = (ms: number) => `${ms.toFixed(1)} ms`;
const mibps = (bytes: number, ms: number) => `${(bytes / MIB / (ms / 1000)).toFixed(1)} MiB/s`;

/** File i's bytes, generated on the fly (AES-CTR keystream): the bench never holds 500 MiB. */
function* fileChunks(i: number): Generator<Buffer> {
  const key = createHash('sha256').update(`bench file ${i}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(256 * 1024);
  for (let sent = 0; sent < FILE_BYTES; sent += zeros.length) {
    yield cipher.update(zeros.subarray(0, Math.min(zeros.length, FILE_BYTES - sent)));
  }
}
function fileHash(i: number): string {
  const h = createHash('sha256');
  for (const c of fileChunks(i)) h.update(c);
  return h.digest('hex');
}

async function openBenchDatabase(): Promise<Database> {
  if (onPglite) return await openDatabase({ dataDir });
  await scratch.recreate();
  return postgresDatabase(scratch.url, 4);
}

/** One customer per upload, each with a ticket and the announced attachment (what sync would record). */
async function seed(database: Database, hashes: string[]) {
  const db = database.db;
  await database.migrate();
  await seedBase(db);
  const dept = (await db.select().from(departments)).find((d) => d.slug === 'sistemas');
  if (!dept) throw new Error('no sistemas department');
  const people: Array<{ cookie: string; attachmentId: string; sha256: string }> = [];
  for (let i = 0; i < UPLOADS; i++) {
    const email = `foto${i}@upload.test`;
    const user = await makeUser(db, { email, name: `Cliente ${i}`, password: PASSWORD });
    const now = new Date();
    const [ticket] = await db
      .insert(tickets)
      .values({
        subject: `Equipo ${i} con pantalla rota`,
        description: 'Adjunto foto del equipo.',
        requesterId: user.id,
        requesterName: user.name,
        requesterEmail: user.email,
        channel: 'web',
        departmentId: dept.id,
        severity: 'medium',
        urgency: 'medium',
        priority: 'P3',
        status: 'new',
        cc: [],
        createdById: user.id,
        firstResponseDueAt: now,
        resolutionDueAt: now,
      })
      .returning({ id: tickets.id });
    const attachmentId = randomUUID();
    await db.insert(attachments).values({
      id: attachmentId,
      ticketId: ticket!.id,
      articleId: null,
      filename: `foto-${i}.jpg`,
      contentType: 'image/jpeg',
      size: FILE_BYTES,
      sha256: hashes[i]!,
      uploadedById: user.id,
    });
    // Sessions made here, not by logging in: the bench measures uploads, not the login throttle.
    const { token } = await createSession(db, user.id, 1);
    people.push({ cookie: `${SESSION_COOKIE}=${token}`, attachmentId, sha256: hashes[i]! });
  }
  return people;
}

const loadHttp = new Agent({ keepAlive: true, maxSockets: 100 });
/** Health polls get their own sockets, so a poll never waits client-side behind an upload. */
const healthHttp = new Agent({ keepAlive: true, maxSockets: 200 });

function send(
  method: string,
  path: string,
  opts: { json?: unknown; cookie?: string; agent?: Agent } = {},
): Promise<{ status: number; body: string; setCookie: string | undefined }> {
  return new Promise((resolve, reject) => {
    const payload = opts.json === undefined ? undefined : JSON.stringify(opts.json);
    const headers: Record<string, string | number> = { 'accept-language': 'es' };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    if (opts.cookie) headers.cookie = opts.cookie;
    const req = request({ host: '127.0.0.1', port, path, method, agent: opts.agent ?? loadHttp, headers }, (res) => {
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
    req.on('error', reject);
    req.end(payload);
  });
}

/** PUTs file i whole, writing it as the socket drains (the client side never buffers the file either). */
function upload(i: number, id: string, sha256: string, cookie: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: `/api/attachments/${id}`,
        method: 'PUT',
        agent: loadHttp,
        headers: {
          cookie,
          'content-type': 'application/octet-stream',
          'content-length': FILE_BYTES,
          'x-content-sha256': sha256,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    const chunks = fileChunks(i);
    const pump = () => {
      for (;;) {
        const next = chunks.next();
        if (next.done) {
          req.end();
          return;
        }
        if (!req.write(next.value)) {
          req.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

const rssOf = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : Number.NaN;
};
function startRss(pid: number) {
  const samples: Array<{ phase: string; bytes: number }> = [];
  let phase = 'idle';
  const timer = setInterval(() => samples.push({ phase, bytes: rssOf(pid) }), RSS_MS);
  return {
    set: (p: string) => {
      phase = p;
    },
    stop: () => {
      clearInterval(timer);
      return samples;
    },
  };
}

/** The raw disk leg: the same bytes appended to one file per upload, 20 at once, fsync'd. */
async function rawDisk(dir: string): Promise<number> {
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: UPLOADS }, async (_, i) => {
      const fh = await open(join(dir, `raw-${i}.bin`), 'w');
      try {
        for (const c of fileChunks(i)) await fh.write(c);
        await fh.sync();
      } finally {
        await fh.close();
      }
    }),
  );
  return performance.now() - t0;
}

/** 1 MiB pieces of file i, as the API stores them. */
function* piecesOfFile(i: number): Generator<Buffer> {
  let parts: Buffer[] = [];
  let n = 0;
  for (const c of fileChunks(i)) {
    parts.push(c);
    n += c.length;
    if (n >= MIB) {
      const all = Buffer.concat(parts);
      yield all.subarray(0, MIB);
      parts = [all.subarray(MIB)];
      n -= MIB;
    }
  }
  if (n > 0) yield Buffer.concat(parts);
}

/**
 * The raw SQL leg: the same bytes as 1 MiB rows of blob_pieces, 20 writers at once, one INSERT per piece
 * through the same driver as the API (a fresh database of the same kind): no lease, no hash, no service.
 */
async function rawSql(): Promise<{ ms: number; rows: number; bytes: number }> {
  const dir = onPglite ? mkdtempSync(join(tmpdir(), 'mesa-upload-raw-')) : '';
  if (!onPglite) await scratch.recreate();
  const raw = onPglite ? await openDatabase({ dataDir: dir }) : postgresDatabase(scratch.url, 20);
  try {
    await raw.migrate();
    const t0 = performance.now();
    let bytes = 0;
    await Promise.all(
      Array.from({ length: UPLOADS }, async (_, i) => {
        const piecesKey = randomUUID();
        let start = 0;
        for (const content of piecesOfFile(i)) {
          // PGlite writes a 1 MiB row in about a second here: a few rows tell its rate.
          if (onPglite && start >= RAW_PGLITE_BYTES_PER_FILE) break;
          await raw.db.insert(blobPieces).values({ piecesKey, start, content });
          start += content.length;
          bytes += content.length;
        }
      }),
    );
    const ms = performance.now() - t0;
    return { ms, rows: await raw.db.$count(blobPieces), bytes };
  } finally {
    await raw.close();
    if (onPglite) rmSync(dir, { recursive: true, force: true });
  }
}

let api: ChildProcess | undefined;
let database: Database | undefined;
const rawDir = mkdtempSync(join(tmpdir(), 'mesa-upload-disk-'));
try {
  const hashes = Array.from({ length: UPLOADS }, (_, i) => fileHash(i));
  database = await openBenchDatabase();
  const people = await seed(database, hashes);
  if (onPglite) {
    await database.close();
    database = undefined;
  }
  api = await startApi({ port, database: onPglite ? { dataDir } : { url: scratch.url } });
  const poller = startHealthPoller(
    () => send('GET', '/api/health', { agent: healthHttp }).then((r) => r.status === 200),
    POLL_MS,
  );
  const rss = startRss(api.pid!);
  await sleep(3000);
  poller.set('upload');
  rss.set('upload');
  const t0 = performance.now();
  const replies = await Promise.all(people.map((p, i) => upload(i, p.attachmentId, p.sha256, p.cookie)));
  const uploadMs = performance.now() - t0;
  poller.set('after');
  rss.set('after');
  await sleep(1000);
  const rssSamples = rss.stop();
  const samples = await poller.stop();
  const answered = replies.filter((r) => r.status === 200 && (JSON.parse(r.body) as { complete?: boolean }).complete);
  if (answered.length !== UPLOADS) {
    throw new Error(`uploads: ${answered.length}/${UPLOADS} complete (${replies[0]?.status} ${replies[0]?.body})`);
  }

  api.kill('SIGTERM');
  await new Promise((r) => api?.once('exit', r));
  api = undefined;
  if (onPglite) database = await openDatabase({ dataDir });
  const db = database!.db;
  const store = pieceStoreFor(database!, dataDir);
  // A few dozen rows: filtered here, so the bench needs no query operators of its own.
  const ours = new Set(people.map((p) => p.attachmentId));
  const complete = (await db.select().from(attachments)).filter((a) => ours.has(a.id) && a.storedAt !== null);
  const byHash = new Map((await db.select().from(blobs)).map((b) => [b.sha256, b]));
  let verified = 0;
  for (const a of complete) {
    const b = byHash.get(a.sha256);
    if (!b?.piecesKey) throw new Error(`${a.sha256}: not stored in pieces`);
    const got = await hashPieces(db, store, b.piecesKey);
    if (got.sha256 !== b.sha256 || got.size !== FILE_BYTES)
      throw new Error(`${b.sha256}: pieces hash to ${got.sha256}`);
    verified++;
  }
  if (verified !== UPLOADS) throw new Error(`verified ${verified}/${UPLOADS} stored files`);
  const storeKind = store.kind;
  await database!.close();
  database = undefined;

  const diskMs = await rawDisk(rawDir);
  const raw = await rawSql();
  const rawRows = onPglite
    ? UPLOADS * Math.ceil(Math.min(FILE_BYTES, RAW_PGLITE_BYTES_PER_FILE) / MIB)
    : UPLOADS * Math.ceil(FILE_BYTES / MIB);
  if (raw.rows !== rawRows) throw new Error(`raw SQL leg stored ${raw.rows} rows, expected ${rawRows}`);

  const phase = (name: string) => {
    const xs = samples.filter((s) => s.phase === name);
    const ms = xs.map((s) => s.ms);
    return {
      n: xs.length,
      p50: pct(ms, 0.5),
      p99: pct(ms, 0.99),
      max: pct(ms, 1),
      failed: xs.filter((s) => !s.ok).length,
    };
  };
  const idle = phase('idle');
  const busy = phase('upload');
  if (busy.n < 5) throw new Error(`only ${busy.n} health samples during the uploads`);
  const idleRss = rssSamples.filter((s) => s.phase === 'idle').map((s) => s.bytes);
  const rssBase = idleRss[idleRss.length - 1] ?? Number.NaN;
  const rssPeak = Math.max(...rssSamples.filter((s) => s.phase !== 'idle').map((s) => s.bytes));
  const growthMib = (rssPeak - rssBase) / MIB;
  const total = UPLOADS * FILE_BYTES;

  console.log(
    `database: ${onPglite ? 'PGlite (embedded, one connection)' : `Postgres ${benchServerUrl.replace(/\/\/.*@/, '//…@')} (pool of 20)`}; ` +
      `${UPLOADS} concurrent uploads of ${FILE_BYTES / MIB} MiB by ${UPLOADS} users; health every ${POLL_MS} ms; ` +
      `load average ${loadavg()[0]?.toFixed(1)}`,
  );
  console.log(`  idle        health p50 ${f(idle.p50)}, p99 ${f(idle.p99)} (n=${idle.n})  ← baseline`);
  console.log(
    `  uploading   health p50 ${f(busy.p50)}, p99 ${f(busy.p99)}, max ${f(busy.max)} (n=${busy.n}, failed ${busy.failed})`,
  );
  console.log(
    `  RSS of the API: ${(rssBase / MIB).toFixed(0)} MiB before, peak ${(rssPeak / MIB).toFixed(0)} MiB during (+${growthMib.toFixed(0)} MiB)`,
  );
  console.log(
    `  throughput: API ${mibps(total, uploadMs)} (${(uploadMs / 1000).toFixed(1)} s, pieces in ${storeKind === 'disk' ? 'files under DATA_DIR' : 'blob_pieces rows'}) · ` +
      `raw SQL 1 MiB rows ${mibps(raw.bytes, raw.ms)} (${(raw.bytes / MIB).toFixed(0)} MiB in ${(raw.ms / 1000).toFixed(1)} s) · ` +
      `raw disk files ${mibps(total, diskMs)} (${(diskMs / 1000).toFixed(1)} s)  ← baselines`,
  );
  console.log(
    `  checked: ${verified} files complete, their pieces hash to the announced sha-256; raw SQL ${raw.rows} rows`,
  );
  const ratio = Math.min(TARGET_P99_MS / busy.p99, TARGET_RSS_MIB / Math.max(growthMib, 1));
  console.log(
    `result: health p99 during uploads ${f(busy.p99)}, RSS +${growthMib.toFixed(0)} MiB ratio=${ratio.toFixed(2)} ` +
      `target=${TARGET_P99_MS}ms/${TARGET_RSS_MIB}MiB ${ratio >= 1 ? 'MET' : 'NOT MET'}`,
  );
} finally {
  api?.kill('SIGTERM');
  await sleep(500);
  await database?.close();
  rmSync(rawDir, { recursive: true, force: true });
  if (onPglite) rmSync(dataDir, { recursive: true, force: true });
  else await scratch.drop();
}
