import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { DEVICE_COOKIE } from '../services/device-service';
import { loadActor, SESSION_COOKIE } from '../services/session-service';
import { clientAddress } from './client-address';
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

/** Secure when served over HTTPS directly or behind a trusted TLS-terminating proxy. */
const isHttps = (c: Context<AppEnv>, deps: Deps): boolean =>
  deps.env.TRUST_PROXY > 0 ? c.req.header('x-forwarded-proto') === 'https' : c.req.url.startsWith('https:');

export function setSessionCookie(c: Context<AppEnv>, deps: Deps, token: string, expires: Date): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: isHttps(c, deps),
    path: '/',
    expires,
  });
}

export const clearSessionCookie = (c: Context<AppEnv>): void => {
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
};

/** The remembered-device cookie: sent only to the auth routes, kept across logouts (it proves nothing but a past login). */
export const deviceCookie = (c: Context<AppEnv>): string | undefined => {
  const value = getCookie(c, DEVICE_COOKIE);
  return value && value.length <= 100 ? value : undefined;
};

export function setDeviceCookie(c: Context<AppEnv>, deps: Deps, token: string, expires: Date): void {
  setCookie(c, DEVICE_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: isHttps(c, deps),
    path: '/api/auth',
    expires,
  });
}

const socketAddress = (c: Context<AppEnv>): string | undefined => {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined; // in-process requests (tests) have no socket
  }
};

/** The caller's address for throttling (see clientAddress for which X-Forwarded-For entry counts). */
export const requestAddress = (c: Context<AppEnv>, deps: Deps): string | null =>
  clientAddress(c.req.header('x-forwarded-for'), socketAddress(c), deps.env.TRUST_PROXY);
