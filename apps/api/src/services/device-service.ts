import { and, eq, gt, lt } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { rememberedDevices } from '../db/schema';
import { randomToken, sha256Hex } from './tokens';

export const DEVICE_COOKIE = 'mesa_device';
const DEVICE_DAYS = 365;

/**
 * A remembered device is a random token (only its hash is stored) bound to one account, given to a browser
 * at a successful login. Logins from it get their own allowance, so strangers guessing the account's
 * password from elsewhere cannot slow its owner down. It grants no access by itself.
 */
export async function rememberDevice(db: DbOrTx, userId: string): Promise<{ token: string; expiresAt: Date }> {
  const token = randomToken();
  const expiresAt = new Date(Date.now() + DEVICE_DAYS * 86_400_000);
  // Expired ones of this user go now, so the table never holds more than a year of one person's logins.
  await db
    .delete(rememberedDevices)
    .where(and(eq(rememberedDevices.userId, userId), lt(rememberedDevices.expiresAt, new Date())));
  await db.insert(rememberedDevices).values({ tokenHash: sha256Hex(token), userId, expiresAt });
  return { token, expiresAt };
}

/** The device's stored hash when the token is live and belongs to this user, else null. */
export async function deviceOf(
  db: DbOrTx,
  token: string | undefined,
  userId: string | undefined,
): Promise<string | null> {
  if (!token || !userId) return null;
  const hash = sha256Hex(token);
  const [row] = await db
    .select({ hash: rememberedDevices.tokenHash })
    .from(rememberedDevices)
    .where(
      and(
        eq(rememberedDevices.tokenHash, hash),
        eq(rememberedDevices.userId, userId),
        gt(rememberedDevices.expiresAt, new Date()),
      ),
    );
  return row ? row.hash : null;
}
