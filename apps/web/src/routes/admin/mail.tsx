import { createSignal, createUniqueId, For, type JSX, onCleanup, Show } from 'solid-js';
import { type ApiError, api, asApiError } from '../../api';
import { FormError } from '../../components/form-error';
import { type MessageKey, t } from '../../i18n';
import { formatDateTime } from '../../lib/format';
import { usePageTitle } from '../../lib/page-title';
import { currentUser } from '../../session';

/** The answer of `GET /api/admin/mail`. */
interface MailStatus {
  transport: 'smtp' | 'files';
  pending: { id: number; kind: string; attempts: number; lastError: string | null; availableAt: string }[];
  sent: { id: string; to: string[]; subject: string | null; automated: string | null; createdAt: string }[];
}

const automatedLabels: Record<string, MessageKey> = {
  ack: 'mail.automated.ack',
  notice: 'mail.automated.notice',
  notification: 'mail.automated.notification',
};
const automatedLabel = (value: string | null): string => {
  if (value === null) return t('mail.automated.none');
  const key = automatedLabels[value];
  return key ? t(key) : value;
};

/** `/admin/mail`: outgoing mail for admins; with no SMTP_URL it shows what was written as .eml files. */
export default function AdminMail() {
  usePageTitle(() => t('mail.title'));
  return (
    <section class="stack">
      <Show
        when={currentUser()?.role === 'admin'}
        fallback={
          <>
            <h1>{t('mail.title')}</h1>
            <p class="alert alert-error">{t('mail.forbidden')}</p>
          </>
        }
      >
        <MailStatusView />
      </Show>
    </section>
  );
}

function MailStatusView() {
  const [data, setData] = createSignal<MailStatus | null>(null);
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal<ApiError | null>(null);
  let controller: AbortController | undefined;

  async function load() {
    controller?.abort();
    const current = new AbortController();
    controller = current;
    setLoading(true);
    setError(null);
    try {
      setData(await api<MailStatus>('/admin/mail', { signal: current.signal }));
    } catch (cause) {
      if (!current.signal.aborted) setError(asApiError(cause));
    } finally {
      if (controller === current) setLoading(false);
    }
  }
  void load();
  onCleanup(() => controller?.abort());

  return (
    <>
      <div class="section-header">
        <h1>{t('mail.title')}</h1>
        <button type="button" class="button" disabled={loading()} onClick={() => void load()}>
          {t('mail.refresh')}
        </button>
      </div>
      <FormError error={error()} />
      <div role="status">
        <Show when={loading()}>{t('app.loading')}</Show>
      </div>
      <Show when={data()}>
        {(status) => (
          <>
            <p class={status().transport === 'files' ? 'alert alert-warning' : undefined}>
              {t(status().transport === 'files' ? 'mail.transportFiles' : 'mail.transportSmtp')}
            </p>

            <MailTable
              title="mail.pendingTitle"
              caption="mail.pendingCaption"
              empty="mail.pendingEmpty"
              columns={['mail.kind', 'mail.attempts', 'mail.lastError', 'mail.nextAttempt']}
              count={status().pending.length}
            >
              <For each={status().pending}>
                {(row) => (
                  <tr>
                    <th scope="row">
                      <code>{row.kind}</code>
                    </th>
                    <td>{row.attempts}</td>
                    <td>{row.lastError ?? '—'}</td>
                    <td>
                      <time datetime={row.availableAt}>{formatDateTime(row.availableAt)}</time>
                    </td>
                  </tr>
                )}
              </For>
            </MailTable>
            <MailTable
              title="mail.sentTitle"
              caption="mail.sentCaption"
              empty="mail.sentEmpty"
              columns={['mail.date', 'mail.to', 'mail.subject', 'mail.kind', 'mail.message']}
              count={status().sent.length}
            >
              <For each={status().sent}>
                {(row) => {
                  const subject = () => row.subject ?? t('mail.noSubject');
                  return (
                    <tr>
                      <td>
                        <time datetime={row.createdAt}>{formatDateTime(row.createdAt)}</time>
                      </td>
                      <td>{row.to.join(', ')}</td>
                      <th scope="row">{subject()}</th>
                      <td>{automatedLabel(row.automated)}</td>
                      <td>
                        <a
                          href={`/api/admin/mail/${encodeURIComponent(row.id)}/eml`}
                          download=""
                          aria-label={t('mail.viewEmlOf', { subject: subject() })}
                        >
                          {t('mail.viewEml')}
                        </a>
                      </td>
                    </tr>
                  );
                }}
              </For>
            </MailTable>
          </>
        )}
      </Show>
    </>
  );
}

interface MailTableProps {
  title: MessageKey;
  caption: MessageKey;
  empty: MessageKey;
  columns: MessageKey[];
  count: number;
  children: JSX.Element;
}

/** A titled section holding one table (header row from `columns`), or its empty state. */
function MailTable(props: MailTableProps) {
  const headingId = createUniqueId();
  return (
    <section class="stack" aria-labelledby={headingId}>
      <h2 id={headingId}>{t(props.title)}</h2>
      <Show when={props.count > 0} fallback={<p>{t(props.empty)}</p>}>
        <div class="scroll-x">
          <table>
            <caption>{t(props.caption)}</caption>
            <thead>
              <tr>
                <For each={props.columns}>{(column) => <th scope="col">{t(column)}</th>}</For>
              </tr>
            </thead>
            <tbody>{props.children}</tbody>
          </table>
        </div>
      </Show>
    </section>
  );
}
