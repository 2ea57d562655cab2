import { createEffect, createSignal, on, type Signal } from 'solid-js';
import { currentUser } from '../session';

const keyFor = (name: string) => `mesa.draft.${currentUser()?.id ?? 'anonymous'}.${name}`;

function read<T>(key: string, initial: T): T {
  try {
    const text = localStorage.getItem(key);
    if (text === null) return initial;
    const stored = JSON.parse(text) as T;
    // A form's draft from an older build or a refused change may lack fields: the form's defaults fill them.
    const isRecord = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
    return isRecord(initial) && isRecord(stored) ? { ...initial, ...stored } : stored;
  } catch {
    return initial;
  }
}

/**
 * A form's unsent text, kept on the device per user and per form: a reload, an app update or a closed
 * tab loses nothing. `clear()` after the text was handed to the device store.
 */
export function createDraft<T>(name: () => string, initial: T): [...Signal<T>, () => void] {
  const [value, setValue] = createSignal<T>(read(keyFor(name()), initial));
  // Another ticket on the same screen component: load its own draft.
  createEffect(
    on(
      name,
      (n) => {
        setValue(() => read(keyFor(n), initial));
      },
      { defer: true },
    ),
  );
  createEffect(
    on(value, (v) => {
      try {
        const key = keyFor(name());
        if (JSON.stringify(v) === JSON.stringify(initial)) localStorage.removeItem(key);
        else localStorage.setItem(key, JSON.stringify(v));
      } catch {
        // Storage full or disabled: the draft lives as long as the page.
      }
    }),
  );
  const clear = () => setValue(() => initial);
  return [value, setValue, clear];
}

/** Any draft kept for this user (the update prompt waits while there is one). */
export function hasDrafts(): boolean {
  try {
    const prefix = keyFor('');
    for (let i = 0; i < localStorage.length; i++) if (localStorage.key(i)?.startsWith(prefix)) return true;
  } catch {
    return false;
  }
  return false;
}

/** Puts text back into a form's draft (a refused change, to edit again). */
export function saveDraft(name: string, value: unknown): void {
  try {
    localStorage.setItem(keyFor(name), JSON.stringify(value));
  } catch {
    // Storage full or disabled: the change stays listed as refused.
  }
}
