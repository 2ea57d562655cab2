import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { postgresDatabase } from '@mesa/api/db/client';
import { Hono } from 'hono';
import type { BrowserContext, Page } from 'playwright-core';
import postgres from 'postgres';
import { scratchDatabase } from '../../bench/scratch-database';
import { testApp } from './api';
import { seedTickets } from './bench-seed';
import { openProfile } from './browser';
import { buildWeb } from './web-build';
import { buildWorld, PASSWORD } from './world';

/** Polls `check` until it returns a value (not undefined/false), or throws after `ms`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, ms = 120_000) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface BenchDevice {
  url: string;
  page: Page;
  context: BrowserContext;
  userId: string;
  /** Rows the device holds, counted with raw IndexedDB (what the bench checks was really done). */
  deviceTickets(): Promise<number>;
  close(): Promise<void>;
}

/**
 * A supervisor's device holding `tickets` tickets: a scratch Postgres database seeded like a desk, the
 * production build of the PWA served by the real API, and a Chromium profile that logged in through the
 * form and finished its first sync (and whose service worker controls the page, so it can go offline).
 * `extraPages` are served beside the app for a bench's raw baseline (path → HTML), outside the API's CSP.
 */
export async function benchDevice(opts: {
  tickets: number;
  articlesPerTicket: number;
  extraPages?: Record<string, string>;
}): Promise<BenchDevice> {
  const scratch = scratchDatabase('mesa_bench_web');
  await scratch.recreate();
  const database = postgresDatabase(scratch.url);
  await database.migrate();
  const world = await buildWorld(database);
  const sql = postgres(scratch.url, { max: 4, onnotice: () => {} });
  await seedTickets(sql, world, {
    tickets: opts.tickets,
    articlesPerTicket: opts.articlesPerTicket,
    ticketsPerCommit: 50,
  });
  await sql`vacuum analyze`;
  await sql.end();

  const dist = await buildWeb();
  const api = testApp(database, { WEB_DIST: dist });
  const app = new Hono();
  for (const [path, html] of Object.entries(opts.extraPages ?? {})) app.get(path, (c) => c.html(html));
  app.all('*', (c) => api.fetch(c.req.raw));
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const profile = mkdtempSync(join(tmpdir(), 'mesa-bench-profile-'));
  const context = await openProfile(profile, { viewport: { width: 1280, height: 900 } });
  const page = context.pages()[0] ?? (await context.newPage());
  const userId = world.users.supervisor.id;
  const deviceTickets = () =>
    page.evaluate(
      (name) =>
        new Promise<number>((resolve) => {
          const open = indexedDB.open(name);
          open.onsuccess = () => {
            const db = open.result;
            if (!db.objectStoreNames.contains('tickets')) return resolve(0);
            const count = db.transaction('tickets').objectStore('tickets').count();
            count.onsuccess = () => {
              resolve(count.result);
              db.close();
            };
          };
          open.onerror = () => resolve(0);
        }),
      `mesa-sync-${userId}`,
    );

  await page.goto(`${url}/login`);
  await page.locator('main input[type=email]').fill(world.users.supervisor.email);
  await page.locator('main input[type=password]').fill(PASSWORD);
  await page.locator('main button[type=submit]').click();
  await waitFor('the first sync', async () => (await deviceTickets()) >= opts.tickets, 300_000);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.reload();
  await waitFor('the service worker', () => page.evaluate(() => Boolean(navigator.serviceWorker.controller)));

  return {
    url,
    page,
    context,
    userId,
    deviceTickets,
    async close() {
      await context.close();
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await database.close();
      await scratch.drop();
      rmSync(profile, { recursive: true, force: true });
      rmSync(dist, { recursive: true, force: true });
    },
  };
}

export const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? Number.NaN;
