import type { Role } from './schemas/enums';

/**
 * Who sees a ticket, written once. Every other form of the rule is derived from `scopeGrants`: the
 * SQL filter of reads, writes and sync pulls (`ticketScope` in the API), the scope keys that live
 * pokes match (`scopeKeys`); the one copy that cannot be derived, the NOTIFY trigger of migration
 * 0006, is tied to it by a test that compares their answers over every role and key combination.
 */

/** The ticket columns that decide who sees it (a ticket row, or the old keys a scope exit kept). */
export const scopeColumns = ['departmentId', 'ownerId', 'requesterId', 'organizationId'] as const;
export type ScopeColumn = (typeof scopeColumns)[number];
export type TicketScopeKeys = Readonly<Record<ScopeColumn, string | null>>;

/** What of the viewer decides their scope (an API actor, a session, a device's user). */
export interface ScopeViewer {
  id: string;
  role: Role;
  departmentIds: readonly string[];
  organizationId: string | null;
  /** Their organization lets members see each other's tickets (seed 004). */
  orgSharesTickets: boolean;
}

/** One way in: the ticket's `column` holds one of `values`. */
export interface ScopeGrant {
  column: ScopeColumn;
  values: readonly string[];
}

/**
 * The viewer's ways in: a ticket is in scope when any grant matches it; 'all' for those who see
 * everything. An empty list sees nothing.
 */
export function scopeGrants(v: ScopeViewer): 'all' | ScopeGrant[] {
  switch (v.role) {
    case 'admin':
    case 'supervisor':
      return 'all';
    case 'agent':
      // Agents work their departments' queues, plus anything handed to them personally.
      return v.departmentIds.length > 0
        ? [
            { column: 'departmentId', values: v.departmentIds },
            { column: 'ownerId', values: [v.id] },
          ]
        : [{ column: 'ownerId', values: [v.id] }];
    case 'technician':
      // Technicians only work what they are given, whatever departments they belong to.
      return [{ column: 'ownerId', values: [v.id] }];
    case 'customer':
      return v.orgSharesTickets && v.organizationId
        ? [
            { column: 'requesterId', values: [v.id] },
            { column: 'organizationId', values: [v.organizationId] },
          ]
        : [{ column: 'requesterId', values: [v.id] }];
  }
}

/** The rule on one ticket's keys. */
export function seesTicket(v: ScopeViewer, t: TicketScopeKeys): boolean {
  const grants = scopeGrants(v);
  if (grants === 'all') return true;
  return grants.some((g) => {
    const value = t[g.column];
    return value !== null && g.values.includes(value);
  });
}
