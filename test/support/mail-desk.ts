import type { Database } from '@mesa/api/db/client';
import { articles, mailMessages, outbox, tickets } from '@mesa/api/db/schema';
import { type Env, testEnv } from '@mesa/api/env';
import { createLogger } from '@mesa/api/logger';
import { createIntake } from '@mesa/api/mail/intake';
import { ensureMailbox, type MailboxRow } from '@mesa/api/mail/mailboxes';
import type { IntakeFn, MailDeps } from '@mesa/api/mail/types';
import { createReference } from '@mesa/api/services/reference-service';
import { asc, eq } from 'drizzle-orm';
import { openTestDatabase } from './db';
import { buildWorld, type World } from './world';

export interface MailDesk {
  database: Database;
  world: World;
  env: Env;
  deps: MailDeps;
  intake: IntakeFn;
  /** The 'atencion' mailbox (atencion@mesa.test), the default intake target. */
  mailbox: MailboxRow;
  addMailbox(departmentSlug: string, name?: string): Promise<MailboxRow>;
  ticket(id: string): Promise<typeof tickets.$inferSelect>;
  articlesOf(ticketId: string): Promise<Array<typeof articles.$inferSelect>>;
  outboxRows(kind?: string): Promise<Array<typeof outbox.$inferSelect>>;
  inbound(): Promise<Array<typeof mailMessages.$inferSelect>>;
  close(): Promise<void>;
}

/** A test database with the world, one mailbox and the real intake: what the mail tests share. */
export async function openMailDesk(overrides: Record<string, string> = {}): Promise<MailDesk> {
  const database = await openTestDatabase();
  const world = await buildWorld(database);
  const env = testEnv({ MAIL_FROM: 'soporte@mesa.test', ...overrides });
  const deps: MailDeps = { db: database.db, env, log: createLogger('silent'), publicUrl: 'http://desk.test' };
  const intake = createIntake({ ...deps, reference: createReference(database.db, 0) });
  const addMailbox = (slug: string, name = `imap:${slug}`) =>
    ensureMailbox(database.db, env, { name, departmentSlug: slug, url: null });
  const mailbox = await addMailbox('atencion');
  const db = database.db;
  return {
    database,
    world,
    env,
    deps,
    intake,
    mailbox,
    addMailbox,
    ticket: async (id) => {
      const [row] = await db.select().from(tickets).where(eq(tickets.id, id));
      if (!row) throw new Error(`no ticket ${id}`);
      return row;
    },
    articlesOf: (ticketId) =>
      db.select().from(articles).where(eq(articles.ticketId, ticketId)).orderBy(asc(articles.createdAt)),
    outboxRows: (kind) =>
      kind ? db.select().from(outbox).where(eq(outbox.kind, kind)).orderBy(asc(outbox.id)) : db.select().from(outbox),
    inbound: () => db.select().from(mailMessages).where(eq(mailMessages.direction, 'in')),
    close: () => database.close(),
  };
}
