import { createMemo, For, onCleanup, Show } from 'solid-js';
import { deviceDb } from '../data/device';
import { createLiveQuery } from '../data/live';
import { useAttachments } from '../data/queries';
import { t } from '../i18n';
import { formatBytes } from '../lib/format';

/**
 * A ticket's files. One still on the device (not uploaded yet) opens from the device's copy; the others
 * from the server.
 */
export function AttachmentList(props: { ticketId: string }) {
  const attachments = useAttachments(() => props.ticketId);
  const waiting = createLiveQuery(deviceDb, (db) => db.blobs.toArray());
  const localUrls = createMemo(() => {
    const urls = new Map<string, string>();
    const mine = new Set((attachments() ?? []).map((a) => a.id));
    for (const blob of waiting() ?? []) {
      if (!mine.has(blob.id)) continue;
      urls.set(
        blob.id,
        URL.createObjectURL(new Blob([blob.data as Uint8Array<ArrayBuffer>], { type: blob.contentType })),
      );
    }
    onCleanup(() => {
      for (const url of urls.values()) URL.revokeObjectURL(url);
    });
    return urls;
  });
  return (
    <Show when={(attachments() ?? []).length > 0}>
      <section class="stack">
        <h3>{t('attach.title')}</h3>
        <ul class="file-list">
          <For each={attachments()}>
            {(a) => {
              const local = () => localUrls().get(a.id);
              return (
                <li>
                  <a href={local() ?? `/api/attachments/${a.id}`} download={a.filename}>
                    {a.filename}
                  </a>{' '}
                  <span class="muted">({formatBytes(a.size)})</span>
                  <Show when={local()}>
                    {' '}
                    <span class="badge">{t('attach.waiting')}</span>
                  </Show>
                </li>
              );
            }}
          </For>
        </ul>
      </section>
    </Show>
  );
}
