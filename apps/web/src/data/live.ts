import { liveQuery } from 'dexie';
import { type Accessor, createEffect, createSignal, onCleanup, untrack } from 'solid-js';

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
    const subscription = liveQuery(() => untrack(() => query(input))).subscribe({
      next: (result) => setValue(() => result),
      error: (error: unknown) => console.error('live query failed', error),
    });
    onCleanup(() => subscription.unsubscribe());
  });
  return value;
}
