import { AppError, ErrorCode, isRetryableCode } from '@mesa/core';
import { pgCode, toAppError } from '../http/errors';

/**
 * SQLSTATE classes that say the data itself is wrong: 22 data exception (a NUL or an invalid byte sequence,
 * a value too long, a number out of range) and 23 integrity violation (a reused id, a missing reference).
 * Sending the same mutation again can never succeed.
 */
const permanentClasses = ['22', '23'];

/**
 * What a failed mutation means for the device's queue. A rejection (its args, a business rule, data
 * Postgres refuses) is recorded and the ledger advances, so one bad mutation never blocks the ones after
 * it. Anything a retry may fix — a lost connection, a serialization failure (40001) or deadlock (40P01),
 * a busy or unavailable database, or an error we do not recognize — fails the push, and the device sends
 * the same mutation again later.
 */
export function mutationFailure(error: unknown): { reject: AppError } | { retry: unknown } {
  if (error instanceof AppError) return isRetryableCode(error.code) ? { retry: error } : { reject: error };
  const state = pgCode(error);
  if (state && permanentClasses.includes(state.slice(0, 2))) {
    // The same code REST would answer (REFERENCE_NOT_FOUND for a missing reference), else bad input.
    const code = toAppError(error)?.code ?? ErrorCode.VALIDATION_FAILED;
    const message = `the database refused the data (SQLSTATE ${state})`;
    return { reject: new AppError(code, message, { sqlState: state }) };
  }
  return { retry: error };
}
