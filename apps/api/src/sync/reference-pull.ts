import { createHash } from 'node:crypto';
import {
  type DeviceContact,
  type DeviceDepartment,
  type DeviceEquipment,
  type DeviceOrganization,
  type DevicePolicy,
  type DeviceProfile,
  type DeviceRegion,
  type DeviceSite,
  type DeviceStaff,
  type PatchOperation,
  type ReferenceKind,
  type ReferenceRows,
  referenceKinds,
  referenceOrganizations,
  seesStaffDirectory,
  staffRoles,
} from '@mesa/core';
import { and, asc, eq, inArray, isNull, or } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client';
import { contracts, equipment, organizations, regions, sites, userDepartments, users } from '../db/schema';
import type { Actor } from '../http/context';
import { is24x7, type Reference } from '../services/reference-service';

type Digests = Partial<Record<ReferenceKind, string>>;
type Sets = { [K in ReferenceKind]: ReferenceRows[K][] };

async function referenceSets(db: Db, reference: Reference, actor: Actor): Promise<Sets> {
  const ref = await reference.get();
  const [me] = await db.select({ phone: users.phone }).from(users).where(eq(users.id, actor.id));
  const profile: DeviceProfile = {
    id: actor.id,
    name: actor.name,
    email: actor.email,
    role: actor.role,
    language: actor.language,
    phone: me?.phone ?? null,
    organizationId: actor.organizationId,
    organizationName: actor.organizationName,
    departmentIds: [...actor.departmentIds].sort(),
  };
  const departments: DeviceDepartment[] = [...ref.departments.values()]
    .map((d) => ({ ...d, is24x7: is24x7(d.calendar) }))
    .sort((a, b) => a.slug.localeCompare(b.slug));
  const policy: DevicePolicy = { priorityMatrix: ref.priorityMatrix, slaPolicy: ref.slaPolicy };
  const directory = seesStaffDirectory(actor.role);
  const staff = directory ? await staffDirectory(db) : [];
  const contacts: DeviceContact[] = directory
    ? await db
        .select({
          id: users.id,
          name: users.name,
          email: users.email,
          phone: users.phone,
          organizationId: users.organizationId,
        })
        .from(users)
        .where(and(eq(users.role, 'customer'), isNull(users.disabledAt)))
        .orderBy(asc(users.name), asc(users.id))
    : [];
  return {
    profile: [profile],
    departments,
    policy: [policy],
    staff,
    contacts,
    ...(await organizationSets(db, actor)),
  };
}

/** Active staff with their departments, in name order (the digest needs a stable order). */
async function staffDirectory(db: Db): Promise<DeviceStaff[]> {
  const people = await db
    .select({ id: users.id, name: users.name, role: users.role })
    .from(users)
    .where(and(inArray(users.role, [...staffRoles]), isNull(users.disabledAt)))
    .orderBy(asc(users.name), asc(users.id));
  if (people.length === 0) return [];
  const memberships = await db
    .select({ userId: userDepartments.userId, departmentId: userDepartments.departmentId })
    .from(userDepartments)
    .where(
      inArray(
        userDepartments.userId,
        people.map((p) => p.id),
      ),
    )
    .orderBy(asc(userDepartments.departmentId));
  const of = new Map<string, string[]>();
  for (const m of memberships) of.set(m.userId, [...(of.get(m.userId) ?? []), m.departmentId]);
  return people.map((p) => ({ ...p, departmentIds: of.get(p.id) ?? [] }));
}

/** The organizations, sites and equipment the actor may name (core's referenceOrganizations). */
async function organizationSets(
  db: Db,
  actor: Actor,
): Promise<Pick<Sets, 'organizations' | 'regions' | 'sites' | 'equipment'>> {
  const orgs = referenceOrganizations(actor);
  if (orgs !== 'all' && orgs.length === 0) return { organizations: [], regions: [], sites: [], equipment: [] };
  const inOrgs = (col: AnyPgColumn) => (orgs === 'all' ? undefined : inArray(col, orgs));
  const equipmentRows: DeviceEquipment[] = await db
    .select({
      id: equipment.id,
      serialNumber: equipment.serialNumber,
      model: equipment.model,
      maintenanceCode: equipment.maintenanceCode,
      siteId: equipment.siteId,
      contractId: equipment.contractId,
      contractNumber: contracts.number,
      organizationId: contracts.organizationId,
      contactId: equipment.contactId,
    })
    .from(equipment)
    .leftJoin(contracts, eq(contracts.id, equipment.contractId))
    .where(inOrgs(contracts.organizationId))
    .orderBy(asc(equipment.serialNumber));
  // A customer's sites: their organization's, and wherever their equipment stands.
  const equipmentSites = [...new Set(equipmentRows.map((e) => e.siteId).filter((x): x is string => x !== null))];
  const siteScope =
    orgs === 'all'
      ? undefined
      : equipmentSites.length
        ? or(inArray(sites.organizationId, orgs), inArray(sites.id, equipmentSites))
        : inArray(sites.organizationId, orgs);
  const siteRows: DeviceSite[] = await db
    .select({
      id: sites.id,
      name: sites.name,
      address: sites.address,
      regionId: sites.regionId,
      organizationId: sites.organizationId,
    })
    .from(sites)
    .where(siteScope)
    .orderBy(asc(sites.name), asc(sites.id));
  const organizationRows: DeviceOrganization[] = await db
    .select({
      id: organizations.id,
      name: organizations.name,
      membersSeeEachOther: organizations.membersSeeEachOther,
    })
    .from(organizations)
    .where(inOrgs(organizations.id))
    .orderBy(asc(organizations.name), asc(organizations.id));
  const allRegions: DeviceRegion[] = await db
    .select({ id: regions.id, name: regions.name, parentId: regions.parentId })
    .from(regions)
    .orderBy(asc(regions.name), asc(regions.id));
  const regionRows = orgs === 'all' ? allRegions : regionsAbove(allRegions, siteRows);
  return { organizations: organizationRows, regions: regionRows, sites: siteRows, equipment: equipmentRows };
}

/** The regions of the given sites and every region above them, so a site's place reads whole. */
function regionsAbove(all: DeviceRegion[], siteRows: DeviceSite[]): DeviceRegion[] {
  const byId = new Map(all.map((r) => [r.id, r]));
  const keep = new Set<string>();
  for (const site of siteRows) {
    let at: DeviceRegion | undefined = byId.get(site.regionId);
    while (at && !keep.has(at.id)) {
      keep.add(at.id);
      at = at.parentId ? byId.get(at.parentId) : undefined;
    }
  }
  return all.filter((r) => keep.has(r.id));
}

const digestOf = (rows: unknown[]): string =>
  createHash('sha256').update(JSON.stringify(rows)).digest('base64url').slice(0, 12);

const DIGEST = /^[A-Za-z0-9_-]{12}$/;

/**
 * The digests a device's cookie carries after the change log's own part (`<changes>.<digests>`; base64url
 * has no dot). Anything unreadable counts as none: the device then gets every kind again, which is harmless.
 */
export function splitCookie(cookie: string | null): { changes: string | null; digests: Digests } {
  if (cookie === null) return { changes: null, digests: {} };
  const dot = cookie.lastIndexOf('.');
  if (dot < 0) return { changes: cookie, digests: {} };
  const digests: Digests = {};
  try {
    const raw = JSON.parse(Buffer.from(cookie.slice(dot + 1), 'base64url').toString('utf8')) as unknown;
    if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
      for (const kind of referenceKinds) {
        const d = (raw as Record<string, unknown>)[kind];
        if (typeof d === 'string' && DIGEST.test(d)) digests[kind] = d;
      }
    }
  } catch {
    // Unreadable: every kind goes again.
  }
  return { changes: cookie.slice(0, dot), digests };
}

export const joinCookie = (changes: string, digests: Digests): string =>
  `${changes}.${Buffer.from(JSON.stringify(digests), 'utf8').toString('base64url')}`;

/**
 * The kinds of reference data whose content differs from what the device last received (all of them
 * after a reset, when the device dropped what it had), and the digests its next cookie carries.
 */
export async function referenceChanges(
  db: Db,
  reference: Reference,
  actor: Actor,
  known: Digests,
  reset: boolean,
): Promise<{ ops: PatchOperation[]; digests: Digests }> {
  const sets = await referenceSets(db, reference, actor);
  const ops: PatchOperation[] = [];
  const digests: Digests = {};
  for (const kind of referenceKinds) {
    const rows = sets[kind] as unknown[];
    digests[kind] = digestOf(rows);
    if (reset || known[kind] !== digests[kind]) ops.push({ op: 'ref', kind, rows });
  }
  return { ops, digests };
}
