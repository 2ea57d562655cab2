import { AppError, type CreateTicketInput, ErrorCode, equipmentNotFound, mayNameEquipment } from '@mesa/core';
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { contracts, organizations, users } from '../db/schema';
import type { Actor } from '../http/context';
import { lookupEquipment } from './equipment-service';
import { findUserByEmail } from './user-service';

export interface IntakeFields {
  requesterId: string | null;
  organizationId: string | null;
  requesterName: string;
  requesterOrganization: string | null;
  requesterLocation: string | null;
  requesterPhone: string | null;
  requesterEmail: string | null;
  equipmentId: string | null;
  siteId: string | null;
  contractId: string | null;
}

const issue = (path: string, message: string) =>
  new AppError(ErrorCode.VALIDATION_FAILED, message, { issues: [{ path, message, code: 'custom' }] });
const missing = (field: string) => new AppError(ErrorCode.REFERENCE_NOT_FOUND, `${field} not found`, { field });

const staffOnly = ['channel', 'requesterId', 'contractNumber', 'equipmentId', 'siteId'] as const;

async function orgName(tx: DbOrTx, id: string | null): Promise<string | null> {
  if (!id) return null;
  const [o] = await tx.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, id));
  return o?.name ?? null;
}

/**
 * Who the ticket is for, and which equipment, site and contract it concerns.
 * Customers open for themselves; staff taking a phone call (seed 003) name the
 * customer directly, by maintenance code (seed 002), or by contract + serial.
 */
export async function resolveIntake(tx: DbOrTx, actor: Actor, input: CreateTicketInput): Promise<IntakeFields> {
  const given = input.requester ?? {};
  const found =
    input.maintenanceCode || input.serialNumber
      ? await lookupEquipment(tx, { maintenanceCode: input.maintenanceCode, serialNumber: input.serialNumber })
      : null;
  const field = input.maintenanceCode ? 'maintenanceCode' : 'serialNumber';
  // Unknown, or another organization's for a customer: the device refuses alike (findEquipment).
  if (
    (input.maintenanceCode || input.serialNumber) &&
    (!found || !mayNameEquipment(actor, found.organization?.id ?? null))
  ) {
    throw equipmentNotFound(field);
  }

  if (actor.role === 'customer') {
    const forbidden = staffOnly.filter((f) => input[f] !== undefined);
    if (forbidden.length > 0) throw new AppError(ErrorCode.FORBIDDEN, 'staff-only fields', { fields: forbidden });
    return {
      requesterId: actor.id,
      organizationId: actor.organizationId,
      requesterName: actor.name,
      // The account says which organization a customer belongs to; a typed label could claim another one.
      requesterOrganization: actor.organizationName,
      requesterLocation: given.location || found?.site?.name || null,
      requesterPhone: given.phone || null,
      requesterEmail: actor.email,
      equipmentId: found?.equipment.id ?? null,
      siteId: found?.site?.id ?? null,
      contractId: found?.contract?.id ?? null,
    };
  }

  let contractId = found?.contract?.id ?? null;
  let organizationId = found?.organization?.id ?? null;
  if (input.contractNumber) {
    const [c] = await tx.select().from(contracts).where(eq(contracts.number, input.contractNumber));
    if (!c) throw missing('contractNumber');
    if (contractId && contractId !== c.id) throw issue('serialNumber', 'the equipment is not under that contract');
    contractId = c.id;
    organizationId ??= c.organizationId;
  }

  // The requester: named user, else the equipment's contact, else the contact typed in (found or created by e-mail).
  let requester: typeof users.$inferSelect | undefined;
  if (input.requesterId) {
    [requester] = await tx.select().from(users).where(eq(users.id, input.requesterId));
    if (!requester) throw missing('requesterId');
  } else if (given.email) {
    requester = await findUserByEmail(tx, given.email);
    if (!requester && given.name) {
      [requester] = await tx
        .insert(users)
        .values({
          email: given.email,
          name: given.name,
          role: 'customer',
          phone: given.phone || null,
          organizationId,
          language: actor.language,
        })
        .returning();
    }
  } else if (found?.contact) {
    [requester] = await tx.select().from(users).where(eq(users.id, found.contact.id));
  }
  const name = given.name || requester?.name;
  if (!name) throw issue('requester.name', 'the requester is required: requesterId, maintenanceCode or requester.name');
  organizationId ??= requester?.organizationId ?? null;
  return {
    requesterId: requester?.id ?? null,
    organizationId,
    requesterName: name,
    requesterOrganization: given.organization || found?.organization?.name || (await orgName(tx, organizationId)),
    requesterLocation: given.location || [found?.site?.name, found?.site?.address].filter(Boolean).join(', ') || null,
    requesterPhone: given.phone || requester?.phone || null,
    requesterEmail: given.email || requester?.email || null,
    equipmentId: input.equipmentId ?? found?.equipment.id ?? null,
    siteId: input.siteId ?? found?.site?.id ?? null,
    contractId,
  };
}
