import { useRegisterSW } from 'virtual:pwa-register/solid';
import { createEffect, onCleanup, Show } from 'solid-js';
import { t } from '../i18n';

/**
 * Registers the service worker and asks before activating a new version. Reloading loses nothing: drafts
 * and queued changes are kept on the device.
 */
export function UpdatePrompt() {
  const {
    needRefresh: [needRefresh, setNeedRefresh],
    offlineReady: [offlineReady, setOfflineReady],
    updateServiceWorker,
  } = useRegisterSW({
    onRegisterError: (error: unknown) => console.error('Service worker registration failed', error),
  });

  // "Ready offline" is news, not a question: it goes away by itself.
  createEffect(() => {
    if (!offlineReady() || needRefresh()) return;
    const timer = setTimeout(() => setOfflineReady(false), 6000);
    onCleanup(() => clearTimeout(timer));
  });

  const dismiss = () => {
    setNeedRefresh(false);
    setOfflineReady(false);
  };

  return (
    <div class="toast-region" role="status">
      <Show when={needRefresh() || offlineReady()}>
        <div class="toast">
          <p>{needRefresh() ? t('app.updateAvailable') : t('app.offlineReady')}</p>
          <Show when={needRefresh()}>
            <button type="button" class="button primary" onClick={() => void updateServiceWorker(true)}>
              {t('app.updateNow')}
            </button>
          </Show>
          <button type="button" class="button" onClick={dismiss}>
            {t('app.dismiss')}
          </button>
        </div>
      </Show>
    </div>
  );
}
