import { MAX_ATTACHMENT_BYTES } from '@mesa/core';
import { createUniqueId, For, Show } from 'solid-js';
import { t } from '../i18n';
import { formatBytes } from '../lib/format';

/** Picks files to attach; they are kept on the device and uploaded when there is a connection. */
export function FileInput(props: { files: File[]; onChange: (files: File[]) => void }) {
  const id = createUniqueId();
  const hint = createUniqueId();
  const tooLarge = () => props.files.filter((f) => f.size > MAX_ATTACHMENT_BYTES);
  return (
    <div class="field">
      <label for={id}>{t('attach.label')}</label>
      <input
        id={id}
        type="file"
        multiple
        aria-describedby={hint}
        onChange={(e) => props.onChange([...props.files, ...(e.currentTarget.files ?? [])])}
      />
      <small id={hint} class="muted">
        {t('attach.hint', { max: formatBytes(MAX_ATTACHMENT_BYTES) })}
      </small>
      <Show when={props.files.length > 0}>
        <ul class="file-list">
          <For each={props.files}>
            {(file) => (
              <li>
                {file.name} <span class="muted">({formatBytes(file.size)})</span>{' '}
                <button
                  type="button"
                  class="link-button"
                  onClick={() => props.onChange(props.files.filter((f) => f !== file))}
                >
                  {t('attach.remove', { name: file.name })}
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show when={tooLarge().length > 0}>
        <p class="alert alert-error">{t('attach.tooLarge', { name: tooLarge()[0]?.name ?? '' })}</p>
      </Show>
    </div>
  );
}
