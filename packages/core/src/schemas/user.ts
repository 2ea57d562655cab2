import { z } from 'zod';
import { emailSchema, idSchema, shortText, storableText } from './common';
import { languageSchema, roleSchema } from './enums';

export const userSchema = z.object({
  id: idSchema,
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  language: languageSchema,
  phone: z.string().nullable(),
  organizationId: z.string().nullable(),
  emailVerified: z.boolean(),
  departmentIds: z.array(z.string()),
});
export type User = z.infer<typeof userSchema>;

export const passwordSchema = storableText().min(8).max(200);

/** Admin creates staff (and can create customer contacts). */
export const createUserInput = z.strictObject({
  email: emailSchema,
  name: shortText(120),
  password: passwordSchema,
  role: roleSchema,
  language: languageSchema.default('es'),
  phone: shortText(40).optional(),
  organizationId: idSchema.optional(),
  departmentIds: z.array(idSchema).max(50).default([]),
});
export type CreateUserInput = z.infer<typeof createUserInput>;

export const userListQuery = z.strictObject({
  role: roleSchema.optional(),
  departmentId: idSchema.optional(),
});
