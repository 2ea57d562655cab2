import { describe, expect, it } from 'vitest';
import { ApiError, isRetryableCode, parseErrorBody } from './api-error';
import { ErrorCode, errorStatus } from './errors';

const fields = (e: ApiError) => ({
  code: e.code,
  message: e.message,
  status: e.status,
  details: e.details,
  requestId: e.requestId,
  retryAfterMs: e.retryAfterMs,
});

describe('errors', () => {
  it("reads the API's one error shape, keeping code, message, details and request id", () => {
    const body = {
      error: { code: 'MUTATION_OUT_OF_ORDER', message: 'Fuera de orden', details: { expected: 4 }, requestId: 'r-1' },
    };
    const e = parseErrorBody(409, body, { requestId: 'header-id', retryAfterMs: 2000 });
    expect(e).toBeInstanceOf(ApiError);
    expect(fields(e)).toEqual({
      code: 'MUTATION_OUT_OF_ORDER',
      message: 'Fuera de orden',
      status: 409,
      details: { expected: 4 },
      requestId: 'r-1',
      retryAfterMs: 2000,
    });
  });

  it('names what answered instead of the API by a code: gateways NETWORK, a proxy size limit, else INTERNAL', () => {
    const cases: Array<[number, unknown, string]> = [
      [502, undefined, 'NETWORK'],
      [503, '<html>', 'NETWORK'],
      [504, null, 'NETWORK'],
      [413, undefined, 'PAYLOAD_TOO_LARGE'],
      [500, { error: 'boom' }, 'INTERNAL'],
      [404, { error: { code: 42 } }, 'INTERNAL'],
      [401, undefined, 'INTERNAL'],
    ];
    const options = { networkMessage: 'sin red', unexpectedMessage: 'inesperado', requestId: 'h-9' };
    expect(cases.map(([status, body]) => fields(parseErrorBody(status, body, options)))).toEqual(
      cases.map(([status, , code]) => ({
        code,
        message: code === 'NETWORK' ? 'sin red' : 'inesperado',
        status,
        details: undefined,
        requestId: 'h-9',
        retryAfterMs: undefined,
      })),
    );
  });

  it('retries exactly the codes a later attempt can change: NETWORK, 429 and 5xx', () => {
    const retryable = Object.values(ErrorCode).filter((c) => isRetryableCode(c));
    const expected = Object.values(ErrorCode).filter((c) => errorStatus[c] === 429 || errorStatus[c] >= 500);
    expect(retryable).toEqual(expected);
    expect(retryable).toContain('DATABASE_UNAVAILABLE');
    expect(retryable).toContain('RATE_LIMITED');
    expect(retryable).not.toContain('VALIDATION_FAILED');
    expect(isRetryableCode('NETWORK')).toBe(true);
    expect(isRetryableCode('SOMETHING_NEW')).toBe(false);
  });
});
