import { type Accessor, createEffect, createSignal, onCleanup, untrack } from 'solid-js';

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
  createEffect(() => {
    const input = source();
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
