import { and, eq } from 'drizzle-orm';
import { ImapFlow } from 'imapflow';
import { type AdvisoryLock, tryAdvisoryLock } from '../db/advisory-lock';
import { mailboxes } from '../db/schema';
import type { IntakeFn, MailDeps } from './types';

export interface ImapTarget {
  host: string;
  port: number;
  /** imaps:// → TLS from the start; imap:// → plain (STARTTLS when the server offers it). */
  secure: boolean;
  user: string;
  pass: string;
  folder: string;
}

/** imap[s]://user:pass@host[:port][/folder]; user and password URL-decoded, folder defaults to INBOX. */
export function parseImapUrl(url: string): ImapTarget {
  // Errors never echo the URL: it carries the password.
  const invalid = (why: string) =>
    new Error(`invalid IMAP URL (${why}); expected imap[s]://user:pass@host[:port]/folder`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalid('unparsable');
  }
  if (u.protocol !== 'imap:' && u.protocol !== 'imaps:') throw invalid('scheme');
  const secure = u.protocol === 'imaps:';
  try {
    const target = {
      host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: u.port ? Number(u.port) : secure ? 993 : 143,
      secure,
      user: decodeURIComponent(u.username),
      pass: decodeURIComponent(u.password),
      folder: decodeURIComponent(u.pathname.replace(/^\/+/, '')) || 'INBOX',
    };
    if (!target.host) throw invalid('no host');
    if (!target.user) throw invalid('no user');
    return target;
  } catch (err) {
    throw err instanceof URIError ? invalid('bad %-escape') : err;
  }
}

export type ImapReaderState =
  | 'locking'
  | 'waiting-lock'
  | 'connecting'
  | 'connected'
  | 'reading'
  | 'backoff'
  | 'stopped';

export interface ImapReaderOptions {
  deps: MailDeps;
  mailbox: { id: string; name: string; url: string };
  intake: IntakeFn;
  /** Postgres URL for the cross-process lock; unset (PGlite, one process) → always the reader. */
  databaseUrl?: string | undefined;
  /**
   * Test hook, run after intake committed and before \Seen: throwing here stands for a crash in
   * that window (the message must be fed again).
   */
  afterIntake?: ((uid: number) => Promise<void>) | undefined;
  /** Reconnect backoff: base doubles per failure up to max (1 s → 60 s unless tests shrink it). */
  retry?: { baseMs?: number; maxMs?: number } | undefined;
}

export interface ImapReader {
  /** Closes cleanly: lets the message in hand finish, logs out, releases the lock. */
  stop(): Promise<void>;
  /**
   * Reads new mail now and resolves once that round settled. When not connected it cuts the
   * current wait (backoff, lock retry) short and resolves after the next attempt. Never rejects:
   * failures are logged and retried by the reader itself.
   */
  pollNow(): Promise<void>;
  readonly state: ImapReaderState;
}

class LockLost extends Error {}
class IntakeFailed extends Error {
  constructor(
    readonly uid: number,
    override readonly cause: unknown,
  ) {
    super(`intake failed for UID ${uid}`);
  }
}

// imapflow starts IDLE this long after the last command; its 15 s default would delay new mail.
const AUTO_IDLE_MS = 1_000;

/**
 * Feeds one IMAP folder to the intake, in UID order, exactly once per message as far as the
 * database can tell: the intake commits, then the message gets \Seen, then lastUid advances. A
 * crash in between re-feeds the message, which the intake dedupes on Message-ID. Only the holder
 * of the advisory lock `mesa:mailbox:<id>` reads, so several API processes can run this safely.
 */
export function startImapReader(opts: ImapReaderOptions): ImapReader {
  const { deps, mailbox, intake } = opts;
  const { db, log } = deps;
  const target = parseImapUrl(mailbox.url);
  const pollMs = deps.env.IMAP_POLL_SECONDS * 1000;
  const baseMs = opts.retry?.baseMs ?? 1_000;
  const maxMs = opts.retry?.maxMs ?? 60_000;
  const where = { mailbox: mailbox.name, host: target.host, port: target.port, folder: target.folder };

  let state: ImapReaderState = 'locking';
  let stopping = false;
  let attempt = 0;
  let client: ImapFlow | null = null;
  let enqueueRound: (() => Promise<void>) | null = null;
  let wake: () => void = () => {};
  const waiters: Array<() => void> = [];
  const settle = () => {
    for (const resolve of waiters.splice(0)) resolve();
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = () => {};
        resolve();
      }
      wake = done;
    });

  /** One pass over the new messages; throws to end the session (the loop reconnects). */
  const readNew = async (imap: ImapFlow, lock: AdvisoryLock): Promise<void> => {
    if (!(await lock.held())) throw new LockLost('lost the mailbox lock');
    // The server shows a session new mail only when it syncs it (NOOP, IDLE): a bare UID SEARCH
    // from the poll timer would miss what arrived since.
    await imap.noop();
    const box = imap.mailbox;
    if (!box) throw new Error('no folder selected');
    const uidValidity = Number(box.uidValidity);
    const [row] = await db
      .select({ uidValidity: mailboxes.uidValidity, lastUid: mailboxes.lastUid })
      .from(mailboxes)
      .where(eq(mailboxes.id, mailbox.id));
    if (!row) throw new Error(`mailbox row ${mailbox.id} is missing`);
    let lastUid = row.lastUid;
    if (row.uidValidity !== uidValidity) {
      // The server renumbered the folder: old UIDs mean nothing, so read it all again.
      if (row.uidValidity !== null) log.warn('imap reader: UIDVALIDITY changed, rereading', { ...where, uidValidity });
      await db.update(mailboxes).set({ uidValidity, lastUid: 0 }).where(eq(mailboxes.id, mailbox.id));
      lastUid = 0;
    }
    // "n:*" always matches the highest UID, even below n: filter.
    const found = await imap.search({ uid: `${lastUid + 1}:*` }, { uid: true });
    const uids = (found || []).filter((uid) => uid > lastUid).sort((a, b) => a - b);
    for (const uid of uids) {
      if (stopping) return;
      const msg = await imap.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
      const source = msg ? msg.source : undefined;
      if (source) {
        try {
          await intake(mailbox.id, source);
        } catch (err) {
          throw new IntakeFailed(uid, err);
        }
        await opts.afterIntake?.(uid);
        await imap.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
      } else {
        log.warn('imap reader: message vanished before it was read', { ...where, uid });
      }
      await db
        .update(mailboxes)
        .set({ lastUid: uid })
        .where(and(eq(mailboxes.id, mailbox.id), eq(mailboxes.uidValidity, uidValidity)));
      lastUid = uid;
    }
  };

  /** Connected, folder selected: rounds on start, on new mail (IDLE), and every poll interval. */
  const session = async (lock: AdvisoryLock): Promise<void> => {
    // stop() closes `client`; past this check it is set before anything else can await.
    if (stopping) return;
    state = 'connecting';
    const imap = new ImapFlow({
      host: target.host,
      port: target.port,
      secure: target.secure,
      auth: { user: target.user, pass: target.pass },
      logger: false,
      autoIdleDelay: AUTO_IDLE_MS,
    });
    client = imap;
    let failure: unknown = null;
    const closed = new Promise<void>((resolve) => imap.once('close', () => resolve()));
    // Without a listener an 'error' event would throw and take the process down.
    imap.on('error', (err: Error) => {
      failure ??= err;
    });
    try {
      await imap.connect();
      await imap.mailboxOpen(target.folder);
    } catch (err) {
      imap.close();
      throw err;
    }
    log.info('imap reader: connected', { ...where, idle: imap.capabilities.has('IDLE') });
    state = 'connected';

    let tail: Promise<void> = Promise.resolve();
    let queued: Promise<void> | null = null;
    const round = async () => {
      queued = null;
      if (stopping || imap.isClosed) return;
      state = 'reading';
      try {
        await readNew(imap, lock);
        attempt = 0;
      } catch (err) {
        failure ??= err;
        imap.close();
      } finally {
        if (state === 'reading') state = 'connected';
        settle();
      }
    };
    // Rounds never overlap; requests while one waits to start join it.
    enqueueRound = () => {
      if (!queued) {
        queued = tail.then(round);
        tail = queued;
      }
      return queued;
    };
    imap.on('exists', (event: { count: number; prevCount: number }) => {
      if (event.count > event.prevCount) void enqueueRound?.();
    });
    // The safety net: IDLE notifications can be lost (proxies, server bugs).
    const poll = setInterval(() => void enqueueRound?.(), pollMs);
    void enqueueRound();

    await closed;
    clearInterval(poll);
    enqueueRound = null;
    await tail;
    client = null;
    if (stopping) return;
    throw failure ?? new Error('connection closed');
  };

  const reportFailure = (err: unknown, retryInMs: number) => {
    if (err instanceof IntakeFailed) {
      log.warn('imap reader: intake failed, will retry the message', {
        ...where,
        uid: err.uid,
        error: describe(err.cause),
        retryInMs,
      });
    } else if (isAuthFailure(err)) {
      log.error('imap reader: login failed, check the mailbox credentials', { ...where, user: target.user, retryInMs });
    } else {
      log.warn('imap reader: error, reconnecting', { ...where, error: describe(err), retryInMs });
    }
  };

  const run = async (): Promise<void> => {
    let lock: AdvisoryLock | null = null;
    let standingBy = false;
    while (!stopping) {
      if (!lock) {
        state = 'locking';
        try {
          lock = await tryAdvisoryLock(opts.databaseUrl, `mesa:mailbox:${mailbox.id}`);
        } catch (err) {
          log.warn('imap reader: could not ask for the mailbox lock', { ...where, error: describe(err) });
        }
        if (!lock) {
          // Another process reads this mailbox; take over if it goes away.
          if (!standingBy) log.info('imap reader: another process reads this mailbox, standing by', where);
          standingBy = true;
          state = 'waiting-lock';
          settle();
          if (!stopping) await sleep(pollMs);
          continue;
        }
        standingBy = false;
      }
      try {
        await session(lock);
      } catch (err) {
        if (err instanceof LockLost) {
          log.warn('imap reader: lost the mailbox lock, stepping back', where);
          await lock.release();
          lock = null;
          settle();
          continue;
        }
        const delay = backoff(attempt++, baseMs, maxMs);
        if (!stopping) reportFailure(err, delay);
        settle();
        if (stopping) break;
        state = 'backoff';
        await sleep(delay);
        continue;
      }
      settle();
    }
    await lock?.release();
    state = 'stopped';
    settle();
  };

  // run() catches what it expects; anything else must not become an unhandled rejection.
  const done = run().catch((err: unknown) => {
    state = 'stopped';
    log.error('imap reader: crashed', { ...where, error: describe(err) });
  });
  let stopped: Promise<void> | null = null;

  return {
    get state() {
      return state;
    },
    pollNow: async () => {
      if (stopping) return;
      if (enqueueRound && client?.usable) return enqueueRound();
      const next = new Promise<void>((resolve) => waiters.push(resolve));
      wake();
      return next;
    },
    stop: () => {
      stopped ??= (async () => {
        stopping = true;
        wake();
        const imap = client;
        if (imap) {
          // Waits for the round in flight (it stops after the current message), then says goodbye.
          await enqueueRound?.();
          if (imap.usable) await withTimeout(imap.logout(), 5_000).catch(() => {});
          imap.close();
        }
        await done;
        log.info('imap reader: stopped', where);
      })();
      return stopped;
    },
  };
}

/** Exponential with ±20 % jitter, so many readers do not reconnect in lockstep. */
function backoff(attempt: number, baseMs: number, maxMs: number): number {
  const ms = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ms * (0.8 + Math.random() * 0.4));
}

function isAuthFailure(err: unknown): boolean {
  return (
    typeof err === 'object' && err !== null && (err as { authenticationFailed?: boolean }).authenticationFailed === true
  );
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  const server = (err as { responseText?: unknown }).responseText;
  return [err.message, typeof code === 'string' ? code : null, typeof server === 'string' ? server : null]
    .filter(Boolean)
    .join(' · ');
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
