import { AppError, type CreateUserInput, ErrorCode, type User } from '@mesa/core';
import { eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client';
import { userDepartments, users } from '../db/schema';
import { hashPassword } from './password';
import { assertAcceptablePassword } from './password-policy';

type UserRow = typeof users.$inferSelect;

export const toUser = (u: UserRow, departmentIds: string[] = []): User => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  language: u.language,
  phone: u.phone,
  organizationId: u.organizationId,
  emailVerified: u.emailVerifiedAt !== null,
  departmentIds,
});

export async function findUserByEmail(db: DbOrTx, email: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(sql`lower(${users.email}) = ${email.toLowerCase()}`).limit(1);
  return row;
}

export async function departmentIdsOf(db: DbOrTx, userId: string): Promise<string[]> {
  const rows = await db
    .select({ id: userDepartments.departmentId })
    .from(userDepartments)
    .where(eq(userDepartments.userId, userId));
  return rows.map((r) => r.id);
}

/** Admin-created accounts are trusted: their e-mail counts as verified. */
export async function createUser(db: Db, input: CreateUserInput): Promise<User> {
  if (input.role === 'customer' && input.departmentIds.length > 0) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, 'customers have no departments', {
      issues: [{ path: 'departmentIds', message: 'customers have no departments', code: 'custom' }],
    });
  }
  assertAcceptablePassword(input.password);
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    if (await findUserByEmail(tx, input.email)) throw new AppError(ErrorCode.EMAIL_TAKEN);
    const [row] = await tx
      .insert(users)
      .values({
        email: input.email,
        name: input.name,
        passwordHash,
        role: input.role,
        language: input.language,
        phone: input.phone ?? null,
        organizationId: input.organizationId ?? null,
        emailVerifiedAt: new Date(),
      })
      .returning();
    if (!row) throw new Error('insert returned no row');
    const departmentIds = [...new Set(input.departmentIds)];
    if (departmentIds.length > 0) {
      await tx.insert(userDepartments).values(departmentIds.map((departmentId) => ({ userId: row.id, departmentId })));
    }
    return toUser(row, departmentIds);
  });
}

export async function getUser(db: DbOrTx, id: string): Promise<User> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  if (!row) throw new AppError(ErrorCode.NOT_FOUND);
  return toUser(row, await departmentIdsOf(db, id));
}
