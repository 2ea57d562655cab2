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
import { pullChanges } from './change-log';
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
  const authorIds = [
    ...new Set(
      [...changes.articles.map((a) => a.authorId), ...changes.history.map((h) => h.actorId)].filter(
        (x): x is string => !!x,
      ),
    ),
  ];
  const authors = authorIds.length
    ? await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, authorIds))
    : [];
  const nameOf = new Map(authors.map((u) => [u.id, u.name]));
  const patch: PatchOperation[] = [];
  // Not only a null cookie: a cookie from before the caller's scope changed gets a full pull too.
  if (changes.reset) patch.push({ op: 'clear' });
  // Deleted, or out of the caller's scope now: the device drops the ticket with its articles and attachments.
  for (const id of new Set([...changes.deletedTicketIds, ...changes.exitedTicketIds])) {
    patch.push({ op: 'del', table: 'tickets', id });
  }
  for (const t of changes.tickets) patch.push({ op: 'put', table: 'tickets', row: toTicket(t) });
  for (const a of changes.articles) {
    patch.push({
      op: 'put',
      table: 'articles',
      row: toArticle(a, a.authorId ? (nameOf.get(a.authorId) ?? null) : null),
    });
  }
  for (const f of changes.attachments) {
    patch.push({
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
  for (const h of changes.history) {
    patch.push({
      op: 'put',
      table: 'history',
      row: toHistoryRow(h, h.actorId ? (nameOf.get(h.actorId) ?? null) : null),
    });
  }
  // A reset drops the device's reference data with its rows: every kind goes again, on the last page.
  const fresh = changes.reset || changeCookie === null;
  let digests = fresh ? {} : known;
  if (!changes.more) {
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
