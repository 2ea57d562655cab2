import { describe, expect, it } from 'vitest';
import { clientsFor } from '../support/api';
import { useBrowser } from '../support/browser';
import { openTicket } from '../support/tickets';
import { logIn, useWebWorld } from '../support/web-world';

const web = useWebWorld();
const browser = useBrowser();

describe("the desk, live and with the agent's alerts", () => {
  it("shows another agent's changes in the open queue at once, marked, and alerts the agent until they open the ticket", async () => {
    const as = await clientsFor(web.app, { customer: 'ana@acme.test', supervisor: 'super@t.test' });
    const context = await browser().newContext({ locale: 'es-ES', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await logIn(page, web.url, 'agent@t.test');
    await page.goto(`${web.url}/queue?q=${encodeURIComponent('En vivo')}`);
    await expect.poll(() => page.locator('main [role=status]').first().textContent()).toBe('Tickets: 0');
    const alerts = page.getByRole('link', { name: /^Avisos/ });
    expect(await alerts.getAttribute('aria-label')).toBe('Avisos: 0');

    // A customer's new ticket reaches the open queue through the poke and the pull, with no reload.
    const x = await openTicket(as.customer, web.world, { subject: 'En vivo: nuevo' });
    const row = page.locator('.ticket-row', { hasText: 'En vivo: nuevo' });
    await expect.poll(() => row.count(), { timeout: 5_000 }).toBe(1);
    await expect.poll(() => alerts.getAttribute('aria-label')).toBe('Avisos: 1');
    await expect.poll(() => page.title()).toMatch(/^\(1\) /);

    // The supervisor hands it to this agent: the row shows the owner and is marked; the alert says it is theirs.
    const assigned = await as.supervisor.post(`/api/tickets/${x.number}/assign`, { ownerId: web.world.users.agent.id });
    expect(assigned.status).toBe(200);
    await expect.poll(() => row.textContent(), { timeout: 5_000 }).toContain(web.world.users.agent.name);
    expect(await row.getAttribute('class')).toContain('changed');
    await alerts.click();
    await expect.poll(() => page.locator('.alert-list li').count()).toBe(1);
    expect(await page.locator('.alert-list li').textContent()).toContain(
      'Asignado a usted, con novedades desde que lo abrió',
    );

    // Opening it is having seen it.
    await page.locator('.alert-list a').click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(`${x.number} En vivo: nuevo`);
    await expect.poll(() => alerts.getAttribute('aria-label')).toBe('Avisos: 0');
    expect(await page.title()).not.toMatch(/^\(/);
    await context.close();
  });
});
