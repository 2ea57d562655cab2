import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './context';

const policy = (directives: Record<string, string[]>): string =>
  Object.entries(directives)
    .map(([name, values]) => [name, ...values].join(' '))
    .join('; ');

/**
 * The app's policy: scripts, styles and connections only from our own origin, no inline script or
 * style (the built PWA has none), never framed. Photos and signatures are shown from blob:/data: URLs.
 */
const appDirectives: Record<string, string[]> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'media-src': ["'self'", 'blob:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'worker-src': ["'self'"],
  'manifest-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};
export const APP_CSP = policy(appDirectives);

/** Where the API reference page (Scalar) loads its bundle from, and its default fonts. */
const DOCS_CDN = 'https://cdn.jsdelivr.net';
const DOCS_FONTS = 'https://fonts.scalar.com';

/**
 * The API reference page boots Scalar with one inline module script and loads it from a CDN, and
 * Scalar styles itself at run time: its policy allows exactly that inline script (by hash, computed
 * from the page we send) and the CDN, and inline styles. Nothing else is relaxed.
 */
export function docsCsp(html: string): string {
  const hashes = [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map(
    (m) =>
      `'sha256-${createHash('sha256')
        .update(m[1] ?? '', 'utf8')
        .digest('base64')}'`,
  );
  return policy({
    ...appDirectives,
    'script-src': ["'self'", DOCS_CDN, ...hashes],
    'style-src': ["'self'", "'unsafe-inline'", DOCS_CDN, DOCS_FONTS],
    'font-src': ["'self'", 'data:', DOCS_CDN, DOCS_FONTS],
    'connect-src': ["'self'", DOCS_CDN],
  });
}

/** Sent with every response. */
const EVERY_RESPONSE: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  // Links carry tokens (/verify?token=…, /reset?token=…): never hand our URLs to another site.
  'Referrer-Policy': 'no-referrer',
};

/** Sent with documents and scripts. Camera and location stay available to the app itself: field work needs them. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  ...EVERY_RESPONSE,
  'Permissions-Policy': 'camera=(self), geolocation=(self), microphone=(), payment=(), usb=(), serial=(), hid=()',
  // For browsers older than frame-ancestors.
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/**
 * JSON, images and files are never documents a browser runs: a policy that allows nothing keeps one opened on
 * its own from doing anything, and saves devices ~450 bytes per answer over the document headers (a field edit's
 * push and pulls are three answers).
 */
export const DATA_CSP = "default-src 'none'; frame-ancestors 'none'";

/** Documents get the app's policy; scripts too, since a service worker runs under its own script's policy. */
const isDocumentOrScript = (contentType: string | null) =>
  contentType !== null && /^(text\/html|text\/javascript|application\/javascript)\b/.test(contentType);

/** Security headers on every response of the app: HTML, assets, API answers and errors, the docs page. */
export function securityHeaders(docsPath: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const type = c.res.headers.get('content-type');
    if (!isDocumentOrScript(type)) {
      for (const [name, value] of Object.entries(EVERY_RESPONSE)) c.res.headers.set(name, value);
      c.res.headers.set('Content-Security-Policy', DATA_CSP);
      return;
    }
    let csp = APP_CSP;
    if (c.req.path === docsPath && type?.startsWith('text/html')) {
      // A fresh response around the page we read: the server's may not be read twice.
      const html = await c.res.text();
      c.res = new Response(html, { status: c.res.status, headers: c.res.headers });
      csp = docsCsp(html);
    }
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
    c.res.headers.set('Content-Security-Policy', csp);
  };
}
