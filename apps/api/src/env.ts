import { z } from 'zod';

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
  ADMIN_PASSWORD: z.string().min(8).max(200).optional(),
  /** Set when TLS ends in a proxy in front of the API: cookies become Secure, X-Forwarded-For is trusted. */
  TRUST_PROXY: bool.default(false),
  SESSION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  WEB_DIST: z.string().optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
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
