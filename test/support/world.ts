import type { Database } from '@mesa/api/db/client';
import { makeOrganization, makeUser } from '@mesa/api/db/factories';
import { departments } from '@mesa/api/db/schema';
import { seedBase } from '@mesa/api/db/seed-base';
import type { Actor } from '@mesa/api/http/context';
import { actorFor } from '@mesa/api/services/session-service';

export const PASSWORD = 'password123';

/**
 * A small desk with one user of every kind, shared by API and browser tests:
 * two agents in different departments, a technician, customers of an
 * organization that shares tickets, and a customer of one that does not.
 */
export async function buildWorld(database: Database) {
  const db = database.db;
  await seedBase(db);
  const depts = await db.select().from(departments);
  const dept = (slug: string) => depts.find((d) => d.slug === slug)!;
  const sharing = await makeOrganization(db, { name: 'Acme', membersSeeEachOther: true });
  const private_ = await makeOrganization(db, { name: 'Globex', membersSeeEachOther: false });
  const users = {
    admin: await makeUser(db, { role: 'admin', email: 'admin@t.test' }),
    supervisor: await makeUser(db, { role: 'supervisor', email: 'super@t.test' }),
    agent: await makeUser(db, { role: 'agent', email: 'agent@t.test', departmentIds: [dept('sistemas').id] }),
    otherAgent: await makeUser(db, { role: 'agent', email: 'agent2@t.test', departmentIds: [dept('facturacion').id] }),
    technician: await makeUser(db, { role: 'technician', email: 'tech@t.test' }),
    customer: await makeUser(db, { email: 'ana@acme.test', organizationId: sharing.id, name: 'Ana Acme' }),
    colleague: await makeUser(db, { email: 'bob@acme.test', organizationId: sharing.id, name: 'Bob Acme' }),
    outsider: await makeUser(db, { email: 'eve@globex.test', organizationId: private_.id, name: 'Eve Globex' }),
    peer: await makeUser(db, { email: 'pat@globex.test', organizationId: private_.id, name: 'Pat Globex' }),
  };
  const actors = Object.fromEntries(
    await Promise.all(Object.entries(users).map(async ([k, u]) => [k, await actorFor(db, u.id)] as const)),
  ) as Record<keyof typeof users, Actor>;
  return { users, actors, dept, organizations: { sharing, private: private_ } };
}

export type World = Awaited<ReturnType<typeof buildWorld>>;
