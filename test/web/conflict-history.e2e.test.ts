import { join } from 'node:path';
import { tickets } from '@mesa/api/db/schema';
import { eq } from 'drizzle-orm';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { clientsFor } from '../support/api';
import { useBrowser } from '../support/browser';
import { openTicket } from '../support/tickets';
import { artifactsDir, logIn, offline, syncStatus, untilOfflineReady, useWebWorld } from '../support/web-world';

const web = useWebWorld();
const browser = useBrowser();

async function staffDevice(
  email: string,
  number: string,
  width: number,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser().newContext({ locale: 'es-ES', viewport: { width, height: 900 } });
  const page = await context.newPage();
  await logIn(page, web.url, email);
  await untilOfflineReady(page);
  await page.goto(`${web.url}/tickets/${number}`);
  await page.getByRole('button', { name: 'Editar ticket' }).waitFor();
  return { context, page };
}

async function editSubject(page: Page, subject: string, screenshot?: string): Promise<void> {
  await page.getByRole('button', { name: 'Editar ticket' }).click();
  await page.getByLabel('Asunto').fill(subject);
  if (screenshot) await page.screenshot({ path: join(artifactsDir(), screenshot), fullPage: true });
  await page.getByRole('button', { name: 'Guardar cambios' }).click();
  await expect.poll(() => page.locator('main h1').first().textContent()).toContain(subject);
}

const serverSubject = async (id: string) =>
  (await web.database.db.select({ subject: tickets.subject }).from(tickets).where(eq(tickets.id, id)))[0]?.subject;

describe('two staff devices edit the same field offline', () => {
  it('the later arrival wins and the first writer’s history says their value was replaced, by what and by whom', async () => {
    const as = await clientsFor(web.app, { customer: 'ana@acme.test' });
    const ticket = await openTicket(as.customer, web.world, { subject: 'La impresora no imprime' });
    const agent = await staffDevice('agent@t.test', ticket.number, 1280);
    const supervisor = await staffDevice('super@t.test', ticket.number, 360);

    await offline(agent.context, true);
    await offline(supervisor.context, true);
    await editSubject(agent.page, 'Impresora del piso 2 sin tóner');
    await editSubject(supervisor.page, 'Impresora del piso 2: cambiar fusor', 'ticket-edit-offline-360.png');
    expect(await syncStatus(agent.page)).toBe('Sin conexión · cambios guardados aquí: 1');

    await offline(agent.context, false);
    await expect.poll(() => serverSubject(ticket.id), { timeout: 20_000 }).toBe('Impresora del piso 2 sin tóner');
    await offline(supervisor.context, false);
    await expect.poll(() => serverSubject(ticket.id), { timeout: 20_000 }).toBe('Impresora del piso 2: cambiar fusor');

    // The agent's open page learns of it live: the subject, and the conflict in history.
    const mark = agent.page.locator('.history-conflict');
    await expect
      .poll(() => mark.textContent(), { timeout: 20_000 })
      .toContain(
        `Conflicto: su valor «Impresora del piso 2 sin tóner» de Asunto fue reemplazado por «Impresora del piso 2: cambiar fusor» de ${web.world.users.supervisor.name}.`,
      );
    await expect.poll(() => agent.page.locator('main h1').first().textContent()).toContain('cambiar fusor');
    // The supervisor sees the same mark as someone else's value (the agent's) that they replaced.
    await expect
      .poll(() => supervisor.page.locator('.history-conflict').textContent(), { timeout: 20_000 })
      .toContain(
        `el valor «Impresora del piso 2 sin tóner» de Asunto (${web.world.users.agent.name}) fue reemplazado por «Impresora del piso 2: cambiar fusor» de ${web.world.users.supervisor.name}, que veía «La impresora no imprime».`,
      );
    await agent.page.screenshot({ path: join(artifactsDir(), 'conflict-history-1280.png'), fullPage: true });
    await supervisor.page.screenshot({ path: join(artifactsDir(), 'conflict-history-360.png'), fullPage: true });
    await agent.context.close();
    await supervisor.context.close();
  });
});
