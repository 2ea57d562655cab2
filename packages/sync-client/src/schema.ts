import type {
  Article,
  AttachmentRow,
  DeviceReference,
  HistoryRow,
  LocalTicket,
  ReferenceKind,
  ReferenceRows,
  RejectedMutation,
} from '@mesa/core';
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
  /** For articles: the thread the row lives in (also when `row` is null). */
  ticketId?: string;
  row: LocalTicket | Article | AttachmentRow | null;
}

/**
 * A ticket's articles, stored as one record: a new device's first pull writes tens of thousands of
 * articles, and IndexedDB's cost is per record, so one record per ticket instead of per article.
 */
export interface ArticleThread {
  ticketId: string;
  articles: Article[];
}

/** A ticket's history (staff only), one record per ticket for the same reason as threads, in id order. */
export interface TicketHistory {
  ticketId: string;
  rows: HistoryRow[];
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

/** One kind of reference data, whole (a pull replaces it): one record per kind, read in one go. */
export interface ReferenceRecord<K extends ReferenceKind = ReferenceKind> {
  kind: K;
  rows: ReferenceRows[K][];
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
  threads!: EntityTable<ArticleThread, 'ticketId'>;
  histories!: EntityTable<TicketHistory, 'ticketId'>;
  attachments!: EntityTable<AttachmentRow, 'id'>;
  shadows!: EntityTable<ShadowRow, 'key'>;
  mutations!: EntityTable<PendingMutation, 'id'>;
  blobs!: EntityTable<PendingBlob, 'id'>;
  rejections!: EntityTable<Rejection, 'id'>;
  meta!: EntityTable<MetaRow, 'key'>;
  reference!: EntityTable<ReferenceRecord, 'kind'>;

  constructor(name: string, deps?: { indexedDB: IDBFactory; IDBKeyRange: typeof IDBKeyRange }) {
    super(name, deps ? { indexedDB: deps.indexedDB, IDBKeyRange: deps.IDBKeyRange } : undefined);
    // Few indexes and few records on purpose: each is another IndexedDB write, and a new device's first
    // pull writes tens of thousands of rows. Queues filter and sort a few thousand tickets in memory.
    this.version(1).stores({
      tickets: 'id, number',
      threads: 'ticketId',
      attachments: 'id, ticketId',
      shadows: 'key',
      mutations: 'id',
      blobs: 'id, mutationId',
      rejections: 'id',
      meta: 'key',
    });
    this.version(2).stores({ reference: 'kind' });
    this.version(3).stores({ histories: 'ticketId' });
  }

  /** Every table a pull or an optimistic write touches, for one read-write transaction. */
  get syncTables() {
    return [
      this.tickets,
      this.threads,
      this.histories,
      this.attachments,
      this.shadows,
      this.mutations,
      this.blobs,
      this.meta,
      this.reference,
    ];
  }

  async referenceRows<K extends ReferenceKind>(kind: K): Promise<ReferenceRows[K][]> {
    return ((await this.reference.get(kind))?.rows ?? []) as ReferenceRows[K][];
  }

  /** What mutators read: departments, policy and the user's profile. */
  async deviceReference(): Promise<DeviceReference> {
    const [profile, departments, policy] = await Promise.all([
      this.referenceRows('profile'),
      this.referenceRows('departments'),
      this.referenceRows('policy'),
    ]);
    return {
      profile: profile[0] ?? null,
      departments: new Map(departments.map((d) => [d.id, d])),
      policy: policy[0] ?? null,
    };
  }

  /** A ticket's articles in server order (optimistic ones last until the server has them). */
  async articlesOf(ticketId: string): Promise<Article[]> {
    return (await this.threads.get(ticketId))?.articles ?? [];
  }

  /** A ticket's history, oldest first. */
  async historyOf(ticketId: string): Promise<HistoryRow[]> {
    return (await this.histories.get(ticketId))?.rows ?? [];
  }

  async allArticles(): Promise<Article[]> {
    return (await this.threads.toArray()).flatMap((t) => t.articles);
  }

  async getMeta<T>(key: string): Promise<T | undefined> {
    return (await this.meta.get(key))?.value as T | undefined;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    await this.meta.put({ key, value });
  }
}
