import { createRoute } from '@hono/zod-openapi';
import { settingsInput, settingsSchema } from '@mesa/core';
import { settings } from '../db/schema';
import type { Deps } from '../http/context';
import { errorResponses, json, jsonBody, router } from '../http/openapi';
import { rangeCheckedHook } from '../http/range-errors';
import { requireRole, requireStaff } from '../services/access';
import { SETTING_PRIORITY_MATRIX, SETTING_SLA_POLICY } from '../services/reference-service';

const tags = ['settings'];

/** Per-installation priority matrix and SLA targets. */
export function settingsRoutes(deps: Deps) {
  const { db } = deps.database;
  const current = async () => {
    const ref = await deps.reference.get();
    return { priorityMatrix: ref.priorityMatrix, slaPolicy: ref.slaPolicy };
  };
  return router()
    .openapi(
      createRoute({
        method: 'get',
        path: '/settings',
        tags,
        summary: 'Priority matrix and SLA policy (staff)',
        responses: { 200: json(settingsSchema), ...errorResponses },
      }),
      async (c) => {
        requireStaff(c.get('actor'));
        return c.json(await current(), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'put',
        path: '/settings',
        tags,
        summary: 'Replace the priority matrix and/or the SLA policy (admin). Applies to tickets classified afterwards.',
        description:
          'Every number has a range (minimum/maximum in the schema; SLA minutes 1–525600): a value outside it ' +
          'answers 422 VALUE_OUT_OF_RANGE with details { field, min, max }.',
        request: { body: jsonBody(settingsInput) },
        responses: { 200: json(settingsSchema), ...errorResponses },
      }),
      async (c) => {
        requireRole(c.get('actor'), 'admin');
        const input = c.req.valid('json');
        const entries = [
          input.priorityMatrix && { key: SETTING_PRIORITY_MATRIX, value: input.priorityMatrix },
          input.slaPolicy && { key: SETTING_SLA_POLICY, value: input.slaPolicy },
        ].filter((e) => !!e);
        for (const e of entries) {
          await db
            .insert(settings)
            .values(e)
            .onConflictDoUpdate({ target: settings.key, set: { value: e.value } });
        }
        deps.reference.invalidate();
        return c.json(await current(), 200);
      },
      rangeCheckedHook(settingsInput),
    );
}
