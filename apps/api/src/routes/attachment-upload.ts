import { createRoute } from '@hono/zod-openapi';
import { MAX_ATTACHMENT_BYTES, MAX_UPLOAD_CHUNK_BYTES, MIN_UPLOAD_CHUNK_BYTES } from '@mesa/core';
import { z } from 'zod';
import type { Deps } from '../http/context';
import { errorResponses, json, router } from '../http/openapi';
import { requireActor } from '../services/access';
import {
  checkDeclaredHash,
  checkDeclaredLength,
  completeResult,
  parseContentRange,
  uploadStatus,
  uploadTarget,
} from '../services/attachment-upload';
import { pieceStoreFor } from '../services/piece-store';
import { receiveWithinLimits, uploadSlots, writeGate } from '../services/upload-limits';

const tags = ['attachments'];
const idParam = z.object({ id: z.uuid() });

/** The one request the global JSON body limit must not cut: it enforces its own limits while reading. */
export const isAttachmentUpload = (method: string, path: string): boolean =>
  method === 'PUT' && /^\/api\/attachments\/[^/]+$/.test(path);

const uploadHeaders = z.object({
  'x-content-sha256': z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[0-9a-f]{64}$/, 'expected a hex sha256'),
  'content-range': z.string().max(100).optional(),
});

const uploadResult = z.union([
  z.object({ id: z.uuid(), sha256: z.string(), size: z.number().int(), complete: z.literal(true) }),
  z.object({ id: z.uuid(), received: z.number().int(), complete: z.literal(false) }),
]);

const statusSchema = z.object({ received: z.number().int(), size: z.number().int(), complete: z.boolean() });

/**
 * The bytes of an attachment a device announced through sync (addAttachment, captureSignature):
 * whole, or in pieces that survive a lost connection.
 */
export function attachmentUploadRoutes(deps: Deps) {
  const { db } = deps.database;
  const limits = {
    slots: uploadSlots(deps.env.UPLOAD_MAX_CONCURRENT_PER_USER),
    maxBytesPerUserDay: deps.env.UPLOAD_MAX_BYTES_PER_USER_DAY,
    // PGlite runs one statement at a time; a pool of Postgres connections takes a few at once.
    pieceWrites: writeGate(deps.database.kind === 'pglite' ? 1 : 2),
    store: pieceStoreFor(deps.database, deps.env.DATA_DIR),
  };
  return router()
    .openapi(
      createRoute({
        method: 'put',
        path: '/attachments/{id}',
        tags,
        summary: "Upload an attachment's bytes, whole or resumable with Content-Range",
        description:
          `x-content-sha256 is the whole file's hash and must be the announced one (else ATTACHMENT_HASH_MISMATCH). ` +
          `Without Content-Range the body is the whole file (≤ ${MAX_ATTACHMENT_BYTES} bytes). With ` +
          `\`Content-Range: bytes start-end/total\` (total = the attachment's size; pieces of ${MIN_UPLOAD_CHUNK_BYTES}–${MAX_UPLOAD_CHUNK_BYTES} bytes, ` +
          'the last may be smaller) the piece is appended when start is the received offset; a piece already held is acknowledged; ' +
          'otherwise UPLOAD_OFFSET_MISMATCH with details.received. When all bytes are in they are verified ' +
          '(ATTACHMENT_CORRUPTED discards them) and stored. This attachment already complete answers at once; ' +
          'the same file stored for another attachment still needs its bytes sent. Each user has ' +
          'UPLOAD_MAX_CONCURRENT_PER_USER uploads at once (else TOO_MANY_UPLOADS) and ' +
          'UPLOAD_MAX_BYTES_PER_USER_DAY bytes per UTC day (else UPLOAD_QUOTA_EXCEEDED, with Retry-After).',
        request: {
          params: idParam,
          headers: uploadHeaders,
          body: { content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } } },
        },
        responses: { 200: json(uploadResult, 'Stored (complete) or the bytes held so far'), ...errorResponses },
      }),
      async (c) => {
        const actor = requireActor(c.get('actor'));
        const target = await uploadTarget(db, actor, c.req.valid('param').id);
        const headers = c.req.valid('header');
        checkDeclaredHash(target, headers['x-content-sha256']);
        if (target.stored) return c.json(completeResult(target), 200);
        const rangeHeader = headers['content-range'];
        const range = rangeHeader === undefined ? null : parseContentRange(rangeHeader, target.size);
        const maxBytes = range ? MAX_UPLOAD_CHUNK_BYTES : MAX_ATTACHMENT_BYTES;
        checkDeclaredLength(c.req.header('content-length'), maxBytes);
        const result = await receiveWithinLimits(db, limits, actor, target, { range, body: c.req.raw.body, maxBytes });
        return c.json(result, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/attachments/{id}/upload',
        tags,
        summary: 'How many bytes of an upload the server holds (HEAD: the upload-offset header)',
        request: { params: idParam },
        responses: { 200: json(statusSchema), ...errorResponses },
      }),
      async (c) => {
        const target = await uploadTarget(db, requireActor(c.get('actor')), c.req.valid('param').id);
        const status = await uploadStatus(db, target);
        c.header('upload-offset', String(status.received));
        c.header('cache-control', 'no-store');
        return c.json(status, 200);
      },
    );
}
