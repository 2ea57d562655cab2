import { type Browser, type BrowserContext, chromium, type LaunchOptions } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { CHROMIUM } from './system-packages';

/** Debian's Chromium with the flags this machine needs (never a downloaded browser). */
const launchOptions: LaunchOptions = {
  executablePath: CHROMIUM,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

/** Headless system Chromium; each context is a fresh profile. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch(launchOptions);
}

/** One Chromium for a test file, launched before its tests and closed after; call the result inside tests. */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('the browser is not launched yet');
    return browser;
  };
}

/**
 * A browser profile kept in `dir`: closing it and opening it again is a phone's browser restarted, with
 * its IndexedDB, localStorage and service worker still there.
 */
export function openProfile(
  dir: string,
  options: { locale?: string; viewport?: { width: number; height: number }; args?: string[] } = {},
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(dir, {
    ...launchOptions,
    args: [...(launchOptions.args ?? []), ...(options.args ?? [])],
    locale: options.locale ?? 'es-ES',
    viewport: options.viewport ?? { width: 360, height: 740 },
  });
}
