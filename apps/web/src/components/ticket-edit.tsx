import {
  computePriority,
  type LocalTicket,
  type Severity,
  severityDefinitions,
  type TicketField,
  type TicketFieldChanges,
  type TicketFieldsSeen,
  ticketFieldsEditableBy,
  type Urgency,
  urgencyDefinitions,
} from '@mesa/core';
import { createSignal, createUniqueId, For, Show } from 'solid-js';
import { ApiError } from '../api';
import { deviceClient } from '../data/device';
import { departmentName, useReference } from '../data/queries';
import { t } from '../i18n';
import { parseCc } from '../lib/cc';
import { useShortcuts } from '../lib/shortcuts';
import { createSubmission } from '../lib/submission';
import { currentUser } from '../session';
import { FormError } from './form-error';
import { LevelSelect } from './level-select';
import { TextField } from './text-field';

interface Values {
  departmentId: string;
  subject: string;
  description: string;
  severity: Severity;
  urgency: Urgency;
  cc: string;
}

const valuesOf = (ticket: LocalTicket): Values => ({
  departmentId: ticket.departmentId,
  subject: ticket.subject,
  description: ticket.description,
  severity: ticket.severity,
  urgency: ticket.urgency,
  cc: ticket.cc.join(', '),
});

/**
 * Edits the fields this user's role may change (core's field table), through the device's mutator. What
 * the form showed when it opened is sent as what the user saw, so an overwrite of someone else's newer
 * value is marked as a conflict in history.
 */
export function TicketEdit(props: { ticket: LocalTicket }) {
  const editable = () => new Set<TicketField>(ticketFieldsEditableBy(currentUser()?.role ?? 'customer'));
  const formFields = ['departmentId', 'subject', 'description', 'severity', 'urgency', 'cc'] as const;
  const departments = useReference('departments');
  const policy = useReference('policy');
  // The matrix on the device gives the priority the save will set, before saving.
  const priorityOf = (v: Values) => {
    const matrix = policy()?.[0]?.priorityMatrix;
    return matrix ? computePriority(v.severity, v.urgency, matrix) : undefined;
  };
  const shown = () => formFields.some((f) => editable().has(f));
  // A customer may change only who gets copies: the button says so.
  const onlyCc = () => formFields.every((f) => f === 'cc' || !editable().has(f));
  const [seen, setSeen] = createSignal<Values | null>(null);
  const [values, setValues] = createSignal<Values | null>(null);
  const saving = createSubmission();
  const descriptionId = createUniqueId();
  const departmentId = createUniqueId();
  const set = <K extends keyof Values>(key: K, value: Values[K]) =>
    setValues((current) => (current ? { ...current, [key]: value } : current));
  const open = () => {
    setSeen(valuesOf(props.ticket));
    setValues(valuesOf(props.ticket));
  };
  useShortcuts({
    e: () => {
      if (!shown() || values()) return false;
      open();
      return true;
    },
  });
  const close = () => {
    setSeen(null);
    setValues(null);
    saving.setError(null);
  };

  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    const before = seen();
    const after = values();
    if (!before || !after) return;
    void saving
      .run(async () => {
        const changes: TicketFieldChanges = {};
        const was: TicketFieldsSeen = {};
        const edited = (key: TicketField & keyof Values) => editable().has(key) && after[key] !== before[key];
        if (edited('departmentId'))
          [changes.departmentId, was.departmentId] = [after.departmentId, before.departmentId];
        if (edited('subject')) [changes.subject, was.subject] = [after.subject.trim(), before.subject];
        if (edited('description')) [changes.description, was.description] = [after.description, before.description];
        if (edited('severity')) [changes.severity, was.severity] = [after.severity, before.severity];
        if (edited('urgency')) [changes.urgency, was.urgency] = [after.urgency, before.urgency];
        if (editable().has('cc') && after.cc !== before.cc) {
          const { addresses, invalid } = parseCc(after.cc);
          if (invalid.length > 0) {
            const message = t('newTicket.ccInvalid', { addresses: invalid.join(', ') });
            throw new ApiError({ code: 'VALIDATION_FAILED', message, status: 0 });
          }
          changes.cc = addresses;
          was.cc = parseCc(before.cc).addresses;
        }
        if (Object.keys(changes).length === 0) return;
        await (await deviceClient()).mutate('updateTicketFields@1', {
          ticketId: props.ticket.id,
          changes,
          seen: was,
        });
      })
      .then((ok) => ok && close());
  };

  return (
    <Show when={shown()}>
      <Show
        when={values()}
        fallback={
          <div class="actions">
            <button type="button" class="button" onClick={open} aria-keyshortcuts="e">
              {onlyCc() ? t('edit.openCc') : t('edit.open')}
            </button>
          </div>
        }
      >
        {(current) => (
          <form class="stack panel" onSubmit={onSubmit}>
            <h2>{onlyCc() ? t('edit.openCc') : t('edit.title')}</h2>
            <Show when={editable().has('departmentId')}>
              <div class="field">
                <label for={departmentId}>{t('ticket.department')}</label>
                <select
                  id={departmentId}
                  value={current().departmentId}
                  onChange={(e) => set('departmentId', e.currentTarget.value)}
                >
                  <For each={departments() ?? []}>{(d) => <option value={d.id}>{departmentName(d)}</option>}</For>
                </select>
              </div>
            </Show>
            <Show when={editable().has('subject')}>
              <TextField
                label={t('ticket.subject')}
                value={current().subject}
                onInput={(v) => set('subject', v)}
                required
                maxLength={200}
              />
            </Show>
            <Show when={editable().has('description')}>
              <div class="field">
                <label for={descriptionId}>{t('ticket.description')}</label>
                <textarea
                  id={descriptionId}
                  rows="5"
                  value={current().description}
                  onInput={(e) => set('description', e.currentTarget.value)}
                  required
                />
              </div>
            </Show>
            <Show when={editable().has('severity')}>
              <LevelSelect
                label={t('ticket.severity')}
                value={current().severity}
                onChange={(v) => set('severity', v)}
                definitions={severityDefinitions}
              />
            </Show>
            <Show when={editable().has('urgency')}>
              <LevelSelect
                label={t('ticket.urgency')}
                value={current().urgency}
                onChange={(v) => set('urgency', v)}
                definitions={urgencyDefinitions}
              />
            </Show>
            <Show when={editable().has('severity') && priorityOf(current())}>
              {(priority) => (
                <p aria-live="polite">
                  {t('edit.priority')}{' '}
                  <span class={`badge priority-${props.ticket.priority}`}>{props.ticket.priority}</span>
                  <Show when={priority() !== props.ticket.priority}>
                    {' → '}
                    <span class={`badge priority-${priority()}`}>{priority()}</span>
                  </Show>
                </p>
              )}
            </Show>
            <Show when={editable().has('cc')}>
              <TextField
                label={t('ticket.cc')}
                value={current().cc}
                onInput={(v) => set('cc', v)}
                autocomplete="off"
                hint={t('newTicket.ccHint')}
              />
            </Show>
            <FormError error={saving.error()} />
            <div class="actions">
              <button type="submit" class="button primary" disabled={saving.pending()}>
                {t('edit.save')}
              </button>
              <button type="button" class="button" onClick={close}>
                {t('edit.cancel')}
              </button>
            </div>
          </form>
        )}
      </Show>
    </Show>
  );
}
