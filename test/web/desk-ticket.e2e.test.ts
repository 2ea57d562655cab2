import { join } from 'node:path';
import { makeContract, makeEquipment, makeRegion, makeSite, makeUser } from '@mesa/api/db/factories';
import { articles, outbox, tickets } from '@mesa/api/db/schema';
import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { clientsFor } from '../support/api';
import { useBrowser } from '../support/browser';
import { openTicket } from '../support/tickets';
import { artifactsDir, logIn, offline, syncStatus, untilOfflineReady, useWebWorld } from '../support/web-world';

const web = useWebWorld();
const browser = useBrowser();

describe("the agent's ticket page", () => {
  it('takes, escalates, documents, re-classifies and returns a ticket to the service desk offline, and the server gets it all', async () => {
    const desk = await makeUser(web.database.db, {
      role: 'agent',
      email: 'mesa@t.test',
      name: 'Mesa Uno',
      departmentIds: [web.world.dept('atencion').id],
    });
    const as = await clientsFor(web.app, { customer: 'ana@acme.test' });
    const x = await openTicket(as.customer, web.world, {
      subject: 'DNS caído',
      severity: 'medium',
      urgency: 'medium',
    });
    await web.database.db.update(tickets).set({ requesterPhone: '+58 212 555-0101' }).where(eq(tickets.id, x.id));

    const context = await browser().newContext({ locale: 'es-ES', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await logIn(page, web.url, 'agent@t.test');
    await untilOfflineReady(page);
    await page.goto(`${web.url}/tickets/${x.number}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(`${x.number} DNS caído`);
    // The requester is a tap away.
    expect(await page.getByRole('link', { name: '+58 212 555-0101' }).getAttribute('href')).toBe('tel:+582125550101');
    expect(await page.getByRole('link', { name: 'ana@acme.test' }).getAttribute('href')).toBe('mailto:ana@acme.test');

    await offline(context, true);
    const panel = page.getByRole('region', { name: 'Propietario y nivel de soporte' });
    const summary = () => panel.locator('p').first().textContent();
    expect(await summary()).toBe('Propietario: Sin asignar · Nivel de soporte: 1');
    await panel.getByRole('button', { name: 'Asignarme' }).click();
    await expect.poll(summary).toBe(`Propietario: ${web.world.users.agent.name} · Nivel de soporte: 1`);
    await expect.poll(() => page.locator('main .section-header .badge').first().textContent()).toBe('Abierto');

    // Up a tier only with the expertise it needs: the empty reason is refused by the form itself.
    await panel.getByLabel('Nivel de soporte').selectOption('2');
    const escalate = panel.getByRole('button', { name: 'Escalar al nivel 2' });
    await escalate.click();
    expect(
      await panel.getByLabel(/^Motivo del escalamiento/).evaluate((e: HTMLTextAreaElement) => e.validity.valueMissing),
    ).toBe(true);
    expect(await summary()).toContain('Nivel de soporte: 1');
    await panel.getByLabel(/^Motivo del escalamiento/).fill('Requiere experto en DNS');
    await escalate.click();
    await expect.poll(summary).toBe(`Propietario: ${web.world.users.agent.name} · Nivel de soporte: 2`);

    // Seed 001's note: what was done, the real problem and solution, the time, next state "Atendido".
    await page.getByLabel('Tipo', { exact: true }).selectOption({ label: 'Nota interna' });
    await page.getByLabel('Texto').fill('Se revisó el servidor DNS.');
    await page.getByLabel('Siguiente estado').selectOption({ label: 'Atendido' });
    expect(await page.getByText('La hora de «Atendido» será la de esta nota.').count()).toBe(1);
    await page.getByLabel('Problema real').fill('Página web no resuelve por dominio');
    await page.getByLabel('Solución real').fill('Se le aplica un reinicio al servidor DNS');
    await page.getByLabel('Tiempo dedicado (minutos)').fill('45');
    await page.getByRole('button', { name: 'Guardar nota' }).click();
    const note = page.locator('.article', { hasText: 'Se revisó el servidor DNS.' });
    await expect.poll(() => note.textContent()).toContain('Solución real: Se le aplica un reinicio al servidor DNS');
    expect(await note.textContent()).toContain('Siguiente estado: Atendido. Tiempo dedicado: 45 min');
    expect(await page.getByText('Tiempo total dedicado: 45 min').count()).toBe(1);
    await expect.poll(() => page.locator('main .section-header .badge').first().textContent()).toBe('Atendido');

    // Severity × urgency: the new priority shows before saving.
    await page.getByRole('button', { name: 'Editar ticket' }).click();
    await page.getByLabel('Severidad').selectOption('critical');
    await page.getByLabel('Urgencia').selectOption('critical');
    const preview = page.getByText(/^Prioridad \(matriz de severidad × urgencia\):/);
    await expect
      .poll(() => preview.textContent())
      .toBe(`Prioridad (matriz de severidad × urgencia): ${x.priority} → P1`);
    await page.getByRole('button', { name: 'Guardar cambios' }).click();
    await expect.poll(() => page.locator('.fields .badge').first().textContent()).toBe('P1');

    // Seed 001: the work ends by giving the ticket back to the service-desk agent.
    await panel.getByRole('button', { name: 'Devolver a Mesa de Servicio (Mesa Uno)' }).click();
    await expect.poll(summary).toBe('Propietario: Mesa Uno · Nivel de soporte: 2');
    expect(await syncStatus(page)).toBe('Sin conexión · cambios guardados aquí: 5');
    await page.setViewportSize({ width: 360, height: 800 });
    await page.screenshot({ path: join(artifactsDir(), 'desk-ticket-offline-360.png'), fullPage: true });

    await offline(context, false);
    await expect.poll(() => syncStatus(page), { timeout: 20_000 }).toMatch(/^Sincronizado/);
    const [row] = await web.database.db.select().from(tickets).where(eq(tickets.id, x.id));
    expect(row).toMatchObject({
      ownerId: desk.id,
      supportTier: 2,
      status: 'attended',
      severity: 'critical',
      urgency: 'critical',
      priority: 'P1',
    });
    expect(row?.attendedAt).toBeInstanceOf(Date);
    const notes = await web.database.db
      .select({
        body: articles.body,
        kind: articles.kind,
        realProblem: articles.realProblem,
        timeSpentMinutes: articles.timeSpentMinutes,
      })
      .from(articles)
      .where(eq(articles.ticketId, x.id))
      .orderBy(asc(articles.createdAt));
    expect(notes).toEqual([
      { body: 'Requiere experto en DNS', kind: 'internal_note', realProblem: null, timeSpentMinutes: null },
      {
        body: 'Se revisó el servidor DNS.',
        kind: 'internal_note',
        realProblem: 'Página web no resuelve por dominio',
        timeSpentMinutes: 45,
      },
      { body: 'Se modifica propietario', kind: 'internal_note', realProblem: null, timeSpentMinutes: null },
    ]);
    await context.close();
  });

  it("takes a phone call into a ticket offline: the missing requester is named at its field, the caller is found by the equipment's code", async () => {
    const db = web.database.db;
    const region = await makeRegion(db, 'Caracas');
    const site = await makeSite(db, { name: 'Acme Chacao', regionId: region.id });
    const contract = await makeContract(db, web.world.organizations.sharing.id, 'CT-CALL-1');
    const printer = await makeEquipment(db, {
      serialNumber: 'SN-CALL-1',
      model: 'HP LaserJet M607',
      maintenanceCode: 'MC-CALL-1',
      siteId: site.id,
      contractId: contract.id,
      contactId: web.world.users.customer.id,
    });
    const context = await browser().newContext({ locale: 'es-ES', viewport: { width: 360, height: 800 } });
    const page = await context.newPage();
    await logIn(page, web.url, 'agent@t.test');
    await untilOfflineReady(page);
    await page.goto(`${web.url}/tickets/new`);
    await offline(context, true);
    const form = page.locator('main form');
    expect(await form.getByLabel('Canal').inputValue()).toBe('phone');
    await form.getByLabel('Departamento').selectOption({ label: 'Sistemas' });
    await form.getByLabel('Asunto').fill('Llamada: sin correo');
    await form.getByLabel('Descripción').fill('La usuaria llama: Outlook no abre.');
    await form.getByRole('button', { name: 'Enviar ticket' }).click();
    await expect
      .poll(() => form.locator('.alert-error').textContent())
      .toBe('Revise estos datos: Nombre del solicitante.');
    const name = form.getByLabel('Nombre del solicitante');
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    expect(await form.locator('.field-error').textContent()).toBe(
      'Falta el solicitante: escriba su nombre o su correo, o el código de mantenimiento.',
    );
    expect(await syncStatus(page)).toBe('Sin conexión');
    await page.screenshot({ path: join(artifactsDir(), 'phone-intake-error-360.png'), fullPage: true });

    // What was typed stays; the caller names the maintenance code on their printer's label, found on the device.
    expect(await form.getByLabel('Asunto').inputValue()).toBe('Llamada: sin correo');
    await form.getByLabel('Buscar cliente o equipo').fill('mc-call');
    const found = form.getByRole('button', { name: /HP LaserJet M607 · SN-CALL-1 · MC-CALL-1/ });
    await expect
      .poll(() => found.textContent())
      .toBe('Ana Acmeana@acme.test · Acme · HP LaserJet M607 · SN-CALL-1 · MC-CALL-1');
    await found.click();
    expect(await name.inputValue()).toBe('Ana Acme');
    expect(await form.getByLabel('Correo del solicitante').inputValue()).toBe('ana@acme.test');
    expect(await form.getByLabel('Código de mantenimiento').inputValue()).toBe('MC-CALL-1');
    expect(await form.getByText('Cliente: Ana Acme. El ticket queda en su cuenta.').count()).toBe(1);
    await form.getByLabel('Teléfono').fill('+58 212 555 0199');
    await form.getByRole('button', { name: 'Enviar ticket' }).click();
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe('Número pendiente Llamada: sin correo');
    expect(await page.getByRole('link', { name: '+58 212 555 0199' }).getAttribute('href')).toBe('tel:+582125550199');

    await offline(context, false);
    await expect.poll(() => syncStatus(page), { timeout: 20_000 }).toMatch(/^Sincronizado/);
    const [row] = await web.database.db.select().from(tickets).where(eq(tickets.subject, 'Llamada: sin correo'));
    expect(row).toMatchObject({
      channel: 'phone',
      requesterId: web.world.users.customer.id,
      requesterName: 'Ana Acme',
      requesterPhone: '+58 212 555 0199',
      requesterEmail: 'ana@acme.test',
      organizationId: web.world.organizations.sharing.id,
      createdById: web.world.users.agent.id,
      equipmentId: printer.id,
      siteId: site.id,
    });
    // The caller's acknowledgement, with the number, is on its way.
    const acks = await web.database.db.select().from(outbox).where(eq(outbox.kind, 'ticket_created'));
    expect(acks.filter((o) => (o.payload as { ticketId?: string }).ticketId === row?.id)).toHaveLength(1);
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe(`${row?.number} Llamada: sin correo`);
    await context.close();
  });

  it('works from the keyboard: assign to me, write a note or a reply, change the state, and a help sheet', async () => {
    const as = await clientsFor(web.app, { customer: 'ana@acme.test' });
    const x = await openTicket(as.customer, web.world, { subject: 'Teclado primero' });
    const context = await browser().newContext({ locale: 'es-ES', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await logIn(page, web.url, 'agent@t.test');
    await page.goto(`${web.url}/tickets/${x.number}`);
    const panel = page.getByRole('region', { name: 'Propietario y nivel de soporte' });
    await expect.poll(() => panel.locator('p').first().textContent()).toContain('Sin asignar');
    const focused = () => page.evaluate(() => document.activeElement?.id ?? '');
    await page.locator('body').click({ position: { x: 1, y: 1 } });
    await page.keyboard.press('a');
    await expect.poll(() => panel.locator('p').first().textContent()).toContain(web.world.users.agent.name);

    await page.keyboard.press('n');
    const body = page.getByLabel('Texto');
    expect(await focused()).toBe(await body.getAttribute('id'));
    expect(await page.getByLabel('Tipo', { exact: true }).inputValue()).toBe('internal_note');
    // Typed into the field, "r" is a letter, not a shortcut.
    await page.keyboard.type('revisar');
    expect(await body.inputValue()).toBe('revisar');
    expect(await page.getByLabel('Tipo', { exact: true }).inputValue()).toBe('internal_note');
    await page.locator('body').click({ position: { x: 1, y: 1 } });
    await page.keyboard.press('r');
    expect(await page.getByLabel('Tipo', { exact: true }).inputValue()).toBe('public_reply');

    await page.locator('body').click({ position: { x: 1, y: 1 } });
    await page.keyboard.press('s');
    expect(await focused()).toBe(await page.getByLabel('Cambiar estado').getAttribute('id'));

    await page.locator('body').click({ position: { x: 1, y: 1 } });
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Atajos de teclado' });
    await expect.poll(() => help.isVisible()).toBe(true);
    expect(await help.textContent()).toContain('aAsignármelo');
    await page.keyboard.press('Escape');
    await expect.poll(() => help.isVisible()).toBe(false);
    await context.close();
  });
});
