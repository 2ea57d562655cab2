import { createRoute } from '@hono/zod-openapi';
import { directoryQuery, organizationSchema, regionSchema, siteSchema } from '@mesa/core';
import { asc, ilike } from 'drizzle-orm';
import { z } from 'zod';
import { organizations, regions, sites } from '../db/schema';
import type { Deps } from '../http/context';
import { errorResponses, json, router } from '../http/openapi';
import { requireStaff } from '../services/access';

const tags = ['reference'];
const like = (q: string) => `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

/** What staff pick from when filtering queues by organization, site or region (seed 002 views). */
export function directoryRoutes(deps: Deps) {
  const { db } = deps.database;
  return router()
    .openapi(
      createRoute({
        method: 'get',
        path: '/organizations',
        tags,
        summary: 'Customer organizations (staff)',
        request: { query: directoryQuery },
        responses: { 200: json(z.object({ items: z.array(organizationSchema) })), ...errorResponses },
      }),
      async (c) => {
        requireStaff(c.get('actor'));
        const { q } = c.req.valid('query');
        const items = await db
          .select({
            id: organizations.id,
            name: organizations.name,
            membersSeeEachOther: organizations.membersSeeEachOther,
          })
          .from(organizations)
          .where(q ? ilike(organizations.name, like(q)) : undefined)
          .orderBy(asc(organizations.name))
          .limit(500);
        return c.json({ items }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/regions',
        tags,
        summary: 'The region hierarchy (staff)',
        responses: { 200: json(z.object({ items: z.array(regionSchema) })), ...errorResponses },
      }),
      async (c) => {
        requireStaff(c.get('actor'));
        const items = await db
          .select({ id: regions.id, name: regions.name, parentId: regions.parentId })
          .from(regions)
          .orderBy(asc(regions.name));
        return c.json({ items }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/sites',
        tags,
        summary: 'Sites with their region path, root first (staff)',
        request: { query: directoryQuery },
        responses: { 200: json(z.object({ items: z.array(siteSchema) })), ...errorResponses },
      }),
      async (c) => {
        requireStaff(c.get('actor'));
        const { q } = c.req.valid('query');
        const [siteRows, regionRows] = await Promise.all([
          db
            .select()
            .from(sites)
            .where(q ? ilike(sites.name, like(q)) : undefined)
            .orderBy(asc(sites.name))
            .limit(500),
          db.select().from(regions),
        ]);
        const byId = new Map(regionRows.map((r) => [r.id, r]));
        const path = (regionId: string): string[] => {
          const names: string[] = [];
          for (let r = byId.get(regionId); r && names.length < 32; r = r.parentId ? byId.get(r.parentId) : undefined) {
            names.unshift(r.name);
          }
          return names;
        };
        const items = siteRows.map((s) => ({
          id: s.id,
          name: s.name,
          address: s.address,
          regionId: s.regionId,
          regionPath: path(s.regionId),
        }));
        return c.json({ items }, 200);
      },
    );
}
