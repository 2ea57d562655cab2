import { z } from 'zod';
import { storableText } from './common';

export const departmentSchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  is24x7: z.boolean(),
  urgentOnly: z.boolean(),
});
export type Department = z.infer<typeof departmentSchema>;

export const siteSchema = z.object({
  id: z.string(),
  name: z.string(),
  address: z.string().nullable(),
  regionId: z.string(),
  regionPath: z.array(z.string()),
});
export type Site = z.infer<typeof siteSchema>;

/** What a maintenance code (seed 002) or a serial number (seed 003) resolves to at phone intake. */
export const equipmentLookupSchema = z.object({
  equipment: z.object({
    id: z.string(),
    serialNumber: z.string(),
    model: z.string(),
    maintenanceCode: z.string().nullable(),
  }),
  site: siteSchema.nullable(),
  contract: z.object({ id: z.string(), number: z.string() }).nullable(),
  organization: z.object({ id: z.string(), name: z.string() }).nullable(),
  contact: z.object({ id: z.string(), name: z.string(), email: z.string(), phone: z.string().nullable() }).nullable(),
});
export type EquipmentLookup = z.infer<typeof equipmentLookupSchema>;

export const equipmentLookupQuery = z
  .strictObject({
    maintenanceCode: storableText().trim().min(1).max(64).optional(),
    serialNumber: storableText().trim().min(1).max(64).optional(),
  })
  .refine((q) => q.maintenanceCode !== undefined || q.serialNumber !== undefined, {
    message: 'maintenanceCode or serialNumber is required',
  });

export const organizationSchema = z.object({ id: z.string(), name: z.string(), membersSeeEachOther: z.boolean() });
export type Organization = z.infer<typeof organizationSchema>;

/** Seed 002: local, regional and global views; a region may sit inside another. */
export const regionSchema = z.object({ id: z.string(), name: z.string(), parentId: z.string().nullable() });
export type Region = z.infer<typeof regionSchema>;

export const contractSchema = z.object({ id: z.string(), number: z.string(), organizationId: z.string() });
export type Contract = z.infer<typeof contractSchema>;

export const equipmentSchema = z.object({
  id: z.string(),
  serialNumber: z.string(),
  model: z.string(),
  siteId: z.string().nullable(),
  contractId: z.string().nullable(),
  maintenanceCode: z.string().nullable(),
});
export type Equipment = z.infer<typeof equipmentSchema>;

/** Metadata only: the content is stored once per sha-256. */
export const attachmentSchema = z.object({
  id: z.string(),
  ticketId: z.string(),
  articleId: z.string().nullable(),
  filename: z.string(),
  contentType: z.string(),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

export const directoryQuery = z.strictObject({ q: storableText().trim().min(1).max(100).optional() });
