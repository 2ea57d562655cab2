import { AppError, ErrorCode } from '@mesa/core';
import { dictionary } from '@zxcvbn-ts/language-common';

// zxcvbn-ts's list of ~49,000 passwords most seen in leaks (maintained with the library), plus a few that
// Spanish-speaking users pick and the list, being mostly English, lacks.
const common = new Set<string>([
  ...dictionary['passwords-common'],
  'contraseña',
  'contrasena',
  'contraseña1',
  'contrasena1',
  'micontraseña',
  'micontrasena',
  'clave1234',
  'clave12345',
]);

export type PasswordProblem = 'blank' | 'common';

/** What is wrong, in words: for API error details and for the start-up check of ADMIN_PASSWORD. */
export const passwordProblemText: Record<PasswordProblem, string> = {
  blank: 'only whitespace',
  common: 'too common: found in lists of leaked passwords',
};

/** Why this password must be refused, or null. Case and surrounding spaces do not make a common one safe. */
export function passwordProblem(password: string): PasswordProblem | null {
  const trimmed = password.trim();
  if (trimmed.length === 0) return 'blank';
  if (common.has(trimmed.toLowerCase())) return 'common';
  return null;
}

/** The one check every password a person chooses goes through (registration, reset, accounts an admin creates). */
export function assertAcceptablePassword(password: string, field = 'password'): void {
  const problem = passwordProblem(password);
  if (!problem) return;
  throw new AppError(ErrorCode.WEAK_PASSWORD, `password refused: ${problem}`, {
    issues: [
      problem === 'blank'
        ? { path: field, code: 'blank_password', message: passwordProblemText.blank }
        : { path: field, code: 'common_password', message: passwordProblemText.common },
    ],
  });
}
