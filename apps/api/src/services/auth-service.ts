import { AppError, ErrorCode, type LoginInput, type RegisterInput, type User, type VerifyEmailInput } from '@mesa/core';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client';
import { authTokens, users } from '../db/schema';
import type { Logger } from '../logger';
import { afterResponse } from './after-response';
import { deviceOf } from './device-service';
import { enqueue } from './outbox';
import { assertHashingRoom, burnPasswordCheck, hashPassword, verifyPassword } from './password';
import { assertAcceptablePassword } from './password-policy';
import { deleteUserSessions } from './session-service';
import { clearKeys, refund, reserve, reserveAll, type ThrottleRule } from './throttle';
import { randomToken, sha256Hex } from './tokens';
import { departmentIdsOf, findUserByEmail, toUser } from './user-service';

type Purpose = 'verify_email' | 'reset_password';
const TOKEN_TTL_MS: Record<Purpose, number> = { verify_email: 48 * 3_600_000, reset_password: 3_600_000 };

/**
 * Throttles (OWASP ASVS 2.2.1). Logins: few guesses per (account, address), strictly; many per address, since
 * an office shares one NAT; per account a growing delay rather than a lockout, so strangers cannot lock an
 * owner out, and a browser the owner logged in from keeps its own allowance. Links by mail: per client, and
 * per address mailed (shared by reset and re-registration), so nobody can flood a mailbox.
 */
export const RULES = {
  loginPair: { kind: 'strict', limit: 5, windowMinutes: 15 },
  loginAddress: { kind: 'strict', limit: 100, windowMinutes: 15 },
  loginAccount: { kind: 'delay', limit: 10, windowMinutes: 15, baseSeconds: 1, maxSeconds: 900 },
  linkClient: { kind: 'strict', limit: 10, windowMinutes: 15 },
  registerClient: { kind: 'strict', limit: 20, windowMinutes: 15 },
  mailsToAddress: { kind: 'strict', limit: 3, windowMinutes: 60 },
} as const satisfies Record<string, ThrottleRule>;

const where = (address: string | null) => address ?? 'unknown';
export const throttleKeys = {
  loginPair: (email: string, address: string | null) => `login:pair:${email}|${where(address)}`,
  loginDevice: (deviceHash: string) => `login:device:${deviceHash}`,
  loginAddress: (address: string | null) => `login:addr:${where(address)}`,
  loginAccount: (email: string) => `login:acct:${email}`,
  linkClient: (address: string | null) => `link:addr:${where(address)}`,
  registerClient: (address: string | null) => `register:addr:${where(address)}`,
  mailsToAddress: (email: string) => `mail:to:${email}`,
};

export interface AuthContext {
  db: Db;
  log: Logger;
  publicUrl: string;
  /** The client's address (see http/client-address), null when unknown. */
  address: string | null;
}

/** A new link voids the user's older unused links of the same purpose: only the newest mail works. */
async function issueToken(tx: DbOrTx, userId: string, purpose: Purpose): Promise<string> {
  await tx
    .update(authTokens)
    .set({ usedAt: sql`now()` })
    .where(and(eq(authTokens.userId, userId), eq(authTokens.purpose, purpose), isNull(authTokens.usedAt)));
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
/** The link is this one, for this purpose, unused and unexpired. */
const openLink = (token: string, purpose: Purpose) =>
  and(
    eq(authTokens.tokenHash, sha256Hex(token)),
    eq(authTokens.purpose, purpose),
    isNull(authTokens.usedAt),
    gt(authTokens.expiresAt, new Date()),
  );

async function consumeToken(tx: DbOrTx, token: string, purpose: Purpose): Promise<string> {
  const [row] = await tx
    .update(authTokens)
    .set({ usedAt: new Date() })
    .where(openLink(token, purpose))
    .returning({ userId: authTokens.userId });
  if (!row) throw new AppError(ErrorCode.INVALID_TOKEN);
  return row.userId;
}

/** Mails an existing account's owner a link to choose a password, within the per-address mail cap. */
async function mailPasswordLink(
  db: Db,
  publicUrl: string,
  email: string,
  kind: 'reset_password' | 'account_exists',
): Promise<void> {
  if (!(await reserve(db, throttleKeys.mailsToAddress(email), RULES.mailsToAddress)).ok) return;
  await db.transaction(async (tx) => {
    const user = await findUserByEmail(tx, email);
    if (!user || user.disabledAt) return;
    const token = await issueToken(tx, user.id, 'reset_password');
    await enqueue(tx, kind, {
      userId: user.id,
      to: user.email,
      language: user.language,
      link: `${publicUrl}/reset?token=${token}`,
    });
  });
}

/**
 * Customer self-registration (seed 004). The answer is the same, and takes the same time, whether the
 * address is new or already has an account (a contact from a phone call or an e-mail, a customer, staff):
 * a new address gets an unverified account and a verification link; an existing one is left exactly as it
 * is and its owner is mailed a link to choose their own password, so a password typed in an anonymous
 * request never applies to someone who already exists.
 */
export async function register(ctx: AuthContext, input: RegisterInput): Promise<{ email: string }> {
  assertAcceptablePassword(input.password);
  await reserveAll(ctx.db, [[throttleKeys.registerClient(ctx.address), RULES.registerClient]]);
  // Hashed on both paths before answering: the same cost, and the bounded hashing queue pushes back here.
  // The rest differs (an insert and its commit, or a mail) and would show in the timing: it runs after.
  const passwordHash = await hashPassword(input.password);
  afterResponse(ctx.log, 'register', async () => {
    const created = await ctx.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(users)
        .values({
          email: input.email,
          name: input.name,
          passwordHash,
          language: input.language,
          phone: input.phone ?? null,
          role: 'customer',
        })
        .onConflictDoNothing()
        .returning({ id: users.id, email: users.email, language: users.language });
      if (!row) return false;
      const token = await issueToken(tx, row.id, 'verify_email');
      await enqueue(tx, 'verify_email', {
        userId: row.id,
        to: row.email,
        language: row.language,
        link: `${ctx.publicUrl}/verify?token=${token}`,
      });
      return true;
    });
    if (!created) await mailPasswordLink(ctx.db, ctx.publicUrl, input.email, 'account_exists');
  });
  return { email: input.email };
}

/** The unused, unexpired link's account, without using the link up (a wrong password must leave it working). */
async function linkAccount(db: Db, token: string, purpose: Purpose) {
  const [row] = await db
    .select({ id: users.id, passwordHash: users.passwordHash })
    .from(authTokens)
    .innerJoin(users, eq(users.id, authTokens.userId))
    .where(openLink(token, purpose));
  if (!row) throw new AppError(ErrorCode.INVALID_TOKEN);
  return row;
}

/**
 * The link proves the mailbox; the password typed at sign-up came from an anonymous request, so it becomes
 * usable only once the mailbox owner shows they know it. Someone who did not sign up (another person
 * registered their address) chooses their own password with the same link instead, and the pending one
 * is discarded: a pre-registered address is never handed to whoever registered it.
 */
export async function verifyEmail(db: Db, input: VerifyEmailInput): Promise<User> {
  if (input.newPassword !== undefined) assertAcceptablePassword(input.newPassword, 'newPassword');
  assertHashingRoom();
  const account = await linkAccount(db, input.token, 'verify_email');
  let passwordHash: string | null = null;
  if (input.newPassword !== undefined) passwordHash = await hashPassword(input.newPassword);
  else if (!account.passwordHash || !(await verifyPassword(account.passwordHash, input.password ?? ''))) {
    throw new AppError(ErrorCode.INVALID_CREDENTIALS, 'not the password chosen at sign-up', {
      issues: [{ path: 'password', code: 'signup_password_mismatch', message: 'not the password chosen at sign-up' }],
    });
  }
  const row = await db.transaction(async (tx) => {
    const userId = await consumeToken(tx, input.token, 'verify_email');
    const [updated] = await tx
      .update(users)
      .set(passwordHash ? { emailVerifiedAt: new Date(), passwordHash } : { emailVerifiedAt: new Date() })
      .where(eq(users.id, userId))
      .returning();
    if (!updated) throw new AppError(ErrorCode.INVALID_TOKEN);
    return updated;
  });
  if (passwordHash) await clearKeys(db, [throttleKeys.loginAccount(row.email.toLowerCase())]);
  return toUser(row, await departmentIdsOf(db, row.id));
}

/**
 * Every attempt is reserved against the throttles before any password is hashed: a refused one costs one
 * UPSERT, and N parallel guesses can never all pass the check. `rememberDevice` says the browser should get
 * a remembered-device cookie (it came without a valid one for this account).
 */
export async function login(
  ctx: AuthContext,
  input: LoginInput,
  deviceToken: string | undefined,
): Promise<{ user: User; rememberDevice: boolean }> {
  const { db, address } = ctx;
  assertHashingRoom();
  const user = await findUserByEmail(db, input.email);
  const device = await deviceOf(db, deviceToken, user?.id);
  const pair = device ? throttleKeys.loginDevice(device) : throttleKeys.loginPair(input.email, address);
  const account = throttleKeys.loginAccount(input.email);
  await reserveAll(
    db,
    device
      ? [[pair, RULES.loginPair]]
      : [
          [pair, RULES.loginPair],
          [throttleKeys.loginAddress(address), RULES.loginAddress],
          [account, RULES.loginAccount],
        ],
  );
  let ok = false;
  if (user?.passwordHash) ok = await verifyPassword(user.passwordHash, input.password);
  // Unknown e-mail: spend the same time hashing, so timing does not reveal which accounts exist.
  else await burnPasswordCheck(input.password);
  if (!user || !ok) throw new AppError(ErrorCode.INVALID_CREDENTIALS);
  await clearKeys(db, [pair, account]);
  if (!device) await refund(db, throttleKeys.loginAddress(address));
  if (user.disabledAt) throw new AppError(ErrorCode.ACCOUNT_DISABLED);
  if (!user.emailVerifiedAt) throw new AppError(ErrorCode.EMAIL_NOT_VERIFIED);
  return { user: toUser(user, await departmentIdsOf(db, user.id)), rememberDevice: !device };
}

/**
 * Always 202 and the same work before answering (one throttle UPSERT), known address or not, so neither
 * the answer nor its timing tells whether an account exists; the lookup and the mail run after it.
 */
export async function forgotPassword(ctx: AuthContext, email: string): Promise<void> {
  await reserveAll(ctx.db, [[throttleKeys.linkClient(ctx.address), RULES.linkClient]]);
  afterResponse(ctx.log, 'forgot-password', () => mailPasswordLink(ctx.db, ctx.publicUrl, email, 'reset_password'));
}

/** A reset proves the mailbox too, ends every other session of the account, and lifts its login delay. */
export async function resetPassword(db: Db, token: string, password: string): Promise<User> {
  assertAcceptablePassword(password);
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
  await clearKeys(db, [throttleKeys.loginAccount(user.email.toLowerCase())]);
  return toUser(user, await departmentIdsOf(db, user.id));
}
