import type { User } from '@mesa/core';
import { databaseName, initialSyncState, SyncClient, type SyncDatabase, type SyncState } from '@mesa/sync-client';
import { Dexie } from 'dexie';
import { createEffect, createMemo, createRoot, createSignal, on, onCleanup } from 'solid-js';
import { language } from '../i18n';
import { currentUser } from '../session';

/**
 * The device store of the logged-in user: one SyncClient (and one Dexie database) per user, started when
 * they log in or the app opens with a kept user, stopped when they log out. Screens read `db()` through
 * live queries and write through `client().mutate`.
 */
const device = createRoot(() => {
  const [client, setClient] = createSignal<SyncClient | null>(null);
  const [state, setState] = createSignal<SyncState>(initialSyncState());
  // Keyed on who and which role: refreshing the same user's profile must not restart their store.
  const key = createMemo(() => {
    const user = currentUser();
    return user ? `${user.id}:${user.role}` : null;
  });
  createEffect(
    on(key, (key) => {
      const user = currentUser();
      if (!key || !user) return;
      const next = new SyncClient({ actor: { id: user.id, role: user.role, name: user.name }, lang: language() });
      const unsubscribe = next.state.subscribe(setState);
      setClient(next);
      void next
        .start()
        .catch((error: unknown) =>
          console.error(
            'device store failed to open',
            error instanceof Error ? `${error.name}: ${error.message}` : error,
          ),
        );
      onCleanup(() => {
        unsubscribe();
        setClient(null);
        setState(initialSyncState());
        void next.stop();
      });
    }),
  );
  return { client, state };
});

export const syncClient = device.client;
export const syncState = device.state;
/**
 * Edits not yet confirmed by the server. A file counts once: its mutation is pending until confirmed and its
 * bytes may wait a little longer, so the larger of the two is what is still only on this device.
 */
export const unsyncedCount = (): number => Math.max(device.state().pending, device.state().uploadsPending);
export const deviceDb = (): SyncDatabase | undefined => device.client()?.db;

/** Stops syncing and deletes the user's device database (logout). */
export async function clearDevice(user: User): Promise<void> {
  const running = device.client();
  if (running) await running.stop();
  await Dexie.delete(databaseName(user.id));
}
