import { statusLabels, type TicketStatus } from '@mesa/core';
import type { Rejection } from '@mesa/sync-client';
import { useNavigate } from '@solidjs/router';
import { createResource, createSignal, createUniqueId, For, onCleanup, Show } from 'solid-js';
import { deviceDb, syncClient, syncState, unsyncedCount } from '../data/device';
import { useRejections } from '../data/queries';
import { language, type MessageKey, pick, t } from '../i18n';
import { saveDraft } from '../lib/drafts';
import { messageForCode } from '../lib/errors';
import { formatBytes, formatDateTime, ticketPath } from '../lib/format';

/** The browser's own idea of connectivity: it knows before a request fails. */
function createBrowserOnline() {
  const [online, setOnline] = createSignal(navigator.onLine);
  const up = () => setOnline(true);
  const down = () => setOnline(false);
  window.addEventListener('online', up);
  window.addEventListener('offline', down);
  onCleanup(() => {
    window.removeEventListener('online', up);
    window.removeEventListener('offline', down);
  });
  return online;
}

type Phase = 'offline' | 'syncing' | 'pending' | 'rejected' | 'synced' | 'paused';

/**
 * Always visible: online or not, changes waiting, uploads, the last sync, refused changes. Opens a panel
 * with the details, what to do about each refused change, and the device's storage.
 */
export function SyncStatus() {
  const browserOnline = createBrowserOnline();
  const [open, setOpen] = createSignal(false);
  const panelId = createUniqueId();
  const state = syncState;
  const online = () => browserOnline() && state().online;
  const phase = (): Phase => {
    const s = state();
    if (s.authRequired || s.upgradeRequired) return 'paused';
    if (!online()) return 'offline';
    if (s.rejected > 0) return 'rejected';
    if (s.syncing) return 'syncing';
    if (unsyncedCount() > 0) return 'pending';
    return 'synced';
  };
  const summary = () => {
    const s = state();
    switch (phase()) {
      case 'paused':
        return s.authRequired ? t('sync.authRequired') : t('sync.upgradeRequired');
      case 'offline':
        return unsyncedCount() > 0 ? t('sync.offlineWaiting', { count: unsyncedCount() }) : t('sync.offline');
      case 'rejected':
        return t('sync.rejected', { count: s.rejected });
      case 'syncing':
        if (s.pulling) {
          const progress = { rows: s.pulling.rows.toLocaleString(language()), bytes: formatBytes(s.pulling.bytes) };
          return t(s.pulling.applying ? 'sync.pullSaving' : 'sync.pullProgress', progress);
        }
        return s.uploadsPending > 0 ? t('sync.uploading', { count: s.uploadsPending }) : t('sync.syncing');
      case 'pending':
        return t('sync.pending', { count: unsyncedCount() });
      case 'synced':
        return s.lastSyncAt
          ? t('sync.syncedAt', { time: formatDateTime(new Date(s.lastSyncAt).toISOString()) })
          : t('sync.starting');
    }
  };

  return (
    <div class="sync-status" data-phase={phase()}>
      <button
        type="button"
        class="sync-badge"
        aria-expanded={open()}
        aria-controls={panelId}
        onClick={() => setOpen(!open())}
      >
        <span class="sync-dot" aria-hidden="true" />
        <span role="status" data-testid="sync-status">
          {summary()}
        </span>
      </button>
      <Show when={open()}>
        <SyncPanel id={panelId} online={online()} onClose={() => setOpen(false)} />
      </Show>
    </div>
  );
}

function SyncPanel(props: { id: string; online: boolean; onClose: () => void }) {
  const state = syncState;
  const rejections = useRejections();
  const [storage] = createResource(async () => {
    const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
    return estimate ?? null;
  });
  return (
    <section id={props.id} class="sync-panel" aria-label={t('sync.panel')}>
      <dl class="fields">
        <div>
          <dt>{t('sync.connection')}</dt>
          <dd>{props.online ? t('sync.online') : t('sync.offline')}</dd>
        </div>
        <div>
          <dt>{t('sync.waitingChanges')}</dt>
          <dd>{state().pending}</dd>
        </div>
        <div>
          <dt>{t('sync.waitingUploads')}</dt>
          <dd>{state().uploadsPending}</dd>
        </div>
        <div>
          <dt>{t('sync.lastSync')}</dt>
          <dd>
            {state().lastSyncAt ? formatDateTime(new Date(state().lastSyncAt ?? 0).toISOString()) : t('sync.never')}
          </dd>
        </div>
        <div>
          <dt>{t('sync.storage')}</dt>
          <dd>
            <Show when={storage()} fallback="—">
              {(s) => t('sync.storageUsed', { used: formatBytes(s().usage ?? 0), quota: formatBytes(s().quota ?? 0) })}
            </Show>{' '}
            · {state().persisted ? t('sync.persisted') : t('sync.notPersisted')}
          </dd>
        </div>
      </dl>
      <Show when={state().error}>
        {(error) => (
          <p class="muted">{t('sync.lastError', { message: messageForCode(error().code, error().message) })}</p>
        )}
      </Show>
      <Show when={(rejections() ?? []).length > 0}>
        <h2>{t('sync.rejectedTitle')}</h2>
        <ul class="rejections">
          <For each={rejections()}>{(r) => <RejectionItem rejection={r} onDone={props.onClose} />}</For>
        </ul>
      </Show>
      <div class="actions">
        <button type="button" class="button" disabled={!props.online} onClick={() => void syncClient()?.syncNow()}>
          {t('sync.now')}
        </button>
        <button type="button" class="button" onClick={props.onClose}>
          {t('app.dismiss')}
        </button>
      </div>
    </section>
  );
}

interface RejectedArgs {
  id?: string;
  ticketId?: string;
  subject?: string;
  body?: string;
  to?: TicketStatus;
  filename?: string;
}

/** What the refused change was, in the user's words, and what they can do: edit it again or drop it. */
function RejectionItem(props: { rejection: Rejection; onDone: () => void }) {
  const navigate = useNavigate();
  const args = () => (props.rejection.args ?? {}) as RejectedArgs;
  const what = () => {
    const a = args();
    switch (props.rejection.name) {
      case 'createTicket@1':
        return t('rejection.createTicket', { subject: a.subject ?? '' });
      case 'addNote@1':
        return t('rejection.addNote', { body: (a.body ?? '').slice(0, 60) });
      case 'changeStatus@1':
        return t('rejection.changeStatus', { status: a.to ? pick(statusLabels[a.to]) : '' });
      case 'assignTicket@1':
        return t('rejection.assign');
      case 'addAttachment@1':
      case 'upload':
        return t('rejection.attachment', { name: a.filename ?? '' });
      default:
        return t('rejection.other');
    }
  };
  const discard = () => void deviceDb()?.rejections.delete(props.rejection.id);
  const editAgain = async () => {
    const a = args();
    if (props.rejection.name === 'createTicket@1') {
      const { id: _id, ...fields } = a as Record<string, unknown>;
      saveDraft('new-ticket', { ...fields, cc: ((fields.cc as string[] | undefined) ?? []).join(', ') });
      navigate('/tickets/new');
    } else if (a.ticketId) {
      if (props.rejection.name === 'addNote@1' && a.body) saveDraft(`reply.${a.ticketId}`, a.body);
      const ticket = await deviceDb()?.tickets.get(a.ticketId);
      navigate(ticketPath(ticket?.number || a.ticketId));
    }
    await deviceDb()?.rejections.delete(props.rejection.id);
    props.onDone();
  };
  const editable = () => props.rejection.name === 'createTicket@1' || Boolean(args().ticketId);
  return (
    <li class="rejection">
      <p>
        <strong>{what()}</strong>
      </p>
      <p>{messageForCode(props.rejection.code, props.rejection.message ?? '')}</p>
      <p class="muted">
        <small>{props.rejection.message ?? ''}</small>
      </p>
      <p class="muted">{t(`rejection.hint.${editable() ? 'edit' : 'discard'}` as MessageKey)}</p>
      <div class="actions">
        <Show when={editable()}>
          <button type="button" class="button primary" onClick={() => void editAgain()}>
            {t('rejection.editAgain')}
          </button>
        </Show>
        <button type="button" class="button" onClick={discard}>
          {t('rejection.discard')}
        </button>
      </div>
    </li>
  );
}
