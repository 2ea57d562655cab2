import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import type { Deps } from '../http/context';
import { errorResponses, router } from '../http/openapi';
import { requireActor } from '../services/access';
import { readAttachment } from '../services/attachment-service';
import { pieceStoreFor } from '../services/piece-store';

const idParam = z.object({ id: z.uuid() });

/** RFC 6266 filename* so accented names survive; a plain ASCII fallback for old clients. */
const disposition = (filename: string, inline: boolean) =>
  `${inline ? 'inline' : 'attachment'}; filename="${filename.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(filename)}`;

/** Images and PDFs open in the browser; anything else downloads, so it cannot run as a page of ours. */
const safeInline = (type: string) => /^image\/(png|jpeg|gif|webp)$|^application\/pdf$/.test(type);

export function attachmentRoutes(deps: Deps) {
  const { db } = deps.database;
  const store = pieceStoreFor(deps.database, deps.env.DATA_DIR);
  return router().openapi(
    createRoute({
      method: 'get',
      path: '/attachments/{id}',
      tags: ['attachments'],
      summary: "An attachment's content (photos, e-mail attachments, inline images)",
      request: { params: idParam },
      responses: {
        200: { description: 'The file', content: { 'application/octet-stream': { schema: z.string() } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const file = await readAttachment(db, store, requireActor(c.get('actor')), c.req.valid('param').id);
      const inline = safeInline(file.contentType);
      // Streamed piece by piece: a 25 MiB file never sits whole in memory.
      return c.body(file.body, 200, {
        'content-length': String(file.size),
        'content-type': inline ? file.contentType : 'application/octet-stream',
        'content-disposition': disposition(file.filename, inline),
        'x-content-type-options': 'nosniff',
        'cache-control': 'private, max-age=31536000, immutable',
        etag: `"${file.sha256}"`,
      });
    },
  );
}
