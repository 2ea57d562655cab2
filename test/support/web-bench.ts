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
import { buildWorld, PASSWORD, type World } from './world';

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

export interface BenchSite {
  url: string;
  world: World;
  /** The scratch database (for a raw baseline reading the same rows). */
  databaseUrl: string;
  close(): Promise<void>;
}

/**
 * A scratch Postgres database seeded like a desk and the production build of the PWA served by the real
 * API. `extraPages` are served beside the app for a bench's raw baseline (path → HTML), outside the API's
 * CSP; `extraRoutes` may add any other handler (e.g. raw rows as JSON).
 */
export async function benchSite(opts: {
  tickets: number;
  articlesPerTicket: number;
  ticketsPerCommit?: number;
  extraPages?: Record<string, string>;
  extraRoutes?: (app: Hono, sql: postgres.Sql) => void;
}): Promise<BenchSite> {
  const scratch = scratchDatabase('mesa_bench_web');
  await scratch.recreate();
  const database = postgresDatabase(scratch.url);
  await database.migrate();
  const world = await buildWorld(database);
  const sql = postgres(scratch.url, { max: 4, onnotice: () => {} });
  await seedTickets(sql, world, {
    tickets: opts.tickets,
    articlesPerTicket: opts.articlesPerTicket,
    ticketsPerCommit: opts.ticketsPerCommit ?? 50,
  });
  await sql`vacuum analyze`;

  const dist = await buildWeb();
  const api = testApp(database, { WEB_DIST: dist });
  const app = new Hono();
  for (const [path, html] of Object.entries(opts.extraPages ?? {})) app.get(path, (c) => c.html(html));
  opts.extraRoutes?.(app, sql);
  app.all('*', (c) => api.fetch(c.req.raw));
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    world,
    databaseUrl: scratch.url,
    async close() {
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sql.end();
      await database.close();
      await scratch.drop();
      rmSync(dist, { recursive: true, force: true });
    },
  };
}

/** Counts a user's device records with raw IndexedDB in the page (what a bench checks was really done). */
export function countDeviceRecords(page: Page, userId: string): Promise<{ tickets: number; articles: number }> {
  return page.evaluate(
    (name) =>
      new Promise<{ tickets: number; articles: number }>((resolve) => {
        const open = indexedDB.open(name);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('ticketBuckets')) {
            db.close();
            return resolve({ tickets: 0, articles: 0 });
          }
          // The device keeps rows in buckets (sync-client's buckets.ts): count the rows inside them.
          const tx = db.transaction(['ticketBuckets', 'detailBuckets']);
          const tickets = tx.objectStore('ticketBuckets').getAll();
          const details = tx.objectStore('detailBuckets').getAll();
          tx.oncomplete = () => {
            type Bucket<T> = { rows?: Record<string, T>; tickets?: Record<string, { articles: unknown[] }> };
            const ticketCount = (tickets.result as Bucket<unknown>[]).reduce(
              (n, b) => n + Object.keys(b.rows ?? {}).length,
              0,
            );
            const articles = (details.result as Bucket<unknown>[]).reduce(
              (n, b) => n + Object.values(b.tickets ?? {}).reduce((m, d) => m + d.articles.length, 0),
              0,
            );
            resolve({ tickets: ticketCount, articles });
            db.close();
          };
        };
        open.onerror = () => resolve({ tickets: 0, articles: 0 });
      }),
    `mesa-sync-${userId}`,
  );
}

export interface BenchDevice {
  url: string;
  page: Page;
  context: BrowserContext;
  userId: string;
  /** Tickets the device holds after its first sync (checked equal to what was seeded), counted with raw IndexedDB. */
  held: number;
  close(): Promise<void>;
}

/**
 * A supervisor's device holding `tickets` tickets on a bench site (see benchSite): a Chromium profile that
 * logged in through the form and finished its first sync (and whose service worker controls the page, so
 * it can go offline).
 */
export async function benchDevice(opts: {
  tickets: number;
  articlesPerTicket: number;
  extraPages?: Record<string, string>;
}): Promise<BenchDevice> {
  const site = await benchSite(opts);
  const { url, world } = site;
  const profile = mkdtempSync(join(tmpdir(), 'mesa-bench-profile-'));
  const context = await openProfile(profile, { viewport: { width: 1280, height: 900 } });
  const page = context.pages()[0] ?? (await context.newPage());
  const userId = world.users.supervisor.id;
  const deviceTickets = async () => (await countDeviceRecords(page, userId)).tickets;

  await page.goto(`${url}/login`);
  await page.locator('main input[type=email]').fill(world.users.supervisor.email);
  await page.locator('main input[type=password]').fill(PASSWORD);
  await page.locator('main button[type=submit]').click();
  await waitFor('the first sync', async () => (await deviceTickets()) >= opts.tickets, 300_000);
  const held = await deviceTickets();
  if (held !== opts.tickets) throw new Error(`the device holds ${held} tickets, not ${opts.tickets}`);
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
    held,
    async close() {
      await context.close();
      await site.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? Number.NaN;
