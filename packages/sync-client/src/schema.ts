import type { Article, AttachmentRow, LocalTicket, RejectedMutation } from '@mesa/core';
import { Dexie, type EntityTable } from 'dexie';

export type SyncedTable = 'tickets' | 'articles' | 'attachments';

/** A queued offline edit, written in the same Dexie transaction as its optimistic effect. */
export interface PendingMutation {
  id: number;
  name: string;
  args: unknown;
  clientTime: number;
}

/**
 * The server's copy of a row that pending mutations have changed on the device (`row` null: the row
 * does not exist on the server yet). A pull updates the shadow, never the optimistic row; once the
 * queue drains, the view is rebuilt from shadows plus what is still pending.
 */
export interface ShadowRow {
  key: string;
  table: SyncedTable;
  id: string;
  row: LocalTicket | Article | AttachmentRow | null;
}

/** A photo or signature waiting for upload; deleted only after the server confirms its hash. */
export interface PendingBlob {
  id: string;
  /** The mutation that announced it: the upload waits until the server has applied it. */
  mutationId: number;
  sha256: string;
  size: number;
  contentType: string;
  data: Uint8Array;
}

export interface Rejection extends RejectedMutation {
  name: string;
  args: unknown;
  at: number;
}

export interface MetaRow {
  key: string;
  value: unknown;
}

export const databaseName = (userId: string) => `mesa-sync-${userId}`;

/**
 * One database per user and browser profile: another user logging in on the same device opens their
 * own, so nobody ever sees (or pushes) someone else's queue.
 */
export class SyncDatabase extends Dexie {
  tickets!: EntityTable<LocalTicket, 'id'>;
  articles!: EntityTable<Article, 'id'>;
  attachments!: EntityTable<AttachmentRow, 'id'>;
  shadows!: EntityTable<ShadowRow, 'key'>;
  mutations!: EntityTable<PendingMutation, 'id'>;
  blobs!: EntityTable<PendingBlob, 'id'>;
  rejections!: EntityTable<Rejection, 'id'>;
  meta!: EntityTable<MetaRow, 'key'>;

  constructor(name: string, deps?: { indexedDB: IDBFactory; IDBKeyRange: typeof IDBKeyRange }) {
    super(name, deps ? { indexedDB: deps.indexedDB, IDBKeyRange: deps.IDBKeyRange } : undefined);
    // Few indexes on purpose: each one is another IndexedDB write per row, and a new device's first pull
    // writes tens of thousands of rows. Queues filter and sort a few thousand tickets in memory instead.
    this.version(1).stores({
      tickets: 'id, number',
      articles: 'id, ticketId',
      attachments: 'id, ticketId',
      shadows: 'key',
      mutations: 'id',
      blobs: 'id, mutationId',
      rejections: 'id',
      meta: 'key',
    });
  }

  /** Every table a pull or an optimistic write touches, for one read-write transaction. */
  get syncTables() {
    return [this.tickets, this.articles, this.attachments, this.shadows, this.mutations, this.blobs, this.meta];
  }

  async getMeta<T>(key: string): Promise<T | undefined> {
    return (await this.meta.get(key))?.value as T | undefined;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    await this.meta.put({ key, value });
  }
}
