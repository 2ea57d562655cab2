import { z } from 'zod';

// Bounds on every string: a huge payload is a 400, never a 5xx or a bloated row.
export const idSchema = z.uuid();
export const emailSchema = z
  .email()
  .max(254)
  .transform((e) => e.toLowerCase());
export const shortText = (max = 200) => z.string().trim().min(1).max(max);
export const optionalText = (max = 200) => z.string().trim().max(max);
export const isoDate = z.string();

export const paginationQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(200).optional(),
});

export const listOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
