import type { Db } from '../db/client';
import type { Env } from '../env';
import type { Logger } from '../logger';
import type { Reference } from '../services/reference-service';
import { startImapReader } from './imap-reader';
import { createIntake } from './intake';
import { configuredMailboxes, ensureMailbox } from './mailboxes';
import { startOutboxWorker } from './outbox-worker';
import { startSmtpInbound } from './smtp-inbound';

export interface MailRuntime {
  /** One line per channel for the start banner. */
  summary: string[];
  stop(): Promise<void>;
}

/**
 * The e-mail channel of one API instance: the outbox worker (every instance may run one), the IMAP
 * readers (one instance per mailbox holds its advisory lock) and the optional SMTP listener.
 */
export async function startMail(opts: {
  db: Db;
  env: Env;
  log: Logger;
  publicUrl: string;
  reference: Reference;
}): Promise<MailRuntime> {
  const { env, log } = opts;
  const deps = { db: opts.db, env, log, publicUrl: opts.publicUrl };
  const intake = createIntake({ ...deps, reference: opts.reference });
  const stops: Array<() => Promise<void>> = [];
  const summary: string[] = [];

  if (env.OUTBOX_WORKER) {
    const worker = startOutboxWorker(deps);
    stops.push(() => worker.stop());
    summary.push(
      env.SMTP_URL
        ? 'Mail out:  SMTP'
        : `Mail out:  .eml files in ${env.MAIL_OUTBOX_DIR ?? `${env.DATA_DIR}/outbox`} (no SMTP_URL)`,
    );
  }
  for (const source of configuredMailboxes(env)) {
    const mailbox = await ensureMailbox(opts.db, env, source);
    if (source.url) {
      const reader = startImapReader({
        deps,
        mailbox: { id: mailbox.id, name: mailbox.name, url: source.url },
        intake,
        databaseUrl: env.DATABASE_URL,
      });
      stops.push(() => reader.stop());
      summary.push(`Mail in:   ${new URL(source.url).host} → ${source.departmentSlug}`);
    } else if (env.SMTP_INBOUND_PORT !== undefined) {
      const listener = await startSmtpInbound({
        port: env.SMTP_INBOUND_PORT,
        host: env.HOST,
        mailboxId: mailbox.id,
        intake,
        log,
        hardLimitBytes: env.MAIL_MAX_BYTES * 3,
      });
      stops.push(() => listener.close());
      summary.push(`Mail in:   SMTP on port ${listener.port} → ${source.departmentSlug}`);
    }
  }
  return {
    summary,
    stop: async () => {
      await Promise.allSettled(stops.map((s) => s()));
    },
  };
}
