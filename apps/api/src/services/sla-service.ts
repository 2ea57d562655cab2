import { AppError, computeDueTimes, computePriority, ErrorCode, type Severity, type Urgency } from '@mesa/core';
import type { DepartmentInfo, ReferenceData } from './reference-service';

export function departmentOf(ref: ReferenceData, id: string): DepartmentInfo {
  const d = ref.departments.get(id);
  if (!d) throw new AppError(ErrorCode.REFERENCE_NOT_FOUND, 'department not found', { field: 'departmentId' });
  return d;
}

/** Seed 004: the 24-hour department is for urgent tickets only. */
export function assertDepartmentTakes(d: DepartmentInfo, urgency: Urgency): void {
  if (d.urgentOnly && urgency !== 'critical' && urgency !== 'high') {
    const message = 'this department takes urgent tickets only';
    throw new AppError(ErrorCode.VALIDATION_FAILED, message, {
      issues: [{ path: 'urgency', message, code: 'custom' }],
    });
  }
}

/** Priority from the matrix, due times from the department's calendar; both from the ticket's creation. */
export function classify(
  ref: ReferenceData,
  departmentId: string,
  severity: Severity,
  urgency: Urgency,
  createdAt: Date,
) {
  const priority = computePriority(severity, urgency, ref.priorityMatrix);
  const due = computeDueTimes(ref.slaPolicy, priority, departmentOf(ref, departmentId).calendar, createdAt);
  return { priority, firstResponseDueAt: due.firstResponseDueAt, resolutionDueAt: due.resolutionDueAt };
}
