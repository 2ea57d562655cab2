import { randomUUID } from 'node:crypto';
import { tryAdvisoryLock } from '@mesa/api/db/advisory-lock';
import type { Database } from '@mesa/api/db/client';
import { parseImapUrl } from '@mesa/api/mail/imap-reader';
import type { IntakeFn } from '@mesa/api/mail/types';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { openTestDatabase } from '../support/db';
import { type Dovecot, startDovecot } from '../support/dovecot';
import { imapMessage as message, readerKit, recorder, recordingLog, subjectOf } from '../support/imap-kit';
import { buildWorld } from '../support/world';

// Set on the Postgres leg: the lock then really is a Postgres advisory lock shared by all readers.
// The cases that need a second Postgres session are in imap-reader-lock.postgres.test.ts.
const pgUrl = inject('pgServer')?.url;

let database: Database;
let dovecot: Dovecot;
let kit: ReturnType<typeof readerKit>;
const newMailbox = () => kit.newMailbox();
const rowOf = (id: string) => kit.rowOf(id);
const uidValidityOf = (folder: string) => kit.uidValidityOf(folder);
const start: ReturnType<typeof readerKit>['start'] = (...args) => kit.start(...args);

beforeAll(async () => {
  [database, dovecot] = await Promise.all([openTestDatabase(), startDovecot()]);
  kit = readerKit({ database, world: await buildWorld(database), dovecot, databaseUrl: pgUrl });
});

afterEach(() => kit.stopAll());

afterAll(async () => {
  await dovecot?.stop();
  await database?.close();
});

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const seen = async (uid: number, folder: string) => ((await dovecot.flagsOf(uid, folder)) ?? []).includes('\\Seen');

describe('IMAP reader', () => {
  it('parses mailbox URLs, decoding credentials and the folder', () => {
    expect(parseImapUrl('imaps://ana%40acme.test:p%2Fw%3Ad@mail.acme.test/Soporte%202')).toEqual({
      host: 'mail.acme.test',
      port: 993,
      secure: true,
      user: 'ana@acme.test',
      pass: 'p/w:d',
      folder: 'Soporte 2',
    });
    expect(parseImapUrl('imap://u:p@127.0.0.1:1143')).toMatchObject({ port: 1143, secure: false, folder: 'INBOX' });
    expect(() => parseImapUrl('imap://u:top-secret@host/%E0%A4%A')).toThrow(/^(?!.*top-secret)/);
    expect(() => parseImapUrl('http://u:p@host/')).toThrow(/scheme/);
  });

  it('feeds new mail in UID order, marks it \\Seen after the intake, then stores lastUid', async () => {
    const box = await newMailbox();
    const uids: number[] = [];
    for (const s of ['one', 'two', 'three']) uids.push(await dovecot.append(message(s), box.folder));
    const rec = recorder();
    const duringIntake: { uid: number; seen: boolean; lastUid: number }[] = [];
    const reader = start(box, rec.intake, {
      // Runs between intake and \Seen: the message is not seen and lastUid has not moved yet.
      afterIntake: async (uid) => {
        duringIntake.push({ uid, seen: await seen(uid, box.folder), lastUid: (await rowOf(box.id)).lastUid });
      },
    });
    await reader.pollNow();

    expect(rec.subjects()).toEqual(['one', 'two', 'three']);
    expect(rec.fed.every((f) => f.mailboxId === box.id)).toBe(true);
    expect(duringIntake).toEqual(uids.map((uid, i) => ({ uid, seen: false, lastUid: i === 0 ? 0 : uids[i - 1] })));
    for (const uid of uids) expect(await seen(uid, box.folder)).toBe(true);
    const row = await rowOf(box.id);
    expect(row.lastUid).toBe(uids.at(-1));
    expect(row.uidValidity).toBe(await uidValidityOf(box.folder));

    // Nothing new: nothing fed again, even for mail a person already read in the mailbox.
    await reader.pollNow();
    const read = await dovecot.append(message('four'), box.folder, ['\\Seen']);
    await reader.pollNow();
    expect(rec.subjects()).toEqual(['one', 'two', 'three', 'four']);
    expect((await rowOf(box.id)).lastUid).toBe(read);
  });

  it('gets mail appended while IDLE without being asked', async () => {
    const box = await newMailbox();
    const rec = recorder();
    const reader = start(box, rec.intake);
    await reader.pollNow();
    expect(reader.state).toBe('connected');

    const t0 = Date.now();
    await dovecot.append(message('pushed'), box.folder);
    // Well under the 5 s poll interval: this can only be IDLE.
    await waitFor('the pushed message', () => rec.subjects().length === 1, 4_000);
    expect(Date.now() - t0).toBeLessThan(4_000);
    expect(rec.subjects()).toEqual(['pushed']);
  });

  it('feeds a message again after a crash between the intake commit and \\Seen', async () => {
    const box = await newMailbox();
    const uid = await dovecot.append(message('crash'), box.folder);
    const rec = recorder();
    const crashing = start(box, rec.intake, {
      afterIntake: async () => {
        throw new Error('simulated crash');
      },
    });
    await crashing.pollNow();
    await crashing.stop();
    expect(rec.subjects()).toEqual(['crash']);
    expect(await seen(uid, box.folder)).toBe(false);
    expect((await rowOf(box.id)).lastUid).toBe(0);

    // The next process reads it again (the real intake dedupes on Message-ID) and finishes the job.
    const next = start(box, rec.intake);
    await next.pollNow();
    expect(rec.subjects()).toEqual(['crash', 'crash']);
    expect(await seen(uid, box.folder)).toBe(true);
    expect((await rowOf(box.id)).lastUid).toBe(uid);
  });

  it('keeps a message the intake rejects unseen, never skips it, and retries it', async () => {
    const box = await newMailbox();
    const good1 = await dovecot.append(message('good-1'), box.folder);
    const bad = await dovecot.append(message('bad'), box.folder);
    const good2 = await dovecot.append(message('good-2'), box.folder);
    let failures = 0;
    const rec = recorder((s) => s === 'bad' && failures++ < 2);
    const { log, lines } = recordingLog();
    const reader = start(box, rec.intake, { log });
    await reader.pollNow();

    expect(rec.fed.map((f) => f.subject)).toEqual(['good-1', 'bad']);
    expect(await seen(good1, box.folder)).toBe(true);
    expect(await seen(bad, box.folder)).toBe(false);
    expect(await seen(good2, box.folder)).toBe(false);
    expect((await rowOf(box.id)).lastUid).toBe(good1);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        fields: expect.objectContaining({ uid: bad, error: 'intake refused bad' }),
      }),
    );

    // The reader retries on its own (backoff), in order.
    await waitFor('the retried messages', async () => (await rowOf(box.id)).lastUid === good2);
    expect(rec.fed.map((f) => `${f.subject}${f.ok ? '' : '!'}`)).toEqual(['good-1', 'bad!', 'bad!', 'bad', 'good-2']);
    expect(await seen(bad, box.folder)).toBe(true);
    expect(await seen(good2, box.folder)).toBe(true);
  });

  it('rereads the folder when its UIDVALIDITY changes', async () => {
    const box = await newMailbox();
    await dovecot.append(message('old-1'), box.folder);
    await dovecot.append(message('old-2'), box.folder);
    const rec = recorder();
    const first = start(box, rec.intake);
    await first.pollNow();
    await first.stop();
    const before = await rowOf(box.id);
    expect(before.lastUid).toBe(2);

    // Recreating the folder renumbers it: the new message gets UID 1, below the stored lastUid.
    await dovecot.withClient(async (c) => {
      await c.mailboxDelete(box.folder);
      await c.mailboxCreate(box.folder);
    });
    const uid = await dovecot.append(message('renumbered'), box.folder);
    const validity = await uidValidityOf(box.folder);
    expect(validity).not.toBe(before.uidValidity);

    const { log, lines } = recordingLog();
    const second = start(box, rec.intake, { log });
    await second.pollNow();
    expect(rec.subjects()).toEqual(['old-1', 'old-2', 'renumbered']);
    expect(await rowOf(box.id)).toMatchObject({ uidValidity: validity, lastUid: uid });
    expect(lines.map((l) => l.msg)).toContain('imap reader: UIDVALIDITY changed, rereading');
  });

  it('always grants the lock without a database server (embedded PGlite: one process owns the database)', async () => {
    const key = `mesa:mailbox:${randomUUID()}`;
    const a = await tryAdvisoryLock(undefined, key);
    const b = await tryAdvisoryLock(undefined, key);
    expect(a).not.toBeNull();
    expect(b).not.toBeNull();
    expect(await a!.held()).toBe(true);
    await a!.release();
    await b!.release();
  });

  it('stops cleanly: finishes the message in hand, logs out, releases the lock', async () => {
    const box = await newMailbox();
    const uids: number[] = [];
    for (const s of ['s1', 's2', 's3']) uids.push(await dovecot.append(message(s), box.folder));
    let entered: () => void = () => {};
    const inIntake = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const fed: string[] = [];
    const slow: IntakeFn = async (_id, raw) => {
      entered();
      await new Promise((r) => setTimeout(r, 300));
      fed.push(subjectOf(raw));
      return { outcome: 'created', ticketId: null, ticketNumber: null };
    };
    const { log, lines } = recordingLog();
    const reader = start(box, slow, { log });
    await inIntake;
    await reader.stop();

    expect(reader.state).toBe('stopped');
    expect(fed).toEqual(['s1']);
    expect(await seen(uids[0]!, box.folder)).toBe(true);
    expect(await seen(uids[1]!, box.folder)).toBe(false);
    expect((await rowOf(box.id)).lastUid).toBe(uids[0]);
    expect(lines.filter((l) => l.level !== 'info')).toEqual([]);
    expect(lines.map((l) => l.msg)).toContain('imap reader: stopped');
    await reader.pollNow();
    await reader.stop();
    expect(fed).toEqual(['s1']);
    const lock = await tryAdvisoryLock(pgUrl, `mesa:mailbox:${box.id}`);
    expect(lock).not.toBeNull();
    await lock!.release();
  });

  it('reconnects after the server restarts', async () => {
    const box = await newMailbox();
    const rec = recorder();
    const { log, lines } = recordingLog();
    const reader = start(box, rec.intake, { log });
    await reader.pollNow();

    await dovecot.halt();
    await waitFor('the reader to notice', () => reader.state === 'backoff');
    await dovecot.restart();
    await dovecot.append(message('after-restart'), box.folder);
    await waitFor('the message after the restart', () => rec.subjects().length === 1);
    expect(rec.subjects()).toEqual(['after-restart']);
    expect(lines.filter((l) => l.msg === 'imap reader: connected').length).toBeGreaterThanOrEqual(2);
    expect(lines.some((l) => l.msg === 'imap reader: error, reconnecting')).toBe(true);
  });

  it('logs bad credentials as an error, keeps retrying and never logs the password', async () => {
    const box = await newMailbox();
    await dovecot.append(message('unreachable'), box.folder);
    const rec = recorder();
    const { log, lines } = recordingLog();
    const wrong = 'Wr0ng-pa55/word';
    const reader = start(box, rec.intake, { log, url: dovecot.url(box.folder, wrong) });
    await waitFor('two failed logins', () => lines.filter((l) => l.level === 'error').length >= 2);

    expect(lines.find((l) => l.level === 'error')).toMatchObject({
      msg: 'imap reader: login failed, check the mailbox credentials',
      fields: { user: dovecot.user, folder: box.folder },
    });
    expect(rec.fed).toEqual([]);
    const logged = JSON.stringify(lines);
    for (const secret of [wrong, encodeURIComponent(wrong), dovecot.password]) expect(logged).not.toContain(secret);
    await reader.stop();
    expect(reader.state).toBe('stopped');
  });
});
