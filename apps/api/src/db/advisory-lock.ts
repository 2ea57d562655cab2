import postgres from 'postgres';

export interface AdvisoryLock {
  /** False once the lock's connection is gone: Postgres dropped the lock with the session. */
  held(): Promise<boolean>;
  /** Unlocks and closes the connection; safe to call twice. */
  release(): Promise<void>;
}

/**
 * A session-level Postgres advisory lock on `hashtext(key)`, so one process of many does a job
 * (reads a mailbox, say). It lives on a dedicated connection because a pooled one would hand the
 * session, and the lock, to unrelated queries. Null when another session holds it.
 *
 * Without a database URL the database is an embedded PGlite, which one process owns: the lock is
 * always granted.
 */
export async function tryAdvisoryLock(databaseUrl: string | undefined, key: string): Promise<AdvisoryLock | null> {
  if (!databaseUrl) return { held: async () => true, release: async () => {} };

  let closed = false;
  let released = false;
  const sql = postgres(databaseUrl, {
    max: 1,
    onnotice: () => {},
    // postgres.js recycles connections after 30–60 min by default, which would silently drop the lock
    // (idle_timeout is off by default).
    max_lifetime: null,
    onclose: () => {
      closed = true;
    },
  });
  const end = () => sql.end({ timeout: 5 }).catch(() => {});

  let pid: number;
  try {
    const [row] = await sql<{ locked: boolean; pid: number }[]>`
      select pg_try_advisory_lock(hashtext(${key})) as locked, pg_backend_pid() as pid`;
    if (!row?.locked) {
      await end();
      return null;
    }
    pid = row.pid;
  } catch (err) {
    await end();
    throw err;
  }

  return {
    held: async () => {
      if (closed || released) return false;
      try {
        // postgres.js reconnects transparently: a new backend pid means a new session without the lock.
        const [row] = await within(5_000, sql<{ pid: number }[]>`select pg_backend_pid() as pid`);
        return !closed && row?.pid === pid;
      } catch {
        return false;
      }
    },
    release: async () => {
      if (released) return;
      released = true;
      // Ending the session would drop the lock too, but only once the backend exits: unlock first so a
      // waiting process can take over at once. A dead connection gets no graceful goodbye.
      if (!closed) await within(2_000, sql`select pg_advisory_unlock(hashtext(${key}))`).catch(() => {});
      await sql.end({ timeout: closed ? 0 : 2 }).catch(() => {});
    },
  };
}

/** A query on a connection that died silently would wait forever. */
function within<T>(ms: number, work: PromiseLike<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Postgres within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
