import { createEffect } from 'solid-js';
import { t } from '../i18n';

/** Keeps `document.title` in step with the screen and the UI language. */
export function usePageTitle(title: () => string): void {
  createEffect(() => {
    document.title = `${title()} · ${t('app.name')}`;
  });
}
