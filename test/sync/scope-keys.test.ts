import {
  departmentKey,
  organizationKey,
  ownerKey,
  parsePoke,
  pokeReaches,
  requesterKey,
  type ScopeActor,
  scopeKeys,
} from '@mesa/api/sync/pokes/scope-keys';
import { describe, expect, it } from 'vitest';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const actor = (over: Partial<ScopeActor>): ScopeActor => ({
  id: id(1),
  role: 'customer',
  organizationId: null,
  orgSharesTickets: false,
  departmentIds: [],
  ...over,
});
/** The payload the trigger would send for one ticket. */
const ticket = (t: { dept: number; owner?: number; requester?: number; org?: number }) =>
  parsePoke(
    [
      departmentKey(id(t.dept)),
      t.owner && ownerKey(id(t.owner)),
      t.requester && requesterKey(id(t.requester)),
      t.org && organizationKey(id(t.org)),
    ]
      .filter(Boolean)
      .join(' '),
  );
const reaches = (a: ScopeActor, poke: ReturnType<typeof parsePoke>) => pokeReaches(scopeKeys(a), poke);

describe('scope keys of a poke', () => {
  it('reach admins and supervisors for anything', () => {
    for (const role of ['admin', 'supervisor'] as const) {
      expect(scopeKeys(actor({ role }))).toBe('all');
      expect(reaches(actor({ role }), ticket({ dept: 50 }))).toBe(true);
      expect(reaches(actor({ role }), parsePoke(''))).toBe(true);
    }
  });

  it('reach an agent through a department of theirs or a ticket they own', () => {
    const agent = actor({ role: 'agent', departmentIds: [id(50), id(51)] });
    expect(reaches(agent, ticket({ dept: 51 }))).toBe(true);
    expect(reaches(agent, ticket({ dept: 52, owner: 1 }))).toBe(true);
    expect(reaches(agent, ticket({ dept: 52, owner: 2, requester: 1 }))).toBe(false);
    // Without departments, only what is handed to them.
    const loose = actor({ role: 'agent' });
    expect(reaches(loose, ticket({ dept: 50 }))).toBe(false);
    expect(reaches(loose, ticket({ dept: 50, owner: 1 }))).toBe(true);
  });

  it('reach a technician only through tickets they own', () => {
    const tech = actor({ role: 'technician', departmentIds: [id(50)] });
    expect(reaches(tech, ticket({ dept: 50 }))).toBe(false);
    expect(reaches(tech, ticket({ dept: 50, owner: 1 }))).toBe(true);
    expect(reaches(tech, ticket({ dept: 50, requester: 1 }))).toBe(false);
  });

  it('reach a customer through their own tickets, and their organization’s only when it shares', () => {
    const sharing = actor({ organizationId: id(70), orgSharesTickets: true });
    const private_ = actor({ organizationId: id(70), orgSharesTickets: false });
    expect(reaches(sharing, ticket({ dept: 50, requester: 1 }))).toBe(true);
    expect(reaches(sharing, ticket({ dept: 50, requester: 2, org: 70 }))).toBe(true);
    expect(reaches(private_, ticket({ dept: 50, requester: 1, org: 70 }))).toBe(true);
    expect(reaches(private_, ticket({ dept: 50, requester: 2, org: 70 }))).toBe(false);
    // A customer is never reached through an owner or department key, even one equal to their id.
    expect(reaches(sharing, parsePoke(`${ownerKey(id(1))} ${departmentKey(id(1))}`))).toBe(false);
  });

  it('reach everyone with "*", and nobody but admins with an empty or foreign payload', () => {
    expect(parsePoke('*')).toBe('all');
    expect(reaches(actor({ role: 'technician' }), parsePoke('*'))).toBe(true);
    for (const payload of ['', '   ', 'hello world', id(1)]) {
      expect(reaches(actor({ role: 'technician' }), parsePoke(payload))).toBe(false);
      expect(reaches(actor({}), parsePoke(payload))).toBe(false);
    }
  });
});
