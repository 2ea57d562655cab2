/** A failed sync request: `status` 0 is a network failure (offline, dropped connection). */
export class SyncHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'SyncHttpError';
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Retry-After in seconds or as an HTTP date. */
function retryAfter(res: Response, now: number): number | undefined {
  const value = res.headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Turns a non-2xx response (the API's `{ error: { code, message, details } }`, or anything else) into an error. */
export async function errorOf(res: Response): Promise<SyncHttpError> {
  let code = `HTTP_${res.status}`;
  let message = res.statusText || code;
  let details: Record<string, unknown> | undefined;
  try {
    const body = (await res.json()) as {
      error?: { code?: string; message?: string; details?: Record<string, unknown> };
    };
    if (body.error?.code) code = body.error.code;
    if (body.error?.message) message = body.error.message;
    details = body.error?.details;
  } catch {
    // Not our error shape (a proxy's page): the status says enough.
  }
  return new SyncHttpError(res.status, code, message, details, retryAfter(res, Date.now()));
}

/** fetch that never throws a bare TypeError: network failures become SyncHttpError(0, 'NETWORK'). */
export async function send(fetchFn: FetchLike, url: string, init: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await fetchFn(url, { credentials: 'same-origin', ...init });
  } catch (error) {
    throw new SyncHttpError(0, 'NETWORK', error instanceof Error ? error.message : String(error));
  }
  if (!res.ok) throw await errorOf(res);
  return res;
}

export async function postJson<T>(fetchFn: FetchLike, url: string, body: unknown, lang?: string): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (lang) headers['accept-language'] = lang;
  const res = await send(fetchFn, url, { method: 'POST', headers, body: JSON.stringify(body) });
  try {
    return (await res.json()) as T;
  } catch (error) {
    // The body was cut off: the request may have been applied, so it is retried like a lost response.
    throw new SyncHttpError(0, 'NETWORK', error instanceof Error ? error.message : String(error));
  }
}
