import {
  type Article,
  type AttachmentRow,
  applyMutation,
  type LocalState,
  type LocalTicket,
  type ParsedMutation,
  parseMutation,
  type SyncActor,
} from '@mesa/core';
import type { PendingMutation, SyncDatabase, SyncedTable } from './schema';
import { getArticle, getAttachment, ownerOf, putDetails, removeFromDetail } from './threads';
import { transactionCache } from './tx-cache';

type Row = LocalTicket | Article | AttachmentRow;
export const shadowKey = (table: SyncedTable, id: string) => `${table}:${id}`;

const referenceReaders: ReadonlySet<ParsedMutation['name']> = new Set([
  'createTicket@1',
  'addNote@1',
  'updateTicketFields@1',
  'assignTicket@1',
]);

/** The rows a mutation reads, from the device's current (optimistic) view. */
async function loadFor(db: SyncDatabase, m: ParsedMutation): Promise<LocalState> {
  const state: LocalState = { tickets: new Map(), articles: new Map(), attachments: new Map() };
  const ticketId = m.name === 'createTicket@1' ? m.args.id : m.args.ticketId;
  const ticket = await db.tickets.get(ticketId);
  if (ticket) state.tickets.set(ticket.id, ticket);
  const articleIds: string[] = [];
  if (m.name === 'addNote@1') articleIds.push(m.args.id);
  if (m.name === 'assignTicket@1' && m.args.noteId) articleIds.push(m.args.noteId);
  if ((m.name === 'addAttachment@1' || m.name === 'captureSignature@1') && m.args.articleId) {
    articleIds.push(m.args.articleId);
  }
  // What the mutator computes as the server does: due times, a customer's answer, owners from the directory.
  if (referenceReaders.has(m.name)) state.reference = await db.deviceReference();
  if (m.name === 'createTicket@1') return state;
  // An article of another ticket is not found here, as the server would not find it on this ticket.
  for (const id of articleIds) {
    const article = await getArticle(db, ticketId, id);
    if (article) state.articles.set(id, article);
  }
  if (m.name === 'addAttachment@1' || m.name === 'captureSignature@1') {
    const attachment = await getAttachment(db, ticketId, m.args.id);
    if (attachment) state.attachments.set(attachment.id, attachment);
  }
  return state;
}

/** Whether rows have a shadow, as known in the running read-write transaction (only it writes shadows). */
const shadowCache = transactionCache<string, boolean>();

async function hasShadow(db: SyncDatabase, key: string): Promise<boolean> {
  const known = shadowCache()?.get(key);
  if (known !== undefined) return known;
  const found = (await db.shadows.get(key)) !== undefined;
  shadowCache()?.set(key, found);
  return found;
}

/** Reads whether a row has a shadow ahead of the mutator (see shadowsSeen). */
export async function warmShadow(db: SyncDatabase, table: SyncedTable, id: string): Promise<void> {
  await hasShadow(db, shadowKey(table, id));
}

/** Writes the rows `after` changed, keeping the server's copy of each in a shadow the first time it changes. */
async function writeChanged(db: SyncDatabase, before: LocalState, after: LocalState): Promise<void> {
  const tables: Array<[SyncedTable, Map<string, Row>, Map<string, Row>]> = [
    ['tickets', before.tickets, after.tickets],
    ['articles', before.articles, after.articles],
    ['attachments', before.attachments, after.attachments],
  ];
  for (const [table, was, now] of tables) {
    for (const [id, row] of now) {
      if (was.get(id) === row) continue;
      const key = shadowKey(table, id);
      const writes: Promise<unknown>[] = [];
      if (!(await hasShadow(db, key))) {
        const shadow = { key, table, id, row: was.get(id) ?? null };
        const ticketId = table === 'tickets' ? undefined : (row as Article | AttachmentRow).ticketId;
        writes.push(db.shadows.add(ticketId ? { ...shadow, ticketId } : shadow));
        shadowCache()?.set(key, true);
      }
      writes.push(putRow(db, table, row));
      await Promise.all(writes);
    }
  }
}

async function putRow(db: SyncDatabase, table: SyncedTable, row: Row): Promise<void> {
  if (table === 'tickets') await db.tickets.put(row as LocalTicket);
  else if (table === 'articles') await putDetails(db, { articles: [row as Article] });
  else await putDetails(db, { attachments: [row as AttachmentRow] });
}

/**
 * Runs a mutator on the device's view, inside the caller's Dexie transaction. Throws the AppError the
 * server would answer with (invalid transition, deleted ticket, field not editable) and writes nothing then.
 */
export async function applyOptimistic(db: SyncDatabase, m: ParsedMutation, actor: SyncActor, now: Date) {
  const before = await loadFor(db, m);
  const after = applyMutation(before, m, actor, now);
  await writeChanged(db, before, after);
}

/**
 * After a pull: restores the server's rows from the shadows, then replays the still-pending mutations on
 * top, so a pull never reverts a local edit. A pending mutation that no longer applies (the server state
 * moved on) is left out of the view; the server will reject it and say why.
 */
export async function rebase(db: SyncDatabase, actor: SyncActor, now: Date): Promise<void> {
  const shadows = await db.shadows.toArray();
  for (const s of shadows) {
    if (s.row !== null) await putRow(db, s.table, s.row);
    else if (s.table === 'tickets') await db.tickets.delete(s.id);
    else {
      // A shadow written before rows moved into buckets may lack its ticket: found by a scan then.
      const ticketId = s.ticketId ?? (await ownerOf(db, s.table, s.id));
      if (ticketId) await removeFromDetail(db, ticketId, { [s.table]: [s.id] });
    }
  }
  await db.shadows.clear();
  shadowCache()?.clear();
  const pending: PendingMutation[] = await db.mutations.orderBy('id').toArray();
  for (const p of pending) {
    try {
      await applyOptimistic(db, parseMutation(p.name, p.args), actor, now);
    } catch {
      // Stays queued: the server decides, and a rejection is reported to the user then.
    }
  }
}
