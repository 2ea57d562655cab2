import { AppError, ErrorCode, isStaff } from '@mesa/core';
import { eq, inArray, or, type SQL, sql } from 'drizzle-orm';
import { tickets } from '../db/schema';
import type { Actor } from '../http/context';

/**
 * The rows an actor may see, as SQL: every read and write of a ticket goes
 * through it, so a ticket outside scope is indistinguishable from a missing one.
 */
export function ticketScope(actor: Actor): SQL {
  switch (actor.role) {
    case 'admin':
    case 'supervisor':
      return sql`true`;
    case 'agent':
      // Agents work their departments' queues, plus anything handed to them personally.
      return actor.departmentIds.length > 0
        ? (or(inArray(tickets.departmentId, actor.departmentIds), eq(tickets.ownerId, actor.id)) as SQL)
        : eq(tickets.ownerId, actor.id);
    case 'technician':
      return eq(tickets.ownerId, actor.id);
    case 'customer':
      return actor.orgSharesTickets && actor.organizationId
        ? (or(eq(tickets.requesterId, actor.id), eq(tickets.organizationId, actor.organizationId)) as SQL)
        : eq(tickets.requesterId, actor.id);
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
