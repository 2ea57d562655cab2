import { describe, expect, it } from 'vitest';
import { deskAlerts } from './desk-alerts';

const H = 3_600_000;
const now = Date.parse('2026-12-04T12:00:00Z');
const iso = (offset: number) => new Date(now + offset).toISOString();
const ticket = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  status: 'new' as const,
  priority: 'P3' as const,
  departmentId: 'sys',
  ownerId: null as string | null,
  createdAt: iso(-H),
  updatedAt: iso(-H),
  firstResponseDueAt: iso(20 * H),
  firstResponseAt: null,
  resolutionDueAt: iso(40 * H),
  resolvedAt: null,
  ...over,
});
const ctx = { me: 'me', myDepartments: ['sys'], seen: {}, now };

describe('deskAlerts', () => {
  it("names new unowned tickets of my departments until I open them, never other departments' or others'", () => {
    const list = [
      ticket('a'),
      ticket('b', { departmentId: 'billing' }),
      ticket('c', { ownerId: 'you', status: 'open' }),
    ];
    expect(deskAlerts(list, ctx)).toEqual([{ ticketId: 'a', kind: 'new' }]);
    expect(deskAlerts(list, { ...ctx, seen: { a: iso(0) } })).toEqual([]);
  });

  it('names my tickets changed since I last opened them', () => {
    const mine = ticket('m', { ownerId: 'me', status: 'open', updatedAt: iso(-10 * 60_000) });
    expect(deskAlerts([mine], ctx)).toEqual([{ ticketId: 'm', kind: 'mine' }]);
    expect(deskAlerts([mine], { ...ctx, seen: { m: iso(-5 * 60_000) } })).toEqual([]);
    expect(deskAlerts([mine], { ...ctx, seen: { m: iso(-20 * 60_000) } })).toEqual([{ ticketId: 'm', kind: 'mine' }]);
  });

  it('puts a clock at 80 % or past its target first, even on a ticket I already saw', () => {
    const warning = ticket('w', { ownerId: 'me', status: 'open', createdAt: iso(-9 * H), firstResponseDueAt: iso(H) });
    const breached = ticket('x', { firstResponseDueAt: iso(-H) });
    const seen = { w: iso(0), x: iso(0) };
    expect(deskAlerts([warning, breached], { ...ctx, seen })).toEqual([
      { ticketId: 'w', kind: 'sla', level: 'warning' },
      { ticketId: 'x', kind: 'sla', level: 'breached' },
    ]);
    // Closed or deleted tickets have nothing to say.
    expect(
      deskAlerts(
        [
          { ...breached, status: 'closed' },
          { ...warning, deletedAt: iso(0) },
        ],
        ctx,
      ),
    ).toEqual([]);
  });
});
