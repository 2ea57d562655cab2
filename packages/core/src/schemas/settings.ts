import { z } from 'zod';
import { priorityMatrixSchema } from '../priority';
import { slaPolicySchema } from '../sla';

/**
 * An installation's settings (PUT /api/settings). Every number in them has its range in its schema
 * (.min/.max), which the API reports as VALUE_OUT_OF_RANGE and the OpenAPI document shows.
 */
export const settingsSchema = z.object({ priorityMatrix: priorityMatrixSchema, slaPolicy: slaPolicySchema });
export type Settings = z.infer<typeof settingsSchema>;

export const settingsInput = z
  .strictObject({ priorityMatrix: priorityMatrixSchema.optional(), slaPolicy: slaPolicySchema.optional() })
  .refine((v) => v.priorityMatrix !== undefined || v.slaPolicy !== undefined, { message: 'nothing to update' });
