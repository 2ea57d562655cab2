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
 * is gone with the next pull. The sets are small (departments, one policy, the staff directory).
 */
export const referenceKinds = ['profile', 'departments', 'policy', 'staff'] as const;
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

/** Names and roles of the staff, to show and pick owners. */
export interface DeviceStaff {
  id: string;
  name: string;
  role: Role;
}

export interface ReferenceRows {
  profile: DeviceProfile;
  departments: DeviceDepartment;
  policy: DevicePolicy;
  staff: DeviceStaff;
}

/** What the device holds, as mutators read it. */
export interface DeviceReference {
  profile: DeviceProfile | null;
  departments: ReadonlyMap<string, DeviceDepartment>;
  policy: DevicePolicy | null;
}

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
