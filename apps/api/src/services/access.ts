import {
  AppError,
  articleKinds,
  ErrorCode,
  isStaff,
  managesQueues,
  mayReadArticle,
  type ScopeColumn,
  scopeGrants,
} from '@mesa/core';
import { eq, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { articles, attachments, tickets } from '../db/schema';
import type { Actor } from '../http/context';

/** The columns that decide who sees a ticket: `tickets` itself, or the old keys a scope exit left behind. */
export type ScopeColumns = Record<ScopeColumn, AnyPgColumn>;

/**
 * The rows an actor may see, as SQL: every read and write of a ticket goes
 * through it, so a ticket outside scope is indistinguishable from a missing one.
 * Over other columns (a sync_scope_exits row) it says whether those keys were in scope.
 * Generated from core's scopeGrants, the rule's one home: one OR-ed condition per grant.
 */
export function ticketScope(actor: Actor, cols: ScopeColumns = tickets): SQL {
  const grants = scopeGrants(actor);
  if (grants === 'all') return sql`true`;
  const conditions = grants.map(({ column, values }) =>
    values.length === 1 ? eq(cols[column], values[0]) : inArray(cols[column], [...values]),
  );
  if (conditions.length === 0) return sql`false`;
  return conditions.length === 1 ? (conditions[0] as SQL) : (or(...conditions) as SQL);
}

/**
 * The articles an actor may read, as SQL over an article's kind: generated from core's mayReadArticle
 * (no condition for whoever may read every kind).
 */
export function articleVisibility(actor: Actor, kind: AnyPgColumn = articles.kind): SQL | undefined {
  const readable = articleKinds.filter((k) => mayReadArticle(actor.role, k));
  return readable.length === articleKinds.length ? undefined : inArray(kind, readable);
}

/**
 * The files an actor may read, for a query that left-joins each attachment's article: a file on no
 * article is the ticket's own; otherwise it follows its article (core's mayReadAttachment).
 */
export function attachmentVisibility(actor: Actor): SQL | undefined {
  const onArticle = articleVisibility(actor, articles.kind);
  return onArticle && or(isNull(attachments.articleId), onArticle);
}

export function requireActor(actor: Actor | null): Actor {
  if (!actor) throw new AppError(ErrorCode.UNAUTHENTICATED);
  return actor;
}

export function requireRole(actor: Actor | null, ...roles: Actor['role'][]): Actor {
  const a = requireActor(actor);
  if (!roles.includes(a.role)) throw new AppError(ErrorCode.FORBIDDEN);
  return a;
}

export const requireStaff = (actor: Actor | null): Actor => {
  const a = requireActor(actor);
  if (!isStaff(a.role)) throw new AppError(ErrorCode.FORBIDDEN);
  return a;
};

export const isManager = (actor: Actor): boolean => managesQueues(actor.role);
