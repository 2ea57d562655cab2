import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from './errors';
import type { Role, TicketStatus } from './schemas/enums';
import { roles, ticketStatuses } from './schemas/enums';
import type { TransitionContext } from './ticket-states';
import {
  allowedTransitions,
  assertTransition,
  canTransition,
  isReopen,
  openStatuses,
  reopenTarget,
  statusLabels,
  transitionError,
} from './ticket-states';

// An independent restatement of the spec as an edge list, so the table below is not the code checked against itself.
const edges = `
  new>open new>in_progress new>pending_customer new>pending_third_party new>attended new>resolved new>closed
  open>in_progress open>pending_customer open>pending_third_party open>attended open>resolved open>closed
  in_progress>open in_progress>pending_customer in_progress>pending_third_party in_progress>attended
  in_progress>resolved in_progress>closed
  pending_customer>new pending_customer>open pending_customer>in_progress pending_customer>pending_third_party pending_customer>attended
  pending_customer>resolved pending_customer>closed
  pending_third_party>open pending_third_party>in_progress pending_third_party>pending_customer
  pending_third_party>attended pending_third_party>resolved pending_third_party>closed
  attended>in_progress attended>pending_customer attended>pending_third_party attended>resolved attended>closed
  resolved>closed resolved>open resolved>new
  closed>open closed>new
`;
const inGraph = new Set(edges.trim().split(/\s+/));

function expected(from: TicketStatus, to: TicketStatus, ctx: TransitionContext): string | null {
  if (!inGraph.has(`${from}>${to}`)) return 'INVALID_TRANSITION';
  if (ctx.role === 'customer') {
    const own =
      ctx.isRequester &&
      (to === 'closed' ||
        ((to === 'open' || to === 'new') && ['resolved', 'closed', 'pending_customer'].includes(from)));
    if (!own) return 'TRANSITION_NOT_ALLOWED';
  }
  if (ctx.role === 'technician' && (to === 'closed' || from === 'closed')) return 'TRANSITION_NOT_ALLOWED';
  if (['open', 'in_progress', 'attended'].includes(to) && !ctx.hasOwner) return 'INVALID_TRANSITION';
  return null;
}

const contexts: TransitionContext[] = roles.flatMap((role) =>
  [true, false].flatMap((isRequester) => [true, false].map((hasOwner) => ({ role, isRequester, hasOwner }))),
);

const ctxArb = fc.record({
  role: fc.constantFrom(...roles),
  isRequester: fc.boolean(),
  hasOwner: fc.boolean(),
});
const statusArb = fc.constantFrom(...ticketStatuses);

describe('transitionError — exhaustive table', () => {
  const rows = ticketStatuses.flatMap((from) =>
    ticketStatuses.flatMap((to) => contexts.map((ctx) => [from, to, ctx] as const)),
  );

  it('covers every (from, to, role, isRequester, hasOwner) combination', () => {
    expect(rows).toHaveLength(8 * 8 * 5 * 2 * 2);
    for (const [from, to, ctx] of rows) {
      const error = transitionError(from, to, ctx);
      expect({ from, to, ctx, code: error?.code ?? null }).toEqual({ from, to, ctx, code: expected(from, to, ctx) });
    }
  });
});

describe('transitionError — key rules', () => {
  const agent: TransitionContext = { role: 'agent', isRequester: false, hasOwner: true };
  const tech: TransitionContext = { role: 'technician', isRequester: false, hasOwner: true };
  const customer: TransitionContext = { role: 'customer', isRequester: true, hasOwner: true };

  it('refuses same-state moves as INVALID_TRANSITION', () => {
    for (const s of ticketStatuses) {
      const error = transitionError(s, s, agent);
      expect(error?.code).toBe('INVALID_TRANSITION');
      expect(error?.details).toEqual({ from: s, to: s, reason: 'SAME_STATE' });
    }
  });

  it('refuses moves outside the graph', () => {
    expect(transitionError('closed', 'resolved', agent)?.details).toEqual({
      from: 'closed',
      to: 'resolved',
      reason: 'NOT_IN_GRAPH',
    });
    expect(transitionError('attended', 'open', agent)?.code).toBe('INVALID_TRANSITION');
    expect(transitionError('resolved', 'in_progress', agent)?.code).toBe('INVALID_TRANSITION');
    expect(transitionError('open', 'new', agent)?.code).toBe('INVALID_TRANSITION');
  });

  it('requires an owner for open, in_progress and attended', () => {
    const unowned = { ...agent, hasOwner: false };
    for (const to of ['open', 'in_progress', 'attended'] as const) {
      const error = transitionError('new', to, unowned);
      expect(error?.code).toBe('INVALID_TRANSITION');
      expect(error?.details).toEqual({ from: 'new', to, reason: 'OWNER_REQUIRED' });
    }
    expect(canTransition('new', 'pending_third_party', unowned)).toBe(true);
    expect(canTransition('new', 'closed', unowned)).toBe(true);
  });

  it('lets a customer close their own ticket from any non-closed state', () => {
    for (const from of ticketStatuses.filter((s) => s !== 'closed')) {
      expect(canTransition(from, 'closed', customer)).toBe(true);
      const error = transitionError(from, 'closed', { ...customer, isRequester: false });
      expect(error?.code).toBe('TRANSITION_NOT_ALLOWED');
      expect(error?.details).toMatchObject({ reason: 'NOT_REQUESTER' });
    }
  });

  it('lets a customer reopen and answer, and nothing else', () => {
    expect(canTransition('resolved', 'open', customer)).toBe(true);
    expect(canTransition('closed', 'open', customer)).toBe(true);
    expect(canTransition('pending_customer', 'open', customer)).toBe(true);
    expect(transitionError('pending_third_party', 'open', customer)?.details).toMatchObject({
      reason: 'ROLE_NOT_ALLOWED',
    });
    expect(allowedTransitions('in_progress', customer)).toEqual(['closed']);
    expect(allowedTransitions('pending_customer', customer)).toEqual(['new', 'open', 'closed']);
    // An unowned ticket reopens into the queue rather than to nobody.
    expect(canTransition('closed', 'new', { ...customer, hasOwner: false })).toBe(true);
    expect(canTransition('closed', 'open', { ...customer, hasOwner: false })).toBe(false);
  });

  it('keeps technicians from closing and from reopening closed tickets', () => {
    expect(transitionError('resolved', 'closed', tech)?.code).toBe('TRANSITION_NOT_ALLOWED');
    expect(transitionError('closed', 'open', tech)?.code).toBe('TRANSITION_NOT_ALLOWED');
    expect(canTransition('resolved', 'open', tech)).toBe(true);
    expect(allowedTransitions('open', tech)).toEqual([
      'in_progress',
      'pending_customer',
      'pending_third_party',
      'attended',
      'resolved',
    ]);
  });

  it('lets agents, supervisors and admins make any graph move', () => {
    for (const role of ['agent', 'supervisor', 'admin'] satisfies Role[]) {
      const ctx = { role, isRequester: false, hasOwner: true };
      expect(allowedTransitions('closed', ctx)).toEqual(['new', 'open']);
      expect(allowedTransitions('resolved', ctx)).toEqual(['new', 'open', 'closed']);
      expect(allowedTransitions('new', ctx)).toHaveLength(7);
    }
  });

  it('throws the same AppError from assertTransition', () => {
    expect(() => assertTransition('open', 'open', agent)).toThrow(AppError);
    try {
      assertTransition('closed', 'open', tech);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe('TRANSITION_NOT_ALLOWED');
      expect((e as AppError).details).toEqual({ from: 'closed', to: 'open', reason: 'ROLE_NOT_ALLOWED' });
    }
    expect(() => assertTransition('open', 'resolved', agent)).not.toThrow();
  });
});

describe('helpers', () => {
  it('recognizes reopens', () => {
    expect(isReopen('resolved', 'open')).toBe(true);
    expect(isReopen('closed', 'open')).toBe(true);
    expect(isReopen('closed', 'new')).toBe(true);
    expect(reopenTarget(true)).toBe('open');
    expect(reopenTarget(false)).toBe('new');
    expect(isReopen('pending_customer', 'open')).toBe(false);
    expect(isReopen('closed', 'in_progress')).toBe(false);
  });

  it('lists active statuses', () => {
    expect(openStatuses).not.toContain('resolved');
    expect(openStatuses).not.toContain('closed');
    expect(openStatuses).toHaveLength(ticketStatuses.length - 2);
  });

  it('labels every status in both languages', () => {
    expect(statusLabels.attended.es).toBe('Atendido');
    expect(statusLabels.in_progress.es).toBe('En curso');
    for (const s of ticketStatuses) {
      expect(statusLabels[s].es).not.toBe('');
      expect(statusLabels[s].en).not.toBe('');
    }
  });
});

describe('properties', () => {
  it('exactly one of canTransition / transitionError holds', () => {
    fc.assert(
      fc.property(statusArb, statusArb, ctxArb, (from, to, ctx) => {
        expect(canTransition(from, to, ctx)).toBe(transitionError(from, to, ctx) === null);
      }),
    );
  });

  it('allowedTransitions agrees with canTransition and never contains the current status', () => {
    fc.assert(
      fc.property(statusArb, ctxArb, (from, ctx) => {
        const allowed = allowedTransitions(from, ctx);
        expect(allowed).not.toContain(from);
        for (const to of ticketStatuses) expect(allowed.includes(to)).toBe(canTransition(from, to, ctx));
      }),
    );
  });

  it('agents can do whatever customers and technicians can; agent, supervisor and admin are equal', () => {
    fc.assert(
      fc.property(statusArb, statusArb, ctxArb, (from, to, ctx) => {
        const agent = canTransition(from, to, { ...ctx, role: 'agent' });
        if (canTransition(from, to, ctx)) expect(agent).toBe(true);
        if (ctx.role !== 'customer' && ctx.role !== 'technician') expect(canTransition(from, to, ctx)).toBe(agent);
      }),
    );
  });
});
