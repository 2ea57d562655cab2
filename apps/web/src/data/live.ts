import { type Accessor, createEffect, createMemo, createSignal, onCleanup, untrack } from 'solid-js';

// Dexie loads with the device database (only for a logged-in user); the first live query waits for nothing
// more than the database itself does.
const loadDexie = () => import('dexie');

/**
 * A Dexie live query as a Solid signal. `source` is read in a tracked scope (the database, a ticket id…);
 * while it is `undefined` or `false` nothing runs. `query` runs inside Dexie's liveQuery, which re-runs it
 * whenever the rows it read change — in this tab, another tab or a pull. The value is `undefined` until
 * the first answer, so a screen can tell "not read yet" from "empty".
 */
export function createLiveQuery<S, T>(
  source: () => S | undefined | false | null,
  query: (source: S) => T | Promise<T>,
): Accessor<T | undefined> {
  const [value, setValue] = createSignal<T | undefined>(undefined, { equals: false });
  // A source rebuilt with the same parts (a new ticket object, the same id) must not restart the query:
  // that would blank the screen for a moment and read again what is already shown.
  const input$ = createMemo(source, undefined, { equals: sameSource });
  createEffect(() => {
    const input = input$();
    setValue(undefined);
    if (input === undefined || input === false || input === null) return;
    let cancelled = false;
    let unsubscribe = () => {};
    void loadDexie().then(({ liveQuery }) => {
      if (cancelled) return;
      const subscription = liveQuery(() => untrack(() => query(input))).subscribe({
        next: (result) => setValue(() => result),
        error: (error: unknown) => console.error('live query failed', error),
      });
      unsubscribe = () => subscription.unsubscribe();
    });
    onCleanup(() => {
      cancelled = true;
      unsubscribe();
    });
  });
  return value;
}

/** Equal sources: the same value, or plain objects whose properties are the same values. */
function sameSource(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype) return false;
  const ka = Object.keys(a);
  const rb = b as Record<string, unknown>;
  return ka.length === Object.keys(b).length && ka.every((k) => Object.is((a as Record<string, unknown>)[k], rb[k]));
}
