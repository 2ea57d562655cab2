import type { Reply, testApp } from './api';
import { PASSWORD } from './world';

type App = ReturnType<typeof testApp>;

/**
 * One request with nothing implicit: an explicit cookie, content type and raw body.
 * For what the browser-like client hides (replaying an old cookie, a non-JSON body).
 */
export async function request(
  app: App,
  method: string,
  path: string,
  opts: { cookie?: string; body?: string; contentType?: string; lang?: string; headers?: Record<string, string> } = {},
): Promise<Reply<any>> {
  const headers: Record<string, string> = { 'accept-language': opts.lang ?? 'en', ...opts.headers };
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.contentType) headers['content-type'] = opts.contentType;
  const res = await app.request(path, { method, headers, ...(opts.body === undefined ? {} : { body: opts.body }) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON (e.g. the docs page): keep the text
  }
  return { status: res.status, body, headers: res.headers };
}

/** Logs in and returns the raw `name=value` session cookie and the Set-Cookie header it came in. */
export async function loginCookie(app: App, email: string, password = PASSWORD) {
  const r = await request(app, 'POST', '/api/auth/login', {
    contentType: 'application/json',
    body: JSON.stringify({ email, password }),
  });
  if (r.status !== 200) throw new Error(`login ${email} failed: ${JSON.stringify(r.body)}`);
  const setCookie = r.headers.get('set-cookie') ?? '';
  return { cookie: setCookie.split(';')[0]!, setCookie };
}
