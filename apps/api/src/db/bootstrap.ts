import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Env } from '../env';
import type { Logger } from '../logger';
import { hashPassword } from '../services/password';
import { findUserByEmail } from '../services/user-service';
import type { Db } from './client';
import { users } from './schema';
import { seedBase } from './seed-base';
import { seedDemo } from './seed-demo';

export interface BootstrapResult {
  admin: { email: string; password: string | null };
  demo: boolean;
}

/**
 * The first admin comes from ADMIN_EMAIL/ADMIN_PASSWORD on the first start; with
 * no password configured one is generated and printed once. Later starts never
 * touch an existing admin.
 */
async function ensureAdmin(db: Db, env: Env, log: Logger): Promise<BootstrapResult['admin']> {
  const [anyAdmin] = await db.select({ id: users.id }).from(users).where(eq(users.role, 'admin')).limit(1);
  if (anyAdmin) return { email: env.ADMIN_EMAIL, password: null };
  // The demo gets a password a newcomer can type; a real installation without one gets a random one.
  const generated = !env.ADMIN_PASSWORD && !env.DEMO_DATA;
  const password = env.ADMIN_PASSWORD ?? (generated ? randomBytes(12).toString('base64url') : 'admin1234');
  if (await findUserByEmail(db, env.ADMIN_EMAIL))
    throw new Error(`ADMIN_EMAIL ${env.ADMIN_EMAIL} belongs to a non-admin`);
  await db.insert(users).values({
    email: env.ADMIN_EMAIL,
    name: 'Administrador',
    role: 'admin',
    passwordHash: await hashPassword(password),
    emailVerifiedAt: new Date(),
  });
  if (generated) log.warn('created the first admin with a generated password; change it', { email: env.ADMIN_EMAIL });
  return { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD ? null : password };
}

export async function bootstrap(db: Db, env: Env, log: Logger): Promise<BootstrapResult> {
  await seedBase(db);
  const admin = await ensureAdmin(db, env, log);
  const demo = env.DEMO_DATA ? await seedDemo(db) : false;
  return { admin, demo };
}
