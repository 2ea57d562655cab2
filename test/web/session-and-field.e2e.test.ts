import { join } from 'node:path';
import { articles, sessions, tickets } from '@mesa/api/db/schema';
import { and, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { clientsFor } from '../support/api';
import { useBrowser } from '../support/browser';
import { openTicket } from '../support/tickets';
import { artifactsDir, logIn, offline, syncStatus, untilOfflineReady, useWebWorld } from '../support/web-world';
import { PASSWORD } from '../support/world';

const web = useWebWorld();
const browser = useBrowser();

const heading = (page: Page) => page.locator('main h1').first();
const articleCount = async (ticketId: string, body: string) =>
  (
    await web.database.db
      .select()
      .from(articles)
      .where(and(eq(articles.ticketId, ticketId), eq(articles.body, body)))
  ).length;

describe('the session on a device', () => {
  it('asks for the password again in place when the session expires, and sends what was queued', async () => {
    const as = await clientsFor(web.app, { customer: 'ana@acme.test' });
    const ticket = await openTicket(as.customer, web.world, { subject: 'Sesión caducada' });
    const context = await browser().newContext({ locale: 'es-ES', viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    await logIn(page, web.url, 'ana@acme.test');
    await page.goto(`${web.url}/tickets/${ticket.number}`);
    await expect.poll(() => heading(page).textContent()).toContain(ticket.number);

    await offline(context, true);
    await page.getByLabel('Su respuesta').fill('Escrito sin red y con la sesión caducada.');
    await page.getByRole('button', { name: 'Enviar respuesta' }).click();
    await expect.poll(() => page.locator('.article', { hasText: 'Escrito sin red' }).count()).toBe(1);
    // The session ends on the server meanwhile (expired, or ended from another device).
    await web.database.db.delete(sessions).where(eq(sessions.userId, web.world.users.customer.id));
    await offline(context, false);

    const dialog = page.getByRole('dialog', { name: 'Vuelva a iniciar sesión' });
    await expect.poll(() => dialog.count(), { timeout: 20_000 }).toBe(1);
    expect(await syncStatus(page)).toBe('Sesión caducada: inicie sesión para sincronizar');
    // The data and the queued reply are still on screen, under the dialog.
    expect(await page.locator('.article', { hasText: 'Escrito sin red' }).count()).toBe(1);
    await page.screenshot({ path: join(artifactsDir(), 'reauth-360.png'), fullPage: true });
    expect(await articleCount(ticket.id, 'Escrito sin red y con la sesión caducada.')).toBe(0);

    await dialog.getByLabel('Clave').fill('no-es-la-clave');
    await dialog.getByRole('button', { name: 'Continuar' }).click();
    await expect.poll(() => dialog.locator('.alert-error').textContent()).toMatch(/^Correo o clave incorrectos\./);
    await dialog.getByLabel('Clave').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Continuar' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    await expect
      .poll(() => articleCount(ticket.id, 'Escrito sin red y con la sesión caducada.'), { timeout: 20_000 })
      .toBe(1);
    await context.close();
  });

  it('warns before logging out with unsent changes, and logging out deletes the user’s device data', async () => {
    const as = await clientsFor(web.app, { customer: 'bob@acme.test' });
    const ticket = await openTicket(as.customer, web.world, { subject: 'Cerrar sesión con cambios' });
    const context = await browser().newContext({ locale: 'es-ES' });
    const page = await context.newPage();
    await logIn(page, web.url, 'bob@acme.test');
    await page.goto(`${web.url}/tickets/${ticket.number}`);
    await expect.poll(() => heading(page).textContent()).toContain(ticket.number);
    await offline(context, true);
    await page.getByLabel('Su respuesta').fill('Esto no llegará si cierro la sesión.');
    await page.getByRole('button', { name: 'Enviar respuesta' }).click();
    await expect.poll(() => syncStatus(page)).toBe('Sin conexión · cambios guardados aquí: 1');

    const messages: string[] = [];
    page.once('dialog', (d) => {
      messages.push(d.message());
      void d.dismiss();
    });
    await page.getByRole('button', { name: 'Cerrar sesión' }).click();
    await expect.poll(() => messages.length).toBe(1);
    expect(messages[0]).toBe(
      'Hay cambios que aún no llegaron al servidor (1). Si cierra la sesión se borrarán de este dispositivo. ¿Cerrar la sesión de todos modos?',
    );
    // Declined: still logged in, the change still queued.
    expect(await syncStatus(page)).toBe('Sin conexión · cambios guardados aquí: 1');

    await offline(context, false);
    page.once('dialog', (d) => void d.accept());
    await expect.poll(() => syncStatus(page), { timeout: 20_000 }).toMatch(/^Sincronizado/);
    await page.getByRole('button', { name: 'Cerrar sesión' }).click();
    await expect.poll(() => page.getByRole('link', { name: 'Iniciar sesión' }).count()).toBeGreaterThan(0);
    const databases = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
    expect(databases).not.toContain(`mesa-sync-${web.world.users.colleague.id}`);
    expect(await page.evaluate(() => localStorage.getItem('mesa.user'))).toBeNull();
    await context.close();
  });
});

describe('a technician before the field screens', () => {
  it('sees the assigned ticket offline, writes a note that sets the next state, and it reaches the server', async () => {
    const as = await clientsFor(web.app, { customer: 'ana@acme.test', agent: 'agent@t.test' });
    const ticket = await openTicket(as.customer, web.world, { subject: 'Visita al cuarto de servidores' });
    const assigned = await as.agent.post(`/api/tickets/${ticket.number}/assign`, {
      ownerId: web.world.users.technician.id,
    });
    expect(assigned.status).toBe(200);
    const context = await browser().newContext({ locale: 'es-ES', viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    await logIn(page, web.url, 'tech@t.test');
    await untilOfflineReady(page);
    await offline(context, true);
    await page.goto(`${web.url}/tickets`);
    const row = page.locator('.ticket-row', { hasText: 'Visita al cuarto de servidores' });
    await expect.poll(() => row.count()).toBe(1);
    await row.getByRole('link').click();
    await page.getByLabel('Tipo').selectOption({ label: 'Nota interna' });
    await page.getByLabel('Texto').fill('Cambiado el cable del enlace; queda en observación.');
    await page.getByLabel('Siguiente estado').selectOption({ label: 'Atendido' });
    await page.getByRole('button', { name: 'Guardar nota' }).click();
    await expect.poll(() => page.locator('main > article > header .badge').textContent()).toBe('Atendido');
    await page.screenshot({ path: join(artifactsDir(), 'technician-note-360.png'), fullPage: true });

    await offline(context, false);
    await expect
      .poll(async () => (await web.database.db.select().from(tickets).where(eq(tickets.id, ticket.id)))[0]?.status, {
        timeout: 20_000,
      })
      .toBe('attended');
    const [note] = await web.database.db
      .select()
      .from(articles)
      .where(and(eq(articles.ticketId, ticket.id), eq(articles.kind, 'internal_note')));
    expect(note).toMatchObject({
      body: 'Cambiado el cable del enlace; queda en observación.',
      nextStatus: 'attended',
      authorId: web.world.users.technician.id,
    });
    await context.close();
  });
});
