import { type ErrorCode, errorMessages, messageFor } from '@mesa/core';
import { language, t } from '../i18n';

/** A code's message in the user's language; the network has its own, anything unknown keeps `fallback`. */
export function messageForCode(code: string, fallback: string): string {
  if (code === 'NETWORK') return t('error.network');
  return Object.hasOwn(errorMessages, code) ? messageFor(code as ErrorCode, language()) : fallback;
}
