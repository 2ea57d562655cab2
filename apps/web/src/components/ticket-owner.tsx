import {
  type LocalTicket,
  mayHandOver,
  ownerCandidates,
  SERVICE_DESK_SLUG,
  type SupportTier,
  serviceDeskAgent,
  supportTiers,
} from '@mesa/core';
import { uuid } from '@mesa/sync-client';
import { createMemo, createSignal, createUniqueId, For, Show } from 'solid-js';
import { deviceClient } from '../data/device';
import { departmentName, useHistory, useReference } from '../data/queries';
import { t } from '../i18n';
import { useShortcuts } from '../lib/shortcuts';
import { createSubmission } from '../lib/submission';
import { currentUser } from '../session';
import { FormError } from './form-error';

interface HandOver {
  ownerId?: string | null;
  supportTier?: SupportTier;
  note?: string;
}

/**
 * Who owns the ticket and at which support tier, and the hand-overs core allows this user: take it, give it
 * to someone (the department's staff first), back to the service desk, or up a tier with the expertise it
 * needs. Each one is one `assignTicket@1` on the device, its reason kept as an internal note.
 */
export function TicketOwner(props: { ticket: LocalTicket }) {
  const ids = { heading: createUniqueId(), owner: createUniqueId(), tier: createUniqueId(), reason: createUniqueId() };
  const me = () => currentUser();
  const staff = useReference('staff');
  const departments = useReference('departments');
  const history = useHistory(() => props.ticket.id);
  const saving = createSubmission();
  const allowed = () => {
    const user = me();
    return user ? mayHandOver(user, props.ticket) : false;
  };
  const nameOf = (id: string | null) =>
    id === null ? t('queue.unassigned') : (staff()?.find((s) => s.id === id)?.name ?? t('owner.unknown'));
  const candidates = createMemo(() => ownerCandidates(staff() ?? [], props.ticket.departmentId));
  const department = () => departments()?.find((d) => d.id === props.ticket.departmentId);
  const desk = createMemo(() => {
    const deskId = departments()?.find((d) => d.slug === SERVICE_DESK_SLUG)?.id;
    if (!deskId) return undefined;
    const past = (history() ?? []).filter((h) => h.field === 'ownerId' && typeof h.newValue === 'string');
    return serviceDeskAgent(
      staff() ?? [],
      deskId,
      past.map((h) => h.newValue as string),
    );
  });

  const [owner, setOwner] = createSignal<string | null | undefined>(undefined);
  const [tier, setTier] = createSignal<SupportTier | undefined>(undefined);
  const [reason, setReason] = createSignal('');
  const chosenOwner = () => owner() ?? props.ticket.ownerId;
  const chosenTier = () => tier() ?? props.ticket.supportTier;
  const raisesTier = () => chosenTier() > props.ticket.supportTier;
  const changed = () => chosenOwner() !== props.ticket.ownerId || chosenTier() !== props.ticket.supportTier;

  const takeIt = () => {
    const user = me();
    if (!user || !allowed() || props.ticket.ownerId === user.id) return false;
    void handOver({ ownerId: user.id });
    return true;
  };
  useShortcuts({ a: takeIt });
  const handOver = (change: HandOver) =>
    saving.run(async () => {
      const note = change.note?.trim();
      await (await deviceClient()).mutate('assignTicket@1', {
        ticketId: props.ticket.id,
        ...(change.ownerId !== undefined ? { ownerId: change.ownerId } : {}),
        ...(change.supportTier !== undefined ? { supportTier: change.supportTier } : {}),
        ...(note ? { note, noteId: uuid() } : {}),
      });
    });

  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    const change: HandOver = { note: reason() };
    if (chosenOwner() !== props.ticket.ownerId) change.ownerId = chosenOwner();
    if (chosenTier() !== props.ticket.supportTier) change.supportTier = chosenTier();
    void handOver(change).then((ok) => {
      if (!ok) return;
      setOwner(undefined);
      setTier(undefined);
      setReason('');
    });
  };

  return (
    <section class="panel stack" aria-labelledby={ids.heading}>
      <h2 id={ids.heading}>{t('owner.title')}</h2>
      <p>
        {t('ticket.owner')}: <strong>{nameOf(props.ticket.ownerId)}</strong> · {t('owner.tier')}:{' '}
        <strong>{props.ticket.supportTier}</strong>
      </p>
      <Show when={allowed()} fallback={<p class="muted">{t('owner.notYours')}</p>}>
        <div class="actions">
          <Show when={me() && props.ticket.ownerId !== me()?.id}>
            <button type="button" class="button" disabled={saving.pending()} aria-keyshortcuts="a" onClick={takeIt}>
              {t('owner.takeIt')}
            </button>
          </Show>
          <Show when={desk()}>
            {(agent) => (
              <Show when={agent().id !== props.ticket.ownerId}>
                <button
                  type="button"
                  class="button"
                  disabled={saving.pending()}
                  onClick={() => void handOver({ ownerId: agent().id, note: t('owner.backToDeskNote') })}
                >
                  {t('owner.backToDesk', { name: agent().name })}
                </button>
              </Show>
            )}
          </Show>
        </div>
        <form class="stack" onSubmit={onSubmit}>
          <div class="field-row">
            <div class="field">
              <label for={ids.owner}>{t('owner.assignTo')}</label>
              <select
                id={ids.owner}
                value={chosenOwner() ?? ''}
                onChange={(e) => setOwner(e.currentTarget.value || null)}
              >
                <option value="">{t('queue.unassigned')}</option>
                <optgroup label={department() ? departmentName(department()!) : t('owner.department')}>
                  <For each={candidates().department}>{(s) => <option value={s.id}>{s.name}</option>}</For>
                </optgroup>
                <optgroup label={t('owner.others')}>
                  <For each={candidates().others}>{(s) => <option value={s.id}>{s.name}</option>}</For>
                </optgroup>
              </select>
            </div>
            <div class="field">
              <label for={ids.tier}>{t('owner.tier')}</label>
              <select
                id={ids.tier}
                value={String(chosenTier())}
                onChange={(e) => setTier(Number(e.currentTarget.value) as SupportTier)}
              >
                <For each={supportTiers}>
                  {(n) => <option value={String(n)}>{t('owner.tierN', { tier: n })}</option>}
                </For>
              </select>
            </div>
          </div>
          <div class="field">
            <label for={ids.reason}>{raisesTier() ? t('owner.escalationReason') : t('owner.reason')}</label>
            <textarea
              id={ids.reason}
              rows="2"
              value={reason()}
              required={raisesTier()}
              maxLength={2000}
              onInput={(e) => setReason(e.currentTarget.value)}
            />
          </div>
          <div class="actions">
            <button type="submit" class="button primary" disabled={saving.pending() || !changed()}>
              {raisesTier() ? t('owner.escalate', { tier: chosenTier() }) : t('owner.save')}
            </button>
          </div>
        </form>
      </Show>
      <FormError error={saving.error()} />
    </section>
  );
}
