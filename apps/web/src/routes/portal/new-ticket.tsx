import { type Severity, severityDefinitions, type Ticket, type Urgency, urgencyDefinitions } from '@mesa/core';
import { useNavigate } from '@solidjs/router';
import { createEffect, createResource, createUniqueId, For, Show } from 'solid-js';
import { createStore } from 'solid-js/store';
import { api, asApiError } from '../../api';
import { FormError } from '../../components/form-error';
import { LevelSelect } from '../../components/level-select';
import { TextField } from '../../components/text-field';
import { t } from '../../i18n';
import { loadDepartments } from '../../lib/departments';
import { ticketPath } from '../../lib/format';
import { usePageTitle } from '../../lib/page-title';
import { createSubmission } from '../../lib/submission';

const splitAddresses = (text: string): string[] =>
  text
    .split(',')
    .map((address) => address.trim())
    .filter(Boolean);

interface TicketDraft {
  departmentId: string;
  subject: string;
  description: string;
  severity: Severity;
  urgency: Urgency;
  /** As typed: comma-separated addresses. */
  cc: string;
}

export default function NewTicket() {
  usePageTitle(() => t('newTicket.title'));
  const navigate = useNavigate();
  const ids = { department: createUniqueId(), description: createUniqueId() };
  const [departments, { refetch: retryDepartments }] = createResource(loadDepartments);
  const [form, setForm] = createStore<TicketDraft>({
    departmentId: '',
    subject: '',
    description: '',
    severity: 'medium',
    urgency: 'medium',
    cc: '',
  });
  const submission = createSubmission();

  // With a single department there is nothing to choose.
  createEffect(() => {
    const list = departments.state === 'ready' ? departments() : undefined;
    if (list?.length === 1 && !form.departmentId) setForm('departmentId', list[0]!.id);
  });

  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    void submission.run(async () => {
      const cc = splitAddresses(form.cc);
      const ticket = await api<Ticket>('/tickets', {
        method: 'POST',
        body: {
          departmentId: form.departmentId,
          subject: form.subject,
          description: form.description,
          severity: form.severity,
          urgency: form.urgency,
          ...(cc.length > 0 ? { cc } : {}),
        },
      });
      navigate(ticketPath(ticket.number));
    });
  };

  return (
    <section class="panel">
      <h1>{t('newTicket.title')}</h1>
      <form class="stack" onSubmit={onSubmit}>
        <div class="field">
          <label for={ids.department}>{t('ticket.department')}</label>
          <select
            id={ids.department}
            value={form.departmentId}
            onChange={(event) => setForm('departmentId', event.currentTarget.value)}
            required
          >
            <option value="">{t('newTicket.chooseDepartment')}</option>
            <Show when={departments.state === 'ready' && departments()}>
              {(list) => (
                <For each={list()}>
                  {(department) => (
                    <option value={department.id}>
                      {department.is24x7 ? t('newTicket.allDay', { name: department.name }) : department.name}
                    </option>
                  )}
                </For>
              )}
            </Show>
          </select>
          <FormError error={departments.error ? asApiError(departments.error) : null} />
          <Show when={departments.error as unknown}>
            <button type="button" class="button" onClick={() => void retryDepartments()}>
              {t('app.retry')}
            </button>
          </Show>
        </div>
        <TextField
          label={t('ticket.subject')}
          value={form.subject}
          onInput={(value) => setForm('subject', value)}
          maxLength={200}
          required
        />
        <div class="field">
          <label for={ids.description}>{t('ticket.description')}</label>
          <textarea
            id={ids.description}
            rows="6"
            value={form.description}
            onInput={(event) => setForm('description', event.currentTarget.value)}
            maxLength={20000}
            required
          />
        </div>
        <LevelSelect
          label={t('ticket.severity')}
          value={form.severity}
          onChange={(level) => setForm('severity', level)}
          definitions={severityDefinitions}
        />
        <LevelSelect
          label={t('ticket.urgency')}
          value={form.urgency}
          onChange={(level) => setForm('urgency', level)}
          definitions={urgencyDefinitions}
        />
        <TextField
          label={t('ticket.cc')}
          type="email"
          multiple
          value={form.cc}
          onInput={(value) => setForm('cc', value)}
          autocomplete="off"
          hint={t('newTicket.ccHint')}
        />
        <FormError error={submission.error()} />
        <button type="submit" class="button primary" disabled={submission.pending()}>
          {t('newTicket.submit')}
        </button>
      </form>
    </section>
  );
}
