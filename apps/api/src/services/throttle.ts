import { AppError, ErrorCode } from '@mesa/core';
import { eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { loginThrottle } from '../db/schema';

/**
 * A limit on attempts per key within a window.
 * - `strict`: `limit` attempts per window, then refused until the window ends.
 * - `delay`: `limit` attempts free, then each one waits twice as long as the one before (from
 *   `baseSeconds` up to `maxSeconds`), so nobody can lock an account out for long, and the count
 *   only starts over after `windowMinutes` without a refused or delayed attempt.
 */
export interface ThrottleRule {
  kind: 'strict' | 'delay';
  limit: number;
  windowMinutes: number;
  baseSeconds?: number;
  maxSeconds?: number;
}

export type Reservation = { ok: true } | { ok: false; retryAfterSeconds: number };

const rowsOf = <T>(result: unknown): T[] =>
  // postgres.js returns rows as an array, PGlite as { rows }.
  Array.isArray(result) ? (result as T[]) : ((result as { rows?: T[] }).rows ?? []);

/**
 * Records one attempt under `key` and says whether it is within `rule`, in one UPSERT: the row lock
 * it takes makes parallel attempts queue, so N at once can never all see "under the limit".
 * A refused attempt changes nothing but the flag, so hammering a blocked key does not extend it.
 *
 * Parallel attempts on one key wait for each other's commit, and 200 of them held every pooled
 * connection for a second (with a commit flush each), so /api/health waited too. The statement commits
 * with synchronous_commit off: a crash may forget the last few milliseconds of attempts, which only
 * gives a guesser those few back, and the queue drains in a fraction of the time.
 */
export async function reserve(db: DbOrTx, key: string, rule: ThrottleRule): Promise<Reservation> {
  const window = sql`make_interval(mins => ${rule.windowMinutes})`;
  const expired =
    rule.kind === 'strict'
      ? sql`t.window_started_at < now() - ${window}`
      : sql`coalesce(t.locked_until, t.window_started_at) < now() - ${window}`;
  const blocked = sql`(not ${expired} and t.locked_until is not null and t.locked_until > now())`;
  const count = sql`case when ${expired} then 1 else t.failures + 1 end`;
  const start = sql`case when ${expired} then now() else t.window_started_at end`;
  const lockFor = (n: SQL, windowStart: SQL) =>
    rule.kind === 'strict'
      ? sql`case when ${n} >= ${rule.limit}::int then ${windowStart} + ${window} end`
      : sql`case when ${n} >= ${rule.limit}::int then now() + make_interval(secs => least(${rule.maxSeconds ?? 900}::float8, ${rule.baseSeconds ?? 1}::float8 * power(2::float8, (${n} - ${rule.limit}::int)::float8))) end`;
  const result = await db.execute(sql`
    with settings as (select set_config('synchronous_commit', 'off', true))
    insert into ${loginThrottle} as t (key, failures, window_started_at, locked_until, refused)
    select ${key}, 1, now(), ${lockFor(sql`1`, sql`now()`)}, false from settings
    on conflict (key) do update set
      refused = ${blocked},
      failures = case when ${blocked} then t.failures else ${count} end,
      window_started_at = case when ${blocked} then t.window_started_at else ${start} end,
      locked_until = case when ${blocked} then t.locked_until else ${lockFor(count, start)} end
    returning t.refused, greatest(1, ceil(extract(epoch from (t.locked_until - now()))))::int as retry_after`);
  const [row] = rowsOf<{ refused: boolean; retry_after: number | null }>(result);
  if (!row) throw new Error('throttle upsert returned no row');
  return row.refused ? { ok: false, retryAfterSeconds: Number(row.retry_after) } : { ok: true };
}

/**
 * Keys already blocked, read without taking a row lock (MVCC), so a sustained attack on one key is
 * refused without queueing behind its other attempts. Only a refusal is decided here: letting an attempt
 * through is always the UPSERT's decision. (A lock in the future means an open window for both kinds:
 * a strict lock ends with its window, and a delay window only expires a window after its lock.)
 */
async function alreadyBlocked(db: DbOrTx, keys: string[]): Promise<number | null> {
  const result = await db.execute(sql`
    select ceil(extract(epoch from (locked_until - now())))::int as retry_after
    from ${loginThrottle}
    where key in (${sql.join(
      keys.map((k) => sql`${k}`),
      sql`, `,
    )}) and locked_until > now()`);
  const waits = rowsOf<{ retry_after: number }>(result).map((r) => Number(r.retry_after));
  return waits.length > 0 ? Math.max(1, ...waits) : null;
}

/** Reserves under every key in order and stops at the first refusal, which it throws as RATE_LIMITED. */
export async function reserveAll(db: DbOrTx, checks: Array<[key: string, rule: ThrottleRule]>): Promise<void> {
  const blockedFor = await alreadyBlocked(
    db,
    checks.map(([key]) => key),
  );
  if (blockedFor !== null) throw rateLimited(blockedFor);
  for (const [key, rule] of checks) {
    const r = await oneAtATime(key, () => reserve(db, key, rule));
    if (!r.ok) throw rateLimited(r.retryAfterSeconds);
  }
}

/**
 * Attempts on one key from this process go to the database one after the other: they would queue on the
 * row lock anyway, and waiting here instead holds one pooled connection rather than one each (200 at
 * once used all of them, and every other request waited). Other instances still meet at the row lock.
 */
const inFlight = new Map<string, Promise<unknown>>();
function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = inFlight.get(key) ?? Promise.resolve();
  const mine = previous.then(work, work);
  const tail = mine.then(
    () => undefined,
    () => undefined,
  );
  inFlight.set(key, tail);
  void tail.then(() => {
    if (inFlight.get(key) === tail) inFlight.delete(key);
  });
  return mine;
}

export const rateLimited = (retryAfterSeconds: number) =>
  new AppError(ErrorCode.RATE_LIMITED, 'too many attempts', { retryAfterSeconds });

/** Forgets the attempts under these keys (a successful login proves the account's owner is here). */
export async function clearKeys(db: DbOrTx, keys: string[]): Promise<void> {
  if (keys.length > 0) await db.delete(loginThrottle).where(inArray(loginThrottle.key, keys));
}

/** Gives one attempt back (a successful login from a shared address must not use up the office's allowance). */
export async function refund(db: DbOrTx, key: string): Promise<void> {
  await db
    .update(loginThrottle)
    .set({ failures: sql`greatest(0, ${loginThrottle.failures} - 1)` })
    .where(eq(loginThrottle.key, key));
}
