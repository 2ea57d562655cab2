import { randomUUID } from 'node:crypto';
import type { Database } from '@mesa/api/db/client';
import { mailboxes } from '@mesa/api/db/schema';
import { testEnv } from '@mesa/api/env';
import type { Logger } from '@mesa/api/logger';
import { type ImapReader, type ImapReaderOptions, startImapReader } from '@mesa/api/mail/imap-reader';
import type { IntakeFn, MailDeps } from '@mesa/api/mail/types';
import { eq } from 'drizzle-orm';
import type { Dovecot } from './dovecot';
import type { World } from './world';

// What the IMAP reader tests share: a recording log and intake, test messages, and readers on
// their own folders of one Dovecot.

interface Line {
  level: string;
  msg: string;
  fields: Record<string, unknown>;
}

export function recordingLog(): { log: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const at =
    (level: string) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      lines.push({ level, msg, fields });
    };
  return { log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

export const subjectOf = (raw: Buffer) => /^Subject: (.*)$/m.exec(raw.toString())?.[1]?.trim() ?? '';

/** Stands in for the real intake: records what it is fed; `fail` makes a call throw. */
export function recorder(fail: (subject: string) => boolean = () => false) {
  const fed: { mailboxId: string; subject: string; ok: boolean }[] = [];
  const intake: IntakeFn = async (mailboxId, raw) => {
    const subject = subjectOf(raw);
    const ok = !fail(subject);
    fed.push({ mailboxId, subject, ok });
    if (!ok) throw new Error(`intake refused ${subject}`);
    return { outcome: 'created', ticketId: null, ticketNumber: null };
  };
  return { intake, fed, subjects: () => fed.filter((f) => f.ok).map((f) => f.subject) };
}

export const imapMessage = (subject: string) =>
  `From: Ana <ana@acme.test>\r\nTo: soporte@mesa.test\r\nSubject: ${subject}\r\n` +
  `Message-ID: <${randomUUID()}@acme.test>\r\nDate: ${new Date().toUTCString()}\r\n\r\nHola\r\n`;

/** Mailboxes with their own folders, and readers that stopAll() stops. */
export function readerKit(ctx: {
  database: Database;
  world: World;
  dovecot: Dovecot;
  databaseUrl: string | undefined;
}) {
  const { database, world, dovecot } = ctx;
  const readers: ImapReader[] = [];
  let seq = 0;
  /** A mailbox row and its own IMAP folder, so tests do not see each other's mail. */
  async function newMailbox() {
    const n = ++seq;
    const folder = `Box${n}`;
    await dovecot.withClient((c) => c.mailboxCreate(folder));
    const [row] = await database.db
      .insert(mailboxes)
      .values({ name: `imap:test-${n}`, address: `box${n}@mesa.test`, departmentId: world.dept('atencion').id })
      .returning();
    return { id: row!.id, name: row!.name, folder };
  }

  const rowOf = async (id: string) => (await database.db.select().from(mailboxes).where(eq(mailboxes.id, id)))[0]!;

  const uidValidityOf = (folder: string) =>
    dovecot.withClient(async (c) => {
      const status = await c.status(folder, { uidValidity: true });
      return Number(status ? status.uidValidity : 0);
    });

  function start(
    box: { id: string; name: string; folder: string },
    intake: IntakeFn,
    extra: Partial<Pick<ImapReaderOptions, 'afterIntake'>> & { log?: Logger; url?: string } = {},
  ): ImapReader {
    const deps: MailDeps = {
      db: database.db,
      env: testEnv({ IMAP_POLL_SECONDS: '5' }),
      log: extra.log ?? recordingLog().log,
      publicUrl: 'http://mesa.test',
    };
    const reader = startImapReader({
      deps,
      mailbox: { id: box.id, name: box.name, url: extra.url ?? dovecot.url(box.folder) },
      intake,
      databaseUrl: ctx.databaseUrl,
      afterIntake: extra.afterIntake,
      retry: { baseMs: 100, maxMs: 1_000 },
    });
    readers.push(reader);
    return reader;
  }

  const stopAll = () => Promise.all(readers.splice(0).map((r) => r.stop()));
  return { newMailbox, rowOf, start, stopAll, uidValidityOf };
}
