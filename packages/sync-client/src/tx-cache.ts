import { Dexie } from 'dexie';

/**
 * A cache that lives as long as the running read-write Dexie transaction (nothing else can write the stores
 * it holds meanwhile), keyed by that transaction's IndexedDB transaction, which nested Dexie transactions
 * share. Outside a read-write transaction there is none. Each IndexedDB request is a round trip to the
 * browser's storage process, so a value read once need not be read again in the same transaction.
 */
export function transactionCache<K, V>(): () => Map<K, V> | undefined {
  const byTransaction = new WeakMap<object, Map<K, V>>();
  return () => {
    const tx = Dexie.currentTransaction as { idbtrans?: object | null; mode?: string } | null;
    if (!tx?.idbtrans || tx.mode !== 'readwrite') return undefined;
    let cache = byTransaction.get(tx.idbtrans);
    if (!cache) {
      cache = new Map();
      byTransaction.set(tx.idbtrans, cache);
    }
    return cache;
  };
}
