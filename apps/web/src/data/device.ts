import type { User } from '@mesa/core';
import type { SyncClient } from '@mesa/sync-client';
import type { SyncDatabase } from '@mesa/sync-client/database';
import { initialSyncState, type SyncState } from '@mesa/sync-client/state';
import { createEffect, createMemo, createRoot, createSignal, on, onCleanup } from 'solid-js';
import { language } from '../i18n';
import { currentUser } from '../session';

/**
 * Loaded only for a logged-in user (a visitor's first screen never pays for IndexedDB code), and through a
 * subpath: reading the device database needs Dexie, not the sync client and zod.
 */
const loadDatabase = () => import('@mesa/sync-client/database');

/**
 * The sync client and what it validates with load just after the first screen: screens read the device
 * database as soon as it opens, and the first edit waits the few milliseconds the client may still need.
 */
const loadSyncClient = async () => {
  await import('../zod-config');
  return (await import('@mesa/sync-client')).SyncClient;
};

/**
 * The device store of the logged-in user: one Dexie database and one SyncClient per user, opened when they
 * log in or the app opens with a kept user, closed when they log out. Screens read `deviceDb()` through
 * live queries and write through `deviceClient()` (core mutators).
 */
const device = createRoot(() => {
  const [db, setDb] = createSignal<SyncDatabase | undefined>(undefined);
  const [client, setClient] = createSignal<SyncClient | null>(null);
  const [state, setState] = createSignal<SyncState>(initialSyncState());
  let ready: Promise<SyncClient> | null = null;
  let startNow: () => void = () => {};
  /** Whether this user's client began loading (a logout before that has no client to stop). */
  let begun = false;
  // Keyed on who and which role: refreshing the same user's profile must not restart their store.
  const key = createMemo(() => {
    const user = currentUser();
    return user ? `${user.id}:${user.role}` : null;
  });
  createEffect(
    on(key, (key, before) => {
      const user = currentUser();
      if (!key || !user) {
        ready = null;
        startNow = () => {};
        begun = false;
        return;
      }
      let stopped = false;
      const onStop: (() => void)[] = [];
      let reader: SyncDatabase | undefined;
      void loadDatabase().then(({ SyncDatabase, databaseName }) => {
        if (stopped) return;
        reader = new SyncDatabase(databaseName(user.id));
        setDb(reader);
      });
      // The client (zod, the sync engine, a second connection) waits until the first screen has rendered
      // from the device database and the browser is idle; a form submitted before that loads it at once.
      let begin: () => void = () => {};
      const started = new Promise<SyncClient>((resolve, reject) => {
        begin = () => {
          begin = () => {};
          begun = true;
          loadSyncClient()
            .then((Client) => {
              const next = new Client({ actor: { id: user.id, role: user.role, name: user.name }, lang: language() });
              if (!stopped) {
                onStop.push(next.state.subscribe(setState));
                setClient(next);
                void next.start().catch((error: unknown) => console.error('device store failed to open', error));
              }
              resolve(next);
            })
            .catch(reject);
        };
      });
      begun = false;
      // A login in this page (no user before it) finds an empty device: logging out deleted it. There is no
      // first screen to wait for, only the first pull, so the client starts now.
      if (before === null) begin();
      else onStop.push(whenIdle(() => begin()));
      startNow = () => begin();
      ready = started;
      onCleanup(() => {
        stopped = true;
        for (const stop of onStop) stop();
        setClient(null);
        setDb(undefined);
        setState(initialSyncState());
        reader?.close();
        void started.then((c) => c.stop());
      });
    }),
  );
  return {
    db,
    client,
    state,
    ready: () => {
      startNow();
      return ready;
    },
    /** The client if it began loading, without starting one. */
    begunClient: () => (begun ? ready : null),
  };
});

/** Runs `fn` once the browser is idle (at most a second and a half from now); returns a cancel. */
function whenIdle(fn: () => void): () => void {
  const w = window as Window & {
    requestIdleCallback?: (cb: () => void, opts?: { timeout: number }) => number;
    cancelIdleCallback?: (id: number) => void;
  };
  if (w.requestIdleCallback && w.cancelIdleCallback) {
    const id = w.requestIdleCallback(fn, { timeout: 1500 });
    return () => w.cancelIdleCallback?.(id);
  }
  const id = setTimeout(fn, 200);
  return () => clearTimeout(id);
}

export const syncClient = device.client;
export const syncState = device.state;
export const deviceDb = device.db;

/** Loads the device's code while a login is on its way, so that its first pull starts as it answers. */
export function warmDevice(): void {
  loadDatabase().catch(() => {});
  loadSyncClient().catch(() => {});
}

/** The user's sync client, once loaded (a form submitted in the first milliseconds waits for it). */
export async function deviceClient(): Promise<SyncClient> {
  const ready = device.ready();
  if (!ready) throw new Error('no user on this device');
  return ready;
}

/**
 * Edits not yet confirmed by the server. A file counts once: its mutation is pending until confirmed and its
 * bytes may wait a little longer, so the larger of the two is what is still only on this device.
 */
export const unsyncedCount = (): number => Math.max(device.state().pending, device.state().uploadsPending);

/**
 * What logging out would lose, counted in the device database itself: the sync client may not have started
 * yet (it waits for the first screen), and its counts are then still zero.
 */
export async function unsyncedOnDevice(user: User): Promise<number> {
  const { SyncDatabase, databaseName } = await loadDatabase();
  const open = device.db();
  const db = open ?? new SyncDatabase(databaseName(user.id));
  try {
    const [pending, uploads] = await Promise.all([db.mutations.count(), db.blobs.count()]);
    return Math.max(pending, uploads, unsyncedCount());
  } finally {
    if (!open) db.close();
  }
}

/** Stops syncing and deletes the user's device database (logout). */
export async function clearDevice(user: User): Promise<void> {
  const running = device.begunClient();
  device.db()?.close();
  if (running) await (await running).stop();
  const { Dexie } = await import('dexie');
  const { databaseName } = await loadDatabase();
  await Dexie.delete(databaseName(user.id));
}
