import { WorkSlots } from '@mesa/api/db/work-slots';
import { describe, expect, it } from 'vitest';

/** Two turns of the event loop: one for the freed slot's handover, one for the work it starts. */
const tick = async () => {
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
};

describe('WorkSlots', () => {
  it('runs at most `limit` at once and starts the rest in arrival order', async () => {
    const slots = new WorkSlots(2);
    const started: number[] = [];
    const release = new Map<number, () => void>();
    let peak = 0;
    const jobs = [0, 1, 2, 3, 4].map((i) =>
      slots.run(async () => {
        started.push(i);
        peak = Math.max(peak, slots.active);
        await new Promise<void>((r) => release.set(i, r));
        return i * 10;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect([slots.active, slots.queued]).toEqual([2, 3]);
    release.get(1)?.();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    for (const i of [0, 2, 3, 4]) {
      release.get(i)?.();
      await tick();
    }
    expect(await Promise.all(jobs)).toEqual([0, 10, 20, 30, 40]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect([slots.active, slots.queued]).toEqual([0, 0]);
  });

  // PGlite runs queries on the event loop: a slot passed on at once chains heavy work through microtasks and
  // no request (a health check) is even read until the whole queue is done.
  it('passes a freed slot on in a later turn of the event loop, letting waiting I/O in first', async () => {
    const slots = new WorkSlots(1);
    let release = () => {};
    const first = slots.run(
      () =>
        new Promise<void>((r) => {
          release = r;
        }),
    );
    let secondStarted = false;
    const second = slots.run(async () => {
      secondStarted = true;
    });
    await tick();
    release();
    await first;
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(secondStarted).toBe(false);
    await tick();
    expect(secondStarted).toBe(true);
    await second;
  });

  it('frees the slot of work that fails', async () => {
    const slots = new WorkSlots(1);
    await expect(slots.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await slots.run(async () => 'next')).toBe('next');
    expect(slots.active).toBe(0);
  });

  it('refuses a limit that admits nothing', () => {
    expect(() => new WorkSlots(0)).toThrow(RangeError);
  });
});
