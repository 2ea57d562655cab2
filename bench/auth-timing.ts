/**
 * Does the answer's timing tell whether an address has an account? Forgot-password for known vs unknown
 * addresses, and registration of new vs existing addresses, through the real app (in-process, no socket
 * noise) on Postgres, interleaved so drift hits both legs alike. The raw baseline is the work both
 * answers do before replying (the client throttle's UPSERT) run directly.
 *
 *   pnpm bench:auth-timing            (BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test)
 *   BENCH_RESETS=300 BENCH_REGISTRATIONS=60 pnpm bench:auth-timing
 *
 * Target: the slower leg's p50 within 10% of the faster one's, for both pairs (the audit saw 4.1 ms vs
 * 2.6 ms for resets). The work is checked afterwards: one reset mail per known address, none for unknown
 * ones, one account per new address, an account_exists mail per existing one, no existing row changed.
 */
import { postgresDatabase } from '@mesa/api/db/client';
import { makeUser } from '@mesa/api/db/factories';
import { afterResponseSettled } from '@mesa/api/services/after-response';
import { RULES } from '@mesa/api/services/auth-service';
import { reserve } from '@mesa/api/services/throttle';
import postgres from 'postgres';
import { testApp } from '../test/support/api';
import { scratchDatabase } from './scratch-database';

const resets = Number(process.env.BENCH_RESETS ?? 300);
const registrations = Number(process.env.BENCH_REGISTRATIONS ?? 60);
const TARGET = 1.1;
const scratch = scratchDatabase('mesa_bench_auth_timing');
await scratch.recreate();

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(2)} ms`;

const database = postgresDatabase(scratch.url);
const check = postgres(scratch.url, { max: 1, onnotice: () => {} });
const knownRows = () => check`select * from users where email like 'known-%' order by email`;
try {
  await database.migrate();
  const db = database.db;
  const app = testApp(database, { TRUST_PROXY: '1' });
  const post = async (path: string, body: unknown, address: string): Promise<number> => {
    const t0 = performance.now();
    const res = await app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify(body),
    });
    const elapsed = performance.now() - t0;
    if (res.status !== 202) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    return elapsed;
  };
  const n = Math.max(resets, registrations);
  for (let i = 0; i < n; i++) await makeUser(db, { email: `known-${i}@bench.test` });

  // Warm up both paths (prepared plans, JIT) before measuring.
  for (let i = 0; i < 20; i++) {
    await post('/api/auth/forgot-password', { email: `warm-${i}@bench.test` }, `10.1.0.${i}`);
  }

  const known: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < resets; i++) {
    const pair = [
      () => post('/api/auth/forgot-password', { email: `known-${i}@bench.test` }, `10.2.${i >> 8}.${i & 255}`),
      () => post('/api/auth/forgot-password', { email: `ghost-${i}@bench.test` }, `10.3.${i >> 8}.${i & 255}`),
    ] as const;
    // Alternate which goes first, so neither leg always runs on a warmer cache.
    if (i % 2 === 0) {
      known.push(await pair[0]());
      unknown.push(await pair[1]());
    } else {
      unknown.push(await pair[1]());
      known.push(await pair[0]());
    }
  }

  const fresh: number[] = [];
  const existing: number[] = [];
  const before = await knownRows();
  for (let i = 0; i < registrations; i++) {
    const body = (email: string) => ({ email, password: 'una-clave-de-banco', name: 'Bench', language: 'es' });
    const run = [
      () => post('/api/auth/register', body(`new-${i}@bench.test`), `10.4.${i >> 8}.${i & 255}`),
      () => post('/api/auth/register', body(`known-${i}@bench.test`), `10.5.${i >> 8}.${i & 255}`),
    ] as const;
    if (i % 2 === 0) {
      fresh.push(await run[0]());
      existing.push(await run[1]());
    } else {
      existing.push(await run[1]());
      fresh.push(await run[0]());
    }
  }

  // Raw baseline: the client throttle's UPSERT alone, the only work both reset answers do before replying.
  const raw: number[] = [];
  for (let i = 0; i < resets; i++) {
    const t0 = performance.now();
    await reserve(db, `bench:raw:${i}`, RULES.linkClient);
    raw.push(performance.now() - t0);
  }

  await afterResponseSettled();
  const count = async (kind: string, pattern: string) =>
    Number(
      (await check`select count(*) as n from outbox where kind = ${kind} and payload->>'to' like ${pattern}`)[0]!.n,
    );
  const checks = {
    resetMailsKnown: await count('reset_password', 'known-%'),
    resetMailsUnknown: await count('reset_password', 'ghost-%'),
    newAccounts: Number((await check`select count(*) as n from users where email like 'new-%'`)[0]!.n),
    verifyMails: await count('verify_email', 'new-%'),
    accountExistsMails: await count('account_exists', 'known-%'),
  };
  const expected = {
    resetMailsKnown: resets,
    resetMailsUnknown: 0,
    newAccounts: registrations,
    verifyMails: registrations,
    accountExistsMails: registrations,
  };
  console.log('work done:', JSON.stringify(checks));
  if (JSON.stringify(checks) !== JSON.stringify(expected)) {
    throw new Error(`work not done as expected: ${JSON.stringify(expected)}`);
  }
  const after = await knownRows();
  if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error('registration changed an existing account');

  const resetRatio = Math.max(p50(known), p50(unknown)) / Math.min(p50(known), p50(unknown));
  const registerRatio = Math.max(p50(fresh), p50(existing)) / Math.min(p50(fresh), p50(existing));
  console.log(`forgot-password p50: known ${ms(p50(known))}, unknown ${ms(p50(unknown))} (n=${resets} each)`);
  console.log(`register p50: new ${ms(p50(fresh))}, existing ${ms(p50(existing))} (n=${registrations} each)`);
  console.log(`raw baseline (throttle UPSERT alone) p50: ${ms(p50(raw))}`);
  const worst = Math.max(resetRatio, registerRatio);
  console.log(
    `result: slower/faster p50, known vs unknown address (reset ${resetRatio.toFixed(3)}, register ${registerRatio.toFixed(3)}) ` +
      `ratio=${worst.toFixed(3)} target=<=${TARGET} ${worst <= TARGET ? 'MET' : 'NOT MET'} ` +
      `(reset ${ms(p50(known))} vs ${ms(p50(unknown))}, raw ${ms(p50(raw))})`,
  );
} finally {
  await check.end();
  await database.close();
  await scratch.drop();
}
