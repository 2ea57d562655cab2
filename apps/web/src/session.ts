import type { User } from '@mesa/core';
import { createResource, createRoot, createSignal } from 'solid-js';
import { ApiError, api, asApiError, setUnauthenticatedHandler } from './api';

/** Set when the session could not be checked (offline); the last known user is kept meanwhile. */
const [sessionError, setSessionError] = createSignal<ApiError | null>(null);

async function fetchCurrentUser(_: true, info: { value: User | null | undefined }): Promise<User | null> {
  try {
    const { user } = await api<{ user: User }>('/auth/me');
    setSessionError(null);
    return user;
  } catch (cause) {
    if (cause instanceof ApiError && cause.status === 401) {
      setSessionError(null);
      return null;
    }
    setSessionError(asApiError(cause));
    return info.value ?? null;
  }
}

// One app-wide resource; it never rejects, so reading it never throws.
const [currentUser, { mutate, refetch }] = createRoot(() => createResource(fetchCurrentUser));

setUnauthenticatedHandler(() => {
  if (currentUser.state === 'ready' && currentUser()) mutate(null);
});

export { currentUser, sessionError };

/** True once the first `/auth/me` answer (or failure) is in. */
export const sessionKnown = (): boolean => currentUser.state === 'ready' || currentUser.state === 'refreshing';

export const setCurrentUser = (user: User | null): void => {
  mutate(user);
  setSessionError(null);
};

export const refreshSession = (): void => {
  void refetch();
};

export async function logout(): Promise<void> {
  try {
    await api<void>('/auth/logout', { method: 'POST' });
  } catch (cause) {
    if (!(cause instanceof ApiError && cause.status === 401)) throw cause;
  }
  mutate(null);
}
