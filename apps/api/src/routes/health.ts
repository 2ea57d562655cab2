import { createRoute } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../http/context';
import { json, router } from '../http/openapi';

const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.object({ ok: z.boolean(), kind: z.enum(['pglite', 'postgres']), latencyMs: z.number().nullable() }),
});

export function healthRoutes(deps: Deps) {
  return router().openapi(
    createRoute({
      method: 'get',
      path: '/health',
      tags: ['ops'],
      summary: 'Liveness and database reachability',
      responses: { 200: json(healthSchema), 503: json(healthSchema, 'Database unreachable') },
    }),
    async (c) => {
      const started = performance.now();
      const ok = await deps.database.db
        .execute(sql`select 1`)
        .then(() => true)
        .catch(() => false);
      const body = {
        status: ok ? ('ok' as const) : ('degraded' as const),
        database: {
          ok,
          kind: deps.database.kind,
          latencyMs: ok ? Math.round((performance.now() - started) * 100) / 100 : null,
        },
      };
      return ok ? c.json(body, 200) : c.json(body, 503);
    },
  );
}
