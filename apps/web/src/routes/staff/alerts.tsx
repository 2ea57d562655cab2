import { isPendingNumber } from '@mesa/core';
import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import { StatusBadge } from '../../components/status-badge';
import { useDeskAlerts } from '../../data/alerts';
import { type MessageKey, t } from '../../i18n';
import { ticketHref } from '../../lib/format';
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
                <A href={ticketHref(a.ticket)} class="ticket-link">
                  <span class="ticket-number">
                    {isPendingNumber(a.ticket) ? t('ticket.pendingNumber') : a.ticket.number}
                  </span>
                  <span class="ticket-subject">{a.ticket.subject}</span>
                </A>
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
