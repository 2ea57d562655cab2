import { tickets } from '@mesa/api/db/schema';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, inject, it } from 'vitest';
import { expectConverged, settle } from '../support/sync-checks';
import { useLab } from '../support/sync-world';

// A transaction held open while another commits needs two real sessions: Postgres leg only, never skipped.
if (!inject('pgServer')) throw new Error('*.postgres.test.ts needs DATABASE_URL (a Postgres server)');

const env = useLab();

describe('a device pulling between out-of-order commits', () => {
  it('gets the later-committing transaction on its next pull, never skips it', async () => {
    const a = await env.lab.fieldTicket('Transacción lenta');
    const b = await env.lab.fieldTicket('Transacción rápida');
    const device = await env.lab.device('supervisor');
    await settle(device);

    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    let written!: () => void;
    const wrote = new Promise<void>((r) => {
      written = r;
    });
    // A takes its transaction id first and stays open; B writes and commits meanwhile.
    const slow = env.database.db.transaction(async (tx) => {
      await tx
        .update(tickets)
        .set({ subject: 'Escrito por A', version: sql`${tickets.version} + 1` })
        .where(eq(tickets.id, a.id));
      written();
      await released;
    });
    await wrote;
    const { version } = (await env.lab.office.admin.get(`/api/tickets/${b.number}`)).body;
    const fast = await env.lab.office.admin.patch(`/api/tickets/${b.number}`, { version, subject: 'Escrito por B' });
    expect(fast.status, JSON.stringify(fast.body)).toBe(200);

    await device.client.syncNow();
    expect((await device.client.db.tickets.get(b.id))?.subject).toBe('Escrito por B');
    expect((await device.client.db.tickets.get(a.id))?.subject).toBe('Transacción lenta');

    release();
    await slow;
    await device.client.syncNow();
    expect((await device.client.db.tickets.get(a.id))?.subject).toBe('Escrito por A');
    await expectConverged(device, env.lab.server.url);
  });
});
