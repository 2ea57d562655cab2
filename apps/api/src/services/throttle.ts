import { AppError, ErrorCode } from '@mesa/core';
import { eq, inArray, sql } from 'drizzle-orm';
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

/**
 * Records one attempt under `key` and says whether it is within `rule`, in one UPSERT: the row lock
 * it takes makes parallel attempts queue, so N at once can never all see "under the limit".
 * A refused attempt changes nothing but the flag, so hammering a blocked key does not extend it.
 */
export async function reserve(db: DbOrTx, key: string, rule: ThrottleRule): Promise<Reservation> {
  const t = loginThrottle;
  const window = sql`make_interval(mins => ${rule.windowMinutes})`;
  const expired =
    rule.kind === 'strict'
      ? sql`${t.windowStartedAt} < now() - ${window}`
      : sql`coalesce(${t.lockedUntil}, ${t.windowStartedAt}) < now() - ${window}`;
  const blocked = sql`(not ${expired} and ${t.lockedUntil} is not null and ${t.lockedUntil} > now())`;
  const count = sql`case when ${expired} then 1 else ${t.failures} + 1 end`;
  const start = sql`case when ${expired} then now() else ${t.windowStartedAt} end`;
  const lockFor = (n: ReturnType<typeof sql>, windowStart: ReturnType<typeof sql>) =>
    rule.kind === 'strict'
      ? sql`case when ${n} >= ${rule.limit} then ${windowStart} + ${window} end`
      : sql`case when ${n} >= ${rule.limit} then now() + make_interval(secs => least(${rule.maxSeconds ?? 900}::float8, ${rule.baseSeconds ?? 1}::float8 * power(2::float8, (${n} - ${rule.limit})::float8))) end`;
  const [row] = await db
    .insert(t)
    .values({ key, failures: 1, lockedUntil: rule.limit <= 1 ? lockFor(sql`1`, sql`now()`) : null })
    .onConflictDoUpdate({
      target: t.key,
      set: {
        refused: blocked,
        failures: sql`case when ${blocked} then ${t.failures} else ${count} end`,
        windowStartedAt: sql`case when ${blocked} then ${t.windowStartedAt} else ${start} end`,
        lockedUntil: sql`case when ${blocked} then ${t.lockedUntil} else ${lockFor(count, start)} end`,
      },
    })
    .returning({
      refused: t.refused,
      retryAfter: sql<number>`greatest(1, ceil(extract(epoch from (${t.lockedUntil} - now()))))::int`,
    });
  if (!row) throw new Error('throttle upsert returned no row');
  return row.refused ? { ok: false, retryAfterSeconds: Number(row.retryAfter) } : { ok: true };
}

/** Reserves under every key in order and stops at the first refusal, which it throws as RATE_LIMITED. */
export async function reserveAll(db: DbOrTx, checks: Array<[key: string, rule: ThrottleRule]>): Promise<void> {
  for (const [key, rule] of checks) {
    const r = await reserve(db, key, rule);
    if (!r.ok) throw rateLimited(r.retryAfterSeconds);
  }
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
