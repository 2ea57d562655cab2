import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Env, Hono } from 'hono';

/** Files the browser must ask about on every load: they name the hashed assets of the current build. */
const alwaysRevalidate = /^\/(index\.html|sw\.js|registerSW\.js|manifest\.webmanifest|workbox-[\w-]+\.js)$/;

/** How long the browser may keep a file: hashed assets for good, the shell and worker never unchecked. */
export function cacheControlFor(path: string): string {
  if (path.startsWith('/assets/')) return 'public, max-age=31536000, immutable';
  if (alwaysRevalidate.test(path)) return 'no-cache';
  return 'public, max-age=86400';
}

/** A client-side route (`/tickets/T-000042`, `/verify`) rather than a file (`/favicon.ico`, `/x.png`). */
export const isPagePath = (path: string): boolean => !path.startsWith('/assets/') && !/\.[^/]*$/.test(path);

/**
 * Serves the built PWA: precompressed brotli/gzip files when the browser takes them, cache headers by
 * kind of file, the app shell for page routes, and a real 404 for a file that does not exist (a missing
 * icon must not come back as an HTML page with status 200).
 */
export function mountWeb<E extends Env>(app: Hono<E>, dist: string): void {
  const shellPath = join(dist, 'index.html');
  // Set after the file is served (serveStatic's onFound runs once the response exists, too late to add to it).
  app.use('/*', async (c, next) => {
    await next();
    if (c.res.ok && !c.req.path.startsWith('/api/') && !c.res.headers.has('Cache-Control')) {
      c.header('Cache-Control', cacheControlFor(c.req.path === '/' ? '/index.html' : c.req.path));
    }
  });
  app.use('/*', serveStatic({ root: dist, precompressed: true }));
  app.get('*', async (c) => {
    if (!isPagePath(c.req.path)) return c.text('Not found', 404, { 'Cache-Control': 'no-cache' });
    // Read per request: a new build is served without a restart, and the shell is a kilobyte.
    return c.html(await readFile(shellPath, 'utf8'), 200, { 'Cache-Control': 'no-cache' });
  });
}
