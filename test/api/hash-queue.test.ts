import { hashQueue } from '@mesa/api/services/password';
import { AppError } from '@mesa/core';
import { describe, expect, it } from 'vitest';

describe('errors', () => {
  it('runs at most `concurrency` hashes at once, queues `maxWaiting`, and refuses the rest with SERVER_BUSY', async () => {
    const queue = hashQueue(1, 2);
    let running = 0;
    let peak = 0;
    const releases: Array<() => void> = [];
    const job = () =>
      queue.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
        return 'hashed';
      });
    const accepted = [job(), job(), job()];
    const refused = await job().then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'SERVER_BUSY', details: { retryAfterSeconds: 2 } });
    // Let the three accepted ones finish, one at a time.
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(releases).toHaveLength(i + 1);
      releases[i]!();
    }
    expect(await Promise.all(accepted)).toEqual(['hashed', 'hashed', 'hashed']);
    expect(peak).toBe(1);
    // Once drained, it takes work again.
    const again = job();
    await new Promise((resolve) => setTimeout(resolve, 5));
    releases[3]!();
    expect(await again).toBe('hashed');
  });
});
