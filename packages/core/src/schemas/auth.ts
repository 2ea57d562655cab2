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

/**
 * Confirming an address takes the link's token and proof of the password: the one chosen at sign-up
 * (`password`), or, for a mailbox owner who did not sign up, one of their own (`newPassword`) that replaces
 * it. A link alone never activates a password someone else typed into an anonymous registration.
 */
export const verifyEmailInput = z
  .strictObject({
    token: storableText().min(10).max(200),
    password: storableText().min(1).max(200).optional(),
    newPassword: passwordSchema.optional(),
  })
  .refine((v) => (v.password === undefined) !== (v.newPassword === undefined), {
    path: ['password'],
    message: 'give either password (the one chosen at sign-up) or newPassword (to choose another), not both',
  });
export type VerifyEmailInput = z.infer<typeof verifyEmailInput>;
export const forgotPasswordInput = z.strictObject({ email: emailSchema });
export const resetPasswordInput = z.strictObject({ token: storableText().min(10).max(200), password: passwordSchema });
