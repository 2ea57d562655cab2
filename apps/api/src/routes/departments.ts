import { createRoute } from '@hono/zod-openapi';
import { departmentSchema } from '@mesa/core';
import { z } from 'zod';
import type { Deps } from '../http/context';
import { errorResponses, json, router } from '../http/openapi';
import { toDepartment } from '../services/reference-service';

export function departmentRoutes(deps: Deps) {
  return router().openapi(
    createRoute({
      method: 'get',
      path: '/departments',
      tags: ['reference'],
      summary: 'Departments a ticket can be opened in (public: the portal shows them before login)',
      responses: { 200: json(z.object({ items: z.array(departmentSchema) })), ...errorResponses },
    }),
    async (c) => {
      const ref = await deps.reference.get();
      const items = [...ref.departments.values()]
        .map((d) => toDepartment(d, c.get('lang')))
        .sort((a, b) => Number(a.urgentOnly) - Number(b.urgentOnly) || a.name.localeCompare(b.name));
      return c.json({ items }, 200);
    },
  );
}
