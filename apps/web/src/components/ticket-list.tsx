import { isOpenStatus, type LocalTicket, ticketSlaState } from '@mesa/core';
import { A, useSearchParams } from '@solidjs/router';
import { createWindowVirtualizer } from '@tanstack/solid-virtual';
import { createEffect, createMemo, createSignal, createUniqueId, For, on, onCleanup, Show } from 'solid-js';
import { useTickets } from '../data/queries';
import { type MessageKey, t } from '../i18n';
import { formatDateTime } from '../lib/format';
import { usePageTitle } from '../lib/page-title';
import { firstParam } from '../lib/params';
import { searchMatcher } from '../lib/ticket-search';
import { currentUser } from '../session';
import { StatusBadge } from './status-badge';
import { TicketLink } from './ticket-link';

/** Matches `.ticket-list.virtual .ticket-row` in styles.css (height plus the gap). */
const ROW_HEIGHT = 108;
const shows = ['open', 'closed', 'all'] as const;
type Show_ = (typeof shows)[number];

export interface TicketListProps {
  title: MessageKey;
  /** This view's fixed filter (e.g. the tickets a staff member owns). */
  include?: (ticket: LocalTicket) => boolean;
}

/**
 * Tickets from the device store: filtered, searched and sorted on the device, rendered virtually so ten
 * thousand rows cost what a screenful costs. Filters live in the URL (`?show=`, `?whose=`, `?q=`).
 */
export function TicketList(props: TicketListProps) {
  usePageTitle(() => t(props.title));
  const ids = { show: createUniqueId(), whose: createUniqueId(), search: createUniqueId() };
  const [params, setParams] = useSearchParams();
  const show = (): Show_ => shows.find((s) => s === firstParam(params.show)) ?? 'open';
  const whose = () => (firstParam(params.whose) === 'mine' ? 'mine' : 'all');
  // The box filters at once; the URL follows a moment later, since a router navigation per keystroke
  // costs more than the search itself.
  const [query, setQuery] = createSignal(firstParam(params.q) ?? '');
  createEffect(on(() => firstParam(params.q) ?? '', setQuery, { defer: true }));
  let urlTimer: ReturnType<typeof setTimeout> | undefined;
  const typed = (value: string) => {
    setQuery(value);
    clearTimeout(urlTimer);
    urlTimer = setTimeout(() => setParams({ q: value || undefined }, { replace: true }), 400);
  };
  onCleanup(() => clearTimeout(urlTimer));
  const tickets = useTickets();
  const me = () => currentUser()?.id;

  const inView = createMemo(() => (tickets() ?? []).filter((ticket) => props.include?.(ticket) ?? true));
  // Someone else's tickets in a customer's list: their organization shares, so say whose each one is.
  const shared = createMemo(() => currentUser()?.role === 'customer' && inView().some((x) => x.requesterId !== me()));
  const rows = createMemo(() => {
    const matches = searchMatcher(query());
    return inView().filter(
      (ticket) =>
        (show() === 'all' || (show() === 'open') === isOpenStatus(ticket.status)) &&
        (whose() === 'all' || !shared() || ticket.requesterId === me()) &&
        matches(ticket),
    );
  });

  // The SLA column ticks on the device: once a minute is enough for a state that changes at a due time.
  const [now, setNow] = createSignal(new Date());
  const timer = setInterval(() => setNow(new Date()), 60_000);
  onCleanup(() => clearInterval(timer));

  let list: HTMLUListElement | undefined;
  const virtualizer = createWindowVirtualizer({
    get count() {
      return rows().length;
    },
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    get scrollMargin() {
      return list?.offsetTop ?? 0;
    },
  });

  return (
    <section class="stack">
      <div class="section-header">
        <h1>{t(props.title)}</h1>
        <A href="/tickets/new" class="button primary">
          {t('nav.newTicket')}
        </A>
      </div>
      <div class="filters">
        <div class="field field-inline">
          <label for={ids.show}>{t('tickets.show')}</label>
          <select
            id={ids.show}
            value={show()}
            onChange={(event) =>
              setParams({ show: event.currentTarget.value === 'open' ? undefined : event.currentTarget.value })
            }
          >
            <For each={shows}>{(value) => <option value={value}>{t(`tickets.show.${value}`)}</option>}</For>
          </select>
        </div>
        <Show when={shared()}>
          <div class="field field-inline">
            <label for={ids.whose}>{t('tickets.whose')}</label>
            <select
              id={ids.whose}
              value={whose()}
              onChange={(event) => setParams({ whose: event.currentTarget.value === 'mine' ? 'mine' : undefined })}
            >
              <option value="all">{t('tickets.whose.organization')}</option>
              <option value="mine">{t('tickets.whose.mine')}</option>
            </select>
          </div>
        </Show>
        <div class="field field-inline">
          <label for={ids.search}>{t('tickets.search')}</label>
          <input id={ids.search} type="search" value={query()} onInput={(event) => typed(event.currentTarget.value)} />
        </div>
      </div>

      <Show when={tickets()} fallback={<p role="status">{t('app.loading')}</p>}>
        <p class="muted" role="status">
          {t('tickets.count', { count: rows().length })}
        </p>
        <Show when={rows().length === 0}>
          <p>{t('tickets.empty')}</p>
        </Show>
        <ul ref={list} class="ticket-list virtual" style={{ height: `${virtualizer.getTotalSize()}px` }}>
          <For each={virtualizer.getVirtualItems()}>
            {(item) => {
              const ticket = () => rows()[item.index];
              return (
                <Show when={ticket()}>
                  {(row) => (
                    <li
                      class="ticket-row"
                      style={{ transform: `translateY(${item.start - virtualizer.options.scrollMargin}px)` }}
                    >
                      <TicketRow ticket={row()} now={now()} showRequester={shared()} />
                    </li>
                  )}
                </Show>
              );
            }}
          </For>
        </ul>
      </Show>
    </section>
  );
}

function TicketRow(props: { ticket: LocalTicket; now: Date; showRequester: boolean }) {
  const sla = () => (isOpenStatus(props.ticket.status) ? ticketSlaState(props.ticket, props.now) : 'none');
  return (
    <>
      <TicketLink ticket={props.ticket} />
      <dl class="ticket-meta">
        <div>
          <dt class="visually-hidden">{t('ticket.status')}</dt>
          <dd>
            <StatusBadge status={props.ticket.status} />
          </dd>
        </div>
        <Show when={sla() !== 'none'}>
          <div>
            <dt class="visually-hidden">{t('ticket.sla')}</dt>
            <dd>
              <span class={`badge sla-${sla()}`}>{t(`sla.${sla()}` as MessageKey)}</span>
            </dd>
          </div>
        </Show>
        <Show when={props.showRequester}>
          <div>
            <dt class="visually-hidden">{t('ticket.requester')}</dt>
            <dd>{props.ticket.requester.name}</dd>
          </div>
        </Show>
        <div>
          <dt class="visually-hidden">{t('ticket.updated')}</dt>
          <dd>
            <time datetime={props.ticket.updatedAt}>{formatDateTime(props.ticket.updatedAt)}</time>
          </dd>
        </div>
      </dl>
    </>
  );
}
