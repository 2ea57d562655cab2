import { eq, sql } from 'drizzle-orm';
import type { Tx } from '../db/client';
import { organizations, users } from '../db/schema';
import type { Actor } from '../http/context';
import type { Address } from './types';

export type ContactRow = typeof users.$inferSelect & { organizationName: string | null };

/**
 * The user behind an address: unknown senders become customer contacts without a password
 * (they can claim the account later with "forgot password").
 */
export async function findOrCreateContact(tx: Tx, from: Address, name?: string): Promise<ContactRow> {
  const find = async () => {
    const [row] = await tx
      .select({ user: users, organizationName: organizations.name })
      .from(users)
      .leftJoin(organizations, eq(organizations.id, users.organizationId))
      .where(sql`lower(${users.email}) = ${from.address.toLowerCase()}`);
    return row ? { ...row.user, organizationName: row.organizationName } : undefined;
  };
  const existing = await find();
  if (existing) return existing;
  const display = (name || from.name || from.address.split('@')[0] || from.address).slice(0, 200);
  await tx.insert(users).values({ email: from.address, name: display, role: 'customer' }).onConflictDoNothing();
  const created = await find();
  if (!created) throw new Error(`contact ${from.address} could not be stored`);
  return created;
}

/** The contact as an actor, for the state machine's role rules. */
export const contactActor = (c: ContactRow): Actor => ({
  id: c.id,
  role: c.role,
  name: c.name,
  email: c.email,
  language: c.language,
  organizationId: c.organizationId,
  organizationName: c.organizationName,
  orgSharesTickets: false,
  departmentIds: [],
  sessionHash: '',
});
