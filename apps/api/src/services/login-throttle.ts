import { AppError, ErrorCode } from '@mesa/core';
import { eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { loginThrottle } from '../db/schema';

const WINDOW_MINUTES = 15;
const LOCK_MINUTES = 15;
/** Per e-mail: a handful of guesses. Per address: more, since offices share one NAT. */
export const LIMITS = { email: 5, ip: 50 } as const;

export const throttleKeys = (email: string, ip: string | null) => ({
  email: `email:${email.toLowerCase()}`,
  ip: ip ? `ip:${ip}` : null,
});

export async function assertNotLocked(db: Db, keys: string[]): Promise<void> {
  const rows = await db
    .select({ lockedUntil: loginThrottle.lockedUntil })
    .from(loginThrottle)
    .where(inArray(loginThrottle.key, keys));
  const now = Date.now();
  const until = Math.max(0, ...rows.map((r) => r.lockedUntil?.getTime() ?? 0));
  if (until > now) {
    throw new AppError(ErrorCode.RATE_LIMITED, 'too many failed logins', {
      retryAfterSeconds: Math.ceil((until - now) / 1000),
    });
  }
}

export async function recordFailure(db: Db, key: string, max: number): Promise<void> {
  const expired = sql`${loginThrottle.windowStartedAt} < now() - make_interval(mins => ${WINDOW_MINUTES})`;
  const failures = sql`case when ${expired} then 1 else ${loginThrottle.failures} + 1 end`;
  await db
    .insert(loginThrottle)
    .values({ key, failures: 1 })
    .onConflictDoUpdate({
      target: loginThrottle.key,
      set: {
        failures,
        windowStartedAt: sql`case when ${expired} then now() else ${loginThrottle.windowStartedAt} end`,
        lockedUntil: sql`case when ${failures} >= ${max} then now() + make_interval(mins => ${LOCK_MINUTES}) else ${loginThrottle.lockedUntil} end`,
      },
    });
}

export async function clearFailures(db: Db, key: string): Promise<void> {
  await db.delete(loginThrottle).where(eq(loginThrottle.key, key));
}
