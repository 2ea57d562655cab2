import { roles, type User } from '@mesa/core';

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
    return asUser(JSON.parse(text));
  } catch {
    return null;
  }
}

/**
 * The kept user, as this app wrote it. Checked only for what opening the right device database needs
 * (an id and a role): this runs before the first screen, which must not wait for the validation library,
 * and `/auth/me` replaces the whole profile as soon as the server answers.
 */
function asUser(value: unknown): User | null {
  if (typeof value !== 'object' || value === null) return null;
  const u = value as Partial<Record<keyof User, unknown>>;
  const ok = typeof u.id === 'string' && typeof u.email === 'string' && roles.includes(u.role as User['role']);
  return ok ? (value as User) : null;
}

export const storeUser = (user: User | null): void => write(USER_KEY, user ? JSON.stringify(user) : null);

export const logoutPending = (): boolean => read(LOGOUT_KEY) === '1';
export const setLogoutPending = (pending: boolean): void => write(LOGOUT_KEY, pending ? '1' : null);
