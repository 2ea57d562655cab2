import {
  type LocalTicket,
  movesFor,
  ownerCandidates,
  statusLabels,
  type TicketStatus,
  ticketFieldsEditableBy,
} from '@mesa/core';
import { createMemo, createSignal, createUniqueId, For, Show } from 'solid-js';
import { asApiError } from '../api';
import { deviceClient } from '../data/device';
import { departmentName, useReference } from '../data/queries';
import { pick, t } from '../i18n';
import { currentUser } from '../session';

type Change =
  | { kind: 'owner'; ownerId: string }
  | { kind: 'status'; to: TicketStatus }
  | { kind: 'department'; departmentId: string };

interface Outcome {
  done: number;
  refused: { number: string; message: string }[];
}

/**
 * One change to every selected ticket: owner, state (only the moves core allows on all of them) or
 * department, each through the device's mutators. A ticket refused is named with why; the rest go on.
 */
export function DeskBulk(props: { tickets: LocalTicket[]; onClear: () => void }) {
  const ids = { owner: createUniqueId(), status: createUniqueId(), dept: createUniqueId(), title: createUniqueId() };
  const staff = useReference('staff');
  const departments = useReference('departments');
  const role = () => currentUser()?.role ?? 'customer';
  const [busy, setBusy] = createSignal(false);
  const [outcome, setOutcome] = createSignal<Outcome | null>(null);
  const commonMoves = createMemo(() => {
    const [first, ...rest] = props.tickets;
    if (!first) return [];
    return movesFor(first, role()).filter((to) => rest.every((x) => movesFor(x, role()).includes(to)));
  });
  const people = createMemo(() => {
    const { department, others } = ownerCandidates(staff() ?? [], props.tickets[0]?.departmentId ?? '');
    return [...department, ...others];
  });
  const mayMoveDepartment = () => ticketFieldsEditableBy(role()).includes('departmentId');

  const apply = async (change: Change) => {
    if (busy()) return;
    setBusy(true);
    setOutcome(null);
    const client = await deviceClient();
    const result: Outcome = { done: 0, refused: [] };
    for (const ticket of props.tickets) {
      try {
        if (change.kind === 'owner') {
          await client.mutate('assignTicket@1', { ticketId: ticket.id, ownerId: change.ownerId });
        } else if (change.kind === 'status') {
          await client.mutate('changeStatus@1', { ticketId: ticket.id, to: change.to });
        } else {
          await client.mutate('updateTicketFields@1', {
            ticketId: ticket.id,
            changes: { departmentId: change.departmentId },
            seen: { departmentId: ticket.departmentId },
          });
        }
        result.done++;
      } catch (cause) {
        result.refused.push({ number: ticket.number || t('ticket.pendingNumber'), message: asApiError(cause).message });
      }
    }
    setBusy(false);
    setOutcome(result);
    if (result.refused.length === 0) props.onClear();
  };

  return (
    <section class="panel bulk" aria-labelledby={ids.title}>
      <h2 id={ids.title}>{t('bulk.title', { count: props.tickets.length })}</h2>
      <div class="actions">
        <button
          type="button"
          class="button"
          disabled={busy()}
          onClick={() => {
            const me = currentUser()?.id;
            if (me) void apply({ kind: 'owner', ownerId: me });
          }}
        >
          {t('owner.takeIt')}
        </button>
        <div class="field field-inline">
          <label for={ids.owner}>{t('owner.assignTo')}</label>
          <select
            id={ids.owner}
            value=""
            disabled={busy()}
            onChange={(e) => {
              const id = e.currentTarget.value;
              e.currentTarget.value = '';
              if (id) void apply({ kind: 'owner', ownerId: id });
            }}
          >
            <option value="">—</option>
            <For each={people()}>{(s) => <option value={s.id}>{s.name}</option>}</For>
          </select>
        </div>
        <Show when={commonMoves().length > 0}>
          <div class="field field-inline">
            <label for={ids.status}>{t('detail.changeStatus')}</label>
            <select
              id={ids.status}
              value=""
              disabled={busy()}
              onChange={(e) => {
                const to = e.currentTarget.value as TicketStatus | '';
                e.currentTarget.value = '';
                if (to) void apply({ kind: 'status', to });
              }}
            >
              <option value="">—</option>
              <For each={commonMoves()}>{(to) => <option value={to}>{pick(statusLabels[to])}</option>}</For>
            </select>
          </div>
        </Show>
        <Show when={mayMoveDepartment()}>
          <div class="field field-inline">
            <label for={ids.dept}>{t('ticket.department')}</label>
            <select
              id={ids.dept}
              value=""
              disabled={busy()}
              onChange={(e) => {
                const id = e.currentTarget.value;
                e.currentTarget.value = '';
                if (id) void apply({ kind: 'department', departmentId: id });
              }}
            >
              <option value="">—</option>
              <For each={departments() ?? []}>{(d) => <option value={d.id}>{departmentName(d)}</option>}</For>
            </select>
          </div>
        </Show>
        <button type="button" class="button" disabled={busy()} onClick={() => props.onClear()}>
          {t('bulk.clear')}
        </button>
      </div>
      <div aria-live="polite">
        <Show when={outcome()}>
          {(o) => (
            <>
              <p>{t('bulk.done', { count: o().done })}</p>
              <Show when={o().refused.length > 0}>
                <ul class="alert alert-error">
                  <For each={o().refused}>
                    {(r) => (
                      <li>
                        {r.number}: {r.message}
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
            </>
          )}
        </Show>
      </div>
    </section>
  );
}
