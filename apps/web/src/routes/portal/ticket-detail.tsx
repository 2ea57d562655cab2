import type { Article, Ticket } from '@mesa/core';
import { A, useParams } from '@solidjs/router';
import { createResource, createSignal, createUniqueId, Match, Show, Switch } from 'solid-js';
import { api, asApiError, type List } from '../../api';
import { ArticleList } from '../../components/article-list';
import { FormError } from '../../components/form-error';
import { StatusBadge } from '../../components/status-badge';
import { TicketFields } from '../../components/ticket-fields';
import { t } from '../../i18n';
import { loadDepartments } from '../../lib/departments';
import { ticketPath } from '../../lib/format';
import { usePageTitle } from '../../lib/page-title';
import { createSubmission } from '../../lib/submission';
import { currentUser } from '../../session';

/** `/tickets/:number`: the ticket, its conversation, a reply box, close / reopen. */
export default function TicketDetail() {
  const params = useParams<{ number: string }>();
  const path = () => ticketPath(params.number);
  const [ticket, { mutate: setTicket, refetch: reloadTicket }] = createResource(path, (p) => api<Ticket>(p));
  const [articles, { mutate: setArticles }] = createResource(path, (p) =>
    api<List<Article>>(`${p}/articles`).then((list) => list.items),
  );
  const [departments] = createResource(loadDepartments);
  usePageTitle(() => (ticket.state === 'ready' ? `${ticket().number} · ${ticket().subject}` : params.number));

  const replyId = createUniqueId();
  const [reply, setReply] = createSignal('');
  const replying = createSubmission();
  const transition = createSubmission();

  const onReply = (event: SubmitEvent) => {
    event.preventDefault();
    void replying.run(async () => {
      const article = await api<Article>(`${path()}/articles`, {
        method: 'POST',
        body: { kind: 'public_reply', body: reply() },
      });
      setArticles((previous) => [...(previous ?? []), article]);
      setReply('');
      void reloadTicket(); // a reply may move the status (e.g. out of "pending customer")
    });
  };

  const change = (action: 'close' | 'reopen') =>
    transition.run(async () => {
      setTicket(await api<Ticket>(`${path()}/${action}`, { method: 'POST', body: {} }));
    });

  const departmentName = (id: string) =>
    departments.state === 'ready' ? departments().find((d) => d.id === id)?.name : undefined;
  const isCustomer = () => currentUser()?.role === 'customer';

  return (
    <Switch fallback={<p role="status">{t('app.loading')}</p>}>
      <Match when={ticket.error as unknown}>
        {(cause) => (
          <section class="stack">
            <FormError error={asApiError(cause())} />
            <p>
              <A href="/tickets">{t('nav.myTickets')}</A>
            </p>
          </section>
        )}
      </Match>
      <Match when={ticket.latest}>
        {(current) => (
          <article class="stack">
            <header class="section-header">
              <h1>
                <span class="ticket-number">{current().number}</span> {current().subject}
              </h1>
              <StatusBadge status={current().status} />
            </header>
            <TicketFields ticket={current()} departmentName={departmentName(current().departmentId)} />

            <section class="stack">
              <h2>{t('ticket.description')}</h2>
              <p class="prose">{current().description}</p>
            </section>

            <section class="stack">
              <h2>{t('detail.conversation')}</h2>
              <FormError error={articles.error ? asApiError(articles.error) : null} />
              <Show when={articles.state === 'ready' && articles()} fallback={<p role="status">{t('app.loading')}</p>}>
                {(list) => <ArticleList articles={list()} />}
              </Show>
            </section>

            <Show when={current().status !== 'closed'} fallback={<p class="muted">{t('detail.closedHint')}</p>}>
              <form class="stack" onSubmit={onReply}>
                <div class="field">
                  <label for={replyId}>{t('detail.reply')}</label>
                  <textarea
                    id={replyId}
                    rows="5"
                    value={reply()}
                    onInput={(event) => setReply(event.currentTarget.value)}
                    required
                  />
                </div>
                <FormError error={replying.error()} />
                <button type="submit" class="button primary" disabled={replying.pending()}>
                  {t('detail.sendReply')}
                </button>
              </form>
            </Show>

            <div class="actions">
              <Show when={isCustomer() && current().status !== 'closed'}>
                <button
                  type="button"
                  class="button"
                  disabled={transition.pending()}
                  onClick={() => void change('close')}
                >
                  {t('detail.close')}
                </button>
              </Show>
              <Show when={current().status === 'resolved' || current().status === 'closed'}>
                <button
                  type="button"
                  class="button"
                  disabled={transition.pending()}
                  onClick={() => void change('reopen')}
                >
                  {t('detail.reopen')}
                </button>
              </Show>
            </div>
            <FormError error={transition.error()} />
          </article>
        )}
      </Match>
    </Switch>
  );
}
