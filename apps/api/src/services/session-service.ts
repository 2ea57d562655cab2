import { and, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { organizations, sessions, users } from '../db/schema';
import type { Actor } from '../http/context';
import { randomToken, sha256Hex } from './tokens';

export const SESSION_COOKIE = 'mesa_session';

export async function createSession(db: Db, userId: string, days: number): Promise<{ token: string; expiresAt: Date }> {
  const token = randomToken();
  const expiresAt = new Date(Date.now() + days * 86_400_000);
  await db.insert(sessions).values({ tokenHash: sha256Hex(token), userId, expiresAt });
  return { token, expiresAt };
}

const actorColumns = {
  id: users.id,
  role: users.role,
  name: users.name,
  email: users.email,
  language: users.language,
  organizationId: users.organizationId,
  organizationName: organizations.name,
  orgSharesTickets: sql<boolean>`coalesce(${organizations.membersSeeEachOther}, false)`,
  departmentIds: sql<
    string[]
  >`array(select ud.department_id::text from user_departments ud where ud.user_id = ${users.id})`,
};

// Prepared once per database: building this query with drizzle costs more CPU than running it,
// and it runs on every request.
const preparedLoaders = new WeakMap<Db, ReturnType<typeof prepareLoader>>();
const prepareLoader = (db: Db) =>
  db
    .select(actorColumns)
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(organizations, eq(organizations.id, users.organizationId))
    .where(
      and(
        eq(sessions.tokenHash, sql.placeholder('tokenHash')),
        gt(sessions.expiresAt, sql`now()`),
        sql`${users.disabledAt} is null`,
      ),
    )
    .limit(1)
    .prepare('load_actor');

/** One query per request: the user, their organization and its sharing flag, and their departments. */
export async function loadActor(db: Db, token: string): Promise<Actor | null> {
  const tokenHash = sha256Hex(token);
  let loader = preparedLoaders.get(db);
  if (!loader) {
    loader = prepareLoader(db);
    preparedLoaders.set(db, loader);
  }
  const [row] = await loader.execute({ tokenHash });
  return row ? { ...row, sessionHash: tokenHash } : null;
}

/** The same actor without a session: for the seed, jobs and tests acting as a user. */
export async function actorFor(db: Db, userId: string): Promise<Actor> {
  const [row] = await db
    .select(actorColumns)
    .from(users)
    .leftJoin(organizations, eq(organizations.id, users.organizationId))
    .where(eq(users.id, userId));
  if (!row) throw new Error(`no user ${userId}`);
  return { ...row, sessionHash: '' };
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
}

export async function deleteUserSessions(db: Db, userId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.userId, userId));
}
