import { createRoute } from '@hono/zod-openapi';
import { MAX_ATTACHMENT_BYTES, MAX_UPLOAD_CHUNK_BYTES, MIN_UPLOAD_CHUNK_BYTES } from '@mesa/core';
import { z } from 'zod';
import type { Deps } from '../http/context';
import { errorResponses, json, router } from '../http/openapi';
import { requireActor } from '../services/access';
import {
  appendChunk,
  checkDeclaredHash,
  parseContentRange,
  readBody,
  storeWhole,
  uploadStatus,
  uploadTarget,
} from '../services/attachment-upload';

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
          '(ATTACHMENT_CORRUPTED discards them) and stored. A file already stored answers at once.',
        request: {
          params: idParam,
          headers: uploadHeaders,
          body: { content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } } },
        },
        responses: { 200: json(uploadResult, 'Stored (complete) or the bytes held so far'), ...errorResponses },
      }),
      async (c) => {
        const target = await uploadTarget(db, requireActor(c.get('actor')), c.req.valid('param').id);
        const headers = c.req.valid('header');
        checkDeclaredHash(target, headers['x-content-sha256']);
        if (target.stored) {
          return c.json({ id: target.id, sha256: target.sha256, size: target.size, complete: true as const }, 200);
        }
        const rangeHeader = headers['content-range'];
        const length = c.req.header('content-length');
        if (rangeHeader === undefined) {
          return c.json(
            await storeWhole(db, target, await readBody(c.req.raw.body, length, MAX_ATTACHMENT_BYTES)),
            200,
          );
        }
        const range = parseContentRange(rangeHeader, target.size);
        const body = await readBody(c.req.raw.body, length, MAX_UPLOAD_CHUNK_BYTES);
        return c.json(await appendChunk(db, target, range, body.bytes), 200);
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
