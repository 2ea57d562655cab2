import { describe, expect, it } from 'vitest';
import { officeHours, weekdays } from '../calendar';
import { AppError } from '../errors';
import { defaultPriorityMatrix } from '../priority';
import { defaultSlaPolicy } from '../sla';
import { isPendingNumber } from '../values';
import { applyMutation, emptyLocalState, type LocalState, type SyncActor } from './apply';
import { parseMutation } from './mutators';
import type { DeviceDepartment, DeviceReference } from './reference';

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const customer: SyncActor = { id: uuid(102), role: 'customer', name: 'Ana' };
const tech: SyncActor = { id: uuid(101), role: 'technician', name: 'Toño' };
// Monday 2026-03-02 16:00 in Mexico City (22:00 UTC): 90 minutes of office hours left that day.
const now = new Date('2026-03-02T22:00:00.000Z');

const department = (over: Partial<DeviceDepartment> = {}): DeviceDepartment => ({
  id: uuid(50),
  slug: 'soporte',
  nameEs: 'Soporte',
  nameEn: 'Support',
  email: null,
  urgentOnly: false,
  is24x7: false,
  closedReplyPolicy: 'reopen',
  calendar: officeHours('America/Mexico_City', '08:00', '17:30', weekdays.slice(0, 5)),
  ...over,
});

const withReference = (departments: DeviceDepartment[]): LocalState => {
  const reference: DeviceReference = {
    profile: {
      id: customer.id,
      name: 'Ana Pérez',
      email: 'ana@example.com',
      role: 'customer',
      language: 'es',
      phone: null,
      organizationId: uuid(70),
      organizationName: 'Acme',
      departmentIds: [],
    },
    departments: new Map(departments.map((d) => [d.id, d])),
    policy: { priorityMatrix: defaultPriorityMatrix, slaPolicy: defaultSlaPolicy },
  };
  return { ...emptyLocalState(), reference };
};

const create = (args: Record<string, unknown>) =>
  parseMutation('createTicket@1', {
    id: uuid(1),
    departmentId: uuid(50),
    subject: 'No imprime',
    description: 'La impresora del piso 2 no imprime',
    severity: 'medium',
    ...args,
  });

describe('createTicket@1 on the device', () => {
  it('shows the ticket at once with a pending number, the requester from the profile and due times on the calendar', () => {
    const state = applyMutation(withReference([department()]), create({ cc: ['a@x.mx', 'a@x.mx'] }), customer, now);
    const t = state.tickets.get(uuid(1));
    expect(t && isPendingNumber(t)).toBe(true);
    expect(t).toMatchObject({
      status: 'new',
      priority: 'P3',
      channel: 'web',
      ownerId: null,
      requesterId: customer.id,
      organizationId: uuid(70),
      requester: { name: 'Ana Pérez', organization: 'Acme', email: 'ana@example.com' },
      cc: ['a@x.mx'],
      createdAt: now.toISOString(),
    });
    // P3: 570 business minutes; 90 are left on Monday, the other 480 end on Tuesday at 16:00 local.
    expect(t?.firstResponseDueAt).toBe('2026-03-03T22:00:00.000Z');
  });

  it('gives a technician the ticket they open in the field', () => {
    const state = applyMutation(withReference([department()]), create({ requester: { name: 'Luis' } }), tech, now);
    expect(state.tickets.get(uuid(1))).toMatchObject({ channel: 'field', ownerId: tech.id, requesterId: null });
  });

  it('refuses what the server refuses: an unknown department, a non-urgent ticket for the 24-hour one', () => {
    const fails = (state: LocalState, args: Record<string, unknown>) => {
      try {
        applyMutation(state, create(args), customer, now);
      } catch (error) {
        return error instanceof AppError ? error.code : 'other';
      }
      return 'applied';
    };
    expect(fails(withReference([]), {})).toBe('REFERENCE_NOT_FOUND');
    const urgentOnly = withReference([department({ urgentOnly: true })]);
    expect(fails(urgentOnly, { urgency: 'medium' })).toBe('VALIDATION_FAILED');
    expect(fails(urgentOnly, { urgency: 'high' })).toBe('applied');
  });

  it('creates nothing twice when replayed', () => {
    const once = applyMutation(withReference([department()]), create({}), customer, now);
    expect(applyMutation(once, create({ subject: 'otra' }), customer, now)).toBe(once);
  });

  it('resolves a maintenance code from the equipment the user may name, and refuses one it does not hold', () => {
    const state = withReference([department()]);
    const equipment = {
      id: uuid(80),
      serialNumber: 'SN-1',
      model: 'Servidor',
      maintenanceCode: 'MC-0001',
      siteId: uuid(81),
      contractId: uuid(82),
      contractNumber: 'CT-1',
      organizationId: uuid(70),
      contactId: null,
    };
    const withEquipment: LocalState = { ...state, reference: { ...state.reference!, equipment: [equipment] } };
    const next = applyMutation(withEquipment, create({ maintenanceCode: 'mc-0001' }), customer, now);
    expect(next.tickets.get(uuid(1))).toMatchObject({
      equipmentId: uuid(80),
      siteId: uuid(81),
      contractId: uuid(82),
      organizationId: uuid(70),
    });
    let refused: unknown;
    try {
      applyMutation(withEquipment, create({ maintenanceCode: 'MC-9999' }), customer, now);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'REFERENCE_NOT_FOUND', details: { field: 'maintenanceCode' } });
    // A device that never received the list leaves the code to the server.
    expect(
      applyMutation(state, create({ maintenanceCode: 'MC-9999' }), customer, now).tickets.get(uuid(1)),
    ).toMatchObject({ equipmentId: null });
  });
});
