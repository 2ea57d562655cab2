import { createRoute } from '@hono/zod-openapi';
import { AppError, createUserInput, ErrorCode, userListQuery, userSchema } from '@mesa/core';
import { and, asc, eq, inArray, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { userDepartments, users } from '../db/schema';
import type { Deps } from '../http/context';
import { errorResponses, json, jsonBody, router } from '../http/openapi';
import { isManager, requireRole, requireStaff } from '../services/access';
import { createUser, toUser } from '../services/user-service';

const tags = ['users'];

export function userRoutes(deps: Deps) {
  const { db } = deps.database;
  return router()
    .openapi(
      createRoute({
        method: 'post',
        path: '/users',
        tags,
        summary: 'Create a user of any role (admin only)',
        request: { body: jsonBody(createUserInput) },
        responses: { 201: json(z.object({ user: userSchema }), 'Created'), ...errorResponses },
      }),
      async (c) => {
        requireRole(c.get('actor'), 'admin');
        return c.json({ user: await createUser(db, c.req.valid('json')) }, 201);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/users',
        tags,
        summary: 'Staff directory, e.g. to pick a new owner (staff). role=customer finds customers (agents and up).',
        request: { query: userListQuery },
        responses: { 200: json(z.object({ items: z.array(userSchema) })), ...errorResponses },
      }),
      async (c) => {
        const actor = requireStaff(c.get('actor'));
        const q = c.req.valid('query');
        // Customers' contact data is for the desk taking calls, not for technicians in the field.
        if (q.role === 'customer' && !isManager(actor)) throw new AppError(ErrorCode.FORBIDDEN);
        const where: SQL[] = [inArray(users.role, q.role ? [q.role] : ['technician', 'agent', 'supervisor', 'admin'])];
        if (q.departmentId) {
          where.push(
            inArray(
              users.id,
              db
                .select({ id: userDepartments.userId })
                .from(userDepartments)
                .where(eq(userDepartments.departmentId, q.departmentId)),
            ),
          );
        }
        const rows = await db
          .select()
          .from(users)
          .where(and(...where))
          .orderBy(asc(users.name))
          .limit(500);
        const memberships = rows.length
          ? await db
              .select()
              .from(userDepartments)
              .where(
                inArray(
                  userDepartments.userId,
                  rows.map((r) => r.id),
                ),
              )
          : [];
        const items = rows.map((r) =>
          toUser(
            r,
            memberships.filter((m) => m.userId === r.id).map((m) => m.departmentId),
          ),
        );
        return c.json({ items }, 200);
      },
    );
}
