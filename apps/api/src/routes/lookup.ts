import { createRoute } from '@hono/zod-openapi';
import { AppError, ErrorCode, equipmentLookupQuery, equipmentLookupSchema } from '@mesa/core';
import type { Deps } from '../http/context';
import { errorResponses, json, router } from '../http/openapi';
import { requireStaff } from '../services/access';
import { lookupEquipment } from '../services/equipment-service';

export function lookupRoutes(deps: Deps) {
  return router().openapi(
    createRoute({
      method: 'get',
      path: '/lookup/equipment',
      tags: ['reference'],
      summary: 'Phone intake: a maintenance code or serial number → customer, equipment, site, contract (staff)',
      request: { query: equipmentLookupQuery },
      responses: { 200: json(equipmentLookupSchema), ...errorResponses },
    }),
    async (c) => {
      requireStaff(c.get('actor'));
      const found = await lookupEquipment(deps.database.db, c.req.valid('query'));
      if (!found) throw new AppError(ErrorCode.NOT_FOUND);
      return c.json(found, 200);
    },
  );
}
