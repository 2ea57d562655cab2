import { AppError, ErrorCode, isStaff } from '@mesa/core';
import { eq, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { tickets } from '../db/schema';
import type { Actor } from '../http/context';

/** The columns that decide who sees a ticket: `tickets` itself, or the old keys a scope exit left behind. */
export interface ScopeColumns {
  departmentId: AnyPgColumn;
  ownerId: AnyPgColumn;
  requesterId: AnyPgColumn;
  organizationId: AnyPgColumn;
}

/**
 * The rows an actor may see, as SQL: every read and write of a ticket goes
 * through it, so a ticket outside scope is indistinguishable from a missing one.
 * Over other columns (a sync_scope_exits row) it says whether those keys were in scope.
 */
export function ticketScope(actor: Actor, cols: ScopeColumns = tickets): SQL {
  switch (actor.role) {
    case 'admin':
    case 'supervisor':
      return sql`true`;
    case 'agent':
      // Agents work their departments' queues, plus anything handed to them personally.
      return actor.departmentIds.length > 0
        ? (or(inArray(cols.departmentId, actor.departmentIds), eq(cols.ownerId, actor.id)) as SQL)
        : eq(cols.ownerId, actor.id);
    case 'technician':
      return eq(cols.ownerId, actor.id);
    case 'customer':
      return actor.orgSharesTickets && actor.organizationId
        ? (or(eq(cols.requesterId, actor.id), eq(cols.organizationId, actor.organizationId)) as SQL)
        : eq(cols.requesterId, actor.id);
  }
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

/** Agents and up manage queues; technicians only work what they are given. */
export const isManager = (actor: Actor): boolean =>
  actor.role === 'agent' || actor.role === 'supervisor' || actor.role === 'admin';
