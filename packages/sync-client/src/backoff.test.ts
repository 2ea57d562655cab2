import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BACKOFF_MAX_MS, backoffDelay } from './backoff';

describe('backoffDelay', () => {
  it('doubles from one second and never exceeds 60 s, with at least half of each step fixed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (n, r) => {
        const d = backoffDelay(n, () => r);
        const step = Math.min(BACKOFF_MAX_MS, 1000 * 2 ** (n - 1));
        expect(d).toBeGreaterThanOrEqual(step / 2);
        expect(d).toBeLessThanOrEqual(Math.min(step, BACKOFF_MAX_MS));
      }),
    );
  });

  it('spreads devices that failed together', () => {
    expect(backoffDelay(5, () => 0)).toBe(8000);
    expect(backoffDelay(5, () => 0.5)).toBe(12_000);
  });

  it('honours a longer Retry-After, still capped at 60 s', () => {
    expect(backoffDelay(1, () => 0, 30_000)).toBe(30_000);
    expect(backoffDelay(1, () => 0, 600_000)).toBe(BACKOFF_MAX_MS);
  });
});
