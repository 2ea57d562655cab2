import { createEffect } from 'solid-js';
import { t } from '../i18n';
import { alertCount } from './alert-count';

/** Keeps `document.title` in step with the screen and the UI language. */
export function usePageTitle(title: () => string): void {
  createEffect(() => {
    // The agent's alerts show in the tab's title too, like unread mail.
    const count = alertCount();
    document.title = `${count > 0 ? `(${count}) ` : ''}${title()} · ${t('app.name')}`;
  });
}
