/**
 * The client's address for throttling. Each proxy appends the address it received the request from to
 * X-Forwarded-For, so with `hops` trusted proxies in front of us the client is the `hops`-th entry from the
 * right; anything further left was written by the client and proves nothing. With fewer entries than hops
 * the request did not come through every proxy: the left-most entry there is the best we know (as Express's
 * `trust proxy` with a hop count does).
 */
export function clientAddress(
  forwardedFor: string | undefined,
  socket: string | undefined,
  hops: number,
): string | null {
  if (hops > 0 && forwardedFor) {
    const entries = forwardedFor
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e.length > 0);
    const picked = entries[Math.max(0, entries.length - hops)];
    if (picked) return picked.slice(0, 64);
  }
  return socket ?? null;
}
