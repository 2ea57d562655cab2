import type { Database } from '@mesa/api/db/client';
import { dropReason } from '@mesa/api/mail/recipient-rules';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../support/db';

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database?.close());

const own = new Set(['soporte@mesa.test']);

describe('dropReason', () => {
  it('never sends to an address that does not parse as a mailbox, whatever the kind of mail', async () => {
    const bad = ['"millions lottery spain transfer"@example.com>', '"broken <<joe@"@example..com', 'joe@@example.com'];
    for (const address of bad) {
      for (const automated of ['ack', 'notification', null] as const) {
        expect(await dropReason(database.db, address, { automated, ticketId: null }, own), address).toBe(
          'not a valid mailbox',
        );
      }
    }
    expect(await dropReason(database.db, 'ana.gomez@example.com', { automated: 'ack', ticketId: null }, own)).toBe(
      null,
    );
  });
});
