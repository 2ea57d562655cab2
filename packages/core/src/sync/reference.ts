import { z } from 'zod';
import type { BusinessCalendar } from '../calendar';
import type { ClosedReplyPolicy } from '../customer-reply';
import { AppError, ErrorCode } from '../errors';
import type { PriorityMatrix } from '../priority';
import { isStaff, type Language, type Role, type Urgency } from '../schemas/enums';
import type { SlaPolicy } from '../sla';

/**
 * Reference data a device keeps so every form works offline and the device computes what the server
 * computes (priority, due times, what a customer's answer does). Each kind travels whole: a pull sends a
 * kind when its digest changed and the device replaces what it had, so a row that left the user's scope
 * is gone with the next pull. The sets are small (departments, one policy, the staff directory, the
 * organizations, sites and equipment the user may name).
 */
export const referenceKinds = [
  'profile',
  'departments',
  'policy',
  'staff',
  'contacts',
  'organizations',
  'regions',
  'sites',
  'equipment',
] as const;
export const referenceKindSchema = z.enum(referenceKinds);
export type ReferenceKind = (typeof referenceKinds)[number];

/** The logged-in user, as the device needs them offline (the requester of what they open). */
export interface DeviceProfile {
  id: string;
  name: string;
  email: string;
  role: Role;
  language: Language;
  phone: string | null;
  organizationId: string | null;
  organizationName: string | null;
  departmentIds: string[];
}

export interface DeviceDepartment {
  id: string;
  slug: string;
  nameEs: string;
  nameEn: string;
  email: string | null;
  /** Seed 004: the 24-hour department takes urgent tickets only (and says what it costs). */
  urgentOnly: boolean;
  is24x7: boolean;
  closedReplyPolicy: ClosedReplyPolicy;
  calendar: BusinessCalendar;
}

export interface DevicePolicy {
  priorityMatrix: PriorityMatrix;
  slaPolicy: SlaPolicy;
}

/** Names, roles and departments of the staff, to show and pick owners (an agent of the ticket's department). */
export interface DeviceStaff {
  id: string;
  name: string;
  role: Role;
  departmentIds: string[];
}

/** A customer contact, for staff to find a caller by name, e-mail or phone on the device (seed 003). */
export interface DeviceContact {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  organizationId: string | null;
}

export interface DeviceOrganization {
  id: string;
  name: string;
  membersSeeEachOther: boolean;
}

/** Seed 002's regions (a tree: a country holds its cities), for the local / regional / global views. */
export interface DeviceRegion {
  id: string;
  name: string;
  parentId: string | null;
}

export interface DeviceSite {
  id: string;
  name: string;
  address: string | null;
  regionId: string;
  organizationId: string | null;
}

/** A piece of equipment under contract (seed 002: its maintenance code names customer, equipment and place). */
export interface DeviceEquipment {
  id: string;
  serialNumber: string;
  model: string;
  maintenanceCode: string | null;
  siteId: string | null;
  contractId: string | null;
  contractNumber: string | null;
  /** The organization whose contract covers it. */
  organizationId: string | null;
  /** The customer contact its maintenance code stands for. */
  contactId: string | null;
}

export interface ReferenceRows {
  profile: DeviceProfile;
  departments: DeviceDepartment;
  policy: DevicePolicy;
  staff: DeviceStaff;
  contacts: DeviceContact;
  organizations: DeviceOrganization;
  regions: DeviceRegion;
  sites: DeviceSite;
  equipment: DeviceEquipment;
}

/** What the device holds, as mutators read it. */
export interface DeviceReference {
  profile: DeviceProfile | null;
  departments: ReadonlyMap<string, DeviceDepartment>;
  policy: DevicePolicy | null;
  /** Every piece of equipment the user may name (referenceOrganizations); absent when not on the device. */
  equipment?: readonly DeviceEquipment[];
  /** The staff directory (seesStaffDirectory); absent when not on the device. */
  staff?: readonly DeviceStaff[];
}

/**
 * Whose organizations, sites and equipment a user may see and name: staff all of them (they take calls from
 * any customer), a customer only their own organization's (equipment under its contracts). The server's
 * intake refuses a customer's code for any other equipment, and the device receives exactly these.
 */
export function referenceOrganizations(actor: { role: Role; organizationId: string | null }): 'all' | string[] {
  if (isStaff(actor.role)) return 'all';
  return actor.organizationId ? [actor.organizationId] : [];
}

export function mayNameEquipment(
  actor: { role: Role; organizationId: string | null },
  equipmentOrganizationId: string | null,
): boolean {
  const orgs = referenceOrganizations(actor);
  return orgs === 'all' || (equipmentOrganizationId !== null && orgs.includes(equipmentOrganizationId));
}

/** Equipment by maintenance code, else by serial number, case-insensitively (as the server looks it up). */
export function findEquipment(
  list: readonly DeviceEquipment[],
  by: { maintenanceCode?: string | undefined; serialNumber?: string | undefined },
): DeviceEquipment | undefined {
  const code = by.maintenanceCode?.toUpperCase();
  if (code) return list.find((e) => e.maintenanceCode?.toUpperCase() === code);
  const serial = by.serialNumber?.toUpperCase();
  return serial ? list.find((e) => e.serialNumber.toUpperCase() === serial) : undefined;
}

/** The one error for a code or serial nobody may name (unknown, or another organization's). */
export const equipmentNotFound = (field: 'maintenanceCode' | 'serialNumber') =>
  new AppError(ErrorCode.REFERENCE_NOT_FOUND, `${field} not found`, { field });

/**
 * Who receives the staff directory: staff pick owners among each other. A customer sees the name of who
 * answered on the article itself, so the directory of the company's people stays inside the company.
 */
export const seesStaffDirectory = (role: Role): boolean => isStaff(role);

/** Seed 004: the 24-hour department is for urgent tickets only. The server and the device refuse alike. */
export function assertDepartmentTakes(d: { urgentOnly: boolean }, urgency: Urgency): void {
  if (d.urgentOnly && urgency !== 'critical' && urgency !== 'high') {
    const message = 'this department takes urgent tickets only';
    throw new AppError(ErrorCode.VALIDATION_FAILED, message, {
      issues: [{ path: 'urgency', message, code: 'custom' }],
    });
  }
}

export const departmentNotFound = () =>
  new AppError(ErrorCode.REFERENCE_NOT_FOUND, 'department not found', { field: 'departmentId' });
