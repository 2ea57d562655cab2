import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientsFor } from '../support/api';
import { launchChromium } from '../support/browser';
import { openTicket } from '../support/tickets';
import { artifactsDir, logIn, useWebWorld } from '../support/web-world';

const web = useWebWorld();
let browser: Browser;
const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core on the page as it is now: the serious and critical violations, named by rule and element. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: () => Promise<{ violations: Violation[] }> } }).axe;
    return (await axe.run()).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const sizes = [
  { name: '360', viewport: { width: 360, height: 740 } },
  { name: '1280', viewport: { width: 1280, height: 900 } },
] as const;
const languages = [
  { lang: 'es', locale: 'es-ES', heading: 'Mis tickets' },
  { lang: 'en', locale: 'en-US', heading: 'My tickets' },
] as const;

describe.each(languages)('every screen in $lang', ({ lang, locale, heading }) => {
  it.each(sizes)('has no serious or critical accessibility violation at $name px', async ({ name, viewport }) => {
    const as = await clientsFor(web.app, { customer: 'ana@acme.test' });
    const { number } = await openTicket(as.customer, web.world, { subject: `Pantalla ${lang} ${name}` });
    // The CSP forbids injected scripts; axe is test tooling, so this context bypasses it.
    const context = await browser.newContext({ locale, viewport, bypassCSP: true });
    const page = await context.newPage();
    const found: Record<string, string[]> = {};
    const check = async (screen: string) => {
      await page.screenshot({ path: join(artifactsDir(), `${screen}-${lang}-${name}.png`), fullPage: true });
      const violations = await seriousViolations(page);
      if (violations.length) found[screen] = violations;
    };

    await page.goto(web.url);
    await check('home-guest');
    await page.goto(`${web.url}/login`);
    await check('login');
    await page.goto(`${web.url}/register`);
    await check('register');
    await page.goto(`${web.url}/forgot-password`);
    await check('forgot-password');

    // Spanish login helper, then the language the test is about.
    await logIn(page, web.url, 'ana@acme.test');
    await page.evaluate((l) => localStorage.setItem('mesa.language', l), lang);
    await page.goto(`${web.url}/tickets`);
    await expect.poll(() => page.locator('main h1').textContent()).toBe(heading);
    await expect.poll(() => page.locator('.ticket-row').count()).toBeGreaterThan(0);
    await check('tickets');
    await page.getByTestId('sync-status').click();
    await check('sync-panel');
    await page.getByTestId('sync-status').click();
    await page.goto(`${web.url}/tickets/${number}`);
    await expect.poll(() => page.locator('main h1').textContent()).toContain(number);
    await check('ticket');
    await page.goto(`${web.url}/tickets/new`);
    await check('new-ticket');
    await page.goto(`${web.url}/no-such-page`);
    await check('not-found');
    await context.close();

    // The desk: the queue, the staff ticket page with its hand-over and note forms, phone intake, the shortcuts.
    const desk = await browser.newContext({ locale, viewport, bypassCSP: true });
    const agentPage = await desk.newPage();
    const checkDesk = async (screen: string) => {
      await agentPage.screenshot({ path: join(artifactsDir(), `${screen}-${lang}-${name}.png`), fullPage: true });
      const violations = await seriousViolations(agentPage);
      if (violations.length) found[screen] = violations;
    };
    await logIn(agentPage, web.url, 'agent@t.test');
    await agentPage.evaluate((l) => localStorage.setItem('mesa.language', l), lang);
    await agentPage.goto(`${web.url}/queue`);
    await expect.poll(() => agentPage.locator('.ticket-row').count()).toBeGreaterThan(0);
    await checkDesk('desk-queue');
    await agentPage.goto(`${web.url}/tickets/${number}`);
    await expect.poll(() => agentPage.locator('main h1').textContent()).toContain(number);
    await agentPage.locator('main select:has(option[value=internal_note])').selectOption('internal_note');
    await checkDesk('desk-ticket');
    await agentPage.keyboard.press('?');
    await expect.poll(() => agentPage.locator('dialog.shortcut-help').isVisible()).toBe(true);
    await checkDesk('desk-shortcuts');
    await agentPage.keyboard.press('Escape');
    await agentPage.goto(`${web.url}/tickets/new`);
    await checkDesk('desk-new-ticket');
    await agentPage.goto(`${web.url}/alerts`);
    // One ticket the agent has not opened yet, so the list has a row.
    await openTicket(as.customer, web.world, { subject: `Aviso ${lang} ${name}` });
    await expect.poll(() => agentPage.locator('.alert-list li', { hasText: `Aviso ${lang} ${name}` }).count()).toBe(1);
    await checkDesk('desk-alerts');
    await desk.close();

    expect(found).toEqual({});
  });
});
