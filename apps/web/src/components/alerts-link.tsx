import { A } from '@solidjs/router';
import { createEffect, Show } from 'solid-js';
import { useDeskAlerts } from '../data/alerts';
import { t } from '../i18n';
import { setAlertCount } from '../lib/alert-count';

type BadgingNavigator = Navigator & {
  setAppBadge?: (count?: number) => Promise<void>;
  clearAppBadge?: () => Promise<void>;
};

/** The header's way to the agent's alerts, with their count, also on the installed app's icon. */
export function AlertsLink() {
  const alerts = useDeskAlerts();
  createEffect(() => {
    const count = alerts().length;
    setAlertCount(count);
    const nav = navigator as BadgingNavigator;
    // The Badging API is missing in some browsers and refused outside an installed app: both are fine.
    const done = count > 0 ? nav.setAppBadge?.(count) : nav.clearAppBadge?.();
    done?.catch(() => undefined);
  });
  return (
    <A href="/alerts" aria-label={t('alerts.link', { count: alerts().length })}>
      {t('alerts.title')}
      <Show when={alerts().length > 0}>
        {' '}
        <span class="badge alert-count" aria-hidden="true">
          {alerts().length}
        </span>
      </Show>
    </A>
  );
}
