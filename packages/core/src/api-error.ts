import { type ErrorCode, errorStatus } from './errors';

/** `NETWORK`: no answer from the API (offline, DNS, a dropped connection, a gateway whose API is down). */
export type ApiErrorCode = ErrorCode | 'NETWORK';

export interface ApiErrorInit {
  code: ApiErrorCode;
  message: string;
  /** 0 when no HTTP response arrived. For logs only: callers branch on `code`. */
  status: number;
  details?: unknown;
  requestId?: string | null;
  /** From a Retry-After header, when the server sent one. */
  retryAfterMs?: number;
}

/**
 * What every failed API call becomes, in the PWA and in the sync client alike: branch on `code` (the
 * server's own, or NETWORK), show `message` (already in the user's language when the API wrote it).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly details: unknown;
  readonly requestId: string | null;
  readonly retryAfterMs: number | undefined;

  constructor(init: ApiErrorInit) {
    super(init.message);
    this.code = init.code;
    this.status = init.status;
    this.details = init.details;
    this.requestId = init.requestId ?? null;
    this.retryAfterMs = init.retryAfterMs;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

export interface ParseErrorOptions {
  /** Shown when a gateway answered for an unreachable API. */
  networkMessage?: string;
  /** Shown for an answer that is not the API's error shape. */
  unexpectedMessage?: string;
  /** The X-Request-Id header, when the body carries none. */
  requestId?: string | null;
  retryAfterMs?: number;
}

/**
 * Reads the API's one error shape `{ error: { code, message, details?, requestId } }` from a failed
 * response's status and parsed body. Anything else came from something in between (a proxy, a gateway)
 * and still gets a code: a gateway error is NETWORK (the API is unreachable), a proxy's size limit
 * PAYLOAD_TOO_LARGE, the rest INTERNAL.
 */
export function parseErrorBody(status: number, body: unknown, options: ParseErrorOptions = {}): ApiError {
  const { requestId = null, retryAfterMs } = options;
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    const init: ApiErrorInit = {
      code: error.code as ErrorCode,
      message: error.message,
      status,
      details: error.details,
      requestId: typeof error.requestId === 'string' ? error.requestId : requestId,
    };
    if (retryAfterMs !== undefined) init.retryAfterMs = retryAfterMs;
    return new ApiError(init);
  }
  const network = [502, 503, 504].includes(status);
  const code: ApiErrorCode = network ? 'NETWORK' : status === 413 ? 'PAYLOAD_TOO_LARGE' : 'INTERNAL';
  const message = network
    ? (options.networkMessage ?? 'The server cannot be reached.')
    : (options.unexpectedMessage ?? `Unexpected answer from the server (HTTP ${status}).`);
  const init: ApiErrorInit = { code, message, status, requestId };
  if (retryAfterMs !== undefined) init.retryAfterMs = retryAfterMs;
  return new ApiError(init);
}

/**
 * Codes worth sending again unchanged later: no answer, a rate limit, a busy or failing server. Every
 * other code is an answer about the request itself, which a retry cannot change.
 */
export function isRetryableCode(code: ApiErrorCode | string): boolean {
  if (code === 'NETWORK') return true;
  const status = (errorStatus as Record<string, number | undefined>)[code];
  return status !== undefined && (status === 429 || status >= 500);
}
