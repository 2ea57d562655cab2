import type { User } from '@mesa/core';
import { createRoot, createSignal } from 'solid-js';
import { ApiError, api, asApiError, setUnauthenticatedHandler } from './api';
import { logoutPending, setLogoutPending, storedUser, storeUser } from './data/device-user';

const initial = storedUser();

/**
 * The user of this device. Known at once when someone logged in here before (offline too); checked with
 * the server in the background. An expired session keeps the user and their data: `reauthRequired` asks
 * for the password in place, and the queue waits.
 */
const [currentUser, setUser] = createRoot(() => createSignal<User | null>(initial));
const [known, setKnown] = createSignal(initial !== null);
const [reauthRequired, setReauthRequired] = createSignal(false);
/** Set when the session could not be checked (offline); the last known user is kept meanwhile. */
const [sessionError, setSessionError] = createSignal<ApiError | null>(null);

export { currentUser, reauthRequired, sessionError };

/** True once a user is known on this device or the server has answered (or failed to). */
export const sessionKnown = (): boolean => known();

const expired = () => {
  if (currentUser()) setReauthRequired(true);
};

async function endServerSession(): Promise<void> {
  try {
    await api<void>('/auth/logout', { method: 'POST' });
  } catch (cause) {
    if (!(cause instanceof ApiError && cause.code === 'UNAUTHENTICATED')) throw cause;
  }
}

async function check(): Promise<void> {
  try {
    if (logoutPending()) {
      await endServerSession();
      setLogoutPending(false);
    }
    const { user } = await api<{ user: User }>('/auth/me');
    setCurrentUser(user);
    setSessionError(null);
  } catch (cause) {
    const error = asApiError(cause);
    if (error.code === 'UNAUTHENTICATED') {
      setSessionError(null);
      expired();
    } else setSessionError(error);
  } finally {
    setKnown(true);
  }
}

setUnauthenticatedHandler(expired);
void check();

export function setCurrentUser(user: User | null): void {
  storeUser(user);
  setUser(user);
  setReauthRequired(false);
  setSessionError(null);
  setKnown(true);
}

export const refreshSession = (): void => {
  void check();
};

/**
 * Ends the session on the server (or at the next chance, when offline) and forgets the user on this
 * device; `clearDevice` deletes their device database (the caller has warned about unsynced changes).
 */
export async function logout(clearDevice: (user: User) => Promise<void>): Promise<void> {
  const user = currentUser();
  try {
    await endServerSession();
  } catch (cause) {
    if (!(cause instanceof ApiError && cause.code === 'NETWORK')) throw cause;
    setLogoutPending(true);
  }
  if (user) await clearDevice(user);
  setCurrentUser(null);
}
