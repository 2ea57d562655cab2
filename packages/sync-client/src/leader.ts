/** The part of the Web Locks API the client needs (navigator.locks, or MemoryLocks outside browsers). */
export interface LockManagerLike {
  request(name: string, callback: (lock: unknown) => Promise<unknown>): Promise<unknown>;
}

/**
 * Waits for the named lock and calls `onLeader` while holding it: one tab per user syncs, and when that
 * tab closes (or calls the returned release) the next waiting tab becomes the leader. Without Web Locks
 * every instance leads (the server's ledger still keeps pushes exactly-once).
 */
export function holdLeadership(locks: LockManagerLike | undefined, name: string, onLeader: () => void): () => void {
  if (!locks) {
    onLeader();
    return () => {};
  }
  let release: () => void = () => {};
  let released = false;
  const held = new Promise<void>((resolve) => {
    release = () => {
      released = true;
      resolve();
    };
  });
  void locks.request(name, async () => {
    if (released) return;
    onLeader();
    await held;
  });
  return release;
}

/** Web Locks semantics in memory (exclusive, FIFO), for tests and runtimes without navigator.locks. */
export class MemoryLocks implements LockManagerLike {
  private readonly queues = new Map<string, Array<() => void>>();

  request(name: string, callback: (lock: unknown) => Promise<unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const run = async () => {
        try {
          resolve(await callback({ name }));
        } catch (error) {
          reject(error);
        } finally {
          const queue = this.queues.get(name) ?? [];
          queue.shift();
          if (queue.length) queue[0]?.();
          else this.queues.delete(name);
        }
      };
      const queue = this.queues.get(name);
      if (queue) queue.push(run);
      else {
        this.queues.set(name, [run]);
        void run();
      }
    });
  }
}
