import { expect } from 'vitest';
import { PASSWORD } from './world';

interface FetchApp {
  request(path: string, init?: RequestInit): Response | Promise<Response>;
}

/** Logs in through the API and returns the session cookie ("name=value"), for raw requests. */
export async function sessionCookie(app: FetchApp, email: string, password = PASSWORD): Promise<string> {
  const res = await app.request('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error(`no session cookie for ${email}`);
  return cookie;
}

/** An event as the stream carried it: `poke`, or `heartbeat` for the comment line. */
export interface StreamEvent {
  name: string;
  data: string;
  at: number;
}

/**
 * A text/event-stream response read in the background, one frame per event. `next` waits for the next
 * event, `quiet` collects whatever arrives in a window, `close` disconnects like a browser tab closing.
 */
export function readEventStream(res: Response) {
  if (!res.body) throw new Error('response has no body');
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const queue: StreamEvent[] = [];
  let ended = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };

  void (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = frame.split('\n');
          const at = performance.now();
          if (lines.every((l) => l.startsWith(':'))) {
            queue.push({ name: lines[0]?.slice(1).trim() ?? '', data: '', at });
          } else {
            const field = (f: string) =>
              lines
                .filter((l) => l.startsWith(`${f}:`))
                .map((l) => l.slice(f.length + 1).replace(/^ /, ''))
                .join('\n');
            queue.push({ name: field('event') || 'message', data: field('data'), at });
          }
        }
        notify();
      }
    } catch {
      // Cancelled by close().
    } finally {
      ended = true;
      notify();
    }
  })();

  const waitForChange = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  return {
    status: res.status,
    headers: res.headers,
    get ended() {
      return ended;
    },
    /** The next event, or null once the stream has ended; fails after `timeoutMs`. */
    async next(timeoutMs = 5000): Promise<StreamEvent | null> {
      const deadline = performance.now() + timeoutMs;
      while (queue.length === 0 && !ended) {
        const left = deadline - performance.now();
        if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`);
        await waitForChange(left);
      }
      return queue.shift() ?? null;
    },
    /** The next event named `name`, skipping others (heartbeats). */
    async nextNamed(name: string, timeoutMs = 5000): Promise<StreamEvent> {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const e = await this.next(Math.max(1, deadline - performance.now()));
        if (e === null) throw new Error(`stream ended before a ${name} event`);
        if (e.name === name) return e;
      }
    },
    /** Everything that arrives during `ms` (and was already waiting). */
    async quiet(ms: number): Promise<StreamEvent[]> {
      await new Promise((r) => setTimeout(r, ms));
      return queue.splice(0);
    },
    async close() {
      await reader.cancel().catch(() => {});
    },
  };
}

export type EventStream = ReturnType<typeof readEventStream>;

/** Opens GET /api/sync/events with a session cookie (or none). */
export async function openEvents(app: FetchApp, cookie?: string): Promise<EventStream> {
  const res = await app.request('/api/sync/events', { headers: cookie ? { cookie } : {} });
  return readEventStream(res);
}
