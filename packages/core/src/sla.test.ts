import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { businessMinutesBetween, officeHours } from './calendar';
import type { SlaPolicy } from './sla';
import {
  computeDueTimes,
  defaultSlaPolicy,
  elapsedBusinessMinutes,
  resolutionDueWithPauses,
  slaPolicySchema,
} from './sla';
import { slaState, ticketSlaState } from './sla-state';

const caracas = officeHours('America/Caracas');
const at = (s: string): Date => new Date(s);
const iso = (d: Date | null): string | null => d?.toISOString() ?? null;
// Friday 2025-06-06 16:00 in Caracas (UTC−4).
const friday4pm = at('2025-06-06T16:00:00-04:00');

describe('policy', () => {
  it('the default policy is valid and matches seed 002', () => {
    expect(slaPolicySchema.parse(defaultSlaPolicy)).toEqual(defaultSlaPolicy);
    expect(defaultSlaPolicy.P1).toEqual({ firstResponseMinutes: 120, resolutionMinutes: 480, clock: 'calendar' });
    // One business day of the default office hours.
    expect(businessMinutesBetween(caracas, at('2025-06-09T00:00:00-04:00'), at('2025-06-10T00:00:00-04:00'))).toBe(
      defaultSlaPolicy.P2.firstResponseMinutes,
    );
  });

  it('rejects incomplete or inconsistent policies', () => {
    const { P4: _, ...missing } = defaultSlaPolicy;
    expect(slaPolicySchema.safeParse(missing).success).toBe(false);
    const bad = (P1: unknown) => slaPolicySchema.safeParse({ ...defaultSlaPolicy, P1 }).success;
    expect(bad({ firstResponseMinutes: -1, resolutionMinutes: 480, clock: 'calendar' })).toBe(false);
    expect(bad({ firstResponseMinutes: 500, resolutionMinutes: 480, clock: 'calendar' })).toBe(false);
    expect(bad({ firstResponseMinutes: 120, resolutionMinutes: 480, clock: 'wall' })).toBe(false);
    expect(bad({ firstResponseMinutes: 1.5, resolutionMinutes: 480, clock: 'calendar' })).toBe(false);
  });
});

describe('computeDueTimes', () => {
  it('P1 runs on the wall clock, through the night', () => {
    const due = computeDueTimes(defaultSlaPolicy, 'P1', caracas, friday4pm);
    expect(iso(due.firstResponseDueAt)).toBe('2025-06-06T22:00:00.000Z');
    expect(iso(due.resolutionDueAt)).toBe('2025-06-07T04:00:00.000Z');
  });

  it('P2–P4 run on business hours', () => {
    // Friday 16:00–17:30 gives 90 minutes; the rest falls on the following business days.
    const p2 = computeDueTimes(defaultSlaPolicy, 'P2', caracas, friday4pm);
    expect(iso(p2.firstResponseDueAt)).toBe('2025-06-09T20:00:00.000Z'); // Mon 16:00
    expect(iso(p2.resolutionDueAt)).toBe('2025-06-11T20:00:00.000Z'); // Wed 16:00
    const p4 = computeDueTimes(defaultSlaPolicy, 'P4', caracas, friday4pm);
    expect(iso(p4.resolutionDueAt)).toBe('2025-06-20T20:00:00.000Z'); // ten business days later
  });
});

describe('elapsedBusinessMinutes', () => {
  it('sums running intervals on the chosen clock, counting overlaps once', () => {
    const intervals = [
      { from: at('2025-06-06T17:00:00-04:00'), to: at('2025-06-09T09:00:00-04:00') },
      { from: at('2025-06-09T08:30:00-04:00'), to: at('2025-06-09T10:00:00-04:00') },
      { from: at('2025-06-09T12:00:00-04:00'), to: at('2025-06-09T11:00:00-04:00') }, // inverted: ignored
    ];
    expect(elapsedBusinessMinutes(caracas, 'business', intervals)).toBe(30 + 120);
    expect(elapsedBusinessMinutes(caracas, 'calendar', intervals)).toBe(65 * 60);
    expect(elapsedBusinessMinutes(caracas, 'business', [])).toBe(0);
  });
});

describe('resolutionDueWithPauses', () => {
  const created = at('2025-06-09T08:00:00-04:00'); // Monday opening
  const plain = computeDueTimes(defaultSlaPolicy, 'P2', caracas, created).resolutionDueAt;
  const due = (pauses: Array<{ from: Date; to: Date | null }>, priority: 'P1' | 'P2' = 'P2') =>
    iso(resolutionDueWithPauses(defaultSlaPolicy, priority, caracas, created, pauses));

  it('equals the plain due time without pauses', () => {
    expect(iso(plain)).toBe('2025-06-11T21:30:00.000Z'); // three full business days: Wed 17:30
    expect(due([])).toBe(iso(plain));
  });

  it('pushes the due time by the business time spent paused', () => {
    const pause = { from: at('2025-06-09T09:00:00-04:00'), to: at('2025-06-09T11:00:00-04:00') };
    expect(due([pause])).toBe('2025-06-12T14:00:00.000Z'); // Thu 10:00
    // Paused over the weekend only: no business time lost.
    expect(due([{ from: at('2025-06-07T09:00:00-04:00'), to: at('2025-06-08T11:00:00-04:00') }])).toBe(iso(plain));
    // Overlapping pauses count once; a pause starting before creation counts from creation.
    const overlapping = { from: at('2025-06-09T07:00:00-04:00'), to: at('2025-06-09T10:00:00-04:00') };
    expect(due([pause, overlapping])).toBe('2025-06-12T15:00:00.000Z'); // 08:00–11:00 paused → Thu 11:00
  });

  it('uses wall-clock time for calendar-clock priorities', () => {
    const pause = { from: at('2025-06-09T09:00:00-04:00'), to: at('2025-06-09T09:30:00-04:00') };
    expect(due([pause], 'P1')).toBe('2025-06-09T20:30:00.000Z'); // 08:00 + 8 h + 30 min
  });

  it('returns null while the clock is stopped by an open pause', () => {
    expect(due([{ from: at('2025-06-10T09:00:00-04:00'), to: null }])).toBeNull();
    // A closed pause that runs into the open one keeps the clock stopped.
    expect(
      due([
        { from: at('2025-06-09T10:00:00-04:00'), to: at('2025-06-10T12:00:00-04:00') },
        { from: at('2025-06-10T11:00:00-04:00'), to: null },
      ]),
    ).toBeNull();
  });

  it('keeps a breach: pausing after the due time does not move it', () => {
    expect(due([{ from: at('2025-06-12T09:00:00-04:00'), to: null }])).toBe(iso(plain));
    expect(due([{ from: at('2025-06-12T09:00:00-04:00'), to: at('2025-06-13T09:00:00-04:00') }])).toBe(iso(plain));
    expect(due([{ from: plain, to: null }])).toBe(iso(plain));
  });
});

describe('slaState', () => {
  const dueAt = at('2025-06-09T12:00:00Z');
  it('covers every state, with the due instant itself still in time', () => {
    expect(slaState(null, null, dueAt)).toBe('none');
    expect(slaState(dueAt, at('2025-06-09T11:00:00Z'), dueAt)).toBe('met');
    expect(slaState(dueAt, dueAt, dueAt)).toBe('met');
    expect(slaState(dueAt, at('2025-06-09T12:00:00.001Z'), dueAt)).toBe('breached');
    expect(slaState(dueAt, null, dueAt)).toBe('running');
    expect(slaState(dueAt, null, at('2025-06-09T12:00:00.001Z'))).toBe('breached');
  });
});

describe('properties', () => {
  const policy: SlaPolicy = defaultSlaPolicy;
  const base = Date.parse('2025-03-03T00:00:00Z');
  const day = 86_400_000;
  const instant = fc.integer({ min: base, max: base + 60 * day });
  const pauseArb = fc.tuple(instant, fc.integer({ min: 0, max: 5 * day })).map(([from, len]) => ({
    from: new Date(from),
    to: new Date(from + len),
  }));
  const calArb = fc.constantFrom(officeHours('America/New_York'), officeHours('Europe/Madrid', '09:00', '18:00'));
  const priorityArb = fc.constantFrom('P1', 'P2', 'P3', 'P4' as const);

  it('running time between creation and the due time equals the target', () => {
    fc.assert(
      fc.property(calArb, priorityArb, instant, fc.array(pauseArb, { maxLength: 4 }), (cal, p, created, pauses) => {
        const createdAt = new Date(created);
        const due = resolutionDueWithPauses(policy, p, cal, createdAt, pauses);
        if (!due) throw new Error('closed pauses never stop the clock');
        // Running intervals = [createdAt, due] minus the pauses.
        const cuts = pauses
          .map((x) => [Math.max(x.from.getTime(), created), Math.min(x.to.getTime(), due.getTime())] as const)
          .filter(([a, b]) => b > a)
          .sort((a, b) => a[0] - b[0]);
        const running: Array<{ from: Date; to: Date }> = [];
        let cursor = created;
        for (const [a, b] of cuts) {
          if (a > cursor) running.push({ from: new Date(cursor), to: new Date(a) });
          cursor = Math.max(cursor, b);
        }
        if (due.getTime() > cursor) running.push({ from: new Date(cursor), to: due });
        const elapsed = elapsedBusinessMinutes(cal, policy[p].clock, running);
        expect(Math.abs(elapsed - policy[p].resolutionMinutes)).toBeLessThan(1e-9);
      }),
      { numRuns: 100 },
    );
  });

  it('adding a pause never brings the due time forward', () => {
    fc.assert(
      fc.property(
        calArb,
        priorityArb,
        instant,
        fc.array(pauseArb, { maxLength: 3 }),
        pauseArb,
        (cal, p, c, ps, extra) => {
          const createdAt = new Date(c);
          const before = resolutionDueWithPauses(policy, p, cal, createdAt, ps);
          const after = resolutionDueWithPauses(policy, p, cal, createdAt, [...ps, extra]);
          expect(after!.getTime()).toBeGreaterThanOrEqual(before!.getTime());
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('ticketSlaState', () => {
  const base = {
    firstResponseDueAt: '2026-03-02T10:00:00.000Z',
    firstResponseAt: null,
    resolutionDueAt: '2026-03-03T10:00:00.000Z',
    resolvedAt: null,
  };
  it('is breached when the first response is late, even while resolution still runs', () => {
    expect(ticketSlaState(base, new Date('2026-03-02T10:00:01.000Z'))).toBe('breached');
  });
  it('runs while a target is open and none was missed', () => {
    expect(ticketSlaState(base, new Date('2026-03-02T09:00:00.000Z'))).toBe('running');
    const answered = { ...base, firstResponseAt: '2026-03-02T09:30:00.000Z' };
    expect(ticketSlaState(answered, new Date('2026-03-02T12:00:00.000Z'))).toBe('running');
  });
  it('is met when both targets were kept, and none without targets', () => {
    const done = { ...base, firstResponseAt: '2026-03-02T09:30:00.000Z', resolvedAt: '2026-03-03T09:00:00.000Z' };
    expect(ticketSlaState(done, new Date('2026-04-01T00:00:00.000Z'))).toBe('met');
    const none = { firstResponseDueAt: null, firstResponseAt: null, resolutionDueAt: null, resolvedAt: null };
    expect(ticketSlaState(none, new Date())).toBe('none');
  });
});
