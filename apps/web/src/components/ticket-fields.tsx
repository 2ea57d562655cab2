import type { Ticket } from '@mesa/core';
import { type JSX, Show } from 'solid-js';
import { useReference } from '../data/queries';
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

/** A phone number as a `tel:` link keeps its digits and a leading plus only. */
const telHref = (phone: string) => `tel:${phone.replace(/[^\d+]/g, '')}`;

/** The read-only facts of a ticket, as a description list: the requester's contact is a tap away. */
export function TicketFields(props: { ticket: Ticket; departmentName: string | undefined }) {
  const organizations = useReference('organizations');
  const sites = useReference('sites');
  const equipment = useReference('equipment');
  const organization = () =>
    organizations()?.find((o) => o.id === props.ticket.organizationId)?.name ?? props.ticket.requester.organization;
  const machine = () => equipment()?.find((e) => e.id === props.ticket.equipmentId);
  const site = () => {
    const id = props.ticket.siteId ?? machine()?.siteId;
    return id ? sites()?.find((s) => s.id === id) : undefined;
  };
  return (
    <dl class="fields">
      <Field label={t('ticket.priority')}>
        <span class={`badge priority-${props.ticket.priority}`}>{props.ticket.priority}</span>
      </Field>
      <Field label={t('ticket.severity')}>{t(`level.${props.ticket.severity}`)}</Field>
      <Field label={t('ticket.urgency')}>{t(`level.${props.ticket.urgency}`)}</Field>
      <Field label={t('ticket.department')}>{props.departmentName ?? '—'}</Field>
      <Field label={t('ticket.requester')}>{props.ticket.requester.name}</Field>
      <Show when={props.ticket.requester.email}>
        {(email) => (
          <Field label={t('ticket.email')}>
            <a href={`mailto:${email()}`}>{email()}</a>
          </Field>
        )}
      </Show>
      <Show when={props.ticket.requester.phone}>
        {(phone) => (
          <Field label={t('ticket.phone')}>
            <a href={telHref(phone())}>{phone()}</a>
          </Field>
        )}
      </Show>
      <Show when={organization()}>{(name) => <Field label={t('ticket.organization')}>{name()}</Field>}</Show>
      <Show when={props.ticket.requester.location}>
        {(place) => <Field label={t('ticket.location')}>{place()}</Field>}
      </Show>
      <Show when={machine()}>
        {(e) => (
          <Field label={t('ticket.equipment')}>
            {e().model} · {t('ticket.serial')} {e().serialNumber}
            <Show when={e().maintenanceCode}>{(code) => <span class="muted"> · {code()}</span>}</Show>
            <Show when={e().contractNumber}>
              {(contract) => <span class="muted"> · {t('ticket.contract', { number: contract() })}</span>}
            </Show>
          </Field>
        )}
      </Show>
      <Show when={site()}>
        {(s) => (
          <Field label={t('ticket.site')}>
            {s().name}
            <Show when={s().address}>{(address) => <span class="muted"> · {address()}</span>}</Show>
          </Field>
        )}
      </Show>
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
