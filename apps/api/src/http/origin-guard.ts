import { AppError, ErrorCode } from '@mesa/core';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv, Deps } from './context';

/** Methods that change something: these must come from the app's own pages. */
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The origin the caller used to reach us: the URL's or, behind trusted proxies, the scheme and host the
 * outermost one received (the first entry; a page cannot add these headers without a CORS preflight).
 */
function ownOrigin(c: Context<AppEnv>, trustedProxies: number): string | null {
  try {
    const url = new URL(c.req.url);
    if (trustedProxies === 0) return url.origin;
    const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() || url.protocol.replace(/:$/, '');
    const host = c.req.header('x-forwarded-host')?.split(',')[0]?.trim() || c.req.header('host') || url.host;
    return new URL(`${proto}://${host}`).origin;
  } catch {
    return null;
  }
}

/**
 * Refuses a state-changing request that another site's page sent with the user's cookie (CSRF): its
 * `Origin` is neither PUBLIC_URL's origin nor the one the request was addressed to, or, without an
 * Origin, the browser's `Sec-Fetch-Site` says `cross-site` or `same-site` (a sibling subdomain is
 * another app too). No Origin and no Sec-Fetch-Site is not a browser page (curl, server-to-server):
 * it carries no ambient cookie it did not choose to send, so it passes.
 */
export function originGuard(deps: Deps): MiddlewareHandler<AppEnv> {
  const publicOrigin = new URL(deps.publicUrl).origin;
  return async (c, next) => {
    if (!UNSAFE.has(c.req.method)) return next();
    const origin = c.req.header('origin');
    if (origin !== undefined) {
      if (origin === publicOrigin || origin === ownOrigin(c, deps.env.TRUST_PROXY)) return next();
      throw new AppError(ErrorCode.CROSS_SITE_REQUEST_REFUSED, 'foreign Origin', { origin });
    }
    const site = c.req.header('sec-fetch-site');
    if (site === 'cross-site' || site === 'same-site') {
      throw new AppError(ErrorCode.CROSS_SITE_REQUEST_REFUSED, 'cross-site request', { secFetchSite: site });
    }
    return next();
  };
}
