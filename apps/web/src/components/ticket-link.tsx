import { isPendingNumber, type LocalTicket } from '@mesa/core';
import { A } from '@solidjs/router';
import { t } from '../i18n';
import { ticketHref } from '../lib/format';

/** A ticket's number (or "pending number") and subject, linking to its page: every list's first cell. */
export function TicketLink(props: { ticket: LocalTicket; onFocus?: () => void }) {
  return (
    <A href={ticketHref(props.ticket)} class="ticket-link" onFocus={() => props.onFocus?.()}>
      <span class="ticket-number">
        {isPendingNumber(props.ticket) ? t('ticket.pendingNumber') : props.ticket.number}
      </span>
      <span class="ticket-subject">{props.ticket.subject}</span>
    </A>
  );
}
