import { connectionsOf, type Db } from './client';
import { perDatabase } from './tick-batch';

/**
 * At most `limit` of one kind of heavy work at once; the rest wait here, in arrival order, holding no
 * database connection. Without it, 200 concurrent list searches or 50 pushes of 100 mutations took every
 * connection of the pool (on PGlite: queued on its one connection) and filled the event loop, so a
 * `select 1` for /api/health waited seconds behind them. Queued work costs a closure, not a connection.
 */
export interface WorkSlotsOptions {
  /** How many may wait for a slot; past that, `full()` is thrown instead of queueing without end. */
  maxWaiting?: number;
  full?: () => Error;
}

export class WorkSlots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly maxWaiting: number;
  private readonly full: () => Error;

  constructor(
    readonly limit: number,
    { maxWaiting = Number.POSITIVE_INFINITY, full = () => new Error('WorkSlots: full') }: WorkSlotsOptions = {},
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`WorkSlots: bad limit ${limit}`);
    this.maxWaiting = maxWaiting;
    this.full = full;
  }

  /** Throws when work asked for now would not fit: callers refuse before doing anything else. */
  assertRoom(): void {
    if (this.running >= this.limit && this.waiting.length >= this.maxWaiting) throw this.full();
  }

  /** Running now and waiting for a slot: for tests and diagnostics. */
  get active(): number {
    return this.running;
  }
  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    this.assertRoom();
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await work();
    } finally {
      // The slot passes to the next in line (a newcomer cannot overtake the queue) on a later turn of the
      // event loop: PGlite runs queries on this thread, and handing over at once would chain the whole queue
      // through microtasks without reading a single other request (health waited 5.6 s behind 200 searches).
      const next = this.waiting.shift();
      if (next) setImmediate(next);
      else this.running--;
    }
  }
}

/**
 * Four at a time keeps most of a Postgres pool (20 connections) for short requests, and is already more
 * searches than a small server has cores to run them on. PGlite has one connection and runs each query on
 * the event loop: one at a time there, so a short request waits behind one heavy query, not four.
 */
export const HEAVY_WORK_SLOTS = 4;
const slotsFor = (db: Db) => new WorkSlots(connectionsOf(db) > 1 ? HEAVY_WORK_SLOTS : 1);

/** Ticket list queries (filters, `q` search): sequential scans over many rows. */
export const listSlots: (db: Db) => WorkSlots = perDatabase(slotsFor);
/** Sync pushes: up to 100 mutations, 25 to a transaction, one transaction after another. */
export const pushSlots: (db: Db) => WorkSlots = perDatabase(slotsFor);
