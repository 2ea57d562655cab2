import { describe, expect, it } from 'vitest';
import { inQueue, keepOrder, SLA_WARNING_SHARE, sitesWithin, slaCountdown, sortQueue } from './queue';
import type { Priority, TicketStatus } from './values';

const H = 60 * 60 * 1000;
const opened = Date.parse('2026-12-01T08:00:00.000Z');
const at = (ms: number) => new Date(ms).toISOString();

function ticket(over: Partial<Parameters<typeof slaCountdown>[0] & { priority: Priority; id: string }> = {}) {
  return {
    id: 'a',
    number: 'T-000001',
    status: 'open' as TicketStatus,
    priority: 'P3' as Priority,
    createdAt: at(opened),
    firstResponseDueAt: at(opened + 10 * H),
    firstResponseAt: null as string | null,
    resolutionDueAt: at(opened + 100 * H),
    resolvedAt: null as string | null,
    ...over,
  };
}

describe('slaCountdown', () => {
  it('counts down to the first response until someone answered, then to the resolution', () => {
    expect(slaCountdown(ticket(), opened + 2 * H)).toEqual({
      target: 'firstResponse',
      dueAt: opened + 10 * H,
      remainingMs: 8 * H,
      level: 'ok',
    });
    const answered = ticket({ firstResponseAt: at(opened + H) });
    expect(slaCountdown(answered, opened + 2 * H)).toEqual({
      target: 'resolution',
      dueAt: opened + 100 * H,
      remainingMs: 98 * H,
      level: 'ok',
    });
  });

  it('turns to warning at 80 % of the span from opening to due, and to breached after the due time', () => {
    expect(SLA_WARNING_SHARE).toBe(0.8);
    expect(slaCountdown(ticket(), opened + 8 * H - 1)?.level).toBe('ok');
    expect(slaCountdown(ticket(), opened + 8 * H)?.level).toBe('warning');
    // Due exactly now still runs; a millisecond later it is breached, with the overdue time negative.
    expect(slaCountdown(ticket(), opened + 10 * H)).toMatchObject({ level: 'warning', remainingMs: 0 });
    expect(slaCountdown(ticket(), opened + 15 * H)).toMatchObject({ level: 'breached', remainingMs: -5 * H });
    expect(slaCountdown(ticket(), opened + 8 * H, 0.5)?.level).toBe('warning');
  });

  it('shows no clock for a ticket no longer open, with no targets, or with both done', () => {
    expect(slaCountdown(ticket({ status: 'resolved' }), opened)).toBeNull();
    expect(slaCountdown(ticket({ status: 'closed' }), opened)).toBeNull();
    expect(slaCountdown(ticket({ firstResponseDueAt: null, resolutionDueAt: null }), opened)).toBeNull();
    expect(
      slaCountdown(ticket({ firstResponseAt: at(opened + H), resolvedAt: at(opened + 2 * H), status: 'open' }), opened),
    ).toBeNull();
    // No first-response target but a resolution one: the resolution counts.
    expect(slaCountdown(ticket({ firstResponseDueAt: null }), opened)?.target).toBe('resolution');
  });
});

describe('inQueue', () => {
  const row = (over: Partial<Parameters<typeof inQueue>[0]> = {}) => ({
    status: 'open' as TicketStatus,
    departmentId: 'd1',
    priority: 'P2' as Priority,
    ownerId: null as string | null,
    organizationId: 'acme' as string | null,
    siteId: 's-ccs' as string | null,
    equipmentId: 'e1' as string | null,
    ...over,
  });
  const base = { state: 'open', owner: 'any' } as const;

  it('holds open states by default, closed or all on request, or one state', () => {
    expect(inQueue(row(), base, 'me-id')).toBe(true);
    expect(inQueue(row({ status: 'pending_customer' }), base, 'u')).toBe(true);
    expect(inQueue(row({ status: 'closed' }), base, 'u')).toBe(false);
    expect(inQueue(row({ status: 'resolved' }), base, 'u')).toBe(false);
    expect(inQueue(row({ status: 'resolved' }), { ...base, state: 'closed' }, 'u')).toBe(true);
    expect(inQueue(row({ status: 'open' }), { ...base, state: 'closed' }, 'u')).toBe(false);
    expect(inQueue(row({ status: 'closed' }), { ...base, state: 'all' }, 'u')).toBe(true);
    expect(inQueue(row({ status: 'attended' }), { ...base, state: 'attended' }, 'u')).toBe(true);
    expect(inQueue(row({ status: 'open' }), { ...base, state: 'attended' }, 'u')).toBe(false);
  });

  it('filters by department, priority and owner: me, unassigned or one person', () => {
    expect(inQueue(row(), { ...base, departmentId: 'd2' }, 'u')).toBe(false);
    expect(inQueue(row(), { ...base, departmentId: 'd1' }, 'u')).toBe(true);
    expect(inQueue(row(), { ...base, priority: 'P1' }, 'u')).toBe(false);
    expect(inQueue(row(), { ...base, priority: 'P2' }, 'u')).toBe(true);
    expect(inQueue(row({ ownerId: 'u' }), { ...base, owner: 'me' }, 'u')).toBe(true);
    expect(inQueue(row({ ownerId: 'v' }), { ...base, owner: 'me' }, 'u')).toBe(false);
    expect(inQueue(row(), { ...base, owner: 'me' }, 'u')).toBe(false);
    expect(inQueue(row(), { ...base, owner: 'none' }, 'u')).toBe(true);
    expect(inQueue(row({ ownerId: 'v' }), { ...base, owner: 'none' }, 'u')).toBe(false);
    expect(inQueue(row({ ownerId: 'v' }), { ...base, owner: 'v' }, 'u')).toBe(true);
    expect(inQueue(row({ ownerId: 'u' }), { ...base, owner: 'v' }, 'u')).toBe(false);
  });

  it('narrows to my departments, an organization, a set of sites or one piece of equipment', () => {
    expect(inQueue(row(), { ...base, departmentIds: ['d2', 'd1'] }, 'u')).toBe(true);
    expect(inQueue(row(), { ...base, departmentIds: ['d2'] }, 'u')).toBe(false);
    expect(inQueue(row(), { ...base, departmentIds: [] }, 'u')).toBe(false);
    expect(inQueue(row(), { ...base, organizationId: 'acme' }, 'u')).toBe(true);
    expect(inQueue(row({ organizationId: null }), { ...base, organizationId: 'acme' }, 'u')).toBe(false);
    expect(inQueue(row(), { ...base, siteIds: new Set(['s-ccs']) }, 'u')).toBe(true);
    expect(inQueue(row(), { ...base, siteIds: new Set(['s-bog']) }, 'u')).toBe(false);
    expect(inQueue(row({ siteId: null }), { ...base, siteIds: new Set(['s-ccs']) }, 'u')).toBe(false);
    expect(inQueue(row(), { ...base, equipmentId: 'e1' }, 'u')).toBe(true);
    expect(inQueue(row(), { ...base, equipmentId: 'e2' }, 'u')).toBe(false);
  });
});

describe('sitesWithin', () => {
  // Children listed before their parents, to show the order does not matter.
  const regions = [
    { id: 'ccs', parentId: 've' },
    { id: 've', parentId: 'world' },
    { id: 'co', parentId: 'world' },
    { id: 'world', parentId: null },
  ];
  const sites = [
    { id: 's-ccs', regionId: 'ccs' },
    { id: 's-ve', regionId: 've' },
    { id: 's-bog', regionId: 'co' },
  ];

  it("holds a region's own sites and those of every region under it", () => {
    expect([...sitesWithin('ve', regions, sites)].sort()).toEqual(['s-ccs', 's-ve']);
    expect([...sitesWithin('ccs', regions, sites)]).toEqual(['s-ccs']);
    expect([...sitesWithin('world', regions, sites)].sort()).toEqual(['s-bog', 's-ccs', 's-ve']);
    expect([...sitesWithin('nowhere', regions, sites)]).toEqual([]);
  });
});

describe('sortQueue', () => {
  const now = opened + 20 * H;
  const first = ticket({ id: 'p3-early', priority: 'P3', createdAt: at(opened) });
  const later = ticket({ id: 'p3-late', priority: 'P3', createdAt: at(opened + H) });
  const urgent = ticket({ id: 'p1', priority: 'P1', createdAt: at(opened + 2 * H) });
  const overdue = ticket({
    id: 'overdue',
    priority: 'P4',
    createdAt: at(opened + 3 * H),
    firstResponseDueAt: at(opened + 4 * H),
  });
  const noTarget = ticket({ id: 'none', priority: 'P1', firstResponseDueAt: null, resolutionDueAt: null });

  it('orders by priority, then first come, first served', () => {
    const ids = sortQueue([later, overdue, first, urgent], 'arrival', now).map((t) => t.id);
    expect(ids).toEqual(['p1', 'p3-early', 'p3-late', 'overdue']);
  });

  it('orders by the nearest running target, the most overdue first, those without one last', () => {
    const ids = sortQueue([noTarget, later, urgent, first, overdue], 'due', now).map((t) => t.id);
    // first, later and urgent share a first-response due time: priority, then arrival, breaks the tie.
    expect(ids).toEqual(['overdue', 'p1', 'p3-early', 'p3-late', 'none']);
  });
});

describe('keepOrder', () => {
  it('keeps the rows the viewer sees where they are, new ones after, gone ones gone', () => {
    const rows = ['c', 'a', 'new', 'b'].map((id) => ({ id }));
    expect(keepOrder(['a', 'b', 'gone', 'c'], rows).map((r) => r.id)).toEqual(['a', 'b', 'c', 'new']);
    expect(keepOrder([], rows).map((r) => r.id)).toEqual(['c', 'a', 'new', 'b']);
  });
});
