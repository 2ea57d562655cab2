import { statusLabels, type Ticket, type TicketStatus, ticketStatuses } from '@mesa/core';
import { A, useSearchParams } from '@solidjs/router';
import { createEffect, createSignal, createUniqueId, For, on, onCleanup, Show } from 'solid-js';
import { type ApiError, api, asApiError, type List } from '../api';
import { type MessageKey, pick, t } from '../i18n';
import { formatDateTime, ticketPath } from '../lib/format';
import { usePageTitle } from '../lib/page-title';
import { firstParam } from '../lib/params';
import { FormError } from './form-error';
import { StatusBadge } from './status-badge';

const PAGE_SIZE = 25;

export interface TicketListProps {
  title: MessageKey;
  /** Fixed filters of this view (e.g. `{ ownerId: 'me' }`); the status filter lives in the URL. */
  scope?: Record<string, string>;
}

/** A cursor-paginated ticket list with a status filter (`?status=`). */
export function TicketList(props: TicketListProps) {
  usePageTitle(() => t(props.title));
  const filterId = createUniqueId();
  const [params, setParams] = useSearchParams();
  const status = (): TicketStatus | undefined => ticketStatuses.find((s) => s === firstParam(params.status));

  const [items, setItems] = createSignal<Ticket[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [loaded, setLoaded] = createSignal(false);
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal<ApiError | null>(null);
  let controller: AbortController | undefined;

  async function load(after: string | null) {
    controller?.abort();
    const current = new AbortController();
    controller = current;
    setLoading(true);
    setError(null);
    try {
      const query = { ...props.scope, status: status(), limit: PAGE_SIZE, cursor: after };
      const page = await api<List<Ticket>>('/tickets', { query, signal: current.signal });
      setItems((previous) => (after ? [...previous, ...page.items] : page.items));
      setCursor(page.nextCursor ?? null);
      setLoaded(true);
    } catch (cause) {
      if (!current.signal.aborted) setError(asApiError(cause));
    } finally {
      if (controller === current) setLoading(false);
    }
  }

  createEffect(
    on(status, () => {
      setItems([]);
      setCursor(null);
      setLoaded(false);
      void load(null);
    }),
  );
  onCleanup(() => controller?.abort());

  return (
    <section class="stack">
      <div class="section-header">
        <h1>{t(props.title)}</h1>
        <A href="/tickets/new" class="button primary">
          {t('nav.newTicket')}
        </A>
      </div>
      <div class="field field-inline">
        <label for={filterId}>{t('ticket.status')}</label>
        <select
          id={filterId}
          value={status() ?? ''}
          onChange={(event) => setParams({ status: event.currentTarget.value || undefined })}
        >
          <option value="">{t('tickets.allStatuses')}</option>
          <For each={ticketStatuses}>{(value) => <option value={value}>{pick(statusLabels[value])}</option>}</For>
        </select>
      </div>

      <Show when={loaded() && items().length === 0}>
        <p>{t('tickets.empty')}</p>
      </Show>
      <ul class="ticket-list" aria-busy={loading()}>
        <For each={items()}>{(ticket) => <TicketRow ticket={ticket} />}</For>
      </ul>

      <FormError error={error()} />
      <div role="status">
        <Show when={loading()}>{t('app.loading')}</Show>
      </div>
      <Show when={error() && !loaded()}>
        <button type="button" class="button" onClick={() => void load(null)}>
          {t('app.retry')}
        </button>
      </Show>
      <Show when={cursor()}>
        {(after) => (
          <button type="button" class="button" disabled={loading()} onClick={() => void load(after())}>
            {t('tickets.loadMore')}
          </button>
        )}
      </Show>
    </section>
  );
}

function TicketRow(props: { ticket: Ticket }) {
  return (
    <li class="ticket-row">
      <A href={ticketPath(props.ticket.number)} class="ticket-link">
        <span class="ticket-number">{props.ticket.number}</span>
        <span class="ticket-subject">{props.ticket.subject}</span>
      </A>
      <dl class="ticket-meta">
        <div>
          <dt>{t('ticket.status')}</dt>
          <dd>
            <StatusBadge status={props.ticket.status} />
          </dd>
        </div>
        <div>
          <dt>{t('ticket.priority')}</dt>
          <dd>
            <span class={`badge priority-${props.ticket.priority}`}>{props.ticket.priority}</span>
          </dd>
        </div>
        <div>
          <dt>{t('ticket.updated')}</dt>
          <dd>
            <time datetime={props.ticket.updatedAt}>{formatDateTime(props.ticket.updatedAt)}</time>
          </dd>
        </div>
      </dl>
    </li>
  );
}
