import type { Logger } from '../logger';

/**
 * Work that must not change how long the answer takes: what registration and password reset do differs
 * between a known and an unknown address (insert an account or mail its owner; mail a link or nothing),
 * and the response time would tell which. The request only records the attempt and answers; this runs
 * the rest right after, one task at a time per process (the throttles bound how many are queued).
 * A crash in between loses the mail, never data: the person asks again.
 */
let chain: Promise<void> = Promise.resolve();

export function afterResponse(log: Logger, what: string, task: () => Promise<void>): void {
  chain = chain.then(task).catch((error: unknown) => {
    log.error('deferred auth work failed', {
      what,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  });
}

/** Resolves once everything queued so far has run (tests, and a graceful shutdown). */
export const afterResponseSettled = (): Promise<void> => chain;
