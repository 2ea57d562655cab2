import { AppError, ErrorCode, MAX_ATTACHMENT_BYTES } from '@mesa/core';
import type { SyncClient } from '@mesa/sync-client';

/** Refuses a file too large for the sync channel before anything is queued. */
export function assertAttachable(files: readonly File[]): void {
  for (const file of files) {
    if (file.size > MAX_ATTACHMENT_BYTES) {
      throw new AppError(ErrorCode.PAYLOAD_TOO_LARGE, 'file too large', {
        filename: file.name,
        max: MAX_ATTACHMENT_BYTES,
      });
    }
  }
}

/** Queues each file on the device (bytes kept until uploaded) as an attachment of the ticket or article. */
export async function attachFiles(
  client: SyncClient,
  ticketId: string,
  files: readonly File[],
  articleId?: string,
): Promise<void> {
  for (const file of files) {
    const data = new Uint8Array(await file.arrayBuffer());
    await client.attach(
      {
        ticketId,
        ...(articleId ? { articleId } : {}),
        filename: file.name,
        contentType: file.type || 'application/octet-stream',
      },
      data,
    );
  }
}
