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
import type { DetailBucket, NumberBucket, TicketBucket } from './buckets';
import { DetailStore, TicketStore } from './stores';

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
  /** For articles and attachments: the ticket the row belongs to (also when `row` is null). */
  ticketId?: string;
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

/** One kind of reference data, whole (a pull replaces it): one record per kind, read in one go. */
export interface ReferenceRecord<K extends ReferenceKind = ReferenceKind> {
  kind: K;
  rows: ReferenceRows[K][];
}

export interface MetaRow {
  key: string;
  value: unknown;
}

export { databaseName } from './first-read';

/**
 * One database per user and browser profile: another user logging in on the same device opens their
 * own, so nobody ever sees (or pushes) someone else's queue.
 */
/** Dexie versions 1–3: one record per ticket, per ticket's thread, history and attachment (an upgrade's start). */
export const layoutBeforeBuckets: Record<string, string>[] = [
  {
    tickets: 'id, number',
    threads: 'ticketId',
    attachments: 'id, ticketId',
    shadows: 'key',
    mutations: 'id',
    blobs: 'id, mutationId',
    rejections: 'id',
    meta: 'key',
  },
  { reference: 'kind' },
  { histories: 'ticketId' },
];

export class SyncDatabase extends Dexie {
  ticketBuckets!: EntityTable<TicketBucket, 'b'>;
  detailBuckets!: EntityTable<DetailBucket, 'b'>;
  numberBuckets!: EntityTable<NumberBucket, 'b'>;
  shadows!: EntityTable<ShadowRow, 'key'>;
  mutations!: EntityTable<PendingMutation, 'id'>;
  blobs!: EntityTable<PendingBlob, 'id'>;
  rejections!: EntityTable<Rejection, 'id'>;
  meta!: EntityTable<MetaRow, 'key'>;
  reference!: EntityTable<ReferenceRecord, 'kind'>;
  /** Tickets, in buckets (see buckets.ts). */
  readonly tickets = new TicketStore(this);
  /** Each ticket's articles, history and attachments, in buckets. */
  readonly details = new DetailStore(this);

  constructor(name: string, deps?: { indexedDB: IDBFactory; IDBKeyRange: typeof IDBKeyRange }) {
    super(name, deps ? { indexedDB: deps.indexedDB, IDBKeyRange: deps.IDBKeyRange } : undefined);
    // Few records on purpose (see buckets.ts); queues filter and sort in memory.
    for (const [i, stores] of layoutBeforeBuckets.entries()) this.version(i + 1).stores(stores);
    // Rows move into buckets: the old stores go and the next pull is a full one; the queue stays and is
    // rebased on it. A shadow of an attachment made before kept no ticket id: it is found by a scan.
    this.version(4)
      .stores({
        tickets: null,
        threads: null,
        attachments: null,
        histories: null,
        ticketBuckets: 'b',
        detailBuckets: 'b',
        numberBuckets: 'b',
      })
      .upgrade((tx) => tx.table('meta').put({ key: 'cookie', value: null }));
  }

  /** Every table a pull or an optimistic write touches, for one read-write transaction. */
  get syncTables() {
    return [
      this.ticketBuckets,
      this.detailBuckets,
      this.numberBuckets,
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

  /** What mutators read: departments, policy, the user's profile, the equipment they may name and the staff directory. */
  async deviceReference(): Promise<DeviceReference> {
    const [profile, departments, policy, equipment, staff] = await Promise.all([
      this.referenceRows('profile'),
      this.referenceRows('departments'),
      this.referenceRows('policy'),
      this.reference.get('equipment'),
      this.reference.get('staff'),
    ]);
    const ref: DeviceReference = {
      profile: profile[0] ?? null,
      departments: new Map(departments.map((d) => [d.id, d])),
      policy: policy[0] ?? null,
    };
    // Only a device that received the kind knows which codes exist; one that did not leaves it to the server.
    if (equipment) ref.equipment = equipment.rows as ReferenceRows['equipment'][];
    if (staff) ref.staff = staff.rows as ReferenceRows['staff'][];
    return ref;
  }

  /** A ticket's articles in server order (optimistic ones last until the server has them). */
  async articlesOf(ticketId: string): Promise<Article[]> {
    return (await this.details.of(ticketId))?.articles ?? [];
  }

  /** A ticket's history, oldest first. */
  async historyOf(ticketId: string): Promise<HistoryRow[]> {
    return (await this.details.of(ticketId))?.history ?? [];
  }

  async attachmentsOf(ticketId: string): Promise<AttachmentRow[]> {
    return (await this.details.of(ticketId))?.attachments ?? [];
  }

  async allArticles(): Promise<Article[]> {
    return (await this.details.all()).flatMap(([, d]) => d.articles);
  }

  async allHistory(): Promise<HistoryRow[]> {
    return (await this.details.all()).flatMap(([, d]) => d.history);
  }

  async allAttachments(): Promise<AttachmentRow[]> {
    return (await this.details.all()).flatMap(([, d]) => d.attachments);
  }

  async getMeta<T>(key: string): Promise<T | undefined> {
    return (await this.meta.get(key))?.value as T | undefined;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    await this.meta.put({ key, value });
  }
}
