import type { Role } from '@mesa/core';
import { hashPassword } from '../services/password';
import type { Db } from './client';
import { contracts, equipment, organizations, regions, sites, userDepartments, users } from './schema';

// Shared by the demo seed and the tests (API and browser): one way to make a world.

const hashes = new Map<string, Promise<string>>();
/** argon2 is slow on purpose; a test world hashes each distinct password once. */
const cachedHash = (password: string): Promise<string> => {
  let h = hashes.get(password);
  if (!h) {
    h = hashPassword(password);
    hashes.set(password, h);
  }
  return h;
};

let counter = 0;
const unique = (): string => `${Date.now().toString(36)}${(counter++).toString(36)}`;

export async function makeOrganization(db: Db, o: { name?: string; membersSeeEachOther?: boolean } = {}) {
  const [row] = await db
    .insert(organizations)
    .values({ name: o.name ?? `Org ${unique()}`, membersSeeEachOther: o.membersSeeEachOther ?? false })
    .returning();
  return row!;
}

export interface MakeUser {
  role?: Role;
  email?: string;
  name?: string;
  password?: string | null;
  language?: 'es' | 'en';
  phone?: string;
  organizationId?: string | null;
  departmentIds?: string[];
  verified?: boolean;
}

export async function makeUser(db: Db, u: MakeUser = {}) {
  const role = u.role ?? 'customer';
  const password = u.password === undefined ? 'password123' : u.password;
  const [row] = await db
    .insert(users)
    .values({
      email: u.email ?? `${role}-${unique()}@example.test`,
      name: u.name ?? `${role} ${unique()}`,
      role,
      language: u.language ?? 'es',
      phone: u.phone ?? null,
      organizationId: u.organizationId ?? null,
      passwordHash: password === null ? null : await cachedHash(password),
      emailVerifiedAt: u.verified === false ? null : new Date(),
    })
    .returning();
  if (u.departmentIds?.length) {
    await db.insert(userDepartments).values(u.departmentIds.map((departmentId) => ({ userId: row!.id, departmentId })));
  }
  return row!;
}

export async function makeRegion(db: Db, name: string, parentId: string | null = null) {
  const [row] = await db.insert(regions).values({ name, parentId }).returning();
  return row!;
}

export async function makeSite(
  db: Db,
  s: { name: string; regionId: string; address?: string; organizationId?: string },
) {
  const [row] = await db
    .insert(sites)
    .values({
      name: s.name,
      regionId: s.regionId,
      address: s.address ?? null,
      organizationId: s.organizationId ?? null,
    })
    .returning();
  return row!;
}

export async function makeContract(db: Db, organizationId: string, number = `CT-${unique()}`) {
  const [row] = await db.insert(contracts).values({ number, organizationId }).returning();
  return row!;
}

export async function makeEquipment(
  db: Db,
  e: {
    model?: string;
    serialNumber?: string;
    maintenanceCode?: string;
    siteId?: string;
    contractId?: string;
    contactId?: string;
  },
) {
  const [row] = await db
    .insert(equipment)
    .values({
      model: e.model ?? 'Servidor HP ProLiant DL380',
      serialNumber: e.serialNumber ?? `SN-${unique()}`,
      maintenanceCode: e.maintenanceCode ?? null,
      siteId: e.siteId ?? null,
      contractId: e.contractId ?? null,
      contactId: e.contactId ?? null,
    })
    .returning();
  return row!;
}
