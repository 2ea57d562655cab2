import { describe, expect, it } from 'vitest';
import { holdLeadership, MemoryLocks } from './leader';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('leadership over Web Locks semantics', () => {
  it('one leader at a time; the next waiting tab takes over when the leader closes', async () => {
    const locks = new MemoryLocks();
    const led: string[] = [];
    const releaseA = holdLeadership(locks, 'l', () => led.push('a'));
    const releaseB = holdLeadership(locks, 'l', () => led.push('b'));
    const releaseC = holdLeadership(locks, 'l', () => led.push('c'));
    await tick();
    expect(led).toEqual(['a']);
    releaseA();
    await tick();
    expect(led).toEqual(['a', 'b']);
    releaseC(); // closed while waiting: never leads
    releaseB();
    await tick();
    expect(led).toEqual(['a', 'b']);
    const releaseD = holdLeadership(locks, 'l', () => led.push('d'));
    await tick();
    expect(led).toEqual(['a', 'b', 'd']);
    releaseD();
  });

  it('without Web Locks every instance leads', () => {
    const led: number[] = [];
    holdLeadership(undefined, 'l', () => led.push(1));
    expect(led).toEqual([1]);
  });
});
