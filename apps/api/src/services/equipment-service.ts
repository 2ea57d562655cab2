import type { EquipmentLookup } from '@mesa/core';
import { eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../db/client';
import { contracts, equipment, organizations, regions, sites, users } from '../db/schema';

const contact = alias(users, 'contact');

/** Root-first names of a region and its ancestors, for "local / regional / global" views (seed 002). */
const regionPath = sql<string[]>`array(
  with recursive up(id, name, parent_id, depth) as (
    select r.id, r.name, r.parent_id, 0 from ${regions} r where r.id = ${sites.regionId}
    union all
    select p.id, p.name, p.parent_id, up.depth + 1 from ${regions} p join up on p.id = up.parent_id
  ) select name from up order by depth desc)`;

/** Seed 002/003: a maintenance code or a serial number identifies customer, equipment and location. */
export async function lookupEquipment(
  db: DbOrTx,
  by: { maintenanceCode?: string | undefined; serialNumber?: string | undefined },
): Promise<EquipmentLookup | null> {
  const where = by.maintenanceCode
    ? sql`upper(${equipment.maintenanceCode}) = upper(${by.maintenanceCode})`
    : sql`upper(${equipment.serialNumber}) = upper(${by.serialNumber ?? ''})`;
  const [row] = await db
    .select({
      equipment: {
        id: equipment.id,
        serialNumber: equipment.serialNumber,
        model: equipment.model,
        maintenanceCode: equipment.maintenanceCode,
      },
      site: { id: sites.id, name: sites.name, address: sites.address, regionId: sites.regionId, regionPath },
      contract: { id: contracts.id, number: contracts.number },
      organization: { id: organizations.id, name: organizations.name },
      contact: { id: contact.id, name: contact.name, email: contact.email, phone: contact.phone },
    })
    .from(equipment)
    .leftJoin(sites, eq(sites.id, equipment.siteId))
    .leftJoin(contracts, eq(contracts.id, equipment.contractId))
    .leftJoin(organizations, eq(organizations.id, contracts.organizationId))
    .leftJoin(contact, eq(contact.id, equipment.contactId))
    .where(where)
    .limit(1);
  if (!row) return null;
  // Left joins yield objects of nulls; the API says null instead.
  return {
    equipment: row.equipment,
    site: row.site?.id
      ? { ...row.site, regionId: row.site.regionId ?? '', regionPath: row.site.regionPath ?? [] }
      : null,
    contract: row.contract?.id ? { id: row.contract.id, number: row.contract.number ?? '' } : null,
    organization: row.organization?.id ? { id: row.organization.id, name: row.organization.name ?? '' } : null,
    contact: row.contact?.id
      ? { id: row.contact.id, name: row.contact.name ?? '', email: row.contact.email ?? '', phone: row.contact.phone }
      : null,
  };
}
