export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_MAX_MS = 60_000;

/**
 * Delay before retry number `attempt` (1-based): exponential, capped at 60 s, with "equal jitter"
 * (half fixed, half random) so devices that went offline together do not come back in lockstep.
 * A server's Retry-After is honoured when longer.
 */
export function backoffDelay(attempt: number, random: () => number, retryAfterMs?: number): number {
  const exp = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + random() * (exp / 2);
  return Math.min(BACKOFF_MAX_MS, Math.max(jittered, retryAfterMs ?? 0));
}
