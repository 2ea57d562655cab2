import { createRoute } from '@hono/zod-openapi';
import {
  MAX_PULL_COOKIE_HEADER,
  PULL_COOKIE_HEADER,
  PULL_MORE_HEADER,
  pullRequestSchema,
  pullResponseSchema,
  pushRequestSchema,
  pushResponseSchema,
} from '@mesa/core';
import { pushSlots } from '../db/work-slots';
import type { Deps } from '../http/context';
import { errorResponses, json, jsonBody, router } from '../http/openapi';
import { requireActor } from '../services/access';
import { pull } from '../sync/pull';
import { pushMutations } from '../sync/push';

const tags = ['sync'];

/** The offline protocol: devices push their queued mutations and pull what changed in their scope. */
export function syncRoutes(deps: Deps) {
  const { db } = deps.database;
  return router()
    .openapi(
      createRoute({
        method: 'post',
        path: '/sync/push',
        tags,
        summary: "Apply a device's queued mutations in order (exactly once per client and id)",
        request: { body: jsonBody(pushRequestSchema) },
        responses: { 200: json(pushResponseSchema), ...errorResponses },
      }),
      async (c) => {
        const actor = requireActor(c.get('actor'));
        const req = c.req.valid('json');
        // A push runs up to 100 transactions: a few at once, the rest wait for a slot, not for a connection.
        return c.json(await pushSlots(db).run(() => pushMutations(db, deps.reference, actor, req)), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/sync/pull',
        tags,
        summary: 'Rows changed in the caller’s scope since the cookie, from one consistent snapshot',
        request: { body: jsonBody(pullRequestSchema) },
        responses: { 200: json(pullResponseSchema), ...errorResponses },
      }),
      async (c) => {
        const res = await pull(db, deps.reference, requireActor(c.get('actor')), c.req.valid('json'));
        if (res.cookie.length <= MAX_PULL_COOKIE_HEADER) {
          c.header(PULL_COOKIE_HEADER, res.cookie);
          c.header(PULL_MORE_HEADER, res.more ? '1' : '0');
        }
        return c.json(res, 200);
      },
    );
}
