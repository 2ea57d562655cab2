import { Show } from 'solid-js';
import type { ApiError } from '../api';
import { t } from '../i18n';

/** A live region that is always in the DOM, so screen readers announce errors as they appear. */
export function FormError(props: { error: ApiError | null | undefined; id?: string }) {
  return (
    <div id={props.id} class="form-error" aria-live="assertive" aria-atomic="true">
      <Show when={props.error}>
        {(error) => (
          <p class="alert alert-error">
            {error().message}
            <Show when={error().requestId}>
              {(id) => <small class="request-id">{t('error.reference', { id: id() })}</small>}
            </Show>
          </p>
        )}
      </Show>
    </div>
  );
}
