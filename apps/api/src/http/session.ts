import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { loadActor, SESSION_COOKIE } from '../services/session-service';
import type { AppEnv, Deps } from './context';
import { pickLanguage } from './language';

/** Loads the caller (or null) and the language every error and mail is written in. */
export const sessionMiddleware =
  (deps: Deps): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE);
    const actor = token && token.length <= 100 ? await loadActor(deps.database.db, token) : null;
    c.set('actor', actor);
    c.set('lang', pickLanguage(c.req.header('accept-language'), actor?.language ?? 'es'));
    await next();
  };

export function setSessionCookie(c: Context<AppEnv>, deps: Deps, token: string, expires: Date): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    // Secure when served over HTTPS directly or behind a TLS-terminating proxy.
    secure: deps.env.TRUST_PROXY ? c.req.header('x-forwarded-proto') === 'https' : c.req.url.startsWith('https:'),
    path: '/',
    expires,
  });
}

export const clearSessionCookie = (c: Context<AppEnv>): void => {
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
};

/** The client address for throttling: the socket's, or the proxy's first hop when trusted. */
export function clientIp(c: Context<AppEnv>, trustProxy: boolean, socketIp: string | undefined): string | null {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  return socketIp ?? null;
}
