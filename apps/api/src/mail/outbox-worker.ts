import { and, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { mailMessages, outbox } from '../db/schema';
import { sha256Of, storeBlob } from '../services/blob-store';
import { composeMail, mailDomain, ticketThread } from './compose';
import { ourMessageId } from './message-id';
import { type OutboxRow, PermanentError, type PlannedMail, planner } from './outbox-plan';
import { dropReason, ownAddresses } from './recipient-rules';
import { createTransport, type MailTransport } from './transport';
import type { MailDeps } from './types';

export interface OutboxWorkerOptions {
  /** Polling period; the first poll runs one period after start. Default 2 s. */
  intervalMs?: number;
  /** Rows claimed per round. Default 10. */
  batch?: number;
  /** Defaults to the one the environment configures (SMTP or .eml files); a given transport is not closed by stop(). */
  transport?: MailTransport;
  /** How long a claimed row stays ours before another instance may take it. Default 5 min. */
  leaseMs?: number;
}

export interface OutboxWorker {
  stop(): Promise<void>;
  /** One round: claims due rows and handles them. Returns the number of rows handled. */
  runOnce(): Promise<number>;
}

const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 60 * 60_000;

/** 10 s, 20 s, 40 s… capped at an hour, with jitter so instances that failed together do not retry together. */
export function backoffMs(attempts: number, random = Math.random()): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.75 + 0.25 * random));
}

/** A failure of the transport, not of the row: the rest of the round would fail the same way. */
class SendError extends Error {}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e)).slice(0, 1000);

/**
 * Sends what the outbox holds. Rows are claimed with FOR UPDATE SKIP LOCKED and leased (available_at
 * pushed forward, attempts + 1), so any number of instances share the table and none sends a row another
 * holds; mail goes out after the claim committed, never inside a transaction. A row's Message-IDs are
 * generated once and kept in its payload, so a retry after a failure sends the same message, and a part
 * already recorded as sent is never sent again.
 */
export function startOutboxWorker(deps: MailDeps, opts: OutboxWorkerOptions = {}): OutboxWorker {
  const { db, env, log } = deps;
  const intervalMs = opts.intervalMs ?? 2_000;
  const batch = opts.batch ?? 10;
  const leaseMs = opts.leaseMs ?? 5 * 60_000;
  const transport = opts.transport ?? createTransport(env, log);
  const domain = mailDomain(env);
  const plan = planner(deps);

  /** Due rows, leased to us in one statement (its own short transaction). */
  async function claim(): Promise<OutboxRow[]> {
    const due = db
      .select({ id: outbox.id })
      .from(outbox)
      .where(and(isNull(outbox.doneAt), lte(outbox.availableAt, sql`now()`)))
      .orderBy(outbox.id)
      .limit(batch)
      .for('update', { skipLocked: true });
    const rows = await db
      .update(outbox)
      .set({
        availableAt: sql`now() + ${leaseMs}::int * interval '1 millisecond'`,
        attempts: sql`${outbox.attempts} + 1`,
      })
      .where(and(inArray(outbox.id, due), isNull(outbox.doneAt)))
      .returning();
    return rows.sort((a, b) => a.id - b.id);
  }

  /** Our claim on the row, fenced by the attempt number: another instance that re-claimed it bumped it. */
  const ours = (row: OutboxRow) => and(eq(outbox.id, row.id), eq(outbox.attempts, row.attempts), isNull(outbox.doneAt));

  async function markDone(q: DbOrTx, row: OutboxRow, note: string | null): Promise<void> {
    await q.update(outbox).set({ doneAt: sql`now()`, lastError: note }).where(ours(row));
  }

  async function retryLater(row: OutboxRow, error: string): Promise<void> {
    const wait = backoffMs(row.attempts);
    await db
      .update(outbox)
      .set({ lastError: error, availableAt: sql`now() + ${wait}::int * interval '1 millisecond'` })
      .where(ours(row));
    log.warn('mail: send failed, will retry', { outboxId: row.id, kind: row.kind, attempts: row.attempts, error });
  }

  /** Message-IDs for every part, created on the first attempt and stored before anything is sent. */
  async function messageIds(row: OutboxRow, mails: PlannedMail[]): Promise<Record<string, string>> {
    const stored = (row.payload.messageIds ?? {}) as Record<string, string>;
    const ids = { ...stored };
    for (const m of mails) ids[m.part] ??= ourMessageId(domain, m.ticketNumber);
    if (mails.some((m) => !stored[m.part])) {
      const payload = { ...row.payload, messageIds: ids };
      const saved = await db.update(outbox).set({ payload }).where(ours(row)).returning({ id: outbox.id });
      if (saved.length === 0) throw new Error('lost the claim on the row');
      row.payload = payload;
    }
    return ids;
  }

  async function alreadySent(messageId: string): Promise<boolean> {
    const n = await db.$count(
      mailMessages,
      and(eq(mailMessages.direction, 'out'), eq(mailMessages.messageId, messageId)),
    );
    return n > 0;
  }

  /** Recipients that may get the mail, To first; a mail whose To is all dropped goes To the CCs. */
  async function recipients(row: OutboxRow, mail: PlannedMail, own: ReadonlySet<string>, notes: string[]) {
    const keep = async (list: string[], taken: Set<string>) => {
      const kept: string[] = [];
      for (const address of list) {
        if (taken.has(address)) continue;
        taken.add(address);
        const reason = await dropReason(db, address, mail, own);
        if (reason) {
          log.info('mail: recipient dropped', { outboxId: row.id, kind: row.kind, part: mail.part, address, reason });
          notes.push(`${mail.part}: ${address} dropped, ${reason}`);
        } else kept.push(address);
      }
      return kept;
    };
    const taken = new Set<string>();
    const to = await keep(mail.to, taken);
    const cc = await keep(mail.cc, taken);
    return to.length > 0 ? { to, cc } : { to: cc, cc: [] };
  }

  /** A fresh lease before each row: a slow round must not let another instance take rows still queued here. */
  async function renew(row: OutboxRow): Promise<boolean> {
    const lease = sql`now() + ${leaseMs}::int * interval '1 millisecond'`;
    const kept = await db.update(outbox).set({ availableAt: lease }).where(ours(row)).returning({ id: outbox.id });
    return kept.length > 0;
  }

  async function handle(row: OutboxRow): Promise<void> {
    if (!(await renew(row))) return;
    const mails = await plan(row);
    const ids = await messageIds(row, mails);
    const own = await ownAddresses(db, env);
    const notes: string[] = [];
    if (mails.length === 0) notes.push('nothing to send');
    let done = false;
    for (const [i, mail] of mails.entries()) {
      const messageId = ids[mail.part]!;
      if (await alreadySent(messageId)) continue;
      const { to, cc } = await recipients(row, mail, own, notes);
      if (to.length === 0) {
        notes.push(`${mail.part}: no recipients left`);
        continue;
      }
      const thread = mail.threadTicketId
        ? await ticketThread(db, mail.threadTicketId)
        : { inReplyTo: mail.inReplyTo, references: mail.inReplyTo ? [mail.inReplyTo] : [] };
      const { raw, subject } = await composeMail(env, { ...mail, messageId, to, cc, thread });
      try {
        await transport.send(raw, { from: env.MAIL_FROM, to: [...to, ...cc] });
      } catch (e) {
        throw new SendError(errorText(e), { cause: e });
      }
      const last = i === mails.length - 1;
      await db.transaction(async (tx) => {
        const rawSha256 = await storeBlob(tx, raw, sha256Of(raw));
        await tx.insert(mailMessages).values({
          direction: 'out',
          messageId,
          ticketId: mail.ticketId,
          articleId: mail.articleId,
          fromAddress: env.MAIL_FROM.toLowerCase(),
          toAddresses: [...to, ...cc],
          subject,
          automated: mail.automated,
          rawSha256,
          size: raw.length,
        });
        if (last) await markDone(tx, row, notes.length > 0 ? notes.join('; ') : null);
      });
      done = last;
      log.info('mail: sent', { outboxId: row.id, kind: row.kind, part: mail.part, messageId, to: [...to, ...cc] });
    }
    if (!done) await markDone(db, row, notes.length > 0 ? notes.join('; ') : null);
  }

  async function round(): Promise<number> {
    const rows = await claim();
    let transportDown: string | null = null;
    for (const row of rows) {
      if (transportDown) {
        await retryLater(row, transportDown);
        continue;
      }
      try {
        await handle(row);
      } catch (e) {
        if (e instanceof PermanentError) {
          log.warn('mail: outbox row dropped', { outboxId: row.id, kind: row.kind, error: e.message });
          await markDone(db, row, e.message).catch((err) =>
            log.error('mail: outbox update failed', { error: errorText(err) }),
          );
          continue;
        }
        if (e instanceof SendError) transportDown = e.message;
        await retryLater(row, errorText(e)).catch((err) =>
          // The lease runs out on its own: the row comes back, nothing is lost.
          log.error('mail: outbox update failed', { outboxId: row.id, error: errorText(err) }),
        );
      }
    }
    return rows.length;
  }

  // Rounds of one worker never overlap (a poll and a test's runOnce), so a row is handled once per claim.
  let running: Promise<unknown> = Promise.resolve();
  const runOnce = (): Promise<number> => {
    const next = running.then(round);
    running = next.catch(() => {});
    return next;
  };

  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const tick = async () => {
    try {
      // A full batch means more may be waiting: keep going until the outbox is drained.
      while (!stopped && (await runOnce()) === batch) {}
    } catch (e) {
      log.error('mail: outbox round failed', { error: errorText(e) });
    }
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };
  timer = setTimeout(tick, intervalMs);

  return {
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      if (!opts.transport) transport.close();
    },
  };
}
