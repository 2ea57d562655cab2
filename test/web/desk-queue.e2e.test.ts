import { join } from 'node:path';
import { makeRegion, makeSite } from '@mesa/api/db/factories';
import { tickets } from '@mesa/api/db/schema';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { clientsFor } from '../support/api';
import { useBrowser } from '../support/browser';
import { openTicket } from '../support/tickets';
import { artifactsDir, logIn, useWebWorld } from '../support/web-world';

const web = useWebWorld();
const browser = useBrowser();

const HOUR = 3_600_000;
const at = (offsetMs: number) => new Date(Date.now() + offsetMs);

const rowOf = (page: Page, subject: string) => page.locator('.ticket-row', { hasText: subject });
const subjects = (page: Page) => page.locator('.ticket-row .ticket-subject').allTextContents();
const count = (page: Page) => page.locator('main [role=status]').first().textContent();

describe('the agents’ queue', () => {
  it('shows open tickets with their SLA clocks, filters by owner and state, orders by due time, and moves by keyboard', async () => {
    const as = await clientsFor(web.app, { customer: 'ana@acme.test', agent: 'agent@t.test' });
    const breached = await openTicket(as.customer, web.world, { subject: 'Cola: vencida' });
    const warning = await openTicket(as.customer, web.world, { subject: 'Cola: por vencer' });
    const mine = await openTicket(as.customer, web.world, { subject: 'Cola: en plazo' });
    const closed = await openTicket(as.customer, web.world, { subject: 'Cola: cerrada' });
    const db = web.database.db;
    // Clocks set where each level begins: breached two hours ago; nine of ten hours gone; barely started.
    await db
      .update(tickets)
      .set({ createdAt: at(-5 * HOUR), firstResponseDueAt: at(-2 * HOUR) })
      .where(eq(tickets.id, breached.id));
    await db
      .update(tickets)
      .set({ createdAt: at(-9 * HOUR), firstResponseDueAt: at(HOUR + 60_000) })
      .where(eq(tickets.id, warning.id));
    await db
      .update(tickets)
      .set({ createdAt: at(-HOUR), firstResponseDueAt: at(30 * HOUR) })
      .where(eq(tickets.id, mine.id));
    await db
      .update(tickets)
      .set({ status: 'closed', closedAt: at(0) })
      .where(eq(tickets.id, closed.id));
    const assigned = await as.agent.post(`/api/tickets/${mine.number}/assign`, {
      ownerId: web.world.users.agent.id,
    });
    expect(assigned.status).toBe(200);

    const context = await browser().newContext({ locale: 'es-ES', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await logIn(page, web.url, 'agent@t.test');
    // Staff start at their queue.
    await expect.poll(() => page.url()).toBe(`${web.url}/queue`);
    await expect.poll(() => count(page)).toBe('Tickets: 3');
    expect(await rowOf(page, 'Cola: cerrada').count()).toBe(0);

    const clock = (subject: string) => rowOf(page, subject).locator('.sla-clock');
    expect(await clock('Cola: vencida').getAttribute('class')).toBe('badge sla-clock sla-breached');
    expect(await clock('Cola: vencida').textContent()).toMatch(/^1\.ª respuesta: vencido hace 2 h 0[01] min$/);
    expect(await clock('Cola: por vencer').getAttribute('class')).toBe('badge sla-clock sla-warning');
    expect(await clock('Cola: por vencer').textContent()).toMatch(/^1\.ª respuesta: quedan 1 h 0[01] min$/);
    expect(await clock('Cola: en plazo').getAttribute('class')).toBe('badge sla-clock sla-ok');
    expect(await rowOf(page, 'Cola: en plazo').textContent()).toContain('Ana Acme');
    expect(await rowOf(page, 'Cola: vencida').textContent()).toContain('Sin asignar');
    await page.screenshot({ path: join(artifactsDir(), 'desk-queue-1280.png') });

    // Same priority: first come, first served; by due time the overdue one leads.
    expect(await subjects(page)).toEqual(['Cola: por vencer', 'Cola: vencida', 'Cola: en plazo']);
    await page.getByLabel('Orden').selectOption({ label: 'Vencimiento del SLA' });
    await expect.poll(() => subjects(page)).toEqual(['Cola: vencida', 'Cola: por vencer', 'Cola: en plazo']);

    await page.getByLabel('Propietario').selectOption({ label: 'Yo' });
    await expect.poll(() => subjects(page)).toEqual(['Cola: en plazo']);
    expect(page.url()).toBe(`${web.url}/queue?sort=due&owner=me`);
    await page.getByLabel('Propietario').selectOption({ label: 'Sin asignar' });
    await expect.poll(() => subjects(page)).toEqual(['Cola: vencida', 'Cola: por vencer']);
    await page.getByLabel('Propietario').selectOption({ label: 'Cualquiera' });
    await page.getByLabel('Estado').selectOption({ label: 'Resueltos y cerrados' });
    await expect.poll(() => subjects(page)).toEqual(['Cola: cerrada']);
    expect(await rowOf(page, 'Cola: cerrada').locator('.sla-clock').count()).toBe(0);
    await page.getByLabel('Estado').selectOption({ label: 'Abiertos' });
    await expect.poll(() => count(page)).toBe('Tickets: 3');

    // The first key focuses the active row, the next ones move; Enter opens.
    await page.keyboard.press('j');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toContain('Cola: vencida');
    await page.keyboard.press('j');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toContain('Cola: por vencer');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url()).toBe(`${web.url}/tickets/${warning.number}`);
    await page.goBack();
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('search');
    await context.close();
  });

  it('switches between global, regional and site views, and narrows by organization', async () => {
    const db = web.database.db;
    const ve = await makeRegion(db, 'Venezuela');
    const ccs = await makeRegion(db, 'Caracas', ve.id);
    const co = await makeRegion(db, 'Colombia');
    const sedeCcs = await makeSite(db, { name: 'Sede Caracas', regionId: ccs.id });
    const sedeBog = await makeSite(db, { name: 'Sede Bogotá', regionId: co.id });
    const as = await clientsFor(web.app, { customer: 'ana@acme.test' });
    const inCaracas = await openTicket(as.customer, web.world, { subject: 'Región: Caracas' });
    const inBogota = await openTicket(as.customer, web.world, { subject: 'Región: Bogotá' });
    await openTicket(as.customer, web.world, { subject: 'Región: ninguna' });
    await db.update(tickets).set({ siteId: sedeCcs.id }).where(eq(tickets.id, inCaracas.id));
    await db
      .update(tickets)
      .set({ siteId: sedeBog.id, organizationId: web.world.organizations.private.id })
      .where(eq(tickets.id, inBogota.id));

    const context = await browser().newContext({ locale: 'es-ES', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await logIn(page, web.url, 'agent@t.test');
    await page.goto(`${web.url}/queue?q=${encodeURIComponent('Región:')}`);
    await expect.poll(() => subjects(page)).toEqual(['Región: Caracas', 'Región: Bogotá', 'Región: ninguna']);
    const scope = page.getByLabel('Vista', { exact: true });
    // The country holds its city's site; the tree reads indented.
    expect(await scope.locator('option', { hasText: 'Caracas' }).first().textContent()).toBe('\u2003Caracas');
    await scope.selectOption(`region:${ve.id}`);
    await expect.poll(() => subjects(page)).toEqual(['Región: Caracas']);
    await scope.selectOption(`site:${sedeBog.id}`);
    await expect.poll(() => subjects(page)).toEqual(['Región: Bogotá']);
    expect(new URL(page.url()).searchParams.get('scope')).toBe(`site:${sedeBog.id}`);
    await scope.selectOption('global');
    await page.getByLabel('Organización').selectOption({ label: 'Globex' });
    await expect.poll(() => subjects(page)).toEqual(['Región: Bogotá']);
    await page.reload();
    await expect.poll(() => subjects(page)).toEqual(['Región: Bogotá']);
    await context.close();
  });

  it('shows the same view as a compact board by state', async () => {
    const as = await clientsFor(web.app, { customer: 'ana@acme.test', agent: 'agent@t.test' });
    const fresh = await openTicket(as.customer, web.world, { subject: 'Tablero: nuevo' });
    const taken = await openTicket(as.customer, web.world, { subject: 'Tablero: abierto' });
    expect(
      (await as.agent.post(`/api/tickets/${taken.number}/assign`, { ownerId: web.world.users.agent.id })).status,
    ).toBe(200);
    const context = await browser().newContext({ locale: 'es-ES', viewport: { width: 360, height: 800 } });
    const page = await context.newPage();
    await logIn(page, web.url, 'agent@t.test');
    await page.goto(`${web.url}/queue?q=${encodeURIComponent('Tablero:')}`);
    await expect.poll(() => subjects(page)).toEqual(['Tablero: nuevo', 'Tablero: abierto']);
    await page.getByRole('button', { name: 'Tablero' }).click();
    expect(await page.getByRole('button', { name: 'Tablero' }).getAttribute('aria-pressed')).toBe('true');
    expect(new URL(page.url()).searchParams.get('layout')).toBe('board');
    const column = (name: string) => page.getByRole('region', { name });
    await expect
      .poll(() => column('Nuevo').locator('.board-card').allTextContents())
      .toEqual([expect.stringContaining(`${fresh.number}Tablero: nuevo`)]);
    expect(await column('Abierto').locator('.board-card').textContent()).toContain(web.world.users.agent.name);
    expect(await column('Nuevo').locator('h2').textContent()).toBe('Nuevo 1');
    await page.screenshot({ path: join(artifactsDir(), 'desk-board-360.png'), fullPage: true });
    await column('Abierto').getByRole('link').click();
    await expect.poll(() => page.url()).toBe(`${web.url}/tickets/${taken.number}`);
    await context.close();
  });

  it('changes owner and department of several tickets at once, and offers only the state moves all of them allow', async () => {
    const as = await clientsFor(web.app, { customer: 'ana@acme.test' });
    await openTicket(as.customer, web.world, { subject: 'Lote: uno' });
    const two = await openTicket(as.customer, web.world, { subject: 'Lote: dos' });
    const context = await browser().newContext({ locale: 'es-ES', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await logIn(page, web.url, 'super@t.test');
    await page.goto(`${web.url}/queue?q=${encodeURIComponent('Lote:')}`);
    await expect.poll(() => subjects(page)).toEqual(['Lote: uno', 'Lote: dos']);
    await page.getByLabel('Seleccionar los 2 de esta vista').check();
    const bulk = page.getByRole('region', { name: 'Seleccionados: 2' });
    await bulk.getByLabel('Asignar a').selectOption({ label: web.world.users.agent.name });
    await expect.poll(() => rowOf(page, 'Lote: uno').textContent()).toContain(web.world.users.agent.name);
    expect(await rowOf(page, 'Lote: dos').textContent()).toContain(web.world.users.agent.name);
    // Applied to all, the selection goes.
    await expect.poll(() => bulk.count()).toBe(0);

    await rowOf(page, 'Lote: uno').getByRole('checkbox').check();
    await rowOf(page, 'Lote: dos').getByRole('checkbox').check();
    const again = page.getByRole('region', { name: 'Seleccionados: 2' });
    await again.getByLabel('Departamento').selectOption({ label: 'Facturación' });
    await expect.poll(() => rowOf(page, 'Lote: uno').textContent()).toContain('Facturación');
    expect(await rowOf(page, 'Lote: dos').textContent()).toContain('Facturación');

    // A state only one of them may take: the other is named with the reason, and stays selected.
    await web.database.db.update(tickets).set({ ownerId: null, status: 'new' }).where(eq(tickets.id, two.id));
    await expect.poll(() => rowOf(page, 'Lote: dos').textContent()).toContain('Sin asignar');
    await expect.poll(() => page.getByRole('region', { name: /^Seleccionados/ }).count()).toBe(0);
    await rowOf(page, 'Lote: uno').getByRole('checkbox').check();
    await rowOf(page, 'Lote: dos').getByRole('checkbox').check();
    const mixed = page.getByRole('region', { name: 'Seleccionados: 2' });
    const states = await mixed.getByLabel('Cambiar estado').locator('option').allTextContents();
    expect(states).not.toContain('Atendido');
    await context.close();
  });
});
