import { statusLabels, type TicketStatus } from '@mesa/core';
import { pick } from '../i18n';

export function StatusBadge(props: { status: TicketStatus }) {
  return <span class={`badge status-${props.status}`}>{pick(statusLabels[props.status])}</span>;
}
