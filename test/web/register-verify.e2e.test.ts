import { join } from 'node:path';
import { outbox, tickets } from '@mesa/api/db/schema';
import { afterResponseSettled } from '@mesa/api/services/after-response';
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useBrowser } from '../support/browser';
import { artifactsDir, logIn, offline, syncStatus, untilOfflineReady, useWebWorld } from '../support/web-world';

const web = useWebWorld();
const browser = useBrowser();

/** The verification link of the mail queued for `to` (the outbox row the mail worker sends from). */
async function verificationLink(to: string): Promise<URL> {
  await afterResponseSettled();
  const rows = await web.database.db
    .select()
    .from(outbox)
    .where(and(eq(outbox.kind, 'verify_email'), sql`${outbox.payload}->>'to' = ${to}`));
  expect(rows).toHaveLength(1);
  const [mail] = rows;
  if (!mail) throw new Error(`no verification mail to ${to}`);
  return new URL((mail.payload as { link: string }).link);
}

describe('a new customer', () => {
  it('registers, confirms through the mailed link, opens a ticket offline that reaches the desk, then corrects its CC', async () => {
    const email = 'lucia@nueva.test';
    const password = 'una clave bien larga';
    const context = await browser().newContext({ locale: 'es-ES', viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    await page.goto(`${web.url}/register`);
    await page.getByLabel('Nombre completo').fill('Lucía Nueva');
    await page.getByLabel('Correo electrónico').fill(email);
    await page.getByLabel('Clave', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Crear cuenta' }).click();
    await expect.poll(() => page.locator('main h1').textContent()).toBe('Revise su correo');

    // The link as mailed, opened on this server (the test server's public URL is a fixed name).
    const link = await verificationLink(email);
    expect(link.pathname).toBe('/verify');
    await page.goto(`${web.url}${link.pathname}${link.search}`);
    await page.getByLabel('Clave elegida al crear la cuenta').fill(password);
    await page.getByRole('button', { name: 'Confirmar mi correo' }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('Su correo quedó confirmado.');

    await logIn(page, web.url, email, password);
    await untilOfflineReady(page);
    await offline(context, true);
    await page.goto(`${web.url}/tickets/new`);
    await page.getByLabel('Departamento').selectOption({ label: 'Sistemas' });
    await page.getByLabel('Asunto').fill('No tengo acceso a la VPN');
    await page.getByLabel('Descripción').fill('Desde ayer la VPN rechaza mi usuario.');
    await page.getByRole('button', { name: 'Enviar ticket' }).click();
    await expect
      .poll(() => page.locator('main h1').first().textContent())
      .toBe('Número pendiente No tengo acceso a la VPN');
    expect(await syncStatus(page)).toBe('Sin conexión · cambios guardados aquí: 1');
    await page.screenshot({ path: join(artifactsDir(), 'registered-offline-ticket-360.png'), fullPage: true });

    await offline(context, false);
    await expect
      .poll(() => page.locator('main h1 .ticket-number').textContent(), { timeout: 20_000 })
      .toMatch(/^T-\d{6}$/);
    const [row] = await web.database.db.select().from(tickets).where(eq(tickets.subject, 'No tengo acceso a la VPN'));
    expect(row).toMatchObject({ requesterEmail: email, requesterName: 'Lucía Nueva', channel: 'web' });

    // A customer may change only who gets copies; a bad address is named and nothing typed is lost.
    await page.getByRole('button', { name: 'Cambiar «Con copia a»' }).click();
    await page.getByLabel('Con copia a').fill('jefe@nueva.test, no-es-correo');
    await page.getByRole('button', { name: 'Guardar cambios' }).click();
    await expect
      .poll(() => page.locator('main .form-error').first().textContent())
      .toContain('Estas direcciones de copia no son válidas: no-es-correo');
    expect(await page.getByLabel('Con copia a').inputValue()).toBe('jefe@nueva.test, no-es-correo');
    await page.getByLabel('Con copia a').fill('jefe@nueva.test');
    await page.getByRole('button', { name: 'Guardar cambios' }).click();
    await expect
      .poll(
        async () =>
          (
            await web.database.db
              .select()
              .from(tickets)
              .where(eq(tickets.id, row?.id ?? ''))
          )[0]?.cc,
        { timeout: 20_000 },
      )
      .toEqual(['jefe@nueva.test']);
    await context.close();
  });
});
