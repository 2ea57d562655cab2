import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PriorityMatrix } from './priority';
import {
  computePriority,
  defaultPriorityMatrix,
  priorityMatrixSchema,
  severityDefinitions,
  urgencyDefinitions,
} from './priority';
import { levels, priorities } from './schemas/enums';

describe('default matrix', () => {
  it('matches the agreed table (rows severity, columns urgency)', () => {
    const table = levels.map((s) => levels.map((u) => computePriority(s, u)).join(' '));
    expect(table).toEqual(['P1 P1 P2 P2', 'P1 P2 P2 P3', 'P2 P3 P3 P4', 'P3 P3 P4 P4']);
  });

  it('never ranks a more severe or more urgent case lower', () => {
    const level = fc.integer({ min: 0, max: 3 });
    fc.assert(
      fc.property(level, level, level, level, (s1, u1, s2, u2) => {
        // Index 0 is critical, so a smaller index on both axes must not give a larger P-number.
        fc.pre(s1 <= s2 && u1 <= u2);
        const p1 = priorities.indexOf(computePriority(levels[s1]!, levels[u1]!));
        const p2 = priorities.indexOf(computePriority(levels[s2]!, levels[u2]!));
        expect(p1).toBeLessThanOrEqual(p2);
      }),
    );
  });
});

describe('custom matrices', () => {
  it('uses the matrix it is given', () => {
    const allP4 = Object.fromEntries(
      levels.map((s) => [s, Object.fromEntries(levels.map((u) => [u, 'P4']))]),
    ) as PriorityMatrix;
    expect(computePriority('critical', 'critical', allP4)).toBe('P4');
  });

  it('validates a full matrix only', () => {
    expect(priorityMatrixSchema.parse(defaultPriorityMatrix)).toEqual(defaultPriorityMatrix);
    const { low: _, ...missingRow } = defaultPriorityMatrix;
    expect(priorityMatrixSchema.safeParse(missingRow).success).toBe(false);
    const { low: __, ...missingCell } = defaultPriorityMatrix.high;
    expect(priorityMatrixSchema.safeParse({ ...defaultPriorityMatrix, high: missingCell }).success).toBe(false);
    const badCell = { ...defaultPriorityMatrix, high: { ...defaultPriorityMatrix.high, low: 'P5' } };
    expect(priorityMatrixSchema.safeParse(badCell).success).toBe(false);
    expect(
      priorityMatrixSchema.safeParse({ ...defaultPriorityMatrix, extreme: defaultPriorityMatrix.low }).success,
    ).toBe(false);
  });
});

describe('definitions', () => {
  it('defines every level in Spanish (seed 003) and English', () => {
    for (const l of levels) {
      for (const defs of [severityDefinitions, urgencyDefinitions]) {
        expect(defs[l].es.length).toBeGreaterThan(20);
        expect(defs[l].en.length).toBeGreaterThan(20);
      }
    }
    expect(severityDefinitions.critical.es).toBe(
      'La plataforma tecnológica está caída o hay un impacto crítico en las operaciones del negocio.',
    );
    expect(urgencyDefinitions.low.es).toContain('según el nivel de servicio acordado (SLA)');
  });
});
