import {
  isPendingNumber,
  isStaff,
  type LocalTicket,
  MAX_NOTE_MINUTES,
  movesFor,
  reopenTarget,
  statusLabels,
  type TicketStatus,
} from '@mesa/core';
import { uuid } from '@mesa/sync-client';
import { A, useNavigate, useParams } from '@solidjs/router';
import { createEffect, createMemo, createSignal, createUniqueId, For, Match, Show, Switch } from 'solid-js';
import { ArticleList } from '../../components/article-list';
import { AttachmentList } from '../../components/attachment-list';
import { FileInput } from '../../components/file-input';
import { FormError } from '../../components/form-error';
import { StatusBadge } from '../../components/status-badge';
import { TicketEdit } from '../../components/ticket-edit';
import { TicketFields } from '../../components/ticket-fields';
import { TicketHistory } from '../../components/ticket-history';
import { TicketOwner } from '../../components/ticket-owner';
import { deviceClient } from '../../data/device';
import { departmentName, useArticles, useReference, useTicket } from '../../data/queries';
import { pick, t } from '../../i18n';
import { attachFiles } from '../../lib/attach';
import { createDraft } from '../../lib/drafts';
import { formatDuration, ticketPath } from '../../lib/format';
import { usePageTitle } from '../../lib/page-title';
import { markSeen } from '../../lib/seen';
import { useShortcuts } from '../../lib/shortcuts';
import { createSubmission } from '../../lib/submission';
import { currentUser } from '../../session';

/** `/tickets/:ref` (a number, or the device's id while the number is pending): all from the device store. */
export default function TicketDetail() {
  const params = useParams<{ number: string }>();
  const navigate = useNavigate();
  const ticket = useTicket(() => params.number);
  const departments = useReference('departments');
  usePageTitle(() => {
    const current = ticket();
    return current ? `${current.number || t('ticket.pendingNumber')} · ${current.subject}` : params.number;
  });
  // The number arrived with a pull: the address becomes the one mails and colleagues use.
  createEffect(() => {
    const current = ticket();
    if (current && !isPendingNumber(current) && params.number === current.id) {
      navigate(ticketPath(current.number), { replace: true });
    }
  });
  // Opening a ticket, and staying on it while it changes, is having seen it: its alert goes.
  createEffect(() => {
    const current = ticket();
    const user = currentUser();
    if (!current || !user || !isStaff(user.role)) return;
    // The ticket's time is the server's: a device clock behind it must not leave the news unseen.
    const at = Math.max(Date.now(), Date.parse(current.updatedAt) || 0);
    markSeen(user.id, current.id, new Date(at).toISOString());
  });
  const department = (id: string) => {
    const found = departments()?.find((d) => d.id === id);
    return found ? departmentName(found) : undefined;
  };

  return (
    <Switch fallback={<p role="status">{t('app.loading')}</p>}>
      <Match when={ticket() === null}>
        <section class="stack">
          <p class="alert alert-error">{t('detail.notOnDevice')}</p>
          <p>
            <A href="/tickets">{t('nav.myTickets')}</A>
          </p>
        </section>
      </Match>
      <Match when={ticket()}>
        {(current) => (
          <article class="stack">
            <header class="section-header">
              <h1>
                <span class="ticket-number">
                  {isPendingNumber(current()) ? t('ticket.pendingNumber') : current().number}
                </span>{' '}
                {current().subject}
              </h1>
              <StatusBadge status={current().status} />
            </header>
            <div class="ticket-layout">
              <aside class="ticket-side stack" aria-label={t('detail.facts')}>
                <TicketFields ticket={current()} departmentName={department(current().departmentId)} />
                <Show when={isStaff(currentUser()?.role ?? 'customer')}>
                  <TicketOwner ticket={current()} />
                </Show>
                <TicketEdit ticket={current()} />
              </aside>
              <div class="ticket-main stack">
                <section class="stack">
                  <h2>{t('ticket.description')}</h2>
                  <p class="prose">{current().description}</p>
                </section>
                <Conversation ticket={current()} />
                <Reply ticket={current()} />
                <StatusActions ticket={current()} />
                <Show when={isStaff(currentUser()?.role ?? 'customer')}>
                  <TicketHistory ticketId={current().id} />
                </Show>
              </div>
            </div>
          </article>
        )}
      </Match>
    </Switch>
  );
}

function Conversation(props: { ticket: LocalTicket }) {
  const articles = useArticles(() => props.ticket.id);
  // Notes book time as increments: the ticket's total is their sum, whichever device wrote them.
  const spent = () => (articles() ?? []).reduce((sum, a) => sum + (a.timeSpentMinutes ?? 0), 0);
  return (
    <section class="stack">
      <h2>{t('detail.conversation')}</h2>
      <Show when={articles()} fallback={<p role="status">{t('app.loading')}</p>}>
        {(list) => <ArticleList articles={list()} />}
      </Show>
      <Show when={spent() > 0}>
        <p>
          <strong>{t('note.total', { time: formatDuration(spent() * 60_000) })}</strong>
        </p>
      </Show>
      <AttachmentList ticketId={props.ticket.id} />
    </section>
  );
}

/** A public reply (everyone) or an internal note with the next state (staff), with files; kept as a draft. */
function Reply(props: { ticket: LocalTicket }) {
  const ids = {
    body: createUniqueId(),
    kind: createUniqueId(),
    next: createUniqueId(),
    problem: createUniqueId(),
    solution: createUniqueId(),
    minutes: createUniqueId(),
  };
  const role = () => currentUser()?.role ?? 'customer';
  const staff = () => isStaff(role());
  const [body, setBody, clearBody] = createDraft(() => `reply.${props.ticket.id}`, '');
  const [kind, setKind] = createSignal<'public_reply' | 'internal_note'>('public_reply');
  // Seed 001's note: what was done (the text), the real problem and solution, and the time it took.
  const [problem, setProblem, clearProblem] = createDraft(() => `note.problem.${props.ticket.id}`, '');
  const [solution, setSolution, clearSolution] = createDraft(() => `note.solution.${props.ticket.id}`, '');
  const [minutes, setMinutes] = createSignal('');
  const note = () => staff() && kind() === 'internal_note';
  let bodyInput: HTMLTextAreaElement | undefined;
  const write = (as: 'public_reply' | 'internal_note') => {
    if (closedForMe()) return false;
    setKind(as);
    bodyInput?.focus();
    return true;
  };
  useShortcuts({ r: () => write('public_reply'), n: () => staff() && write('internal_note') });
  const [next, setNext] = createSignal<TicketStatus | ''>('');
  const [files, setFiles] = createSignal<File[]>([]);
  const sending = createSubmission();
  const moves = createMemo(() => movesFor(props.ticket, role()));
  // Staff answer a closed ticket only after reopening it; a customer's answer follows the department's policy.
  const closedForMe = () => props.ticket.status === 'closed' && staff();

  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    void sending.run(async () => {
      const client = await deviceClient();
      const id = uuid();
      const nextStatus = staff() && next() ? (next() as TicketStatus) : undefined;
      const timeSpentMinutes = note() && minutes() ? Number(minutes()) : undefined;
      await client.mutate('addNote@1', {
        id,
        ticketId: props.ticket.id,
        kind: staff() ? kind() : 'public_reply',
        body: body(),
        ...(nextStatus ? { nextStatus } : {}),
        ...(note() && problem().trim() ? { realProblem: problem() } : {}),
        ...(note() && solution().trim() ? { realSolution: solution() } : {}),
        ...(timeSpentMinutes !== undefined ? { timeSpentMinutes } : {}),
      });
      await attachFiles(client, props.ticket.id, files(), id);
      clearBody();
      if (note()) {
        clearProblem();
        clearSolution();
        setMinutes('');
      }
      setFiles([]);
      setNext('');
    });
  };

  return (
    <Show when={!closedForMe()} fallback={<p class="muted">{t('detail.closedHint')}</p>}>
      <form class="stack" onSubmit={onSubmit}>
        <Show when={staff()}>
          <div class="field field-inline">
            <label for={ids.kind}>{t('detail.kind')}</label>
            <select
              id={ids.kind}
              value={kind()}
              onChange={(e) => setKind(e.currentTarget.value === 'internal_note' ? 'internal_note' : 'public_reply')}
            >
              <option value="public_reply">{t('article.public_reply')}</option>
              <option value="internal_note">{t('article.internal_note')}</option>
            </select>
          </div>
        </Show>
        <div class="field">
          <label for={ids.body}>{staff() ? t('detail.text') : t('detail.reply')}</label>
          <textarea
            id={ids.body}
            ref={bodyInput}
            rows="5"
            value={body()}
            onInput={(e) => setBody(e.currentTarget.value)}
            aria-keyshortcuts={staff() ? 'r n' : 'r'}
            required
          />
        </div>
        <Show when={staff() && moves().length > 0}>
          <div class="field field-inline">
            <label for={ids.next}>{t('detail.nextStatus')}</label>
            <select id={ids.next} value={next()} onChange={(e) => setNext(e.currentTarget.value as TicketStatus | '')}>
              <option value="">{t('detail.keepStatus')}</option>
              <For each={moves()}>{(to) => <option value={to}>{pick(statusLabels[to])}</option>}</For>
            </select>
          </div>
          <Show when={next() === 'attended'}>
            <p class="hint">{t('note.attendedHint')}</p>
          </Show>
        </Show>
        <Show when={note()}>
          <div class="field">
            <label for={ids.problem}>{t('detail.realProblem')}</label>
            <textarea
              id={ids.problem}
              rows="2"
              maxLength={5000}
              aria-describedby={`${ids.problem}-hint`}
              value={problem()}
              onInput={(e) => setProblem(e.currentTarget.value)}
            />
            <small id={`${ids.problem}-hint`} class="hint">
              {t('note.realProblemHint')}
            </small>
          </div>
          <div class="field">
            <label for={ids.solution}>{t('detail.realSolution')}</label>
            <textarea
              id={ids.solution}
              rows="2"
              maxLength={5000}
              aria-describedby={`${ids.solution}-hint`}
              value={solution()}
              onInput={(e) => setSolution(e.currentTarget.value)}
            />
            <small id={`${ids.solution}-hint`} class="hint">
              {t('note.realSolutionHint')}
            </small>
          </div>
          <div class="field">
            <label for={ids.minutes}>{t('note.timeSpent')}</label>
            <input
              id={ids.minutes}
              type="number"
              inputmode="numeric"
              min="1"
              max={MAX_NOTE_MINUTES}
              step="1"
              class="input-short"
              aria-describedby={`${ids.minutes}-hint`}
              value={minutes()}
              onInput={(e) => setMinutes(e.currentTarget.value)}
            />
            <small id={`${ids.minutes}-hint`} class="hint">
              {t('note.timeSpentHint')}
            </small>
          </div>
        </Show>
        <FileInput files={files()} onChange={setFiles} />
        <FormError error={sending.error()} />
        <button type="submit" class="button primary" disabled={sending.pending()}>
          {staff() && kind() === 'internal_note' ? t('detail.saveNote') : t('detail.sendReply')}
        </button>
      </form>
    </Show>
  );
}

/** The status moves core's state machine allows this user: customers close and reopen, staff pick any. */
function StatusActions(props: { ticket: LocalTicket }) {
  const role = () => currentUser()?.role ?? 'customer';
  const moves = createMemo(() => movesFor(props.ticket, role()));
  const transition = createSubmission();
  const reopen = () => reopenTarget(props.ticket.ownerId !== null);
  const change = (to: TicketStatus) =>
    transition.run(async () => {
      await (await deviceClient()).mutate('changeStatus@1', { ticketId: props.ticket.id, to });
    });
  const statusId = createUniqueId();
  let statusSelect: HTMLSelectElement | undefined;
  useShortcuts({ s: () => statusSelect?.focus() });

  return (
    <div class="stack">
      <div class="actions">
        <Show when={moves().includes('closed')}>
          <button type="button" class="button" disabled={transition.pending()} onClick={() => void change('closed')}>
            {t('detail.close')}
          </button>
        </Show>
        <Show
          when={(props.ticket.status === 'closed' || props.ticket.status === 'resolved') && moves().includes(reopen())}
        >
          <button type="button" class="button" disabled={transition.pending()} onClick={() => void change(reopen())}>
            {t('detail.reopen')}
          </button>
        </Show>
        <Show when={isStaff(role()) && moves().length > 0}>
          <div class="field field-inline">
            <label for={statusId}>{t('detail.changeStatus')}</label>
            <select
              id={statusId}
              ref={statusSelect}
              aria-keyshortcuts="s"
              value=""
              disabled={transition.pending()}
              onChange={(e) => {
                const to = e.currentTarget.value as TicketStatus;
                e.currentTarget.value = '';
                if (to) void change(to);
              }}
            >
              <option value="">{pick(statusLabels[props.ticket.status])}</option>
              <For each={moves()}>{(to) => <option value={to}>{pick(statusLabels[to])}</option>}</For>
            </select>
          </div>
        </Show>
      </div>
      <FormError error={transition.error()} />
    </div>
  );
}
