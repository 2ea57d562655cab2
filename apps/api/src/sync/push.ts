import {
  AppError,
  ErrorCode,
  isSupportedVersion,
  type PushRequest,
  type PushResponse,
  parseMutation,
} from '@mesa/core';
import { and, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client';
import { syncClients, syncRejections } from '../db/schema';
import type { Actor } from '../http/context';
import type { Reference } from '../services/reference-service';
import { mutationFailure } from './push-failure';
import { applyOnServer } from './server-mutators';

/**
 * Each mutation of a push costs about ten round trips and a commit flushes the WAL: 25 per transaction
 * keeps a transaction short (on PGlite it holds the only connection) while cutting the commits of a full
 * push from 100 to 4.
 */
export const MUTATIONS_PER_TRANSACTION = 25;

/** The client's ledger row, locked for this transaction; created on its first push. */
async function lockClient(tx: Tx, actor: Actor, req: PushRequest) {
  await tx
    .insert(syncClients)
    .values({ clientId: req.clientId, clientGroupId: req.clientGroupId, userId: actor.id })
    .onConflictDoNothing();
  const [row] = await tx.select().from(syncClients).where(eq(syncClients.clientId, req.clientId)).for('update');
  if (!row) throw new Error('sync client row vanished');
  // A device's queue belongs to the user who wrote it: another login never replays it.
  if (row.userId !== actor.id || row.clientGroupId !== req.clientGroupId) {
    throw new AppError(ErrorCode.FORBIDDEN, 'this sync client belongs to another user');
  }
  return row;
}

/**
 * Applies a device's queued mutations in order, in transactions of up to MUTATIONS_PER_TRANSACTION together
 * with the ledger row: an id at or below the ledger is acknowledged again without running; a gap is a 409
 * naming the expected id. A mutation no retry can fix (invalid transition, deleted ticket, no permission,
 * bad args, data Postgres refuses: see `mutationFailure`) rolls back only its savepoint, is reported (and
 * kept, so a replay reports it again), and still advances the ledger, so one bad mutation never blocks the
 * queue. A transient failure (connection, serialization, busy) rolls the whole transaction back: the push
 * fails and the device retries.
 */
export async function pushMutations(
  db: Db,
  reference: Reference,
  actor: Actor,
  req: PushRequest,
): Promise<PushResponse> {
  if (!isSupportedVersion(req)) {
    throw new AppError(ErrorCode.CLIENT_UPGRADE_REQUIRED, 'unsupported sync protocol or schema version', {
      protocolVersion: req.protocolVersion,
      schemaVersion: req.schemaVersion,
    });
  }
  // Reference data is read once, before any transaction: on PGlite (one connection) a read outside
  // the open transaction would wait for it forever.
  const data = await reference.get();
  const fixed: Reference = { get: async () => data, invalidate: () => reference.invalidate() };
  const rejected: PushResponse['rejected'] = [];
  let lastMutationId = 0;
  if (req.mutations.length === 0) {
    await db.transaction(async (tx) => {
      lastMutationId = (await lockClient(tx, actor, req)).lastMutationId;
    });
  }
  // Mutations share a transaction, up to MUTATIONS_PER_TRANSACTION, each in its own savepoint: the ledger
  // row is locked and advanced once per transaction instead of once per mutation, and one commit (a WAL
  // flush and a NOTIFY) covers them all. A gap commits what came before it, then answers the 409.
  let gap: { expected: number; got: number } | undefined;
  for (let from = 0; from < req.mutations.length && !gap; from += MUTATIONS_PER_TRANSACTION) {
    const chunk = req.mutations.slice(from, from + MUTATIONS_PER_TRANSACTION);
    // Between transactions, a turn of the event loop: on PGlite (queries on this thread) requests that
    // arrived meanwhile are read and queued before the next transaction takes the connection again.
    if (from > 0) await new Promise((resolve) => setImmediate(resolve));
    await db.transaction(async (tx) => {
      const client = await lockClient(tx, actor, req);
      let ledger = client.lastMutationId;
      for (const m of chunk) {
        if (m.id <= ledger) {
          // A replay (the first response was lost): report its rejection again, or the device never learns.
          const [earlier] = await tx
            .select()
            .from(syncRejections)
            .where(and(eq(syncRejections.clientId, req.clientId), eq(syncRejections.mutationId, m.id)));
          if (earlier) rejected.push({ id: m.id, code: earlier.code as ErrorCode, message: earlier.message });
          continue;
        }
        if (m.id > ledger + 1) {
          gap = { expected: ledger + 1, got: m.id };
          break;
        }
        try {
          const parsed = parseMutation(m.name, m.args);
          // A savepoint: a refused mutation leaves no trace but its rejection.
          await tx.transaction((sp) => applyOnServer(sp as unknown as Db, fixed, actor, parsed));
        } catch (error) {
          const failure = mutationFailure(error);
          if ('retry' in failure) throw failure.retry;
          const { code, message } = failure.reject;
          rejected.push({ id: m.id, code, message });
          await tx.insert(syncRejections).values({ clientId: req.clientId, mutationId: m.id, code, message });
        }
        ledger = m.id;
      }
      if (ledger > client.lastMutationId) {
        await tx
          .update(syncClients)
          .set({ lastMutationId: ledger, updatedAt: sql`now()` })
          .where(eq(syncClients.clientId, req.clientId));
      }
      lastMutationId = ledger;
    });
  }
  if (gap) throw new AppError(ErrorCode.MUTATION_OUT_OF_ORDER, 'mutation ids must follow each other', gap);
  // The snapshot the device can compare with a pull's cookie. postgres.js returns rows as an array,
  // PGlite as { rows }: accept both.
  const [version] = await db
    .execute<{ v: string }>(sql`select pg_current_snapshot()::text as v`)
    .then((r) => (Array.isArray(r) ? r : ((r as { rows: Array<{ v: string }> }).rows ?? [])));
  return { lastMutationId, rejected, serverVersion: version?.v ?? '' };
}
