import type { LocalTicket } from '@mesa/core';
import type { TicketBucket } from './buckets';

/** The user's device database; the same name whichever code opens it. */
export const databaseName = (userId: string) => `mesa-sync-${userId}`;

/**
 * The user's tickets read with plain IndexedDB, for the first screen: it shows them before Dexie (the
 * largest piece of the app's code) has loaded, and live queries take over once it has. Resolves `null`
 * when the device holds no database in the current layout yet (a first login: the pull fills it). Never
 * creates or upgrades the database, and steps aside at once if Dexie wants to.
 */
export function readTicketsFirst(userId: string, factory: IDBFactory = indexedDB): Promise<LocalTicket[] | null> {
  return new Promise((resolve) => {
    let created = false;
    const open = factory.open(databaseName(userId));
    // No database yet: opening created an empty one; abort so that Dexie creates it properly.
    open.onupgradeneeded = () => {
      created = true;
      open.transaction?.abort();
    };
    open.onerror = () => resolve(null);
    open.onblocked = () => resolve(null);
    open.onsuccess = () => {
      const db = open.result;
      db.onversionchange = () => db.close();
      if (created || !db.objectStoreNames.contains('ticketBuckets')) {
        db.close();
        resolve(null);
        return;
      }
      const read = db.transaction('ticketBuckets').objectStore('ticketBuckets').getAll();
      read.onsuccess = () => {
        const out: LocalTicket[] = [];
        for (const bucket of read.result as TicketBucket[]) out.push(...Object.values(bucket.rows));
        db.close();
        resolve(out);
      };
      read.onerror = () => {
        db.close();
        resolve(null);
      };
    };
  });
}
