import { createRoute } from '@hono/zod-openapi';
import { AppError, ErrorCode } from '@mesa/core';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { blobs, mailMessages, outbox } from '../db/schema';
import type { Deps } from '../http/context';
import { errorResponses, json, router } from '../http/openapi';
import { transportKind } from '../mail/transport';
import { requireRole } from '../services/access';

const tags = ['mail'];

const mailStatusSchema = z.object({
  transport: z.enum(['smtp', 'files']),
  pending: z.array(
    z.object({
      id: z.number().int(),
      kind: z.string(),
      attempts: z.number().int(),
      lastError: z.string().nullable(),
      availableAt: z.string(),
    }),
  ),
  sent: z.array(
    z.object({
      id: z.string(),
      to: z.array(z.string()),
      subject: z.string().nullable(),
      automated: z.string().nullable(),
      createdAt: z.string(),
    }),
  ),
});

/** The admin's view of outgoing mail: what waits (and why it failed), what left, and each sent message as sent. */
export function mailOutboxRoutes(deps: Deps) {
  const { db } = deps.database;
  return router()
    .openapi(
      createRoute({
        method: 'get',
        path: '/admin/mail',
        tags,
        summary: 'Outgoing mail: the transport, pending outbox rows and the last 100 sent messages (admin)',
        responses: { 200: json(mailStatusSchema), ...errorResponses },
      }),
      async (c) => {
        requireRole(c.get('actor'), 'admin');
        const pending = await db
          .select({
            id: outbox.id,
            kind: outbox.kind,
            attempts: outbox.attempts,
            lastError: outbox.lastError,
            availableAt: outbox.availableAt,
          })
          .from(outbox)
          .where(isNull(outbox.doneAt))
          .orderBy(outbox.id)
          .limit(500);
        const sent = await db
          .select({
            id: mailMessages.id,
            to: mailMessages.toAddresses,
            subject: mailMessages.subject,
            automated: mailMessages.automated,
            createdAt: mailMessages.createdAt,
          })
          .from(mailMessages)
          .where(eq(mailMessages.direction, 'out'))
          .orderBy(desc(mailMessages.createdAt), desc(mailMessages.id))
          .limit(100);
        return c.json(
          {
            transport: transportKind(deps.env),
            pending: pending.map((r) => ({ ...r, availableAt: r.availableAt.toISOString() })),
            sent: sent.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })),
          },
          200,
        );
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/admin/mail/{id}/eml',
        tags,
        summary: 'One sent message, byte for byte as it left (admin)',
        request: { params: z.object({ id: z.uuid() }) },
        responses: {
          200: { description: 'The raw message', content: { 'message/rfc822': { schema: z.string() } } },
          ...errorResponses,
        },
      }),
      async (c) => {
        requireRole(c.get('actor'), 'admin');
        const [row] = await db
          .select({ content: blobs.content, messageId: mailMessages.messageId })
          .from(mailMessages)
          .innerJoin(blobs, eq(blobs.sha256, mailMessages.rawSha256))
          .where(and(eq(mailMessages.id, c.req.valid('param').id), eq(mailMessages.direction, 'out')));
        if (!row) throw new AppError(ErrorCode.NOT_FOUND);
        const name = (row.messageId ?? 'message').replace(/[^A-Za-z0-9._@-]/g, '_');
        return c.body(new Uint8Array(row.content), 200, {
          'content-type': 'message/rfc822',
          'content-disposition': `attachment; filename="${name}.eml"`,
          'x-content-type-options': 'nosniff',
        });
      },
    );
}
