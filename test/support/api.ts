import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '@mesa/api/app';
import type { Database } from '@mesa/api/db/client';
import { testEnv } from '@mesa/api/env';
import { createLogger } from '@mesa/api/logger';
import { createReference } from '@mesa/api/services/reference-service';
import { PASSWORD } from './world';

export interface Reply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

// Files the app keeps under DATA_DIR (the embedded database's upload pieces) belong to the test run, never to
// the checkout: one scratch folder per test process, removed when it exits.
let scratch: string | undefined;
const scratchDataDir = () => {
  if (!scratch) {
    const dir = mkdtempSync(join(tmpdir(), 'mesa-test-data-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    scratch = dir;
  }
  return scratch;
};

/** The real app in-process, with no cache between requests so every test sees its own writes. */
export function testApp(database: Database, overrides: Record<string, string> = {}) {
  const env = testEnv({ DATA_DIR: scratchDataDir(), ...overrides });
  return createApp({
    database,
    env,
    log: createLogger('silent'),
    reference: createReference(database.db, 0),
    publicUrl: 'http://mesa.test',
  });
}

type App = ReturnType<typeof testApp>;

/** A browser-like client: keeps the session cookie, speaks a language. */
export function client(app: App, lang: 'es' | 'en' = 'en') {
  let cookie = '';
  const send = async <T = any>(method: string, path: string, body?: unknown, raw?: string): Promise<Reply<T>> => {
    const headers: Record<string, string> = { 'accept-language': lang };
    if (cookie) headers.cookie = cookie;
    if (body !== undefined || raw !== undefined) headers['content-type'] = 'application/json';
    const res = await app.request(path, {
      method,
      headers,
      ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const set = res.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0]!.endsWith('=') ? '' : set.split(';')[0]!;
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T, headers: res.headers };
  };
  return {
    get: <T = any>(path: string) => send<T>('GET', path),
    post: <T = any>(path: string, body?: unknown) => send<T>('POST', path, body ?? {}),
    patch: <T = any>(path: string, body: unknown) => send<T>('PATCH', path, body),
    put: <T = any>(path: string, body: unknown) => send<T>('PUT', path, body),
    delete: <T = any>(path: string) => send<T>('DELETE', path),
    raw: <T = any>(method: string, path: string, raw: string) => send<T>(method, path, undefined, raw),
    async login(email: string, password = PASSWORD) {
      const r = await send('POST', '/api/auth/login', { email, password });
      if (r.status !== 200) throw new Error(`login ${email} failed: ${JSON.stringify(r.body)}`);
      return this;
    },
  };
}

export type Client = ReturnType<typeof client>;

/** Logged-in clients for every user of the world. */
export async function clientsFor<K extends string>(app: App, emails: Record<K, string>): Promise<Record<K, Client>> {
  const entries = await Promise.all(
    (Object.entries(emails) as Array<[K, string]>).map(
      async ([k, email]) => [k, await client(app).login(email)] as const,
    ),
  );
  return Object.fromEntries(entries) as Record<K, Client>;
}
