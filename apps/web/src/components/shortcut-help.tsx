import { createUniqueId, For } from 'solid-js';
import { type MessageKey, t } from '../i18n';
import { useShortcuts } from '../lib/shortcuts';

const sheet: { title: MessageKey; keys: [string, MessageKey][] }[] = [
  {
    title: 'keys.queue',
    keys: [
      ['j / ↓', 'keys.next'],
      ['k / ↑', 'keys.previous'],
      ['Intro / Enter', 'keys.open'],
      ['/', 'keys.search'],
      ['x', 'keys.select'],
    ],
  },
  {
    title: 'keys.ticket',
    keys: [
      ['r', 'keys.reply'],
      ['n', 'keys.note'],
      ['a', 'keys.assignMe'],
      ['s', 'keys.status'],
      ['e', 'keys.edit'],
    ],
  },
  { title: 'keys.everywhere', keys: [['?', 'keys.help']] },
];

/** The desk's shortcuts, opened with "?" wherever no field has the focus. */
export function ShortcutHelp() {
  let dialog: HTMLDialogElement | undefined;
  const titleId = createUniqueId();
  useShortcuts({ '?': () => dialog?.showModal() });
  return (
    <dialog ref={dialog} class="panel narrow shortcut-help" aria-labelledby={titleId}>
      <h2 id={titleId}>{t('keys.title')}</h2>
      <For each={sheet}>
        {(group) => (
          <section>
            <h3>{t(group.title)}</h3>
            <dl class="shortcut-list">
              <For each={group.keys}>
                {([key, what]) => (
                  <div>
                    <dt>
                      <kbd>{key}</kbd>
                    </dt>
                    <dd>{t(what)}</dd>
                  </div>
                )}
              </For>
            </dl>
          </section>
        )}
      </For>
      <form method="dialog">
        <button type="submit" class="button">
          {t('keys.close')}
        </button>
      </form>
    </dialog>
  );
}
