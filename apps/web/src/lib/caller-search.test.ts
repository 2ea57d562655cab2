import type { DeviceContact, DeviceEquipment } from '@mesa/core';
import { describe, expect, it } from 'vitest';
import { findCallers } from './caller-search';

const contact = (id: string, name: string, email: string, phone: string | null, organizationId: string | null = null) =>
  ({ id, name, email, phone, organizationId }) satisfies DeviceContact;
const directory = {
  contacts: [
    contact('ana', 'Ana Acme', 'ana@acme.test', '+58 212 555-0101', 'acme'),
    contact('jose', 'José Núñez', 'jose@globex.test', null, 'globex'),
    contact('pedro', 'Pedro Martínez', 'pedro@acme.test', '0412 555 0199', 'acme'),
  ],
  equipment: [
    {
      id: 'e1',
      serialNumber: 'SN-HP-4471',
      model: 'HP LaserJet M607',
      maintenanceCode: 'MC-ACME-01',
      siteId: null,
      contractId: 'k1',
      contractNumber: 'CT-2026-014',
      organizationId: 'acme',
      contactId: 'pedro',
    },
  ] satisfies DeviceEquipment[],
  organizations: [
    { id: 'acme', name: 'Acme', membersSeeEachOther: true },
    { id: 'globex', name: 'Globex', membersSeeEachOther: false },
  ],
};
const keys = (q: string) => findCallers(q, directory).map((m) => m.key);

describe('findCallers', () => {
  it('finds customers by name without accents, e-mail, organization or phone digits', () => {
    expect(keys('jose nunez')).toEqual(['c:jose']);
    expect(keys('pedro@acme')).toEqual(['c:pedro']);
    expect(keys('acme')).toEqual(['c:ana', 'c:pedro', 'e:e1']);
    expect(keys('5550101')).toEqual(['c:ana']);
    expect(keys('0412-555')).toEqual(['c:pedro']);
  });

  it('finds equipment by serial, maintenance code or contract, with the contact it stands for', () => {
    const [byCode] = findCallers('mc-acme-01', directory);
    expect(byCode).toMatchObject({ key: 'e:e1', contact: { id: 'pedro' }, organization: { id: 'acme' } });
    expect(keys('sn-hp')).toEqual(['e:e1']);
    expect(keys('CT-2026-014')).toEqual(['e:e1']);
  });

  it('needs two characters and caps the list', () => {
    expect(keys('a')).toEqual([]);
    expect(keys('  ')).toEqual([]);
    expect(findCallers('a', directory, 1)).toEqual([]);
    expect(findCallers('ac', directory, 1).map((m) => m.key)).toEqual(['c:ana']);
  });
});
