import { AppError, ErrorCode, type LoginInput, type RegisterInput, type User } from '@mesa/core';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client';
import { authTokens, users } from '../db/schema';
import { assertNotLocked, clearFailures, LIMITS, recordFailure, throttleKeys } from './login-throttle';
import { enqueue } from './outbox';
import { burnPasswordCheck, hashPassword, verifyPassword } from './password';
import { deleteUserSessions } from './session-service';
import { randomToken, sha256Hex } from './tokens';
import { departmentIdsOf, findUserByEmail, toUser } from './user-service';

type Purpose = 'verify_email' | 'reset_password';
const TOKEN_TTL_MS: Record<Purpose, number> = { verify_email: 48 * 3_600_000, reset_password: 3_600_000 };

async function issueToken(tx: DbOrTx, userId: string, purpose: Purpose): Promise<string> {
  const token = randomToken();
  await tx.insert(authTokens).values({
    tokenHash: sha256Hex(token),
    userId,
    purpose,
    expiresAt: new Date(Date.now() + TOKEN_TTL_MS[purpose]),
  });
  return token;
}

/** Marks the token used and returns its user, or refuses: one use, before expiry. */
async function consumeToken(tx: DbOrTx, token: string, purpose: Purpose): Promise<string> {
  const [row] = await tx
    .update(authTokens)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(authTokens.tokenHash, sha256Hex(token)),
        eq(authTokens.purpose, purpose),
        isNull(authTokens.usedAt),
        gt(authTokens.expiresAt, new Date()),
      ),
    )
    .returning({ userId: authTokens.userId });
  if (!row) throw new AppError(ErrorCode.INVALID_TOKEN);
  return row.userId;
}

/**
 * Customer self-registration (seed 004). A contact that already exists without a
 * password (known from an e-mail or a phone call) may claim the account: the
 * verification link proves the mailbox is theirs.
 */
export async function register(db: Db, input: RegisterInput, publicUrl: string): Promise<User> {
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const existing = await findUserByEmail(tx, input.email);
    if (existing && (existing.passwordHash !== null || existing.role !== 'customer')) {
      throw new AppError(ErrorCode.EMAIL_TAKEN);
    }
    const values = {
      name: input.name,
      passwordHash,
      language: input.language,
      phone: input.phone ?? existing?.phone ?? null,
    };
    const [row] = existing
      ? await tx.update(users).set(values).where(eq(users.id, existing.id)).returning()
      : await tx
          .insert(users)
          .values({ ...values, email: input.email, role: 'customer' })
          .returning();
    if (!row) throw new Error('register wrote no row');
    const token = await issueToken(tx, row.id, 'verify_email');
    await enqueue(tx, 'verify_email', {
      userId: row.id,
      to: row.email,
      language: row.language,
      link: `${publicUrl}/verify?token=${token}`,
    });
    return toUser(row);
  });
}

export async function verifyEmail(db: Db, token: string): Promise<User> {
  return db.transaction(async (tx) => {
    const userId = await consumeToken(tx, token, 'verify_email');
    const [row] = await tx.update(users).set({ emailVerifiedAt: new Date() }).where(eq(users.id, userId)).returning();
    if (!row) throw new AppError(ErrorCode.INVALID_TOKEN);
    return toUser(row, await departmentIdsOf(tx, row.id));
  });
}

export async function login(db: Db, input: LoginInput, ip: string | null): Promise<User> {
  const keys = throttleKeys(input.email, ip);
  await assertNotLocked(db, keys.ip ? [keys.email, keys.ip] : [keys.email]);
  const user = await findUserByEmail(db, input.email);
  let ok = false;
  if (user?.passwordHash) ok = await verifyPassword(user.passwordHash, input.password);
  // Unknown e-mail: spend the same time hashing, so timing does not reveal which accounts exist.
  else await burnPasswordCheck(input.password);
  if (!user || !ok) {
    await recordFailure(db, keys.email, LIMITS.email);
    if (keys.ip) await recordFailure(db, keys.ip, LIMITS.ip);
    throw new AppError(ErrorCode.INVALID_CREDENTIALS);
  }
  await clearFailures(db, keys.email);
  if (user.disabledAt) throw new AppError(ErrorCode.ACCOUNT_DISABLED);
  if (!user.emailVerifiedAt) throw new AppError(ErrorCode.EMAIL_NOT_VERIFIED);
  return toUser(user, await departmentIdsOf(db, user.id));
}

/** Always succeeds from the caller's view, so it cannot be used to probe for accounts. */
export async function forgotPassword(db: Db, email: string, publicUrl: string): Promise<void> {
  await db.transaction(async (tx) => {
    const user = await findUserByEmail(tx, email);
    if (!user || user.disabledAt) return;
    const token = await issueToken(tx, user.id, 'reset_password');
    await enqueue(tx, 'reset_password', {
      userId: user.id,
      to: user.email,
      language: user.language,
      link: `${publicUrl}/reset?token=${token}`,
    });
  });
}

/** A reset proves the mailbox too, and ends every other session of the account. */
export async function resetPassword(db: Db, token: string, password: string): Promise<User> {
  const passwordHash = await hashPassword(password);
  const user = await db.transaction(async (tx) => {
    const userId = await consumeToken(tx, token, 'reset_password');
    const [row] = await tx
      .update(users)
      .set({ passwordHash, emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())` })
      .where(eq(users.id, userId))
      .returning();
    if (!row) throw new AppError(ErrorCode.INVALID_TOKEN);
    return row;
  });
  await deleteUserSessions(db, user.id);
  return toUser(user, await departmentIdsOf(db, user.id));
}
