import { classifyTicket, departmentNotFound, type Severity, type Urgency } from '@mesa/core';
import type { DepartmentInfo, ReferenceData } from './reference-service';

export function departmentOf(ref: ReferenceData, id: string): DepartmentInfo {
  const d = ref.departments.get(id);
  if (!d) throw departmentNotFound();
  return d;
}

/** Priority from the matrix, due times from the department's calendar; both from the ticket's creation. */
export function classify(
  ref: ReferenceData,
  departmentId: string,
  severity: Severity,
  urgency: Urgency,
  createdAt: Date,
) {
  return classifyTicket(ref, departmentOf(ref, departmentId).calendar, severity, urgency, createdAt);
}
