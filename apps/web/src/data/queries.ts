import type {
  Article,
  AttachmentRow,
  DeviceDepartment,
  HistoryRow,
  LocalTicket,
  ReferenceKind,
  ReferenceRows,
} from '@mesa/core';
import type { Rejection, SyncDatabase } from '@mesa/sync-client';
import { readTicketsFirst } from '@mesa/sync-client/first-read';
import { type Accessor, createResource } from 'solid-js';
import { pick } from '../i18n';
import { currentUser } from '../session';
import { deviceDb } from './device';
import { createLiveQuery } from './live';

const isUuid = (ref: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref);

const newestFirst = (rows: LocalTicket[]) =>
  rows.filter((t) => !t.deletedAt).sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1));

/**
 * Every live ticket on the device (the user's scope), newest activity first. Until Dexie has loaded, the
 * same records read with plain IndexedDB: the first screen needs neither Dexie nor the sync client.
 */
export function useTickets(): Accessor<LocalTicket[] | undefined> {
  const live = createLiveQuery(deviceDb, async (db) => newestFirst(await db.tickets.toArray()));
  const [first] = createResource(
    () => currentUser()?.id,
    async (id) => {
      // Any trouble here only means waiting for the live query.
      const rows = await readTicketsFirst(id).catch(() => null);
      return { id, rows: rows ? newestFirst(rows) : undefined };
    },
  );
  // Whose rows they are is checked too: another user logging in on this tab never sees the previous one's.
  return () => live() ?? (first()?.id === currentUser()?.id ? first()?.rows : undefined);
}

/** A number once resolved names the same ticket for good: a live query then reads only the ticket's bucket. */
const idsByNumber = new Map<string, string>();

/** A ticket by its number (`T-…`) or, while its number is pending, by the id the device gave it. */
export async function findTicket(db: SyncDatabase, ref: string): Promise<LocalTicket | null> {
  const known = isUuid(ref) ? ref : idsByNumber.get(ref);
  const ticket = known ? await db.tickets.get(known) : await db.tickets.byNumber(ref);
  if (ticket && !isUuid(ref)) idsByNumber.set(ref, ticket.id);
  return ticket && !ticket.deletedAt && (isUuid(ref) || ticket.number === ref) ? ticket : null;
}

export function useTicket(ref: () => string): Accessor<LocalTicket | null | undefined> {
  return createLiveQuery(
    () => {
      const db = deviceDb();
      return db ? { db, ref: ref() } : undefined;
    },
    ({ db, ref }) => findTicket(db, ref),
  );
}

/** A live query over one ticket's rows: nothing runs until both the database and the ticket id are known. */
function useTicketRows<T>(
  ticketId: () => string | undefined,
  read: (db: SyncDatabase, id: string) => Promise<T>,
): Accessor<T | undefined> {
  return createLiveQuery(
    () => {
      const db = deviceDb();
      const id = ticketId();
      return db && id ? { db, id } : undefined;
    },
    ({ db, id }) => read(db, id),
  );
}

export const useArticles = (ticketId: () => string | undefined): Accessor<Article[] | undefined> =>
  useTicketRows(ticketId, (db, id) => db.articlesOf(id));

export const useAttachments = (ticketId: () => string | undefined): Accessor<AttachmentRow[] | undefined> =>
  useTicketRows(ticketId, (db, id) => db.attachmentsOf(id));

/** A ticket's history (only staff devices receive it). */
export const useHistory = (ticketId: () => string | undefined): Accessor<HistoryRow[] | undefined> =>
  useTicketRows(ticketId, (db, id) => db.historyOf(id));

export function useReference<K extends ReferenceKind>(kind: K): Accessor<ReferenceRows[K][] | undefined> {
  return createLiveQuery(deviceDb, (db) => db.referenceRows(kind));
}

export function useRejections(): Accessor<Rejection[] | undefined> {
  return createLiveQuery(deviceDb, (db) => db.rejections.toArray());
}

/** A department's name in the user's language (reference data carries both). */
export const departmentName = (d: Pick<DeviceDepartment, 'nameEs' | 'nameEn'>): string =>
  pick({ es: d.nameEs, en: d.nameEn });
