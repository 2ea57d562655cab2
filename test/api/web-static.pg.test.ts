import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gzipSync } from 'node:zlib';
import type { Database } from '@mesa/api/db/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../support/api';
import { openTestDatabase } from '../support/db';

let database: Database;
let app: ReturnType<typeof testApp>;
/** The built PWA as vite writes it: the shell, a hashed asset with its brotli and gzip copies, the worker. */
const dist = mkdtempSync(join(tmpdir(), 'mesa-dist-'));
const shell = '<!doctype html><html><head><script type="module" src="/assets/index-abc.js"></script></head></html>';
const script = `console.log(${JSON.stringify('mesa '.repeat(200))})`;

beforeAll(async () => {
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), shell);
  writeFileSync(join(dist, 'assets', 'index-abc.js'), script);
  writeFileSync(join(dist, 'assets', 'index-abc.js.br'), brotliCompressSync(script));
  writeFileSync(join(dist, 'assets', 'index-abc.js.gz'), gzipSync(script));
  writeFileSync(join(dist, 'sw.js'), 'self.addEventListener("fetch", () => {})');
  writeFileSync(join(dist, 'robots.txt'), 'User-agent: *\nAllow: /\n');
  database = await openTestDatabase();
  app = testApp(database, { WEB_DIST: dist });
});
afterAll(async () => {
  await database.close();
  rmSync(dist, { recursive: true, force: true });
});

const get = (path: string, encoding = 'br, gzip') => app.request(path, { headers: { 'accept-encoding': encoding } });

describe('the built PWA', () => {
  it('sends hashed assets brotli-compressed and cacheable for good', async () => {
    const res = await get('/assets/index-abc.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('br');
    expect(res.headers.get('vary')).toContain('Accept-Encoding');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(brotliDecompressSync(Buffer.from(await res.arrayBuffer())).toString()).toBe(script);
  });

  it('falls back to gzip, then to the plain file, by what the browser accepts', async () => {
    expect((await get('/assets/index-abc.js', 'gzip')).headers.get('content-encoding')).toBe('gzip');
    const plain = await get('/assets/index-abc.js', 'identity');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(script);
  });

  it('makes the browser revalidate the shell and the service worker', async () => {
    for (const path of ['/', '/sw.js', '/tickets/T-000042']) {
      expect((await get(path)).headers.get('cache-control'), path).toBe('no-cache');
    }
  });

  it('answers page routes with the shell, unknown files with a real 404', async () => {
    const page = await get('/tickets/T-000042');
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(shell);
    for (const path of ['/favicon.ico', '/logo.png', '/assets/index-old.js', '/.env']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).not.toContain('text/html');
    }
  });

  it('serves robots.txt as text', async () => {
    const res = await get('/robots.txt', 'identity');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toBe('User-agent: *\nAllow: /\n');
  });
});
