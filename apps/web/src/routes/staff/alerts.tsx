import { For, Show } from 'solid-js';
import { StatusBadge } from '../../components/status-badge';
import { TicketLink } from '../../components/ticket-link';
import { useDeskAlerts } from '../../data/alerts';
import { type MessageKey, t } from '../../i18n';
import { usePageTitle } from '../../lib/page-title';

/** `/alerts`: what the agent should look at, from the device store, each a link to its ticket. */
export default function Alerts() {
  usePageTitle(() => t('alerts.title'));
  const alerts = useDeskAlerts();
  const what = (a: { kind: string; level?: string }): MessageKey =>
    a.kind === 'sla'
      ? a.level === 'breached'
        ? 'alerts.breached'
        : 'alerts.warning'
      : (`alerts.${a.kind}` as MessageKey);
  return (
    <section class="stack">
      <h1>{t('alerts.title')}</h1>
      <Show when={alerts().length > 0} fallback={<p>{t('alerts.none')}</p>}>
        <ul class="ticket-list alert-list">
          <For each={alerts()}>
            {(a) => (
              <li class={`ticket-row alert-${a.kind}${a.level ? ` sla-${a.level}` : ''}`}>
                <TicketLink ticket={a.ticket} />
                <p class="alert-what">
                  <StatusBadge status={a.ticket.status} /> <span>{t(what(a))}</span>
                </p>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </section>
  );
}
