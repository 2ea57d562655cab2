import { calendar24x7, officeHours, SERVICE_DESK_SLUG } from '@mesa/core';
import type { Db } from './client';
import { calendars, departments } from './schema';

/** Seed 000/004 office hours: Monday to Friday, 08:00–17:30. */
export const OFFICE_TZ = 'America/Caracas';

/**
 * Reference data every installation needs, written once on an empty database:
 * the six departments of seed 004 (all 8x5 but 24-hour Support, 24x7 and urgent
 * only) plus the first-level service desk of seed 000.
 */
export async function seedBase(db: Db, domain = 'mesa.test'): Promise<void> {
  const existing = await db.select({ id: departments.id }).from(departments).limit(1);
  if (existing.length > 0) return;
  await db.transaction(async (tx) => {
    const [office, always] = await tx
      .insert(calendars)
      .values([
        { name: 'Oficina 8x5 (L–V 08:00–17:30)', definition: officeHours(OFFICE_TZ, '08:00', '17:30') },
        { name: '24x7', definition: calendar24x7(OFFICE_TZ) },
      ])
      .returning();
    if (!office || !always) throw new Error('calendar seed failed');
    const dept = (slug: string, nameEs: string, nameEn: string, calendarId: string, urgentOnly = false) => ({
      slug,
      nameEs,
      nameEn,
      email: `${slug}@${domain}`,
      calendarId,
      urgentOnly,
    });
    await tx
      .insert(departments)
      .values([
        dept(SERVICE_DESK_SLUG, 'Atención al Usuario', 'Service Desk', office.id),
        dept('comercial', 'Comercial', 'Sales', office.id),
        dept('facturacion', 'Facturación', 'Billing', office.id),
        dept('sistemas', 'Sistemas', 'Systems', office.id),
        dept('redes', 'Redes', 'Networks', office.id),
        dept('centros-de-datos', 'Centros de Datos', 'Data Centres', office.id),
        dept('soporte-24h', 'Soporte 24 Horas', '24-hour Support', always.id, true),
      ]);
  });
}
