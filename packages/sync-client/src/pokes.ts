import { ApiError, ErrorCode } from '@mesa/core';
import { backoffDelay } from './backoff';
import { type FetchLike, send } from './http';
import { readEvents } from './sse';

/** The server sends a heartbeat every 25 s; silence for longer than this means a dead connection. */
const SILENCE_MS = 60_000;

export interface PokeOptions {
  fetch: FetchLike;
  url: string;
  random: () => number;
  onPoke: () => void;
  onUnauthorized: () => void;
}

/**
 * Keeps a `GET /api/sync/events` stream open and calls `onPoke` on every poke (the server also pokes on
 * connect, so a reconnect pulls). Reconnects with backoff; stops on 401 until started again.
 */
export function listenForPokes(opts: PokeOptions): () => void {
  let stopped = false;
  let controller: AbortController | null = null;
  let wake: (() => void) | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  void (async () => {
    let failures = 0;
    while (!stopped) {
      controller = new AbortController();
      const abort = controller;
      let watchdog = setTimeout(() => abort.abort(), SILENCE_MS);
      const alive = () => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => abort.abort(), SILENCE_MS);
      };
      try {
        const res = await send(opts.fetch, opts.url, {
          method: 'GET',
          headers: { accept: 'text/event-stream' },
          signal: abort.signal,
        });
        failures = 0;
        if (res.body) await readEvents(res.body, (name) => name === 'poke' && opts.onPoke(), alive);
      } catch (error) {
        if (error instanceof ApiError && error.code === ErrorCode.UNAUTHENTICATED) {
          stopped = true;
          opts.onUnauthorized();
        }
      } finally {
        clearTimeout(watchdog);
      }
      if (!stopped) await sleep(backoffDelay(++failures, opts.random));
    }
  })();

  return () => {
    stopped = true;
    controller?.abort();
    (wake as (() => void) | null)?.();
  };
}
