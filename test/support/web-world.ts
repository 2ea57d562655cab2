import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { testApp } from './api';
import { openTestDatabase, type TestDatabase } from './db';
import { buildWorld, PASSWORD, type World } from './world';

/** Where browser tests leave screenshots for people to look at (kept after the run). */
export const artifactsDir = (): string => {
  const dir = join(process.cwd(), 'test-artifacts', 'e2e');
  mkdirSync(dir, { recursive: true });
  return dir;
};

export interface WebWorld {
  /** The origin the PWA and the API share, as in production. */
  url: string;
  world: World;
  database: TestDatabase;
  /** The same API in process, for setting the scene without a browser (clientsFor, openTicket). */
  app: ReturnType<typeof testApp>;
}

/**
 * One database with the shared seed world, the real API serving the production build of the PWA on a
 * loopback port: what a browser test drives. Values are filled in `beforeAll`.
 */
export function useWebWorld(): WebWorld {
  const ctx = {} as WebWorld;
  let close = async () => {};
  beforeAll(async () => {
    ctx.database = await openTestDatabase();
    ctx.world = await buildWorld(ctx.database);
    const app = testApp(ctx.database, { WEB_DIST: inject('webDist') });
    ctx.app = app;
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    ctx.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = async () => {
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    };
  });
  afterAll(async () => {
    await close();
    await ctx.database?.close();
  });
  return ctx;
}

/** Logs in through the form (in whichever language the page speaks) and waits until the device store has synced once. */
export async function logIn(page: Page, url: string, email: string, password = PASSWORD): Promise<void> {
  await page.goto(`${url}/login`);
  await page.locator('main input[type=email]').fill(email);
  await page.locator('main input[type=password]').fill(password);
  await page.locator('main button[type=submit]').click();
  await expect.poll(() => syncStatus(page), { timeout: 20_000 }).toMatch(/^(Sincronizado|Synced)/);
}

export const syncStatus = (page: Page): Promise<string> =>
  page
    .getByTestId('sync-status')
    .textContent()
    .then((t) => t ?? '');

/**
 * Waits until the service worker controls the page (a first visit is controlled from its next load),
 * so what follows can go offline.
 */
export async function untilOfflineReady(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  if (!(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)))) await page.reload();
  await expect.poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
}

export const offline = (context: BrowserContext, value: boolean) => context.setOffline(value);
