import { describe, expect, it } from 'vitest';
import { assignmentPatch, mayHandOver, nextTier, ownerCandidates, serviceDeskAgent } from './assignment';
import { AppError } from './errors';

const agent = { id: 'a', role: 'agent' as const };
const tech = { id: 't', role: 'technician' as const };
const fresh = { status: 'new' as const, ownerId: null, supportTier: 1 as const };

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof AppError ? e.code : 'not an AppError';
  }
  return null;
};

describe('assignmentPatch', () => {
  it('opens a new ticket when someone takes it and returns an open one to the queue as new', () => {
    expect(assignmentPatch(fresh, { ownerId: 'a' }, agent, { role: 'agent' })).toEqual({
      ownerId: 'a',
      status: 'open',
    });
    const open = { ...fresh, status: 'open' as const, ownerId: 'a' };
    expect(assignmentPatch(open, { ownerId: null }, agent, undefined)).toEqual({ ownerId: null, status: 'new' });
    const working = { ...fresh, status: 'in_progress' as const, ownerId: 'a' };
    expect(assignmentPatch(working, { ownerId: 't' }, agent, { role: 'technician' })).toEqual({ ownerId: 't' });
  });

  it('changes only what differs: the same owner or tier is no change', () => {
    const open = { ...fresh, status: 'open' as const, ownerId: 'a' };
    expect(assignmentPatch(open, { ownerId: 'a', supportTier: 1 }, agent, { role: 'agent' })).toEqual({});
    expect(assignmentPatch(open, { supportTier: 2 }, agent, undefined)).toEqual({ supportTier: 2 });
  });

  it('refuses customers, a technician on someone else’s ticket, unknown owners and owners who are no staff', () => {
    expect(codeOf(() => assignmentPatch(fresh, { supportTier: 2 }, { id: 'c', role: 'customer' }, undefined))).toBe(
      'FORBIDDEN',
    );
    const others = { ...fresh, status: 'open' as const, ownerId: 'x' };
    expect(codeOf(() => assignmentPatch(others, { ownerId: 'a' }, tech, { role: 'agent' }))).toBe('FORBIDDEN');
    const own = { ...others, ownerId: 't' };
    expect(assignmentPatch(own, { ownerId: 'a' }, tech, { role: 'agent' })).toEqual({ ownerId: 'a' });
    expect(codeOf(() => assignmentPatch(fresh, { ownerId: 'z' }, agent, null))).toBe('REFERENCE_NOT_FOUND');
    expect(codeOf(() => assignmentPatch(fresh, { ownerId: 'c' }, agent, { role: 'customer' }))).toBe(
      'VALIDATION_FAILED',
    );
  });

  it('knows who may hand over and the next tier', () => {
    expect(mayHandOver({ id: 's', role: 'supervisor' }, { ownerId: null })).toBe(true);
    expect(mayHandOver(tech, { ownerId: null })).toBe(false);
    expect([nextTier(1), nextTier(2), nextTier(3)]).toEqual([2, 3, null]);
  });
});

describe('owner choices', () => {
  const person = (
    id: string,
    name: string,
    role: 'agent' | 'supervisor' | 'technician' | 'customer',
    ...d: string[]
  ) => ({
    id,
    name,
    role,
    departmentIds: d,
  });
  const staff = [
    person('z', 'Zoe', 'agent', 'sys', 'desk'),
    person('b', 'Beto', 'agent', 'desk'),
    person('c', 'Carmen', 'supervisor'),
    person('a', 'Ana', 'agent', 'sys'),
    person('x', 'Xavi', 'customer', 'sys'),
  ];

  it("offers the department's staff first, then the rest, by name, and never a customer", () => {
    const { department, others } = ownerCandidates(staff, 'sys');
    expect(department.map((s) => s.id)).toEqual(['a', 'z']);
    expect(others.map((s) => s.id)).toEqual(['b', 'c']);
  });

  it("returns a ticket to the latest service-desk agent who owned it, else the desk's first by name", () => {
    expect(serviceDeskAgent(staff, 'desk', ['z', 'a', 'b', 'a'])?.id).toBe('b');
    expect(serviceDeskAgent(staff, 'desk', ['a', 'z'])?.id).toBe('z');
    expect(serviceDeskAgent(staff, 'desk', [])?.id).toBe('b');
    expect(serviceDeskAgent(staff, 'nobody', ['a'])).toBeUndefined();
  });
});
