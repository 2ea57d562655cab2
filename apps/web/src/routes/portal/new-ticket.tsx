import '../../zod-config';
import {
  type Channel,
  isStaff,
  type Severity,
  severityDefinitions,
  type Urgency,
  urgencyDefinitions,
} from '@mesa/core';
import { uuid } from '@mesa/sync-client';
import { useNavigate } from '@solidjs/router';
import { createEffect, createMemo, createSignal, createUniqueId, For, Show } from 'solid-js';
import { ApiError } from '../../api';
import { FileInput } from '../../components/file-input';
import { FormError } from '../../components/form-error';
import { LevelSelect } from '../../components/level-select';
import { TextField } from '../../components/text-field';
import { deviceClient } from '../../data/device';
import { departmentName, useReference } from '../../data/queries';
import { t } from '../../i18n';
import { assertAttachable, attachFiles } from '../../lib/attach';
import { type CallerMatch, findCallers } from '../../lib/caller-search';
import { parseCc } from '../../lib/cc';
import { createDraft } from '../../lib/drafts';
import { invalidPaths, namingFields } from '../../lib/field-errors';
import { ticketPath } from '../../lib/format';
import { hoursSummary } from '../../lib/hours';
import { usePageTitle } from '../../lib/page-title';
import { createSubmission } from '../../lib/submission';
import { currentUser } from '../../session';

interface TicketDraft {
  departmentId: string;
  subject: string;
  description: string;
  severity: Severity;
  urgency: Urgency;
  /** As typed: comma-separated addresses. */
  cc: string;
  maintenanceCode: string;
  /** Picked from the equipment the user may name (sends its code, or its serial when it has none). */
  equipmentId: string;
  /** Staff opening a ticket for someone who called or came in (seed 003's phone intake). */
  channel: Exclude<Channel, 'email'>;
  requester: Requester;
  /** The customer found on the device; empty for a new contact (created from name and e-mail). */
  requesterId: string;
}

interface Requester {
  name: string;
  email: string;
  phone: string;
  organization: string;
  location: string;
}

const requesterFields = ['name', 'email', 'phone', 'organization', 'location'] as const;
const intakeChannels = ['phone', 'web', 'field'] as const;

const emptyDraft: TicketDraft = {
  departmentId: '',
  subject: '',
  description: '',
  severity: 'medium',
  urgency: 'medium',
  cc: '',
  maintenanceCode: '',
  equipmentId: '',
  channel: 'phone',
  requester: { name: '', email: '', phone: '', organization: '', location: '' },
  requesterId: '',
};

/**
 * Opens a ticket on the device (also offline): it shows at once with "pending number", its files wait on
 * the device, and the server numbers it and sends the acknowledgement when the change reaches it.
 */
export default function NewTicket() {
  usePageTitle(() => t('newTicket.title'));
  const navigate = useNavigate();
  const ids = {
    department: createUniqueId(),
    description: createUniqueId(),
    hours: createUniqueId(),
    equipment: createUniqueId(),
    channel: createUniqueId(),
    caller: createUniqueId(),
    organizations: createUniqueId(),
  };
  const departments = useReference('departments');
  const equipment = useReference('equipment');
  const sites = useReference('sites');
  const siteName = (id: string | null) => (id ? sites()?.find((x) => x.id === id)?.name : undefined);
  const [codeError, setCodeError] = createSignal<string | null>(null);
  const [draft, setDraft, clearDraft] = createDraft<TicketDraft>(() => 'new-ticket', emptyDraft);
  const set = <K extends keyof TicketDraft>(key: K, value: TicketDraft[K]) =>
    setDraft((previous) => ({ ...previous, [key]: value }));
  const [files, setFiles] = createSignal<File[]>([]);
  const [ccError, setCcError] = createSignal<string | null>(null);
  const submission = createSubmission();
  const staff = () => isStaff(currentUser()?.role ?? 'customer');
  const organizations = useReference('organizations');
  const [invalid, setInvalid] = createSignal<string[]>([]);
  const requesterLabels = (): Record<string, string> => ({
    'requester.name': t('intake.name'),
    'requester.email': t('intake.email'),
    'requester.phone': t('intake.phone'),
    'requester.organization': t('intake.organization'),
    'requester.location': t('intake.location'),
  });
  const requesterError = (field: (typeof requesterFields)[number]) => {
    if (!invalid().includes(`requester.${field}`)) return null;
    return field === 'name' ? t('intake.requesterRequired') : t('intake.invalid');
  };
  // Another name or e-mail is another person: the found customer no longer applies.
  const setRequester = (field: (typeof requesterFields)[number], value: string) =>
    setDraft((previous) => ({
      ...previous,
      requester: { ...(previous.requester ?? emptyDraft.requester), [field]: value },
      requesterId: field === 'name' || field === 'email' ? '' : (previous.requesterId ?? ''),
    }));
  const contacts = useReference('contacts');
  const [callerQuery, setCallerQuery] = createSignal('');
  const callers = createMemo(() =>
    findCallers(callerQuery(), {
      contacts: contacts() ?? [],
      equipment: equipment() ?? [],
      organizations: organizations() ?? [],
    }),
  );
  const chosenContact = () => contacts()?.find((c) => c.id === draft().requesterId);
  const pickCaller = (match: CallerMatch) => {
    setDraft((previous) => {
      const c = match.contact;
      const e = match.equipment;
      const before = previous.requester ?? emptyDraft.requester;
      return {
        ...previous,
        requesterId: c?.id ?? previous.requesterId ?? '',
        requester: c
          ? {
              ...before,
              name: c.name,
              email: c.email,
              phone: c.phone ?? before.phone,
              organization: match.organization?.name ?? before.organization,
            }
          : before,
        ...(e ? { equipmentId: e.id, maintenanceCode: e.maintenanceCode ?? '' } : {}),
      };
    });
    setCallerQuery('');
  };
  const chosen = () => departments()?.find((d) => d.id === draft().departmentId);

  // With a single department there is nothing to choose.
  createEffect(() => {
    const list = departments();
    if (list?.length === 1 && !draft().departmentId) set('departmentId', list[0]!.id);
  });

  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    void submission.run(async () => {
      const client = await deviceClient();
      const form = draft();
      const { addresses: cc, invalid } = parseCc(form.cc);
      const ccMessage = invalid.length > 0 ? t('newTicket.ccInvalid', { addresses: invalid.join(', ') }) : null;
      setCcError(ccMessage);
      if (ccMessage) throw new ApiError({ code: 'VALIDATION_FAILED', message: ccMessage, status: 0 });
      assertAttachable(files());
      const id = uuid();
      const picked = equipment()?.find((e) => e.id === form.equipmentId);
      const code = form.maintenanceCode.trim();
      setCodeError(null);
      setInvalid([]);
      // Only what was typed: an empty field is no value, not an empty one.
      const given = Object.fromEntries(
        requesterFields.map((f) => [f, (form.requester?.[f] ?? '').trim()] as const).filter(([, v]) => v !== ''),
      );
      try {
        await client.mutate('createTicket@1', {
          id,
          departmentId: form.departmentId,
          subject: form.subject,
          description: form.description,
          severity: form.severity,
          urgency: form.urgency,
          cc,
          ...(code ? { maintenanceCode: code } : picked ? { serialNumber: picked.serialNumber } : {}),
          ...(staff() ? { channel: form.channel ?? 'phone', requester: given } : {}),
          ...(staff() && form.requesterId ? { requesterId: form.requesterId } : {}),
        });
      } catch (error) {
        // A requester's field the device refused is named at its input and in the message.
        const named = namingFields(error, requesterLabels());
        if (named) {
          setInvalid(invalidPaths(error));
          throw named;
        }
        // The device holds the equipment the user may name: an unknown code is named at its field.
        const field = (error as { details?: { field?: string } }).details?.field;
        if (field !== 'maintenanceCode') throw error;
        const message = t('newTicket.codeUnknown', { code });
        setCodeError(message);
        throw new ApiError({ code: 'REFERENCE_NOT_FOUND', message, status: 0 });
      }
      await attachFiles(client, id, files());
      clearDraft();
      setFiles([]);
      navigate(ticketPath(id));
    });
  };

  return (
    <section class="panel">
      <h1>{t('newTicket.title')}</h1>
      <form class="stack" onSubmit={onSubmit}>
        <Show when={staff()}>
          <fieldset class="stack">
            <legend>{t('intake.title')}</legend>
            <div class="field">
              <label for={ids.channel}>{t('intake.channel')}</label>
              <select
                id={ids.channel}
                value={draft().channel ?? 'phone'}
                onChange={(e) => set('channel', e.currentTarget.value as TicketDraft['channel'])}
              >
                <For each={intakeChannels}>{(c) => <option value={c}>{t(`channel.${c}`)}</option>}</For>
              </select>
            </div>
            <div class="field">
              <label for={ids.caller}>{t('intake.find')}</label>
              <input
                id={ids.caller}
                type="search"
                autocomplete="off"
                value={callerQuery()}
                onInput={(e) => setCallerQuery(e.currentTarget.value)}
                aria-describedby={`${ids.caller}-hint`}
                aria-controls={`${ids.caller}-results`}
              />
              <small id={`${ids.caller}-hint`} class="hint">
                {t('intake.findHint')}
              </small>
              <ul id={`${ids.caller}-results`} class="caller-results" aria-live="polite">
                <For each={callers()}>
                  {(match) => (
                    <li>
                      <button type="button" class="button caller" onClick={() => pickCaller(match)}>
                        <strong>{match.contact?.name ?? match.equipment?.model}</strong>
                        <span class="muted">
                          {[
                            match.contact?.email,
                            match.contact?.phone,
                            match.organization?.name,
                            match.equipment
                              ? `${match.equipment.model} · ${match.equipment.serialNumber}${match.equipment.maintenanceCode ? ` · ${match.equipment.maintenanceCode}` : ''}`
                              : undefined,
                          ]
                            .filter(Boolean)
                            .join(' · ')}
                        </span>
                      </button>
                    </li>
                  )}
                </For>
              </ul>
              <Show when={callerQuery().trim().length >= 2 && callers().length === 0}>
                <p class="hint">{t('intake.noMatch')}</p>
              </Show>
            </div>
            <Show when={chosenContact()}>
              {(c) => (
                <p class="alert alert-success">
                  {t('intake.chosen', { name: c().name })}{' '}
                  <button type="button" class="link-button" onClick={() => set('requesterId', '')}>
                    {t('intake.unchoose')}
                  </button>
                </p>
              )}
            </Show>
            <TextField
              label={t('intake.name')}
              value={draft().requester?.name ?? ''}
              onInput={(v) => setRequester('name', v)}
              maxLength={120}
              autocomplete="off"
              hint={t('intake.nameHint')}
              error={requesterError('name')}
            />
            <div class="field-row">
              <TextField
                label={t('intake.email')}
                type="email"
                value={draft().requester?.email ?? ''}
                onInput={(v) => setRequester('email', v)}
                autocomplete="off"
                hint={t('intake.emailHint')}
                error={requesterError('email')}
              />
              <TextField
                label={t('intake.phone')}
                type="tel"
                value={draft().requester?.phone ?? ''}
                onInput={(v) => setRequester('phone', v)}
                maxLength={40}
                autocomplete="off"
                error={requesterError('phone')}
              />
            </div>
            <div class="field-row">
              <TextField
                label={t('intake.organization')}
                value={draft().requester?.organization ?? ''}
                onInput={(v) => setRequester('organization', v)}
                maxLength={200}
                autocomplete="off"
                list={ids.organizations}
                error={requesterError('organization')}
              />
              <TextField
                label={t('intake.location')}
                value={draft().requester?.location ?? ''}
                onInput={(v) => setRequester('location', v)}
                maxLength={200}
                autocomplete="off"
                error={requesterError('location')}
              />
            </div>
            <datalist id={ids.organizations}>
              <For each={organizations() ?? []}>{(o) => <option value={o.name} />}</For>
            </datalist>
          </fieldset>
        </Show>
        <div class="field">
          <label for={ids.department}>{t('ticket.department')}</label>
          <select
            id={ids.department}
            value={draft().departmentId}
            onChange={(event) => set('departmentId', event.currentTarget.value)}
            aria-describedby={ids.hours}
            required
          >
            <option value="">{t('newTicket.chooseDepartment')}</option>
            <For each={departments() ?? []}>
              {(department) => (
                <option value={department.id}>
                  {department.urgentOnly
                    ? t('newTicket.urgentOnly', { name: departmentName(department) })
                    : departmentName(department)}
                </option>
              )}
            </For>
          </select>
          <div id={ids.hours}>
            <Show when={chosen()}>
              {(d) => (
                <>
                  <small class="muted">{t('newTicket.hours', { hours: hoursSummary(d().calendar, d().is24x7) })}</small>
                  <Show when={d().urgentOnly}>
                    <p class="alert alert-warning">{t('newTicket.urgentOnlyNotice')}</p>
                  </Show>
                </>
              )}
            </Show>
          </div>
          <Show when={departments()?.length === 0}>
            <p class="alert alert-warning">{t('newTicket.noDepartmentsYet')}</p>
          </Show>
        </div>
        <TextField
          label={t('ticket.subject')}
          value={draft().subject}
          onInput={(value) => set('subject', value)}
          maxLength={200}
          required
        />
        <div class="field">
          <label for={ids.description}>{t('ticket.description')}</label>
          <textarea
            id={ids.description}
            rows="6"
            value={draft().description}
            onInput={(event) => set('description', event.currentTarget.value)}
            maxLength={20000}
            required
          />
        </div>
        <LevelSelect
          label={t('ticket.severity')}
          value={draft().severity}
          onChange={(level) => set('severity', level)}
          definitions={severityDefinitions}
        />
        <LevelSelect
          label={t('ticket.urgency')}
          value={draft().urgency}
          onChange={(level) => set('urgency', level)}
          definitions={urgencyDefinitions}
        />
        <Show when={(equipment() ?? []).length > 0}>
          <div class="field">
            <label for={ids.equipment}>{t('ticket.equipment')}</label>
            <select
              id={ids.equipment}
              value={draft().equipmentId}
              onChange={(event) => {
                const chosen = equipment()?.find((e) => e.id === event.currentTarget.value);
                setDraft((previous) => ({
                  ...previous,
                  equipmentId: chosen?.id ?? '',
                  maintenanceCode: chosen?.maintenanceCode ?? '',
                }));
              }}
            >
              <option value="">{t('newTicket.noEquipment')}</option>
              <For each={equipment() ?? []}>
                {(e) => (
                  <option value={e.id}>
                    {[e.model, e.serialNumber, siteName(e.siteId)].filter(Boolean).join(' · ')}
                  </option>
                )}
              </For>
            </select>
          </div>
        </Show>
        <TextField
          label={t('ticket.maintenanceCode')}
          value={draft().maintenanceCode}
          onInput={(value) => setDraft((previous) => ({ ...previous, maintenanceCode: value, equipmentId: '' }))}
          maxLength={64}
          autocomplete="off"
          hint={t('newTicket.maintenanceCodeHint')}
          error={codeError()}
        />
        <TextField
          label={t('ticket.cc')}
          value={draft().cc}
          onInput={(value) => set('cc', value)}
          autocomplete="off"
          hint={t('newTicket.ccHint')}
          error={ccError()}
        />
        <FileInput files={files()} onChange={setFiles} />
        <FormError error={submission.error()} />
        <button type="submit" class="button primary" disabled={submission.pending()}>
          {t('newTicket.submit')}
        </button>
      </form>
    </section>
  );
}
