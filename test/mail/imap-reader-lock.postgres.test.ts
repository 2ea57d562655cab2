import { randomUUID } from 'node:crypto';
import { tryAdvisoryLock } from '@mesa/api/db/advisory-lock';
import type { Database } from '@mesa/api/db/client';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { openTestDatabase } from '../support/db';
import { type Dovecot, startDovecot } from '../support/dovecot';
import { imapMessage as message, readerKit, recorder } from '../support/imap-kit';
import { buildWorld } from '../support/world';

// Needs a Postgres server (a second session holding or losing the advisory lock) and Dovecot:
// the `postgres` project runs it on the Postgres leg only, where it never skips.
const server = inject('pgServer');
if (!server) throw new Error('*.postgres.test.ts needs DATABASE_URL (a Postgres server)');
const pgUrl = server.url;

let database: Database;
let dovecot: Dovecot;
let kit: ReturnType<typeof readerKit>;

beforeAll(async () => {
  [database, dovecot] = await Promise.all([openTestDatabase(), startDovecot()]);
  kit = readerKit({ database, world: await buildWorld(database), dovecot, databaseUrl: pgUrl });
});
afterEach(() => kit.stopAll());
afterAll(async () => {
  await dovecot?.stop();
  await database?.close();
});

describe('one IMAP reader per mailbox across instances', () => {
  it('holds the Postgres lock per session and notices when that session dies', async () => {
    const key = `mesa:mailbox:${randomUUID()}`;
    const a = await tryAdvisoryLock(pgUrl, key);
    expect(a).not.toBeNull();
    expect(await tryAdvisoryLock(pgUrl, key)).toBeNull();
    expect(await a!.held()).toBe(true);

    const admin = postgres(pgUrl, { max: 1, onnotice: () => {} });
    try {
      await admin`select pg_terminate_backend(pid) from pg_locks
        where locktype = 'advisory' and objid = (hashtext(${key})::bigint & 4294967295)::oid`;
    } finally {
      await admin.end();
    }
    expect(await a!.held()).toBe(false);
    const b = await tryAdvisoryLock(pgUrl, key);
    expect(b).not.toBeNull();
    await a!.release();
    await b!.release();
  });

  it('lets only the lock holder read a mailbox; another takes over when it stops', async () => {
    const box = await kit.newMailbox();
    const recA = recorder();
    const recB = recorder();
    const a = kit.start(box, recA.intake);
    await a.pollNow();
    const b = kit.start(box, recB.intake);
    await b.pollNow();
    expect(b.state).toBe('waiting-lock');

    await dovecot.append(message('for-a'), box.folder);
    await b.pollNow();
    await a.pollNow();
    expect(recA.subjects()).toEqual(['for-a']);
    expect(recB.subjects()).toEqual([]);

    await a.stop();
    await b.pollNow();
    expect(b.state).toBe('connected');
    await dovecot.append(message('for-b'), box.folder);
    await b.pollNow();
    expect(recB.subjects()).toEqual(['for-b']);
    expect(recA.subjects()).toEqual(['for-a']);
  });
});
