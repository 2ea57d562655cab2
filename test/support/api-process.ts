/**
 * The API in a process of its own, as in production, for benches that measure it from outside: started from
 * main.ts with production settings, waited for until /api/health answers, and a poller of /api/health that
 * tags each sample with the phase the bench is in.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The p-th quantile (0–1) of unsorted samples; NaN for none. */
export const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? Number.NaN;

export interface ApiProcessOptions {
  port: number;
  /** Real Postgres by URL, or the embedded database in a data directory. */
  database: { url: string } | { dataDir: string };
  /** More settings (TRUST_PROXY…), over the bench defaults. */
  env?: Record<string, string>;
  /** Where the API's own stdout goes: nowhere, or this process's stderr. */
  stdout?: 'ignore' | 'stderr';
}

/**
 * Starts the API and resolves once /api/health answers 200. BENCH_CPU_PROF=<dir> writes a V8 CPU profile of
 * the API process, to see where a request's time goes.
 */
export async function startApi(opts: ApiProcessOptions): Promise<ChildProcess> {
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const api = spawn(
    process.execPath,
    [...prof, '--import', 'tsx', fileURLToPath(new URL('../../apps/api/src/main.ts', import.meta.url))],
    {
      env: {
        PATH: process.env.PATH,
        ...('url' in opts.database ? { DATABASE_URL: opts.database.url } : { DATA_DIR: opts.database.dataDir }),
        PORT: String(opts.port),
        HOST: '127.0.0.1',
        DEMO_DATA: 'false',
        ADMIN_PASSWORD: 'bench-admin-pass',
        LOG_LEVEL: 'warn',
        // Benches measure the request path; sending the resulting mail is the mail benches' territory.
        OUTBOX_WORKER: 'false',
        NODE_ENV: 'production',
        ...opts.env,
      },
      stdio: ['ignore', opts.stdout === 'stderr' ? 2 : 'ignore', 'inherit'],
    },
  );
  for (let i = 0; ; i++) {
    const ok = await fetch(`http://127.0.0.1:${opts.port}/api/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return api;
    if (api.exitCode !== null) throw new Error(`API exited (${api.exitCode}) while starting`);
    if (i > 300) throw new Error('API did not start');
    await sleep(100);
  }
}

export interface HealthSample {
  phase: string;
  ms: number;
  ok: boolean;
  /** performance.now() when the poll was sent. */
  at: number;
}

/**
 * Polls /api/health every `everyMs` without waiting for the previous answer, so a stalled server shows as
 * long samples rather than as fewer ones; `probe` sends one poll and tells whether it answered 200.
 */
export function startHealthPoller(probe: () => Promise<boolean>, everyMs: number) {
  const samples: HealthSample[] = [];
  let phase = 'idle';
  const timer = setInterval(() => {
    const at = phase;
    const t0 = performance.now();
    probe().then(
      (ok) => samples.push({ phase: at, ms: performance.now() - t0, ok, at: t0 }),
      () => samples.push({ phase: at, ms: performance.now() - t0, ok: false, at: t0 }),
    );
  }, everyMs);
  return {
    set: (p: string) => {
      phase = p;
    },
    /** Waits for the polls still in flight, then stops. */
    async stop() {
      clearInterval(timer);
      await sleep(3000);
      return samples;
    },
  };
}
