import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Database } from '@mesa/api/db/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../support/api';
import { openTestDatabase } from '../support/db';
import { loginCookie, request } from '../support/http';
import { buildWorld } from '../support/world';

let database: Database;
let app: ReturnType<typeof testApp>;
let cookie: string;
/** A stand-in for the built PWA: its shell and one hashed asset, as vite writes them. */
const dist = mkdtempSync(join(tmpdir(), 'mesa-dist-'));

beforeAll(async () => {
  mkdirSync(join(dist, 'assets'));
  writeFileSync(
    join(dist, 'index.html'),
    '<!doctype html><html><head><script type="module" src="/assets/index-abc.js"></script></head><body><div id="root"></div></body></html>',
  );
  writeFileSync(join(dist, 'assets', 'index-abc.js'), 'console.log("mesa")');
  database = await openTestDatabase();
  await buildWorld(database);
  app = testApp(database, { WEB_DIST: dist });
  cookie = (await loginCookie(app, 'ana@acme.test')).cookie;
});
afterAll(async () => {
  await database.close();
  rmSync(dist, { recursive: true, force: true });
});

const APP_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; " +
  "font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; " +
  "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
const COMMON = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'permissions-policy': 'camera=(self), geolocation=(self), microphone=(), payment=(), usb=(), serial=(), hid=()',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};
/** JSON answers are never documents: a policy that allows nothing, without the document-only headers. */
const DATA_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'permissions-policy': null,
  'x-frame-options': null,
  'cross-origin-opener-policy': null,
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};
const securityHeadersOf = (headers: Headers) =>
  Object.fromEntries([...Object.keys(COMMON), 'content-security-policy'].map((h) => [h, headers.get(h)]));

describe('security', () => {
  it('sends the security headers and the strict policy on every response of the app', async () => {
    const responses: Array<[string, string, Record<string, string>]> = [
      ['GET', '/', {}],
      ['GET', '/tickets/T-000042', {}],
      ['GET', '/assets/index-abc.js', {}],
      ['GET', '/api/health', {}],
      ['GET', '/api/openapi.json', {}],
      ['GET', '/api/tickets', { cookie }],
      ['GET', '/api/auth/me', {}],
      ['GET', '/api/nope', {}],
      ['POST', '/api/tickets', { cookie, origin: 'https://evil.example' }],
    ];
    const documents = new Set(['/', '/tickets/T-000042', '/assets/index-abc.js']);
    const seen: string[] = [];
    for (const [method, path, headers] of responses) {
      const r = await request(app, method, path, {
        headers,
        ...(method === 'POST' ? { contentType: 'application/json', body: '{}' } : {}),
      });
      seen.push(`${method} ${path} ${r.status}`);
      expect(securityHeadersOf(r.headers), path).toEqual(
        documents.has(path) ? { ...COMMON, 'content-security-policy': APP_CSP } : DATA_HEADERS,
      );
    }
    expect(seen).toEqual([
      'GET / 200',
      'GET /tickets/T-000042 200',
      'GET /assets/index-abc.js 200',
      'GET /api/health 200',
      'GET /api/openapi.json 200',
      'GET /api/tickets 200',
      'GET /api/auth/me 401',
      'GET /api/nope 404',
      'POST /api/tickets 403',
    ]);
  });

  it('behind a trusted proxy, takes the origin the browser used (forwarded scheme and host), and no other', async () => {
    const proxied = testApp(database, { TRUST_PROXY: '1', WEB_DIST: dist });
    const post = (origin: string, forwarded: Record<string, string>) =>
      request(proxied, 'POST', '/api/auth/logout', { headers: { origin, ...forwarded } });
    const https = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'desk.example.com' };
    expect((await post('https://desk.example.com', https)).status).toBe(204);
    expect((await post('http://desk.example.com', https)).status).toBe(403);
    expect((await post('https://evil.example', https)).status).toBe(403);
    // Without a trusted proxy the forwarded headers are anyone's: only the address itself counts.
    expect(
      (await request(app, 'POST', '/api/auth/logout', { headers: { origin: 'https://desk.example.com', ...https } }))
        .status,
    ).toBe(403);
  });

  it('gives the API reference page a policy that allows only its own inline script, by hash', async () => {
    const r = await request(app, 'GET', '/api/docs');
    expect(r.status).toBe(200);
    const html = r.body as string;
    const inline = [...html.matchAll(/<script type="module">([\s\S]*?)<\/script>/g)].map((m) => m[1] as string);
    expect(inline).toHaveLength(1);
    const hash = createHash('sha256')
      .update(inline[0] as string)
      .digest('base64');
    const { 'content-security-policy': csp, ...rest } = securityHeadersOf(r.headers);
    expect(rest).toEqual(COMMON);
    const directives = Object.fromEntries(
      (csp as string).split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]),
    );
    expect(directives).toMatchObject({
      'script-src': `'self' https://cdn.jsdelivr.net 'sha256-${hash}'`,
      'style-src': "'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.scalar.com",
      'frame-ancestors': "'none'",
      'object-src': "'none'",
    });
  });

  it('sends them over real HTTP too (the Node server), docs page included', async () => {
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const shell = await fetch(`${base}/`);
      expect(securityHeadersOf(shell.headers)).toEqual({ ...COMMON, 'content-security-policy': APP_CSP });
      const docs = await fetch(`${base}/api/docs`);
      const html = await docs.text();
      const inline = /<script type="module">([\s\S]*?)<\/script>/.exec(html)?.[1] as string;
      const hash = createHash('sha256').update(inline).digest('base64');
      const { 'content-security-policy': csp, ...rest } = securityHeadersOf(docs.headers);
      expect(rest).toEqual(COMMON);
      expect(csp).toContain(`script-src 'self' https://cdn.jsdelivr.net 'sha256-${hash}'`);
      expect(html).toContain('/api/openapi.json');
    } finally {
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
