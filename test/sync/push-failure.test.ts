import { mutationFailure } from '@mesa/api/sync/push-failure';
import { AppError, ErrorCode } from '@mesa/core';
import { describe, expect, it } from 'vitest';

/** A driver error as drizzle hands it over: the SQLSTATE sits on the cause. */
const pgError = (code: string) => new Error('Failed query', { cause: Object.assign(new Error('pg'), { code }) });

const verdict = (error: unknown) => {
  const f = mutationFailure(error);
  return 'reject' in f ? `reject ${f.reject.code}` : 'retry';
};

describe('errors', () => {
  it('a mutation that fails for a reason no retry can fix is a rejection; a transient failure is retried', () => {
    const cases: Array<[string, unknown, string]> = [
      ['invalid transition', new AppError(ErrorCode.INVALID_TRANSITION), 'reject INVALID_TRANSITION'],
      ['bad args', new AppError(ErrorCode.VALIDATION_FAILED), 'reject VALIDATION_FAILED'],
      ['ticket out of scope', new AppError(ErrorCode.TICKET_NOT_FOUND), 'reject TICKET_NOT_FOUND'],
      ['NUL in text (22021)', pgError('22021'), 'reject VALIDATION_FAILED'],
      ['NUL in jsonb (22P05)', pgError('22P05'), 'reject VALIDATION_FAILED'],
      ['value too long (22001)', pgError('22001'), 'reject VALIDATION_FAILED'],
      ['numeric out of range (22003)', pgError('22003'), 'reject VALIDATION_FAILED'],
      ['invalid byte sequence (22P02)', pgError('22P02'), 'reject VALIDATION_FAILED'],
      ['missing reference (23503)', pgError('23503'), 'reject REFERENCE_NOT_FOUND'],
      ['reused id (23505)', pgError('23505'), 'reject VALIDATION_FAILED'],
      ['check violation (23514)', pgError('23514'), 'reject VALIDATION_FAILED'],
      ['serialization failure (40001)', pgError('40001'), 'retry'],
      ['deadlock (40P01)', pgError('40P01'), 'retry'],
      ['admin shutdown (57P01)', pgError('57P01'), 'retry'],
      ['connection refused', Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), 'retry'],
      ['database unavailable', new AppError(ErrorCode.DATABASE_UNAVAILABLE), 'retry'],
      ['server busy', new AppError(ErrorCode.SERVER_BUSY), 'retry'],
      ['an error we do not know', new TypeError('x is undefined'), 'retry'],
    ];
    expect(cases.map(([what, error]) => `${what}: ${verdict(error)}`)).toEqual(
      cases.map(([what, , want]) => `${what}: ${want}`),
    );
    expect(cases).toHaveLength(18);
  });

  it('a rejection from the database says which SQLSTATE refused the data', () => {
    const f = mutationFailure(pgError('22021'));
    expect('reject' in f && { message: f.reject.message, details: f.reject.details }).toEqual({
      message: 'the database refused the data (SQLSTATE 22021)',
      details: { sqlState: '22021' },
    });
  });
});
