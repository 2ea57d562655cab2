import {
  AppError,
  ErrorCode,
  isSupportedVersion,
  type PatchOperation,
  type PullRequest,
  type PullResponse,
} from '@mesa/core';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { syncClients, users } from '../db/schema';
import type { Actor } from '../http/context';
import type { Reference } from '../services/reference-service';
import { toArticle, toHistoryRow, toTicket } from '../services/ticket-dto';
import { type LeadRows, pullChanges } from './change-log';
import { joinCookie, referenceChanges, splitCookie } from './reference-pull';

/**
 * The rows that changed in the caller's scope since the cookie, as a patch the device applies in one go;
 * the last page also carries the kinds of reference data that changed.
 */
export async function pull(db: Db, reference: Reference, actor: Actor, req: PullRequest): Promise<PullResponse> {
  if (!isSupportedVersion(req)) {
    throw new AppError(ErrorCode.CLIENT_UPGRADE_REQUIRED, 'unsupported sync protocol or schema version');
  }
  const { changes: changeCookie, digests: known } = splitCookie(req.cookie);
  const changes = await pullChanges(db, actor, changeCookie, req.limit);
  const lead = changes.lead;
  const nameOf = await authorNames(db, [changes, ...(lead ? [lead] : [])]);
  const patch: PatchOperation[] = [];
  // Not only a null cookie: a cookie from before the caller's scope changed gets a full pull too.
  if (changes.reset) patch.push({ op: 'clear' });
  // Deleted, or out of the caller's scope now: the device drops the ticket with its articles and attachments.
  for (const id of new Set([...changes.deletedTicketIds, ...changes.exitedTicketIds])) {
    patch.push({ op: 'del', table: 'tickets', id });
  }
  if (lead) patch.push(...rowOps(lead, nameOf));
  patch.push(...rowOps(changes, nameOf));
  // A reset drops the device's reference data with its rows: every kind goes again, on the first page so
  // that forms work before the rest arrives; otherwise the last page says which kinds changed.
  const fresh = changes.reset || changeCookie === null;
  let digests = fresh ? {} : known;
  if (!changes.more || lead) {
    const ref = await referenceChanges(db, reference, actor, digests, fresh);
    patch.push(...ref.ops);
    digests = ref.digests;
  }
  const clients = await db
    .select({ clientId: syncClients.clientId, last: syncClients.lastMutationId })
    .from(syncClients)
    .where(and(eq(syncClients.clientGroupId, req.clientGroupId), eq(syncClients.userId, actor.id)));
  return {
    cookie: joinCookie(changes.cookie, digests),
    more: changes.more,
    lastMutationIds: Object.fromEntries(clients.map((c) => [c.clientId, c.last])),
    patch,
  };
}

/** The names of the rows' authors and actors, which the device shows without a staff directory. */
async function authorNames(db: Db, sets: LeadRows[]): Promise<Map<string, string>> {
  const ids = new Set<string>();
  for (const rows of sets) {
    for (const a of rows.articles) if (a.authorId) ids.add(a.authorId);
    for (const h of rows.history) if (h.actorId) ids.add(h.actorId);
  }
  const authors = ids.size
    ? await db
        .select({ id: users.id, name: users.name })
        .from(users)
        .where(inArray(users.id, [...ids]))
    : [];
  return new Map(authors.map((u) => [u.id, u.name]));
}

function rowOps(rows: LeadRows, nameOf: Map<string, string>): PatchOperation[] {
  const ops: PatchOperation[] = [];
  const name = (id: string | null) => (id ? (nameOf.get(id) ?? null) : null);
  for (const t of rows.tickets) ops.push({ op: 'put', table: 'tickets', row: toTicket(t) });
  for (const a of rows.articles) ops.push({ op: 'put', table: 'articles', row: toArticle(a, name(a.authorId)) });
  for (const f of rows.attachments) {
    ops.push({
      op: 'put',
      table: 'attachments',
      row: {
        id: f.id,
        ticketId: f.ticketId,
        articleId: f.articleId,
        kind: f.kind,
        filename: f.filename,
        contentType: f.contentType,
        size: f.size,
        sha256: f.sha256,
        signerName: f.signerName,
        createdAt: f.createdAt.toISOString(),
      },
    });
  }
  for (const h of rows.history) ops.push({ op: 'put', table: 'history', row: toHistoryRow(h, name(h.actorId)) });
  return ops;
}
