import { z } from 'zod';

// Bounds on every string: a huge payload is a 400, never a 5xx or a bloated row.
export const idSchema = z.uuid();
export const emailSchema = z
  .email()
  .max(254)
  .transform((e) => e.toLowerCase());
// A lone surrogate (half of a UTF-16 pair) has no UTF-8 encoding: Postgres would refuse it or store U+FFFD.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** True when Postgres can store the string as text: no NUL (text columns refuse it) and no lone surrogate. */
export const isStorableText = (s: string): boolean => !s.includes('\u0000') && !loneSurrogate.test(s);
export const UNSTORABLE_TEXT = 'contains a NUL character or a lone surrogate';
/**
 * The one base of every string a request body or a sync mutator carries: refused by field name (on the
 * device at once, at the API as VALIDATION_FAILED) rather than failing in the database, where a sync push
 * could only retry it forever.
 */
export const storableText = () => z.string().refine(isStorableText, { message: UNSTORABLE_TEXT, abort: true });
export const shortText = (max = 200) => storableText().trim().min(1).max(max);
export const optionalText = (max = 200) => storableText().trim().max(max);
export const isoDate = z.string();

export const paginationQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: storableText().max(200).optional(),
});

export const listOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
