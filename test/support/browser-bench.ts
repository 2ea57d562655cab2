import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import type { Database } from '@mesa/api/db/client';
import { Hono } from 'hono';
import { build } from 'vite';
import { testApp } from './api';

export { launchChromium } from './browser';

/**
 * Helpers for benchmarks that run the real sync client in a real browser (bench/sync-*.ts). They live
 * here because bench/ resolves packages from the workspace root, and the browser tooling belongs to the
 * test package.
 */

const syncClientEntry = fileURLToPath(new URL('../../packages/sync-client/src/index.ts', import.meta.url));

/** Bundles @mesa/sync-client for the browser (window.SyncClient) with an empty page: path → file. */
export async function bundleSyncClient(): Promise<Map<string, { type: string; body: Buffer }>> {
  const dir = await mkdtemp(join(tmpdir(), 'mesa-bench-client-'));
  try {
    await writeFile(
      join(dir, 'entry.ts'),
      `import { SyncClient } from ${JSON.stringify(syncClientEntry)};\n(window as any).SyncClient = SyncClient;\n`,
    );
    await writeFile(
      join(dir, 'index.html'),
      '<!doctype html><html><head><meta charset="utf-8"><title>bench</title>' +
        '<script type="module" src="./entry.ts"></script></head><body></body></html>',
    );
    const outDir = join(dir, 'dist');
    await build({ root: dir, configFile: false, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
    const files = new Map<string, { type: string; body: Buffer }>();
    const walk = async (at: string): Promise<void> => {
      for (const entry of await readdir(at, { withFileTypes: true })) {
        const path = join(at, entry.name);
        if (entry.isDirectory()) await walk(path);
        else {
          const type = types[extname(path)] ?? 'application/octet-stream';
          files.set(`/${relative(outDir, path)}`, { type, body: await readFile(path) });
        }
      }
    };
    await walk(outDir);
    return files;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The real API and the bundled page on one loopback origin, as the PWA is served in production (the
 * session cookie and the sync requests stay same-origin).
 */
export async function serveApiAndPage(database: Database, files: Map<string, { type: string; body: Buffer }>) {
  const api = testApp(database);
  const app = new Hono();
  app.all('/api/*', (c) => api.fetch(c.req.raw, c.env));
  app.get('*', (c) => {
    const file = files.get(c.req.path === '/' ? '/index.html' : c.req.path);
    if (!file) return c.notFound();
    return c.body(new Uint8Array(file.body), 200, { 'content-type': file.type });
  });
  type Server = ReturnType<typeof serve>;
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async close() {
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
