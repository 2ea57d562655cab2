import { SERVICE_DESK_SLUG } from '@mesa/core';
import { z } from 'zod';
import { passwordProblem, passwordProblemText } from './services/password-policy';

// The only module that reads process.env: everything else receives a typed Env.
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  /** Public URL of the PWA, used in links sent by e-mail. */
  PUBLIC_URL: z.url().optional(),
  /** postgres://… → real Postgres; unset → embedded PGlite in DATA_DIR. */
  DATABASE_URL: z.string().min(1).optional(),
  DATA_DIR: z.string().default('./data'),
  DEMO_DATA: bool.default(true),
  ADMIN_EMAIL: z.email().default('admin@mesa.test'),
  /** The first admin's password: the rules every password a person chooses follows (common, whitespace-only). */
  ADMIN_PASSWORD: z
    .string()
    .min(8)
    .max(200)
    .superRefine((password, ctx) => {
      const problem = passwordProblem(password);
      if (problem) ctx.addIssue({ code: 'custom', message: `${passwordProblemText[problem]}; choose another` });
    })
    .optional(),
  /**
   * Proxies in front of the API: `false`/0 none, `true` one, or their number. The client address is the
   * X-Forwarded-For entry that many hops from the right; cookies follow X-Forwarded-Proto (Secure).
   */
  TRUST_PROXY: z
    .union([z.enum(['true', 'yes']).transform(() => 1), z.enum(['false', 'no']).transform(() => 0), z.coerce.number()])
    .pipe(z.number().int().min(0).max(10))
    .default(0),
  SESSION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  WEB_DIST: z.string().optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),

  /** Sender of every mail; its domain names our Message-IDs. */
  MAIL_FROM: z.email().default('soporte@mesa.test'),
  MAIL_FROM_NAME: z.string().min(1).max(100).default('Mesa de ayuda'),
  /** smtp(s)://user:pass@host:port for outgoing mail; unset → .eml files in MAIL_OUTBOX_DIR. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  MAIL_OUTBOX_DIR: z.string().optional(),
  /** The main mailbox, e.g. imaps://user:pass@host:993/INBOX, bound to IMAP_DEPARTMENT. */
  IMAP_URL: z
    .string()
    .regex(/^imaps?:\/\//, 'must start with imap:// or imaps://')
    .optional(),
  IMAP_DEPARTMENT: z.string().min(1).default(SERVICE_DESK_SLUG),
  /** More mailboxes: "department-slug=imaps://…;other-slug=imaps://…". */
  IMAP_MAILBOXES: z.string().optional(),
  /** Polling interval when the server has no IDLE, and the safety net when it has. */
  IMAP_POLL_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  /** Port for the built-in inbound SMTP listener (off when unset). */
  SMTP_INBOUND_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Larger inbound messages are refused with a notice to their (human) sender. */
  MAIL_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(10 * 1024 * 1024),
  /** Inbound mail whose spam filter score (X-Spam-Score, X-Spam-Status score=) reaches this is spam: never answered. */
  MAIL_SPAM_SCORE: z.coerce.number().min(0).max(1000).default(5),
  /** Run the outbox worker in this instance (every instance may: they share rows with SKIP LOCKED). */
  OUTBOX_WORKER: bool.default(true),
  /** Idle sync event streams (GET /api/sync/events) get a heartbeat this often, under proxies' idle timeouts. */
  SYNC_HEARTBEAT_SECONDS: z.coerce.number().positive().max(3600).default(25),
  /** Attachment uploads one user may send at once (per API instance); more answer 429 TOO_MANY_UPLOADS. */
  UPLOAD_MAX_CONCURRENT_PER_USER: z.coerce.number().int().min(1).max(100).default(4),
  /** Attachment bytes one user may send per UTC day (all instances); more answer 429 UPLOAD_QUOTA_EXCEEDED. */
  UPLOAD_MAX_BYTES_PER_USER_DAY: z.coerce
    .number()
    .int()
    .min(1024 * 1024)
    .default(2 * 1024 * 1024 * 1024),
});

export type Env = z.infer<typeof envSchema>;

export function readEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid configuration:\n${lines}`);
  }
  return parsed.data;
}

/** Defaults for tests and tools: the schema's defaults with overrides, never the process environment. */
export const testEnv = (overrides: Record<string, string> = {}): Env =>
  readEnv({ NODE_ENV: 'test', DEMO_DATA: 'false', LOG_LEVEL: 'silent', ...overrides });
