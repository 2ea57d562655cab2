import { testEnv } from '@mesa/api/env';
import { describe, expect, it } from 'vitest';

describe('ADMIN_PASSWORD', () => {
  describe('errors', () => {
    it('refuses at start a common or whitespace-only admin password, naming the variable', () => {
      const cases = [
        ['12345678', 'ADMIN_PASSWORD: too common: found in lists of leaked passwords; choose another'],
        ['Password123', 'ADMIN_PASSWORD: too common: found in lists of leaked passwords; choose another'],
        ['  contraseña  ', 'ADMIN_PASSWORD: too common: found in lists of leaked passwords; choose another'],
        [' '.repeat(12), 'ADMIN_PASSWORD: only whitespace; choose another'],
      ] as const;
      for (const [password, line] of cases) {
        expect(() => testEnv({ ADMIN_PASSWORD: password })).toThrow(`Invalid configuration:\n  ${line}`);
      }
      expect(cases).toHaveLength(4);
    });

    it('keeps a password that passes the rules as given', () => {
      expect(testEnv({ ADMIN_PASSWORD: 'una-clave-de-admin' }).ADMIN_PASSWORD).toBe('una-clave-de-admin');
      expect(testEnv().ADMIN_PASSWORD).toBeUndefined();
    });
  });
});
