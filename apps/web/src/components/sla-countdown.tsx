import type { SlaCountdown } from '@mesa/core';
import { type MessageKey, t } from '../i18n';
import { formatDuration } from '../lib/format';

const targetKey = (c: SlaCountdown): MessageKey =>
  c.target === 'firstResponse' ? 'queue.sla.first' : 'queue.sla.resolution';

/** A ticket's running SLA target as a countdown, amber from 80 % of it, red once breached. */
export function SlaCountdownBadge(props: { clock: SlaCountdown }) {
  const text = () =>
    props.clock.level === 'breached'
      ? t('queue.sla.overdue', { time: formatDuration(-props.clock.remainingMs) })
      : t('queue.sla.left', { time: formatDuration(props.clock.remainingMs) });
  return (
    <span class={`badge sla-clock sla-${props.clock.level}`}>
      {t(targetKey(props.clock))}: {text()}
    </span>
  );
}
