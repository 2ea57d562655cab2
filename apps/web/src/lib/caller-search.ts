import type { DeviceContact, DeviceEquipment, DeviceOrganization } from '@mesa/core';
import { fold } from './ticket-search';

export interface CallerMatch {
  key: string;
  contact?: DeviceContact;
  equipment?: DeviceEquipment;
  organization?: DeviceOrganization;
}

interface Directory {
  contacts: readonly DeviceContact[];
  equipment: readonly DeviceEquipment[];
  organizations: readonly DeviceOrganization[];
}

const digits = (text: string) => text.replace(/\D/g, '');

/**
 * Who is calling (seed 003): customers by name, e-mail or phone, equipment by serial number, maintenance
 * code or contract number (seed 002: the code names customer, equipment and place), searched on the device
 * so intake works offline. Every word of the query must match one record; a number matches phones by digits.
 */
export function findCallers(query: string, directory: Directory, limit = 8): CallerMatch[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0 || fold(query).trim().length < 2) return [];
  const number = digits(query);
  const phoneQuery = number.length >= 4 && number.length >= query.replace(/\s/g, '').length - 2;
  const organizations = new Map(directory.organizations.map((o) => [o.id, o]));
  const contacts = new Map(directory.contacts.map((c) => [c.id, c]));
  const matches = (text: string) => {
    const folded = fold(text);
    return words.every((w) => folded.includes(w));
  };
  const out: CallerMatch[] = [];
  for (const contact of directory.contacts) {
    if (out.length >= limit) return out;
    const org = contact.organizationId ? organizations.get(contact.organizationId) : undefined;
    const byPhone = phoneQuery && contact.phone !== null && digits(contact.phone).includes(number);
    if (byPhone || matches([contact.name, contact.email, org?.name ?? ''].join('\n'))) {
      out.push({ key: `c:${contact.id}`, contact, ...(org ? { organization: org } : {}) });
    }
  }
  for (const e of directory.equipment) {
    if (out.length >= limit) return out;
    if (!matches([e.serialNumber, e.maintenanceCode ?? '', e.contractNumber ?? '', e.model].join('\n'))) continue;
    const contact = e.contactId ? contacts.get(e.contactId) : undefined;
    const org = e.organizationId ? organizations.get(e.organizationId) : undefined;
    out.push({
      key: `e:${e.id}`,
      equipment: e,
      ...(contact ? { contact } : {}),
      ...(org ? { organization: org } : {}),
    });
  }
  return out;
}
