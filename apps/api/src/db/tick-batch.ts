import type { Options } from 'dataloader';
import type { Db } from './client';

/**
 * DataLoader options for calls that share one round trip when they arrive in the same turn of the
 * event loop (concurrent requests), without caching anything across turns: every request still
 * sees the database as it is.
 */
export const tickBatch = <K, V>(maxBatchSize: number): Options<K, V, K> => ({
  cache: false,
  maxBatchSize,
  // setImmediate, not the default microtask: requests parsed in the same poll phase join one batch.
  batchScheduleFn: (run) => setImmediate(run),
});

/** One instance per database: prepared statements and loaders belong to a connection pool. */
export function perDatabase<T>(make: (db: Db) => T): (db: Db) => T {
  const made = new WeakMap<Db, T>();
  return (db) => {
    let value = made.get(db);
    if (value === undefined) {
      value = make(db);
      made.set(db, value);
    }
    return value;
  };
}

/** DataLoader wants an Error per failed key. */
export const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
