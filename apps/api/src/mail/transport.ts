import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Env } from '../env';
import type { Logger } from '../logger';

export interface Envelope {
  /** The bounce address (MAIL FROM). */
  from: string;
  /** Every recipient, To and Cc alike (RCPT TO). */
  to: string[];
}

export interface MailTransport {
  kind: 'smtp' | 'files';
  /** Sends a prebuilt message as is: what is stored as the raw .eml is exactly what left. */
  send(raw: Buffer, envelope: Envelope): Promise<void>;
  close(): void;
}

export const transportKind = (env: Env): MailTransport['kind'] => (env.SMTP_URL ? 'smtp' : 'files');

export const outboxDir = (env: Env): string => env.MAIL_OUTBOX_DIR ?? join(env.DATA_DIR, 'outbox');

/** The Message-ID of a raw message (for the file name), without brackets. */
function messageIdOf(raw: Buffer): string | null {
  const head = raw.subarray(0, 64 * 1024).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const headers = (end >= 0 ? head.slice(0, end) : head).replace(/\r?\n[ \t]+/g, ' ');
  return /^message-id:\s*<?([^\s<>]+)>?/im.exec(headers)?.[1] ?? null;
}

/** SMTP when SMTP_URL is set; otherwise one .eml file per message, handy in development and for demos. */
export function createTransport(env: Env, log: Logger): MailTransport {
  if (env.SMTP_URL) {
    const smtp = nodemailer.createTransport({
      url: env.SMTP_URL,
      // Well under the worker's claim lease, so a hung server fails the send before another
      // instance may take the row over (and send it a second time).
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
    });
    return {
      kind: 'smtp',
      async send(raw, envelope) {
        const info = await smtp.sendMail({ envelope: { from: envelope.from, to: envelope.to }, raw });
        if (info.rejected.length > 0) log.warn('mail: recipients refused by SMTP', { rejected: info.rejected });
      },
      close: () => smtp.close(),
    };
  }
  const dir = outboxDir(env);
  return {
    kind: 'files',
    async send(raw) {
      await mkdir(dir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const id = (messageIdOf(raw) ?? 'no-id').replace(/[^A-Za-z0-9._@-]/g, '_').slice(0, 150);
      await writeFile(join(dir, `${stamp}-${id}.eml`), raw);
    },
    close: () => {},
  };
}
