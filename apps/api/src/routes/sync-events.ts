import { createRoute, z } from '@hono/zod-openapi';
import { getCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import type { Deps } from '../http/context';
import { errorResponses, router } from '../http/openapi';
import { requireActor } from '../services/access';
import { loadActor, SESSION_COOKIE } from '../services/session-service';
import { pokeHub } from '../sync/pokes/hub';

/**
 * Live pokes for online devices: a data-free `poke` event whenever a commit touches the caller's scope
 * (and once on connect), so the device pulls. The stream carries no rows: what changed is only ever
 * read through the pull, with its scope checks.
 */
export function syncEventRoutes(deps: Deps) {
  const { db } = deps.database;
  const heartbeatMs = deps.env.SYNC_HEARTBEAT_SECONDS * 1000;
  return router().openapi(
    createRoute({
      method: 'get',
      path: '/sync/events',
      tags: ['sync'],
      summary: 'Server-Sent Events: `poke` when something in the caller’s scope changed (pull then)',
      description:
        'Sends `event: poke` (data `{}`) on connect and after every commit that touches the caller’s scope, ' +
        `at most one per 50 ms; a \`: heartbeat\` comment every ${deps.env.SYNC_HEARTBEAT_SECONDS} s. ` +
        'The stream ends when the session does.',
      responses: {
        200: { description: 'An event stream', content: { 'text/event-stream': { schema: z.string() } } },
        ...errorResponses,
      },
    }),
    (c) => {
      const actor = requireActor(c.get('actor'));
      const token = getCookie(c, SESSION_COOKIE) ?? '';
      const hub = pokeHub(deps.database, deps.log);
      // nginx and friends buffer responses by default, which would hold pokes back.
      c.header('X-Accel-Buffering', 'no');
      return streamSSE(c, async (stream) => {
        let finish = () => {};
        const done = new Promise<void>((resolve) => {
          finish = resolve;
        });
        stream.onAbort(() => finish());
        const subscription = hub.subscribe(actor, {
          // EventSource drops events with empty data, so "empty-ish": {}.
          poke: () => stream.writeSSE({ event: 'poke', data: '{}' }),
          end: () => finish(),
        });
        let beating = false;
        const heartbeat = async () => {
          if (beating) return; // a reader that does not read: no pile of pending writes
          beating = true;
          try {
            await stream.write(': heartbeat\n\n');
            // The session may have ended (logout, disabled user) or the scope changed (new departments).
            const fresh = await loadActor(db, token).catch(() => undefined);
            if (fresh === null) finish();
            else if (fresh) subscription.update(fresh);
          } finally {
            beating = false;
          }
        };
        const timer = setInterval(() => void heartbeat(), heartbeatMs);
        try {
          await done;
        } finally {
          clearInterval(timer);
          await subscription.close();
        }
      });
    },
  );
}
