import DataLoader from 'dataloader';
import { and, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { organizations, sessions, users } from '../db/schema';
import { perDatabase, tickBatch } from '../db/tick-batch';
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
// and it runs on every request. Concurrent requests share one execution (any of their hashes).
const actorLoader = perDatabase((db) => {
  const statement = db
    .select({ ...actorColumns, tokenHash: sessions.tokenHash })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(organizations, eq(organizations.id, users.organizationId))
    .where(
      and(
        sql`${sessions.tokenHash} = any(${sql.placeholder('tokenHashes')})`,
        gt(sessions.expiresAt, sql`now()`),
        sql`${users.disabledAt} is null`,
      ),
    )
    .prepare('load_actors');
  return new DataLoader<string, Actor | null>(async (hashes) => {
    const rows = await statement.execute({ tokenHashes: [...hashes] });
    const byHash = new Map(rows.map(({ tokenHash, ...actor }) => [tokenHash, { ...actor, sessionHash: tokenHash }]));
    return hashes.map((h) => byHash.get(h) ?? null);
  }, tickBatch(64));
});

/** The user, their organization and its sharing flag, and their departments; null when the session is over. */
export function loadActor(db: Db, token: string): Promise<Actor | null> {
  return actorLoader(db).load(sha256Hex(token));
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
