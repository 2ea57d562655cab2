import { type LocalTicket, slaCountdown, statusLabels, type TicketStatus, ticketStatuses } from '@mesa/core';
import { createMemo, For, Show } from 'solid-js';
import { pick, t } from '../i18n';
import { SlaCountdownBadge } from './sla-countdown';
import { TicketLink } from './ticket-link';

/** A column shows this many cards; the rest are counted (the list view shows them all). */
const CARDS_PER_COLUMN = 50;

/**
 * The queue as a compact board by state (seed 002: one ticket or all of them at a glance): a column per
 * state the view holds, in the queue's own order, each card with number, subject, priority, owner and clock.
 */
export function DeskBoard(props: { rows: LocalTicket[]; now: number; ownerName: (id: string | null) => string }) {
  const columns = createMemo(() => {
    const by = new Map<TicketStatus, LocalTicket[]>();
    for (const row of props.rows) by.set(row.status, [...(by.get(row.status) ?? []), row]);
    return ticketStatuses.filter((s) => by.has(s)).map((status) => ({ status, rows: by.get(status) ?? [] }));
  });
  return (
    <div class="board">
      <For each={columns()}>
        {(column) => (
          <section class="board-column" aria-label={pick(statusLabels[column.status])}>
            <h2>
              {pick(statusLabels[column.status])} <span class="muted">{column.rows.length}</span>
            </h2>
            <ol class="board-cards">
              <For each={column.rows.slice(0, CARDS_PER_COLUMN)}>
                {(ticket) => {
                  const clock = () => slaCountdown(ticket, props.now);
                  return (
                    <li class="board-card">
                      <TicketLink ticket={ticket} />
                      <p class="board-meta">
                        <span class={`badge priority-${ticket.priority}`}>{ticket.priority}</span>{' '}
                        <span>{props.ownerName(ticket.ownerId)}</span>
                      </p>
                      <Show when={clock()}>{(c) => <SlaCountdownBadge clock={c()} />}</Show>
                    </li>
                  );
                }}
              </For>
            </ol>
            <Show when={column.rows.length > CARDS_PER_COLUMN}>
              <p class="muted">{t('board.more', { count: column.rows.length - CARDS_PER_COLUMN })}</p>
            </Show>
          </section>
        )}
      </For>
    </div>
  );
}
