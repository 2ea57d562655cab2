import { z } from 'zod';
import { emailSchema, shortText, storableText } from './common';
import { languageSchema } from './enums';
import { passwordSchema } from './user';

export const registerInput = z.strictObject({
  email: emailSchema,
  password: passwordSchema,
  name: shortText(120),
  language: languageSchema.default('es'),
  phone: shortText(40).optional(),
});
export type RegisterInput = z.infer<typeof registerInput>;

export const loginInput = z.strictObject({
  email: emailSchema,
  password: storableText().min(1).max(200),
});
export type LoginInput = z.infer<typeof loginInput>;

export const tokenInput = z.strictObject({ token: storableText().min(10).max(200) });
export const forgotPasswordInput = z.strictObject({ email: emailSchema });
export const resetPasswordInput = z.strictObject({ token: storableText().min(10).max(200), password: passwordSchema });
