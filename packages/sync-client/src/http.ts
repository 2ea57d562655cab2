import { ApiError, parseErrorBody } from '@mesa/core';

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

/** No answer at all (offline, a dropped connection, a body cut off): the request may or may not have run. */
export const networkError = (cause: unknown): ApiError =>
  new ApiError({ code: 'NETWORK', status: 0, message: cause instanceof Error ? cause.message : String(cause) });

/** Turns a non-2xx response (the API's one error shape, or a proxy's page) into the shared ApiError. */
export async function errorOf(res: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    // Not JSON (a proxy's page): parseErrorBody names it from the status.
  }
  const options: Parameters<typeof parseErrorBody>[2] = { requestId: res.headers.get('x-request-id') };
  const wait = retryAfter(res, Date.now());
  if (wait !== undefined) options.retryAfterMs = wait;
  return parseErrorBody(res.status, body, options);
}

/** fetch that never throws a bare TypeError: network failures become ApiError NETWORK. */
export async function send(fetchFn: FetchLike, url: string, init: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await fetchFn(url, { credentials: 'same-origin', ...init });
  } catch (error) {
    throw networkError(error);
  }
  if (!res.ok) throw await errorOf(res);
  return res;
}

function postInit(body: unknown, lang: string | undefined): RequestInit {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (lang) headers['accept-language'] = lang;
  return { method: 'POST', headers, body: JSON.stringify(body) };
}

export async function postJson<T>(fetchFn: FetchLike, url: string, body: unknown, lang?: string): Promise<T> {
  const res = await send(fetchFn, url, postInit(body, lang));
  try {
    return (await res.json()) as T;
  } catch (error) {
    // The body was cut off: the request may have been applied, so it is retried like a lost response.
    throw networkError(error);
  }
}

/** An answer whose headers arrived: `read()` downloads and parses the body. */
export interface EarlyAnswer<T> {
  headers: Headers;
  /** The body, and how many bytes it had (as decoded by the browser), for progress. */
  read(): Promise<{ body: T; bytes: number }>;
}

/** As postJson, resolving as soon as the headers are in (the body may still be on its way). */
export async function postJsonEarly<T>(
  fetchFn: FetchLike,
  url: string,
  body: unknown,
  lang?: string,
): Promise<EarlyAnswer<T>> {
  const res = await send(fetchFn, url, postInit(body, lang));
  return {
    headers: res.headers,
    async read() {
      try {
        const raw = await res.arrayBuffer();
        return { body: JSON.parse(new TextDecoder().decode(raw)) as T, bytes: raw.byteLength };
      } catch (error) {
        throw networkError(error);
      }
    },
  };
}
