import {
  type BusinessCalendar,
  type Department,
  type DeviceDepartment,
  defaultPriorityMatrix,
  defaultSlaPolicy,
  type Language,
  type PriorityMatrix,
  priorityMatrixSchema,
  type SlaPolicy,
  slaPolicySchema,
} from '@mesa/core';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { calendars, departments, settings } from '../db/schema';

/** A department as the server keeps it: the device's row, less what is derived from the calendar. */
export type DepartmentInfo = Omit<DeviceDepartment, 'is24x7'>;

export interface ReferenceData {
  departments: Map<string, DepartmentInfo>;
  priorityMatrix: PriorityMatrix;
  slaPolicy: SlaPolicy;
}

export interface Reference {
  get(): Promise<ReferenceData>;
  /** After a local write; other instances pick changes up within the TTL. */
  invalidate(): void;
}

export const SETTING_PRIORITY_MATRIX = 'priority_matrix';
export const SETTING_SLA_POLICY = 'sla_policy';

export const is24x7 = (cal: BusinessCalendar): boolean =>
  Object.values(cal.weekly).every((day) => day.length === 1 && day[0]?.start === '00:00' && day[0]?.end === '24:00') &&
  cal.holidays.length === 0;

export const toDepartment = (d: DepartmentInfo, lang: Language): Department => ({
  id: d.id,
  slug: d.slug,
  name: lang === 'en' ? d.nameEn : d.nameEs,
  email: d.email,
  is24x7: is24x7(d.calendar),
  urgentOnly: d.urgentOnly,
});

async function load(db: Db): Promise<ReferenceData> {
  const rows = await db
    .select({ department: departments, calendar: calendars.definition })
    .from(departments)
    .innerJoin(calendars, eq(calendars.id, departments.calendarId));
  const settingRows = await db.select().from(settings);
  const setting = (key: string) => settingRows.find((s) => s.key === key)?.value;
  // A bad stored setting must not take the desk down: fall back to the defaults.
  const matrix = priorityMatrixSchema.safeParse(setting(SETTING_PRIORITY_MATRIX));
  const sla = slaPolicySchema.safeParse(setting(SETTING_SLA_POLICY));
  return {
    departments: new Map(
      rows.map(({ department: d, calendar }) => [
        d.id,
        {
          id: d.id,
          slug: d.slug,
          nameEs: d.nameEs,
          nameEn: d.nameEn,
          email: d.email,
          urgentOnly: d.urgentOnly,
          closedReplyPolicy: d.closedReplyPolicy,
          calendar,
        },
      ]),
    ),
    priorityMatrix: matrix.success ? (matrix.data as PriorityMatrix) : defaultPriorityMatrix,
    slaPolicy: sla.success ? (sla.data as SlaPolicy) : defaultSlaPolicy,
  };
}

export function createReference(db: Db, ttlMs = 30_000): Reference {
  let cached: { at: number; data: Promise<ReferenceData> } | undefined;
  return {
    get() {
      if (!cached || Date.now() - cached.at > ttlMs) {
        const data = load(db);
        cached = { at: Date.now(), data };
        data.catch(() => {
          cached = undefined;
        });
      }
      return cached.data;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
