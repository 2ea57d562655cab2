import { createHash } from 'node:crypto';
import {
  type DeviceDepartment,
  type DevicePolicy,
  type DeviceProfile,
  type DeviceStaff,
  type PatchOperation,
  type ReferenceKind,
  type ReferenceRows,
  referenceKinds,
  seesStaffDirectory,
  staffRoles,
} from '@mesa/core';
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { users } from '../db/schema';
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
  const staff: DeviceStaff[] = seesStaffDirectory(actor.role)
    ? await db
        .select({ id: users.id, name: users.name, role: users.role })
        .from(users)
        .where(and(inArray(users.role, [...staffRoles]), isNull(users.disabledAt)))
        .orderBy(asc(users.name), asc(users.id))
    : [];
  return { profile: [profile], departments, policy: [policy], staff };
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
