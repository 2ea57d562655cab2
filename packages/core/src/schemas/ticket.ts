import { z } from 'zod';
import { emailSchema, idSchema, optionalText, paginationQuery, shortText, storableText } from './common';
import {
  channelSchema,
  prioritySchema,
  severitySchema,
  supportTierSchema,
  ticketStatuses,
  ticketStatusSchema,
  urgencySchema,
} from './enums';

/** Seed 000: the requester data every ticket carries, whoever opened it. */
export const requesterSchema = z.object({
  name: z.string(),
  organization: z.string().nullable(),
  location: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
});
export type Requester = z.infer<typeof requesterSchema>;

export const requesterInput = z.strictObject({
  name: shortText(120).optional(),
  organization: optionalText(200).optional(),
  location: optionalText(200).optional(),
  phone: optionalText(40).optional(),
  email: emailSchema.optional(),
});

export const ticketSchema = z.object({
  id: z.string(),
  number: z.string(),
  subject: z.string(),
  description: z.string(),
  status: ticketStatusSchema,
  severity: severitySchema,
  urgency: urgencySchema,
  priority: prioritySchema,
  channel: channelSchema,
  departmentId: z.string(),
  ownerId: z.string().nullable(),
  supportTier: supportTierSchema,
  requesterId: z.string().nullable(),
  organizationId: z.string().nullable(),
  requester: requesterSchema,
  siteId: z.string().nullable(),
  equipmentId: z.string().nullable(),
  contractId: z.string().nullable(),
  cc: z.array(z.string()),
  firstResponseDueAt: z.string().nullable(),
  resolutionDueAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  firstResponseAt: z.string().nullable(),
  attendedAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  version: z.number().int(),
});
export type Ticket = z.infer<typeof ticketSchema>;

const ccInput = z.array(emailSchema).max(20);
const description = storableText().trim().min(1).max(20_000);

export const createTicketInput = z.strictObject({
  departmentId: idSchema,
  subject: shortText(200),
  description,
  severity: severitySchema,
  urgency: urgencySchema.default('medium'),
  cc: ccInput.default([]),
  /** Staff only: how the case arrived (customers always open on the web). */
  channel: channelSchema.exclude(['email']).optional(),
  /** Staff only: the customer the ticket is opened for (phone intake, seed 003). */
  requesterId: idSchema.optional(),
  requester: requesterInput.optional(),
  /** Seed 002: fills customer, equipment and site. */
  maintenanceCode: storableText().trim().min(1).max(64).optional(),
  contractNumber: storableText().trim().min(1).max(64).optional(),
  serialNumber: storableText().trim().min(1).max(64).optional(),
  equipmentId: idSchema.optional(),
  siteId: idSchema.optional(),
});
export type CreateTicketInput = z.infer<typeof createTicketInput>;

export const updateTicketInput = z
  .strictObject({
    /** The version the caller last saw: a stale write is refused, not silently merged. */
    version: z.number().int().min(1),
    subject: shortText(200).optional(),
    description: description.optional(),
    severity: severitySchema.optional(),
    urgency: urgencySchema.optional(),
    departmentId: idSchema.optional(),
    status: ticketStatusSchema.optional(),
    cc: ccInput.optional(),
    siteId: idSchema.nullable().optional(),
    equipmentId: idSchema.nullable().optional(),
    requester: requesterInput.optional(),
  })
  .refine((v) => Object.keys(v).length > 1, { message: 'nothing to update' });
export type UpdateTicketInput = z.infer<typeof updateTicketInput>;

/** Hand-over between owners and support tiers (seeds 001, 002). */
export const assignTicketFields = z.strictObject({
  ownerId: idSchema.nullable().optional(),
  supportTier: supportTierSchema.optional(),
  /** Why: kept as an internal note (a move to the next tier says what expertise it needs). */
  note: optionalText(2000).optional(),
});
export const namesOwnerOrTier = [
  (v: { ownerId?: string | null | undefined; supportTier?: number | undefined }) =>
    v.ownerId !== undefined || v.supportTier !== undefined,
  { message: 'ownerId or supportTier is required' },
] as const;
export const assignTicketInput = assignTicketFields.refine(...namesOwnerOrTier);
export type AssignTicketInput = z.infer<typeof assignTicketInput>;

export const closeTicketInput = z.strictObject({ note: optionalText(5000).optional() });
export const reopenTicketInput = z.strictObject({ reason: optionalText(5000).optional() });

const csv = <T extends z.ZodType<unknown, string>>(item: T) =>
  storableText()
    .max(500)
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(item).min(1).max(ticketStatuses.length));

export const ticketListQuery = paginationQuery.extend({
  status: csv(ticketStatusSchema).optional(),
  priority: csv(prioritySchema).optional(),
  departmentId: idSchema.optional(),
  /** A user id, `me`, or `none` for the unassigned queue. */
  ownerId: z.union([idSchema, z.literal('me'), z.literal('none')]).optional(),
  organizationId: idSchema.optional(),
  siteId: idSchema.optional(),
  /** Seed 002: regional view, a region includes its sub-regions. */
  regionId: idSchema.optional(),
  q: storableText().trim().min(1).max(200).optional(),
});
export type TicketListQuery = z.infer<typeof ticketListQuery>;

export const ticketHistoryEntrySchema = z.object({
  id: z.number(),
  field: z.string(),
  oldValue: z.unknown(),
  newValue: z.unknown(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  at: z.string(),
});
export type TicketHistoryEntry = z.infer<typeof ticketHistoryEntrySchema>;
