import type { Ticket } from '@mesa/core';
import { type JSX, Show } from 'solid-js';
import { t } from '../i18n';
import { formatDateTime } from '../lib/format';

function Field(props: { label: string; children: JSX.Element }) {
  return (
    <div>
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

const Time = (props: { value: string | null }) => (
  <Show when={props.value} fallback="—">
    {(value) => <time datetime={value()}>{formatDateTime(value())}</time>}
  </Show>
);

/** The read-only facts of a ticket, as a description list. */
export function TicketFields(props: { ticket: Ticket; departmentName: string | undefined }) {
  return (
    <dl class="fields">
      <Field label={t('ticket.priority')}>
        <span class={`badge priority-${props.ticket.priority}`}>{props.ticket.priority}</span>
      </Field>
      <Field label={t('ticket.severity')}>{t(`level.${props.ticket.severity}`)}</Field>
      <Field label={t('ticket.urgency')}>{t(`level.${props.ticket.urgency}`)}</Field>
      <Field label={t('ticket.department')}>{props.departmentName ?? '—'}</Field>
      <Field label={t('ticket.requester')}>
        {props.ticket.requester.name}
        <Show when={props.ticket.requester.email}>{(email) => <span class="muted"> · {email()}</span>}</Show>
      </Field>
      <Show when={props.ticket.cc.length > 0}>
        <Field label={t('ticket.cc')}>{props.ticket.cc.join(', ')}</Field>
      </Show>
      <Field label={t('ticket.created')}>
        <Time value={props.ticket.createdAt} />
      </Field>
      <Field label={t('ticket.updated')}>
        <Time value={props.ticket.updatedAt} />
      </Field>
      <Field label={t('ticket.firstResponseDue')}>
        <Time value={props.ticket.firstResponseDueAt} />
      </Field>
      <Field label={t('ticket.resolutionDue')}>
        <Time value={props.ticket.resolutionDueAt} />
      </Field>
    </dl>
  );
}
