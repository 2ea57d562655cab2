import { ApiError, type ApiErrorCode, type ApiErrorInit, AppError, messageFor, parseErrorBody } from '@mesa/core';
import { language, t } from './i18n';

/**
 * Every failed API call rejects with core's ApiError, the same type the sync client throws: branch on
 * `code`, show `message` (already localized).
 */
export { ApiError, type ApiErrorCode, type ApiErrorInit };

export interface List<T> {
  items: T[];
  nextCursor?: string | null;
}

type Query = Record<string, string | number | null | undefined>;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  query?: Query;
  signal?: AbortSignal;
}

let onUnauthenticated: (() => void) | undefined;

/** Lets the session drop the current user when any call reports an expired session. */
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

/** Calls `/api{path}` and resolves with the parsed JSON body (`undefined` for empty bodies). */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers = new Headers({ Accept: 'application/json', 'Accept-Language': language() });
  const init: RequestInit = { method: options.method ?? 'GET', headers, credentials: 'same-origin' };
  if (options.body !== undefined) {
    headers.set('Content-Type', 'application/json');
    init.body = JSON.stringify(options.body);
  }
  if (options.signal) init.signal = options.signal;

  let response: Response;
  try {
    response = await fetch(apiUrl(path, options.query), init);
  } catch (cause) {
    if (options.signal?.aborted) throw cause;
    throw new ApiError({ code: 'NETWORK', message: t('error.network'), status: 0 });
  }

  const text = await response.text().catch(() => '');
  const body = parseJson(text);
  if (response.ok) {
    if (text && body === undefined) throw unexpected(response);
    return body as T;
  }
  const error = toApiError(response, body);
  if (error.code === 'UNAUTHENTICATED') onUnauthenticated?.();
  throw error;
}

/** Normalizes anything thrown to an `ApiError` so screens only handle one shape. */
export function asApiError(cause: unknown): ApiError {
  if (cause instanceof ApiError) return cause;
  // A mutator refused on the device says what the server would have said, in the user's language.
  if (cause instanceof AppError) {
    const message = messageFor(cause.code, language(), cause.details);
    return new ApiError({ code: cause.code, message, status: 0, details: cause.details });
  }
  console.error(cause);
  return new ApiError({ code: 'INTERNAL', message: t('error.unexpected'), status: 0 });
}

function apiUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return `/api${path}${search ? `?${search}` : ''}`;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toApiError(response: Response, body: unknown): ApiError {
  // A gateway's page (the API unreachable) is NETWORK; the API's own shape keeps its code.
  return parseErrorBody(response.status, body, {
    networkMessage: t('error.network'),
    unexpectedMessage: t('error.unexpected'),
    requestId: response.headers.get('X-Request-Id'),
  });
}

function unexpected(response: Response): ApiError {
  return new ApiError({
    code: 'INTERNAL',
    message: t('error.unexpected'),
    status: response.status,
    requestId: response.headers.get('X-Request-Id'),
  });
}
