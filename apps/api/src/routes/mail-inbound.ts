import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import type { Deps } from '../http/context';
import { errorResponses, json, jsonBody, router } from '../http/openapi';
import { requireRole } from '../services/access';
import { listStoredInbound, setDepartmentMailSettings, storedInboundRaw } from '../services/inbound-mail-service';

const tags = ['mail'];

const storedSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      mailbox: z.string().nullable(),
      from: z.string().nullable(),
      subject: z.string().nullable(),
      reason: z.string().nullable(),
      size: z.number().int().nullable(),
      createdAt: z.string(),
    }),
  ),
});

const mailSettingsInput = z.strictObject({ automatedMailOpensTickets: z.boolean() });
const mailSettingsSchema = z.object({ slug: z.string(), automatedMailOpensTickets: z.boolean() });

/** What the intake kept without opening a ticket, for admins to look through, and the departments' choice about it. */
export function mailInboundRoutes(deps: Deps) {
  const { db } = deps.database;
  return router()
    .openapi(
      createRoute({
        method: 'get',
        path: '/admin/mail/inbound',
        tags,
        summary:
          'Inbound mail stored without a ticket (automated, spam, unusable sender), newest first, with why (admin)',
        request: { query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }) },
        responses: { 200: json(storedSchema), ...errorResponses },
      }),
      async (c) => {
        requireRole(c.get('actor'), 'admin');
        const rows = await listStoredInbound(db, c.req.valid('query').limit);
        return c.json({ items: rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })) }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/admin/mail/inbound/{id}/eml',
        tags,
        summary: 'One stored inbound message, byte for byte as received (admin)',
        request: { params: z.object({ id: z.uuid() }) },
        responses: {
          200: { description: 'The raw message', content: { 'message/rfc822': { schema: z.string() } } },
          ...errorResponses,
        },
      }),
      async (c) => {
        requireRole(c.get('actor'), 'admin');
        const row = await storedInboundRaw(db, c.req.valid('param').id);
        const name = (row.messageId ?? 'message').replace(/[^A-Za-z0-9._@-]/g, '_');
        return c.body(new Uint8Array(row.content), 200, {
          'content-type': 'message/rfc822',
          'content-disposition': `attachment; filename="${name}.eml"`,
          'x-content-type-options': 'nosniff',
        });
      },
    )
    .openapi(
      createRoute({
        method: 'put',
        path: '/admin/departments/{slug}/mail-settings',
        tags,
        summary:
          "Whether automated mail to the department's mailboxes opens tickets (default false: stored only) (admin)",
        request: { params: z.object({ slug: z.string().min(1).max(100) }), body: jsonBody(mailSettingsInput) },
        responses: { 200: json(mailSettingsSchema), ...errorResponses },
      }),
      async (c) => {
        requireRole(c.get('actor'), 'admin');
        return c.json(await setDepartmentMailSettings(db, c.req.valid('param').slug, c.req.valid('json')), 200);
      },
    );
}
