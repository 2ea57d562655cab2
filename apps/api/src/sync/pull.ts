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
import { toArticle, toTicket } from '../services/ticket-dto';
import { pullChanges } from './change-log';

/** The rows that changed in the caller's scope since the cookie, as a patch the device applies in one go. */
export async function pull(db: Db, actor: Actor, req: PullRequest): Promise<PullResponse> {
  if (!isSupportedVersion(req)) {
    throw new AppError(ErrorCode.CLIENT_UPGRADE_REQUIRED, 'unsupported sync protocol or schema version');
  }
  const changes = await pullChanges(db, actor, req.cookie, req.limit);
  const authorIds = [...new Set(changes.articles.map((a) => a.authorId).filter((x): x is string => !!x))];
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
  const clients = await db
    .select({ clientId: syncClients.clientId, last: syncClients.lastMutationId })
    .from(syncClients)
    .where(and(eq(syncClients.clientGroupId, req.clientGroupId), eq(syncClients.userId, actor.id)));
  return {
    cookie: changes.cookie,
    more: changes.more,
    lastMutationIds: Object.fromEntries(clients.map((c) => [c.clientId, c.last])),
    patch,
  };
}
