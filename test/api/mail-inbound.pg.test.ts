import { randomUUID } from 'node:crypto';
import { departments } from '@mesa/api/db/schema';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, client, clientsFor, testApp } from '../support/api';
import { loginCookie, request } from '../support/http';
import { type MailDesk, openMailDesk } from '../support/mail-desk';
import { composeMail, fixture } from '../support/mail-factory';
import { expectError } from '../support/tickets';

let desk: MailDesk;
let app: ReturnType<typeof testApp>;
let as: Record<'admin' | 'supervisor' | 'agent' | 'customer', Client>;

beforeAll(async () => {
  desk = await openMailDesk();
  app = testApp(desk.database);
  as = await clientsFor(app, {
    admin: 'admin@t.test',
    supervisor: 'super@t.test',
    agent: 'agent@t.test',
    customer: 'ana@acme.test',
  });
});
afterAll(() => desk?.close());

const opensTickets = async (slug: string) => {
  const [d] = await desk.database.db
    .select({ opens: departments.automatedMailOpensTickets })
    .from(departments)
    .where(eq(departments.slug, slug));
  return d?.opens;
};

describe('GET /api/admin/mail/inbound', () => {
  it('lists the mail stored without a ticket, newest first, with its reason; each downloads as received', async () => {
    const cron = fixture('cron-report.eml');
    expect((await desk.intake(desk.mailbox.id, cron)).outcome).toBe('stored');
    const person = await desk.intake(desk.mailbox.id, await composeMail({ messageId: 'persona.1@example.com' }));
    expect(person.outcome).toBe('created');
    expect((await desk.intake(desk.mailbox.id, fixture('spam-filter-wrapper.eml'))).outcome).toBe('stored');

    const r = await as.admin.get('/api/admin/mail/inbound');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.items.map((m: any) => ({ ...m, id: typeof m.id, createdAt: typeof m.createdAt }))).toEqual([
      {
        id: 'string',
        mailbox: 'atencion@mesa.test',
        from: 'premios@loteria.example',
        subject: '***SPAM*** Ha ganado 1.000.000 EUR',
        reason: 'spam:x-spam-flag',
        size: fixture('spam-filter-wrapper.eml').length,
        createdAt: 'string',
      },
      {
        id: 'string',
        mailbox: 'atencion@mesa.test',
        from: 'root@srv-backup.example.com',
        subject: 'Cron <root@srv-backup> /usr/local/bin/respaldo.sh',
        reason: 'x-cron-env',
        size: cron.length,
        createdAt: 'string',
      },
    ]);
    expect((await as.admin.get('/api/admin/mail/inbound?limit=1')).body.items).toHaveLength(1);

    const { cookie } = await loginCookie(app, 'admin@t.test');
    const eml = await request(app, 'GET', `/api/admin/mail/inbound/${r.body.items[1].id}/eml`, { cookie });
    expect(eml.status).toBe(200);
    expect(eml.headers.get('content-type')).toMatch(/^message\/rfc822/);
    expect(eml.body).toBe(cron.toString('utf8'));
  });
});

describe('PUT /api/admin/departments/{slug}/mail-settings', () => {
  it('lets an admin have automated mail open tickets in one department', async () => {
    expect(await opensTickets('redes')).toBe(false);
    const r = await as.admin.put('/api/admin/departments/redes/mail-settings', { automatedMailOpensTickets: true });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({ slug: 'redes', automatedMailOpensTickets: true });
    expect(await opensTickets('redes')).toBe(true);
    expect(await opensTickets('atencion')).toBe(false);
    const off = await as.admin.put('/api/admin/departments/redes/mail-settings', { automatedMailOpensTickets: false });
    expect(off.body).toEqual({ slug: 'redes', automatedMailOpensTickets: false });
  });
});

describe('security', () => {
  it('is for admins only: 401 anonymous, 403 for staff and customers, nothing changed', async () => {
    expectError(await client(app).get('/api/admin/mail/inbound'), 401, 'UNAUTHENTICATED');
    for (const who of [as.supervisor, as.agent, as.customer]) {
      expectError(await who.get('/api/admin/mail/inbound'), 403, 'FORBIDDEN');
      expectError(
        await who.put('/api/admin/departments/atencion/mail-settings', { automatedMailOpensTickets: true }),
        403,
        'FORBIDDEN',
      );
    }
    const { cookie } = await loginCookie(app, 'agent@t.test');
    expect((await request(app, 'GET', `/api/admin/mail/inbound/${randomUUID()}/eml`, { cookie })).status).toBe(403);
    expect(await opensTickets('atencion')).toBe(false);
  });

  it('a message that opened a ticket is not downloadable here', async () => {
    const row = (await desk.inbound()).find((m) => m.messageId === 'persona.1@example.com');
    expect(row?.outcome).toBe('created');
    expectError(await as.admin.get(`/api/admin/mail/inbound/${row!.id}/eml`), 404, 'NOT_FOUND');
  });
});

describe('errors', () => {
  it('404 for an unknown message or department, 400 naming the field for bad input', async () => {
    expectError(await as.admin.get(`/api/admin/mail/inbound/${randomUUID()}/eml`), 404, 'NOT_FOUND');
    expectError(await as.admin.get('/api/admin/mail/inbound/nope/eml'), 400, 'VALIDATION_FAILED');
    expectError(
      await as.admin.put('/api/admin/departments/nada/mail-settings', { automatedMailOpensTickets: true }),
      404,
      'NOT_FOUND',
    );
    const bad = expectError(
      await as.admin.put('/api/admin/departments/redes/mail-settings', { automatedMailOpensTickets: 'yes' }),
      400,
      'VALIDATION_FAILED',
    );
    expect(JSON.stringify(bad.details)).toContain('automatedMailOpensTickets');
    expectError(await as.admin.get('/api/admin/mail/inbound?limit=0'), 400, 'VALIDATION_FAILED');
  });
});
