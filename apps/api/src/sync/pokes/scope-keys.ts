import type { Actor } from '../../http/context';

/**
 * The scope keys of live pokes. The database trigger (migration 0006_sync_notify) names the keys of the
 * tickets a commit touched; an actor is poked when one of them is in its scope. This mirrors
 * ticketScope in services/access.ts: change both together.
 */
export type ScopeActor = Pick<Actor, 'id' | 'role' | 'organizationId' | 'orgSharesTickets' | 'departmentIds'>;

/** Every key an actor's scope holds, or 'all' for roles that see every ticket. */
export type ScopeKeys = readonly string[] | 'all';

/** What a notification names: a set of keys, or 'all' when the statement touched too many to list. */
export type PokeKeys = ReadonlySet<string> | 'all';

export const departmentKey = (id: string) => `d${id}`;
export const ownerKey = (id: string) => `o${id}`;
export const requesterKey = (id: string) => `r${id}`;
export const organizationKey = (id: string) => `g${id}`;

export function scopeKeys(actor: ScopeActor): ScopeKeys {
  switch (actor.role) {
    case 'admin':
    case 'supervisor':
      return 'all';
    case 'agent':
      // Their departments' queues, plus anything handed to them personally.
      return [...actor.departmentIds.map(departmentKey), ownerKey(actor.id)];
    case 'technician':
      return [ownerKey(actor.id)];
    case 'customer':
      return actor.orgSharesTickets && actor.organizationId
        ? [requesterKey(actor.id), organizationKey(actor.organizationId)]
        : [requesterKey(actor.id)];
  }
}

/** The trigger's payload: sorted keys separated by spaces, or "*". */
export function parsePoke(payload: string): PokeKeys {
  if (payload === '*') return 'all';
  return new Set(payload.split(' ').filter((k) => k.length > 0));
}

export const pokeReaches = (scope: ScopeKeys, poke: PokeKeys): boolean =>
  scope === 'all' || poke === 'all' || scope.some((k) => poke.has(k));
