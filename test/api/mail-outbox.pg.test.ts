import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '@mesa/api/db/client';
import { testEnv } from '@mesa/api/env';
import { createLogger } from '@mesa/api/logger';
import { type OutboxWorker, startOutboxWorker } from '@mesa/api/mail/outbox-worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, client, clientsFor, testApp } from '../support/api';
import { openTestDatabase } from '../support/db';
import { loginCookie, request } from '../support/http';
import { expectError, openTicket } from '../support/tickets';
import { buildWorld, type World } from '../support/world';

let database: Database;
let world: World;
let app: ReturnType<typeof testApp>;
let as: Record<'admin' | 'supervisor' | 'agent' | 'customer', Client>;
let dir: string;
let worker: OutboxWorker;

beforeAll(async () => {
  database = await openTestDatabase();
  world = await buildWorld(database);
  app = testApp(database);
  as = await clientsFor(app, {
    admin: 'admin@t.test',
    supervisor: 'super@t.test',
    agent: 'agent@t.test',
    customer: 'ana@acme.test',
  });
  dir = mkdtempSync(join(tmpdir(), 'mesa-mail-route-'));
  const env = testEnv({ MAIL_OUTBOX_DIR: dir });
  const deps = { db: database.db, env, log: createLogger('silent'), publicUrl: 'http://mesa.test' };
  worker = startOutboxWorker(deps, { intervalMs: 3_600_000 });
});
afterAll(async () => {
  await worker?.stop();
  await database?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function drain() {
  while ((await worker.runOnce()) > 0) {}
}

describe('GET /api/admin/mail', () => {
  it('shows an admin the transport, what is pending and what was sent; each sent message downloads as .eml', async () => {
    const sentTicket = await openTicket(as.customer, world);
    await drain();
    const pendingTicket = await openTicket(as.customer, world, { subject: 'Monitor sin imagen' });

    const r = await as.admin.get('/api/admin/mail');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.transport).toBe('files');
    expect(r.body.pending).toEqual([
      { id: expect.any(Number), kind: 'ticket_created', attempts: 0, lastError: null, availableAt: expect.any(String) },
    ]);
    const ack = r.body.sent.find((m: any) => m.automated === 'ack');
    expect(ack).toEqual({
      id: expect.any(String),
      to: ['ana@acme.test'],
      subject: `[${sentTicket.number}] Impresora no imprime`,
      automated: 'ack',
      createdAt: expect.any(String),
    });
    expect(r.body.sent).toHaveLength(2);
    expect(JSON.stringify(r.body)).not.toContain(pendingTicket.number);

    const { cookie } = await loginCookie(app, 'admin@t.test');
    const eml = await request(app, 'GET', `/api/admin/mail/${ack.id}/eml`, { cookie });
    expect(eml.status).toBe(200);
    expect(eml.headers.get('content-type')).toMatch(/^message\/rfc822/);
    expect(eml.body).toMatch(new RegExp(`^Message-ID: <mesa\\.${sentTicket.number}\\.[a-z0-9]+@mesa\\.test>`, 'm'));
    // The same bytes the transport wrote.
    const files = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8'));
    expect(files).toContain(eml.body);
  });

  it('is for admins only: 401 anonymous, 403 for staff and customers', async () => {
    expectError(await client(app).get('/api/admin/mail'), 401, 'UNAUTHENTICATED');
    for (const who of [as.supervisor, as.agent, as.customer]) {
      expectError(await who.get('/api/admin/mail'), 403, 'FORBIDDEN');
    }
    const { cookie } = await loginCookie(app, 'agent@t.test');
    const eml = await request(app, 'GET', `/api/admin/mail/${randomUUID()}/eml`, { cookie });
    expect(eml.status).toBe(403);
  });

  it('404 for a message that does not exist, 400 for a malformed id', async () => {
    expectError(await as.admin.get(`/api/admin/mail/${randomUUID()}/eml`), 404, 'NOT_FOUND');
    expectError(await as.admin.get('/api/admin/mail/nope/eml'), 400, 'VALIDATION_FAILED');
  });
});
