import { AppError, type ErrorBody, ErrorCode, errorStatus, type Language, messageFor } from '@mesa/core';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import type { Logger } from '../logger';
import type { AppEnv } from './context';

/** Postgres SQLSTATEs that are the caller's fault, not ours. */
const pgCodes: Record<string, ErrorCode> = {
  '23503': ErrorCode.REFERENCE_NOT_FOUND, // foreign_key_violation
  '22P02': ErrorCode.VALIDATION_FAILED, // invalid_text_representation (e.g. a bad uuid)
  '22001': ErrorCode.VALIDATION_FAILED, // string_data_right_truncation
  '22021': ErrorCode.VALIDATION_FAILED, // character_not_in_repertoire (a NUL byte in text)
  '22P05': ErrorCode.VALIDATION_FAILED, // untranslatable_character (\u0000 in jsonb)
  '57P01': ErrorCode.DATABASE_UNAVAILABLE, // admin_shutdown
  '53300': ErrorCode.DATABASE_UNAVAILABLE, // too_many_connections
};

export const pgCode = (e: unknown): string | undefined => {
  // drizzle wraps driver errors; the SQLSTATE sits on the error or its cause.
  for (let cur: unknown = e, i = 0; cur && i < 4; cur = (cur as { cause?: unknown }).cause, i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    if (code === 'ECONNREFUSED' || code === 'CONNECTION_CLOSED') return '57P01';
  }
  return undefined;
};

/** Unique indexes a concurrent request can hit after the service's own check passed (check-then-insert race). */
const uniqueIndexes: Record<string, ErrorCode> = { users_email_key: ErrorCode.EMAIL_TAKEN };

const pgConstraint = (e: unknown): string | undefined => {
  for (let cur: unknown = e, i = 0; cur && i < 4; cur = (cur as { cause?: unknown }).cause, i++) {
    // postgres-js says constraint_name, PGlite says constraint.
    const name = (cur as { constraint_name?: unknown }).constraint_name ?? (cur as { constraint?: unknown }).constraint;
    if (typeof name === 'string') return name;
  }
  return undefined;
};

export function toAppError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  if (err instanceof HTTPException) {
    if (err.status === 413) return new AppError(ErrorCode.PAYLOAD_TOO_LARGE);
    // A body that is not declared as JSON (text/plain, no content type) cannot be JSON input.
    if (err.status === 415) return new AppError(ErrorCode.MALFORMED_JSON, err.message);
    if (err.status === 400 && /json/i.test(err.message)) return new AppError(ErrorCode.MALFORMED_JSON);
    if (err.status === 400) return new AppError(ErrorCode.VALIDATION_FAILED, err.message);
    if (err.status === 401) return new AppError(ErrorCode.UNAUTHENTICATED);
    if (err.status === 403) return new AppError(ErrorCode.FORBIDDEN);
    if (err.status === 404) return new AppError(ErrorCode.NOT_FOUND);
    return null;
  }
  const code = pgCode(err);
  if (code === '23505') {
    const mapped = uniqueIndexes[pgConstraint(err) ?? ''];
    if (mapped) return new AppError(mapped);
  }
  if (code && pgCodes[code]) return new AppError(pgCodes[code]);
  return null;
}

export function zodDetails(error: ZodError): { issues: Array<{ path: string; message: string; code: string }> } {
  return { issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, code: i.code })) };
}

export function errorResponse(c: Context<AppEnv>, err: AppError): Response {
  const lang: Language = c.get('lang') ?? 'es';
  const body: ErrorBody = {
    error: {
      code: err.code,
      // A typed error may carry a specific message (English, for developers) in details; users get their language.
      message: messageFor(err.code, lang, err.details),
      ...(err.details === undefined ? {} : { details: err.details }),
      requestId: c.get('requestId') ?? 'unknown',
    },
  };
  const status = errorStatus[err.code];
  if (
    err.code === ErrorCode.RATE_LIMITED ||
    err.code === ErrorCode.SERVER_BUSY ||
    err.code === ErrorCode.UPLOAD_QUOTA_EXCEEDED
  ) {
    const retry = (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
    if (retry) c.header('Retry-After', String(retry));
  }
  return c.json(body, status);
}

export const onError =
  (log: Logger) =>
  (err: unknown, c: Context<AppEnv>): Response => {
    const app = toAppError(err);
    if (app) return errorResponse(c, app);
    log.error('unhandled error', {
      requestId: c.get('requestId'),
      path: c.req.path,
      error: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
    return errorResponse(c, new AppError(ErrorCode.INTERNAL));
  };
