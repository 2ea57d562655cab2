import { ApiError, ErrorCode, MIN_UPLOAD_CHUNK_BYTES } from '@mesa/core';
import { type FetchLike, send } from './http';
import type { PendingBlob } from './schema';

/** The smallest piece the server takes: a lost connection on a weak mobile link costs at most one. */
export const UPLOAD_CHUNK_BYTES = MIN_UPLOAD_CHUNK_BYTES;

interface UploadStatus {
  received: number;
  size: number;
  complete: boolean;
}

/**
 * Uploads one pending photo or signature, resuming from what the server already holds. Returns once the
 * server has confirmed the whole file under its sha-256 (the caller may then delete the local copy).
 */
export async function uploadBlob(fetchFn: FetchLike, baseUrl: string, blob: PendingBlob): Promise<void> {
  const url = `${baseUrl}/api/attachments/${blob.id}`;
  const status = (await (await send(fetchFn, `${url}/upload`, { method: 'GET' })).json()) as UploadStatus;
  if (status.complete) return;
  let offset = status.received;
  do {
    const end = Math.min(blob.size, offset + UPLOAD_CHUNK_BYTES);
    const headers: Record<string, string> = {
      'content-type': 'application/octet-stream',
      'x-content-sha256': blob.sha256,
    };
    // A file that fits in one piece goes whole; an empty one has no byte range to name.
    if (blob.size > UPLOAD_CHUNK_BYTES) headers['content-range'] = `bytes ${offset}-${end - 1}/${blob.size}`;
    const res = await send(fetchFn, url, { method: 'PUT', headers, body: blob.data.slice(offset, end) });
    const reply = (await res.json()) as { complete: boolean; received?: number; sha256?: string };
    if (reply.complete) {
      if (reply.sha256 !== undefined && reply.sha256 !== blob.sha256) {
        throw new ApiError({
          code: ErrorCode.ATTACHMENT_HASH_MISMATCH,
          status: 0,
          message: 'server stored a different file',
        });
      }
      return;
    }
    offset = reply.received ?? end;
  } while (offset < blob.size);
  throw new ApiError({ code: ErrorCode.INTERNAL, status: 0, message: 'server did not confirm the upload' });
}
