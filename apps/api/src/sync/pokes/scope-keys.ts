import { type ScopeColumn, scopeGrants } from '@mesa/core';
import type { Actor } from '../../http/context';

/**
 * The scope keys of live pokes. The database trigger (migration 0006_sync_notify) names the keys of the
 * tickets a commit touched; an actor is poked when one of them is in its scope. The keys are derived from
 * core's scopeGrants, the same rule ticketScope turns into SQL; the trigger's copy is tied to it by
 * test/sync/scope-rule.pg.test.ts.
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

/** The trigger's letter for each scope column. */
const keyOf: Record<ScopeColumn, (id: string) => string> = {
  departmentId: departmentKey,
  ownerId: ownerKey,
  requesterId: requesterKey,
  organizationId: organizationKey,
};

export function scopeKeys(actor: ScopeActor): ScopeKeys {
  const grants = scopeGrants(actor);
  if (grants === 'all') return 'all';
  return grants.flatMap(({ column, values }) => values.map(keyOf[column]));
}

/** The trigger's payload: sorted keys separated by spaces, or "*". */
export function parsePoke(payload: string): PokeKeys {
  if (payload === '*') return 'all';
  return new Set(payload.split(' ').filter((k) => k.length > 0));
}

export const pokeReaches = (scope: ScopeKeys, poke: PokeKeys): boolean =>
  scope === 'all' || poke === 'all' || scope.some((k) => poke.has(k));
