import { type User, userSchema } from '@mesa/core';

/**
 * Who is logged in on this device, kept across reloads and restarts so the right device database opens
 * with no network. Cleared only by logging out; an expired session keeps it (the app asks for the
 * password again in place).
 */
const USER_KEY = 'mesa.user';
/** A logout made offline: the server session is ended at the next chance. */
const LOGOUT_KEY = 'mesa.logoutPending';

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Storage disabled: the session still works for this visit.
  }
}

export function storedUser(): User | null {
  const text = read(USER_KEY);
  if (!text) return null;
  try {
    const parsed = userSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export const storeUser = (user: User | null): void => write(USER_KEY, user ? JSON.stringify(user) : null);

export const logoutPending = (): boolean => read(LOGOUT_KEY) === '1';
export const setLogoutPending = (pending: boolean): void => write(LOGOUT_KEY, pending ? '1' : null);
