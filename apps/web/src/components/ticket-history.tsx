import { createMemo, For, Show } from 'solid-js';
import { departmentName, useHistory, useReference } from '../data/queries';
import { t } from '../i18n';
import { historyLines, historyTime } from '../lib/history';
import { currentUser } from '../session';

/** Who changed what and when, conflict marks standing out; from the device store, so also offline. */
export function TicketHistory(props: { ticketId: string }) {
  const rows = useHistory(() => props.ticketId);
  const departments = useReference('departments');
  const staff = useReference('staff');
  const lines = createMemo(() =>
    historyLines(rows() ?? [], currentUser()?.id, {
      department: (id) => {
        const found = departments()?.find((d) => d.id === id);
        return found ? departmentName(found) : undefined;
      },
      person: (id) => staff()?.find((s) => s.id === id)?.name,
    }),
  );
  return (
    <section class="stack">
      <h2>{t('history.title')}</h2>
      <Show when={rows()} fallback={<p role="status">{t('app.loading')}</p>}>
        <ol class="history">
          <For each={lines()} fallback={<li class="muted">{t('history.empty')}</li>}>
            {(line) => (
              <li class={line.conflict ? 'history-line history-conflict' : 'history-line'}>
                <time datetime={line.at}>{historyTime(line)}</time>{' '}
                <strong>{line.actorName ?? t('detail.system')}</strong> <span>{line.text}</span>
              </li>
            )}
          </For>
        </ol>
      </Show>
    </section>
  );
}
