import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeContract, makeEquipment, makeRegion, makeSite } from '@mesa/api/db/factories';
import { attachments, equipment as equipmentTable, outbox, tickets } from '@mesa/api/db/schema';
import { and, eq, sql } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientsFor } from '../support/api';
import { launchChromium, openProfile } from '../support/browser';
import { openTicket } from '../support/tickets';
import { artifactsDir, logIn, offline, syncStatus, untilOfflineReady, useWebWorld } from '../support/web-world';

const web = useWebWorld();
let browser: Browser;
const profiles: string[] = [];
const newProfileDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'mesa-profile-'));
  profiles.push(dir);
  return dir;
};

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  for (const dir of profiles) rmSync(dir, { recursive: true, force: true });
});

const heading = (page: Page) => page.locator('main h1').first();
const photo = Buffer.from('an on-site photo, in bytes: '.repeat(400));

describe('the installable shell', () => {
  it('has a manifest with generated PNG icons that exist, and a service worker that controls the page', async () => {
    const manifest = (await (await fetch(`${web.url}/manifest.webmanifest`)).json()) as {
      icons: { src: string; sizes: string; type: string; purpose?: string }[];
      start_url: string;
      display: string;
    };
    expect(manifest.display).toBe('standalone');
    const sizes = manifest.icons.filter((i) => i.type === 'image/png').map((i) => i.sizes);
    expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512']));
    expect(manifest.icons.some((i) => i.purpose === 'maskable')).toBe(true);
    for (const icon of [...manifest.icons.map((i) => `/${i.src}`), '/apple-touch-icon-180x180.png']) {
      const res = await fetch(`${web.url}${icon}`);
      expect(res.status, icon).toBe(200);
      expect(res.headers.get('content-type'), icon).toBe('image/png');
      // A PNG, not the HTML shell answering for a missing file.
      expect([...new Uint8Array(await res.arrayBuffer()).slice(0, 4)], icon).toEqual([0x89, 0x50, 0x4e, 0x47]);
    }
    const context = await browser.newContext({ locale: 'es-ES' });
    const page = await context.newPage();
    await page.goto(web.url);
    await untilOfflineReady(page);
    await context.close();
  });
});

describe('the first screen', () => {
  it('lists the device’s tickets before Dexie and the sync client have loaded', async () => {
    const as = await clientsFor(web.app, { customer: 'ana@acme.test' });
    const ticket = await openTicket(as.customer, web.world, { subject: 'Antes de Dexie' });
    // No service worker here, so that the test's network sees (and holds back) every script.
    const context = await browser.newContext({ locale: 'es-ES', serviceWorkers: 'block' });
    const page = await context.newPage();
    await logIn(page, web.url, 'ana@acme.test');
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let dexieAsked = false;
    await page.route('**/assets/*.js', async (route) => {
      const response = await route.fetch();
      const body = await response.text();
      // Dexie's own code names its error classes; no other chunk does.
      if (body.includes('DatabaseClosedError')) {
        dexieAsked = true;
        await held;
      }
      await route.fulfill({ response, body });
    });
    await page.goto(`${web.url}/tickets`);
    await expect
      .poll(() => page.locator('.ticket-row', { hasText: 'Antes de Dexie' }).count(), { timeout: 10_000 })
      .toBe(1);
    expect(dexieAsked).toBe(true);
    expect(await page.locator('.ticket-row').first().textContent()).toContain(ticket.number);
    // Once Dexie arrives, live queries take over and the sync client starts.
    release();
    await expect.poll(() => syncStatus(page), { timeout: 20_000 }).toMatch(/^Sincronizado/);
    await context.close();
  });
});

describe('a customer offline', () => {
  it('stays logged in with their tickets across a reload and a browser restart with the network cut', async () => {
    const dir = newProfileDir();
    let context = await openProfile(dir);
    let page = context.pages()[0] ?? (await context.newPage());
    await logIn(page, web.url, 'ana@acme.test');
    await untilOfflineReady(page);
    await context.close();

    context = await openProfile(dir);
    await offline(context, true);
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${web.url}/tickets`);
    await expect.poll(() => heading(page).textContent()).toBe('Mis tickets');
    expect(await syncStatus(page)).toBe('Sin conexión');
    // Logged in (the log-out button) and not sent to the login form.
    expect(await page.getByRole('button', { name: 'Cerrar sesión' }).count()).toBe(1);
    expect(page.url()).toBe(`${web.url}/tickets`);
    await context.close();
  });

  it('opens a ticket with a photo offline; online it gets its number, the photo arrives once, the agent sees it live and answers', async () => {
    const dir = newProfileDir();
    let customer = await openProfile(dir);
    let page = customer.pages()[0] ?? (await customer.newPage());
    await logIn(page, web.url, 'ana@acme.test');
    await untilOfflineReady(page);

    const agent = await browser.newContext({ locale: 'es-ES', viewport: { width: 1280, height: 900 } });
    const desk = await agent.newPage();
    await logIn(desk, web.url, 'agent@t.test');
    await desk.goto(`${web.url}/queue`);
    await expect.poll(() => heading(desk).textContent()).toBe('Cola de tickets');

    await offline(customer, true);
    await page.getByRole('link', { name: 'Abrir un ticket' }).first().click();
    await page.getByLabel('Departamento').selectOption({ label: 'Sistemas' });
    await page.getByLabel('Asunto').fill('El servidor de correo no arranca');
    await page.getByLabel('Descripción').fill('Desde esta mañana el servicio no levanta.');
    await page
      .getByLabel('Adjuntar archivos')
      .setInputFiles({ name: 'sala.jpg', mimeType: 'image/jpeg', buffer: photo });
    await page.getByRole('button', { name: 'Enviar ticket' }).click();
    await expect.poll(() => heading(page).textContent()).toBe('Número pendiente El servidor de correo no arranca');
    expect(await syncStatus(page)).toBe('Sin conexión · cambios guardados aquí: 2'); // the ticket and its photo
    await page.screenshot({ path: join(artifactsDir(), 'ticket-pending-360.png'), fullPage: true });
    await customer.close();

    // The browser restarted, still without network: the ticket is on the device, number pending.
    customer = await openProfile(dir);
    await offline(customer, true);
    page = customer.pages()[0] ?? (await customer.newPage());
    await page.goto(`${web.url}/tickets`);
    const row = page.locator('.ticket-row', { hasText: 'El servidor de correo no arranca' });
    await expect.poll(() => row.locator('.ticket-number').textContent()).toBe('Número pendiente');
    await row.getByRole('link').click();
    await expect.poll(() => heading(page).textContent()).toBe('Número pendiente El servidor de correo no arranca');

    await offline(customer, false);
    await expect.poll(() => heading(page).textContent(), { timeout: 20_000 }).toMatch(/^T-\d{6} El servidor/);
    const number = (await heading(page).textContent())!.split(' ')[0]!;
    expect(page.url()).toBe(`${web.url}/tickets/${number}`);
    await expect.poll(() => syncStatus(page), { timeout: 20_000 }).toMatch(/^Sincronizado/);

    const db = web.database.db;
    const [created] = await db.select().from(tickets).where(eq(tickets.number, number));
    expect(created).toMatchObject({
      subject: 'El servidor de correo no arranca',
      requesterId: web.world.users.customer.id,
    });
    const files = await db.select().from(attachments).where(eq(attachments.ticketId, created!.id));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({
      filename: 'sala.jpg',
      size: photo.byteLength,
      sha256: createHash('sha256').update(photo).digest('hex'),
    });
    expect(files[0]!.storedAt).not.toBeNull();
    // Acknowledged once, when the server applied the device's change.
    const acks = await db
      .select()
      .from(outbox)
      .where(and(eq(outbox.kind, 'ticket_created'), sql`${outbox.payload}->>'ticketId' = ${created!.id}`));
    expect(acks).toHaveLength(1);

    // The agent's open queue shows it without a reload.
    await expect.poll(() => desk.locator('.ticket-row', { hasText: number }).count(), { timeout: 15_000 }).toBe(1);
    await desk.locator('.ticket-row', { hasText: number }).getByRole('link').click();
    await desk.getByLabel('Texto').fill('Reiniciamos el servicio; pruebe de nuevo, por favor.');
    await desk.getByRole('button', { name: 'Enviar respuesta' }).click();
    await desk.screenshot({ path: join(artifactsDir(), 'agent-ticket-1280.png'), fullPage: true });

    // The customer's open page shows the answer without a reload.
    await expect
      .poll(() => page.locator('.article', { hasText: 'Reiniciamos el servicio' }).count(), { timeout: 15_000 })
      .toBe(1);
    await page.screenshot({ path: join(artifactsDir(), 'ticket-answered-360.png'), fullPage: true });
    await agent.close();
    await customer.close();
  });

  it('picks equipment from the list, is told at once of an unknown code, and is told later of one the server refused', async () => {
    // Seed 002: two of Acme's machines under its contract.
    const db = web.database.db;
    const region = await makeRegion(db, 'Miranda');
    const site = await makeSite(db, { name: 'Sede Chacao', regionId: region.id });
    const acme = await makeContract(db, web.world.organizations.sharing.id, 'CT-E2E-A');
    const globex = await makeContract(db, web.world.organizations.private.id, 'CT-E2E-G');
    const first = await makeEquipment(db, {
      model: 'Impresora Kyocera',
      serialNumber: 'SN-E2E-1',
      maintenanceCode: 'MC-E2E-1',
      siteId: site.id,
      contractId: acme.id,
    });
    const second = await makeEquipment(db, {
      model: 'Servidor Dell',
      serialNumber: 'SN-E2E-2',
      maintenanceCode: 'MC-E2E-2',
      contractId: acme.id,
    });
    const context: BrowserContext = await browser.newContext({
      locale: 'es-ES',
      viewport: { width: 360, height: 740 },
    });
    const page = await context.newPage();
    await logIn(page, web.url, 'bob@acme.test');
    await untilOfflineReady(page);
    await page.goto(`${web.url}/tickets/new`);
    const equipment = page.getByLabel('Equipo', { exact: true });
    await expect
      .poll(() => equipment.locator('option').allTextContents())
      .toEqual(['Ninguno o no sé cuál', 'Impresora Kyocera · SN-E2E-1 · Sede Chacao', 'Servidor Dell · SN-E2E-2']);
    await page.getByLabel('Departamento').selectOption({ label: 'Sistemas' });
    await page.getByLabel('Asunto').fill('Equipo con código inventado');
    await page.getByLabel('Descripción').fill('El código no existe.');
    await page.getByLabel('Código de mantenimiento').fill('NO-EXISTE-999');
    await page.getByRole('button', { name: 'Enviar ticket' }).click();
    // The device holds what Bob may name: the unknown code is named at its field, and nothing is lost.
    await expect
      .poll(() => page.locator('.hint', { hasText: 'NO-EXISTE-999' }).textContent())
      .toBe(
        'Ningún equipo que usted pueda elegir tiene el código «NO-EXISTE-999». Revíselo o elija el equipo de la lista.',
      );
    expect(await page.getByLabel('Asunto').inputValue()).toBe('Equipo con código inventado');
    expect(await syncStatus(page)).toMatch(/^Sincronizado/);

    // Offline, the second machine is picked; meanwhile the office moved it to another customer's contract.
    await offline(context, true);
    await db.update(equipmentTable).set({ contractId: globex.id }).where(eq(equipmentTable.id, second.id));
    await equipment.selectOption({ label: 'Servidor Dell · SN-E2E-2' });
    expect(await page.getByLabel('Código de mantenimiento').inputValue()).toBe('MC-E2E-2');
    await page.getByRole('button', { name: 'Enviar ticket' }).click();
    await expect.poll(() => heading(page).textContent()).toMatch(/Equipo con código inventado/);

    await offline(context, false);
    await expect.poll(() => syncStatus(page), { timeout: 20_000 }).toBe('Cambios rechazados: 1');
    await page.getByTestId('sync-status').click();
    const refused = page.locator('.rejection');
    expect(await refused.locator('strong').textContent()).toBe('Ticket nuevo «Equipo con código inventado»');
    expect(await refused.textContent()).toContain(
      'Un dato relacionado no existe (departamento, equipo, contrato o usuario).',
    );
    await page.screenshot({ path: join(artifactsDir(), 'rejection-360.png'), fullPage: true });
    // The device dropped its optimistic copy: the server never had it.
    await refused.getByRole('button', { name: 'Corregir y reenviar' }).click();
    expect(await page.getByLabel('Asunto').inputValue()).toBe('Equipo con código inventado');
    expect(await page.getByLabel('Código de mantenimiento').inputValue()).toBe('MC-E2E-2');
    // The pull brought the list as it is now: only the first machine is Bob's to name.
    await expect.poll(() => equipment.locator('option').count()).toBe(2);
    await equipment.selectOption({ label: 'Impresora Kyocera · SN-E2E-1 · Sede Chacao' });
    await page.getByRole('button', { name: 'Enviar ticket' }).click();
    await expect.poll(() => heading(page).textContent(), { timeout: 20_000 }).toMatch(/^T-\d{6} Equipo con código/);
    await expect.poll(() => syncStatus(page)).toMatch(/^Sincronizado/);
    const number = (await heading(page).textContent())!.split(' ')[0]!;
    const [stored] = await db.select().from(tickets).where(eq(tickets.number, number));
    expect(stored).toMatchObject({ equipmentId: first.id, siteId: site.id, contractId: acme.id });
    await context.close();
  });
});
