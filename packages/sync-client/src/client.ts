import {
  ApiError,
  ErrorCode,
  isRetryableCode,
  MAX_MUTATIONS_PER_PUSH,
  MAX_PULL_LIMIT,
  type MutatorInput,
  type MutatorName,
  type PatchOperation,
  PROTOCOL_VERSION,
  PULL_COOKIE_HEADER,
  PULL_MORE_HEADER,
  type PullResponse,
  type PushResponse,
  parseMutation,
  SCHEMA_VERSION,
  type SyncActor,
} from '@mesa/core';
import { backoffDelay } from './backoff';
import { type EarlyAnswer, type FetchLike, postJson, postJsonEarly } from './http';
import { holdLeadership, type LockManagerLike } from './leader';
import { applyOptimistic, rebase, warmShadow } from './optimistic';
import { applyPatch, newPatchProgress, type PatchProgress } from './patch';
import { listenForPokes } from './pokes';
import { databaseName, type PendingBlob, type PendingMutation, SyncDatabase } from './schema';
import { seenFor } from './seen';
import { StateStore, type SyncState } from './state';
import { uploadBlob } from './uploads';

export interface SyncClientOptions {
  /** The logged-in user: the device database, the queue and the server ledger are theirs alone. */
  actor: SyncActor;
  /** Origin of the API ('' in the browser: same origin). */
  baseUrl?: string;
  fetch?: FetchLike;
  /** For runtimes without a global indexedDB (tests use fake-indexeddb). */
  indexedDB?: { indexedDB: IDBFactory; IDBKeyRange: typeof IDBKeyRange };
  locks?: LockManagerLike;
  /** Tabs of one browser talk over this channel name (BroadcastChannel). */
  channelName?: string;
  /** Listen to GET /api/sync/events (default true). */
  pokes?: boolean;
  now?: () => Date;
  random?: () => number;
  lang?: string;
  /** Sent as protocol/schema versions; only tests and future builds change them. */
  versions?: { protocol: number; schema: number };
  /** Rows per table per pull page (default the most the server allows); small pages show progress in tests. */
  pullPageSize?: number;
  /** Called with every pull's patch once it is applied (tests check that no device ever goes back in time). */
  onPulled?: (patch: PatchOperation[]) => void;
}

/** Rows per table on a full pull's first page: enough for the first screen, small enough to come at once. */
const FIRST_PAGE_LIMIT = 200;

/** How soon a kick retries while the browser says it is offline. */
const OFFLINE_RETRY_MS = 5000;

/**
 * How long the first sync waits for the event stream's connect poke. The server pokes once it listens, so
 * a pull started on that poke misses no commit, and one started before it would be followed by another.
 */
const CONNECT_POKE_WAIT_MS = 1000;

type Message = { type: 'kick' } | { type: 'state'; state: SyncState } | { type: 'changed' };

export const uuid = (): string => crypto.randomUUID();

async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Upload answers a retry cannot change; ATTACHMENT_CORRUPTED and UPLOAD_OFFSET_MISMATCH resume instead. */
const resumableUploadCodes: ReadonlySet<string> = new Set([
  ErrorCode.ATTACHMENT_CORRUPTED,
  ErrorCode.UPLOAD_OFFSET_MISMATCH,
]);
const isPermanentUploadFailure = (code: string): boolean => !isRetryableCode(code) && !resumableUploadCodes.has(code);

/** Serializable as JSON at all (a BigInt or a cycle in stored args would make every push throw). */
function jsonable(value: unknown): boolean {
  try {
    JSON.stringify(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * A queued mutation as it goes on the wire. The queue is the device's storage, which an older build or a
 * damaged record may have filled with anything: an envelope the protocol refuses, args that cannot be
 * serialized, or a mutation too large for any push would fail the whole push forever. Those go with a valid
 * envelope and without their args, so the server records a rejection and the ledger moves on; args the
 * mutator merely refuses go as they are, and the server names the field.
 */
export function wireMutation(m: PendingMutation, oversized: boolean) {
  const name = typeof m.name === 'string' && m.name.length >= 1 && m.name.length <= 100 ? m.name : 'invalid';
  const clientTime = Number.isSafeInteger(m.clientTime) && m.clientTime >= 0 ? m.clientTime : 0;
  return { id: m.id, name, args: oversized || !jsonable(m.args) ? null : m.args, clientTime };
}

/**
 * The device half of the offline protocol. Every edit runs optimistically on the local Dexie database and
 * joins the queue in the same transaction; the leader tab pushes the queue in order, pulls what changed,
 * rebases what is still pending on top, uploads photos, and retries with backoff for as long as it takes.
 */
export class SyncClient {
  readonly db: SyncDatabase;
  readonly state = new StateStore();
  private readonly fetch: FetchLike;
  private readonly baseUrl: string;
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly channel: BroadcastChannel | null;
  private clientId = '';
  private clientGroupId = '';
  private batchSize = MAX_MUTATIONS_PER_PUSH;
  private failures = 0;
  /** Queued mutations too large for any push: they go without their args (see wireMutation). */
  private readonly oversized = new Set<number>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private paused = false;
  private stopped = false;
  private releaseLeadership: () => void = () => {};
  private stopPokes: () => void = () => {};
  private unwatchBrowser: () => void = () => {};

  constructor(private readonly opts: SyncClientOptions) {
    this.db = new SyncDatabase(databaseName(opts.actor.id), opts.indexedDB);
    this.fetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.baseUrl = opts.baseUrl ?? '';
    this.now = opts.now ?? (() => new Date());
    this.random = opts.random ?? Math.random;
    this.channel =
      typeof BroadcastChannel === 'undefined'
        ? null
        : new BroadcastChannel(opts.channelName ?? `mesa-sync-${opts.actor.id}`);
  }

  /** Opens the device database, asks to keep it, and competes for leadership. */
  async start(): Promise<void> {
    await this.db.open();
    await this.db.transaction('rw', this.db.meta, async () => {
      this.clientId = (await this.db.getMeta<string>('clientId')) ?? uuid();
      this.clientGroupId = (await this.db.getMeta<string>('clientGroupId')) ?? uuid();
      this.state.set({ lastSyncAt: (await this.db.getMeta<number>('lastSyncAt')) ?? null });
      await this.db.setMeta('clientId', this.clientId);
      await this.db.setMeta('clientGroupId', this.clientGroupId);
      // Rows of an older shape are pulled again in full; the queue stays.
      if ((await this.db.getMeta<number>('schemaVersion')) !== this.versions.schema) {
        await this.db.setMeta('cookie', null);
        await this.db.setMeta('schemaVersion', this.versions.schema);
      }
    });
    if (this.channel) this.channel.onmessage = (e: MessageEvent<Message>) => this.onMessage(e.data);
    const storage = (globalThis.navigator as Navigator | undefined)?.storage;
    if (storage?.persist) this.state.set({ persisted: await storage.persist().catch(() => false) });
    await this.refreshCounts();
    this.watchBrowser();
    const locks = this.opts.locks ?? (globalThis.navigator as Navigator | undefined)?.locks;
    this.releaseLeadership = holdLeadership(locks, `mesa-sync-leader-${this.opts.actor.id}`, () => {
      if (this.stopped) return;
      this.state.set({ leader: true });
      if (this.opts.pokes === false) this.kick();
      else {
        this.listen();
        // The connect poke kicks (schedule replaces this timer); an edit meanwhile kicks at once.
        this.schedule(CONNECT_POKE_WAIT_MS);
      }
    });
  }

  /** Pull on `online` and on focus; `offline` shows at once (the browser knows before a request fails). */
  private watchBrowser(): void {
    const w = globalThis.window as (Window & typeof globalThis) | undefined;
    if (!w?.addEventListener) return;
    const kick = () => this.kick();
    const offline = () => this.state.set({ online: false });
    const visible = () => {
      if (w.document.visibilityState === 'visible') this.kick();
    };
    w.addEventListener('online', kick);
    w.addEventListener('focus', kick);
    w.addEventListener('offline', offline);
    w.document.addEventListener('visibilitychange', visible);
    this.unwatchBrowser = () => {
      w.removeEventListener('online', kick);
      w.removeEventListener('focus', kick);
      w.removeEventListener('offline', offline);
      w.document.removeEventListener('visibilitychange', visible);
    };
  }

  /** Stops syncing (the tab closes or the user logs out); the database and the queue stay. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unwatchBrowser();
    if (this.timer) clearTimeout(this.timer);
    this.stopPokes();
    this.releaseLeadership();
    await this.running?.catch(() => {});
    this.channel?.close();
    this.db.close();
  }

  get id(): string {
    return this.clientId;
  }

  private get versions() {
    return this.opts.versions ?? { protocol: PROTOCOL_VERSION, schema: SCHEMA_VERSION };
  }

  /**
   * Records an edit: runs it on the device now and queues it for the server, atomically. Throws the
   * AppError the server would answer (invalid transition, field not editable…) and queues nothing then.
   */
  async mutate<N extends MutatorName>(name: N, args: MutatorInput<N>, blob?: Uint8Array): Promise<number> {
    let parsed = parseMutation(name, args);
    const now = this.now();
    const id = await this.db.transaction('rw', this.db.syncTables, async () => {
      // Each IndexedDB request is a round trip to the browser's storage process: the independent reads go
      // together (the ticket's bucket stays cached for the mutator), and so do the closing writes.
      const ticketId = parsed.name === 'createTicket@1' ? parsed.args.id : parsed.args.ticketId;
      const [stored] = await Promise.all([
        this.db.getMeta<number>('nextMutationId'),
        this.db.tickets.get(ticketId),
        warmShadow(this.db, 'tickets', ticketId),
      ]);
      const next = stored ?? 1;
      let queued: unknown = args;
      if (parsed.name === 'updateTicketFields@1' && (args as { seen?: unknown }).seen === undefined) {
        // Stamp what the user saw, read in this same transaction, so the server can mark overwrites.
        const ticket = await this.db.tickets.get(parsed.args.ticketId);
        if (ticket) {
          queued = { ...(args as object), seen: seenFor(ticket, parsed.args.changes) };
          parsed = parseMutation(name, queued);
        }
      }
      // A refused edit throws from applyOptimistic and aborts the transaction: the queue entry goes with it.
      const writes: Promise<unknown>[] = [
        applyOptimistic(this.db, parsed, this.opts.actor, now),
        this.db.mutations.add({ id: next, name, args: queued, clientTime: now.getTime() }),
        this.db.setMeta('nextMutationId', next + 1),
      ];
      if (blob && (parsed.name === 'addAttachment@1' || parsed.name === 'captureSignature@1')) {
        const a = parsed.args;
        const pending: PendingBlob = {
          id: a.id,
          mutationId: next,
          sha256: a.sha256,
          size: a.size,
          contentType: a.contentType,
          data: blob,
        };
        writes.push(this.db.blobs.add(pending));
      }
      await Promise.all(writes);
      return next;
    });
    await this.refreshCounts();
    this.kick();
    return id;
  }

  /** A photo or file taken on site: hashes it, records the attachment and keeps the bytes until uploaded. */
  async attach(
    input: { ticketId: string; articleId?: string; filename: string; contentType: string },
    data: Uint8Array,
  ): Promise<string> {
    const id = uuid();
    const sha256 = await sha256Hex(data);
    await this.mutate('addAttachment@1', { id, ...input, size: data.byteLength, sha256 }, data);
    return id;
  }

  /** The customer's signature, drawn on the device (PNG or SVG bytes). */
  async sign(
    input: { ticketId: string; articleId?: string; signerName: string; contentType: 'image/png' | 'image/svg+xml' },
    data: Uint8Array,
  ): Promise<string> {
    const id = uuid();
    const sha256 = await sha256Hex(data);
    await this.mutate('captureSignature@1', { id, ...input, size: data.byteLength, sha256 }, data);
    return id;
  }

  /** Sync soon (poke, focus, online, a new edit). Followers ask the leader. */
  kick(): void {
    if (this.stopped) return;
    if (!this.state.get().leader) {
      this.post({ type: 'kick' });
      return;
    }
    if (this.paused) return;
    // The browser knows it has no network: an edit made offline should not also pay for a request bound to
    // fail. The 'online' event kicks again; the later try still reaches a server on this very machine.
    if ((globalThis.navigator as Navigator | undefined)?.onLine === false) {
      this.state.set({ online: false });
      if (!this.timer) this.schedule(OFFLINE_RETRY_MS);
      return;
    }
    this.schedule(0);
  }

  /** After logging in again (as the same user) or updating the app: sync resumes with the kept queue. */
  resume(): void {
    this.paused = false;
    this.failures = 0;
    this.state.set({ authRequired: false, upgradeRequired: false, error: null });
    if (this.state.get().leader && this.opts.pokes !== false) this.listen();
    this.kick();
  }

  /**
   * Runs a push-pull-upload cycle now and resolves when it is done (tests, "sync now" button). A cycle
   * already in flight started before the call and may have missed what the caller wants sent or seen (an
   * edit, an expired session), so it is awaited and a fresh cycle runs after it.
   */
  async syncNow(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const inFlight = this.running;
    if (inFlight) await inFlight.catch(() => {});
    await this.run();
  }

  private listen(): void {
    this.stopPokes();
    this.stopPokes = listenForPokes({
      fetch: this.fetch,
      url: `${this.baseUrl}/api/sync/events`,
      random: this.random,
      onPoke: () => this.kick(),
      onUnauthorized: () => this.pause({ authRequired: true }),
    });
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.run();
    }, ms);
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.cycle().finally(() => {
      this.running = null;
    });
    await this.running;
    if (this.again && !this.stopped && !this.paused) {
      this.again = false;
      this.schedule(0);
    }
  }

  private async cycle(): Promise<void> {
    if (this.paused || this.stopped) return;
    this.state.set({ syncing: true });
    try {
      await this.push();
      await this.pull();
      await this.upload();
      this.failures = 0;
      const lastSyncAt = this.now().getTime();
      this.state.set({ online: true, error: null, retryAt: null, lastSyncAt });
      // Kept, so that a reload offline still says when the device last caught up.
      await this.db.setMeta('lastSyncAt', lastSyncAt).catch(() => {});
    } catch (error) {
      this.onFailure(error);
    } finally {
      this.state.set({ syncing: false });
      await this.refreshCounts().catch(() => {});
      this.post({ type: 'state', state: this.state.get() });
    }
  }

  private pause(patch: Partial<SyncState>): void {
    this.paused = true;
    this.stopPokes();
    this.state.set({ ...patch, retryAt: null });
  }

  /** Branches on the error's code (the API's, or NETWORK), never on the HTTP status. */
  private onFailure(error: unknown): void {
    const e =
      error instanceof ApiError
        ? error
        : new ApiError({
            code: ErrorCode.INTERNAL,
            status: 0,
            message: error instanceof Error ? error.message : String(error),
          });
    const shown = { code: e.code, message: e.message };
    if (e.code === ErrorCode.UNAUTHENTICATED) {
      this.pause({ authRequired: true, error: shown });
      return;
    }
    if (e.code === ErrorCode.CLIENT_UPGRADE_REQUIRED) {
      this.pause({ upgradeRequired: true, error: shown });
      return;
    }
    // Network, rate limits, a busy or failing server (isRetryableCode) and anything else: try again later,
    // even with nothing new to send; the error stays visible meanwhile.
    const delay = backoffDelay(++this.failures, this.random, e.retryAfterMs);
    this.state.set({ online: e.code !== 'NETWORK', error: shown, retryAt: this.now().getTime() + delay });
    this.schedule(delay);
  }

  private async push(): Promise<void> {
    let acked = (await this.db.getMeta<number>('lastAcked')) ?? 0;
    for (;;) {
      const batch = await this.db.mutations.where('id').above(acked).limit(this.batchSize).toArray();
      if (batch.length === 0) return;
      let res: PushResponse;
      try {
        res = await postJson<PushResponse>(
          this.fetch,
          `${this.baseUrl}/api/sync/push`,
          {
            protocolVersion: this.versions.protocol,
            schemaVersion: this.versions.schema,
            clientGroupId: this.clientGroupId,
            clientId: this.clientId,
            mutations: batch.map((m) => wireMutation(m, this.oversized.has(m.id))),
          },
          this.opts.lang,
        );
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        if (error.code === ErrorCode.PAYLOAD_TOO_LARGE) {
          // Halve the batch; a single mutation still too large can never be sent whole: it goes without its
          // args, the server records the rejection and the queue moves on.
          const [only] = batch;
          if (batch.length > 1) this.batchSize = Math.max(1, Math.floor(batch.length / 2));
          else if (only && !this.oversized.has(only.id)) this.oversized.add(only.id);
          else throw error;
          continue;
        }
        // The server has seen fewer (lost ledger row on a restore) or more (a lost response) than we thought.
        const expected = (error.details as { expected?: unknown } | undefined)?.expected;
        if (error.code === ErrorCode.MUTATION_OUT_OF_ORDER && typeof expected === 'number') {
          if (expected - 1 === acked || !(await this.db.mutations.get(expected))) throw error;
          acked = expected - 1;
          await this.db.setMeta('lastAcked', acked);
          continue;
        }
        throw error;
      }
      const byId = new Map(batch.map((m) => [m.id, m]));
      // The server's ledger may be past this batch (an earlier push went further and its answer was lost):
      // rejections are reported only for the ids sent, so the rest is sent again, as replays, to hear them.
      const heard = Math.min(res.lastMutationId, batch.at(-1)?.id ?? res.lastMutationId);
      await this.db.transaction('rw', [this.db.meta, this.db.rejections], async () => {
        for (const r of res.rejected) {
          const m = byId.get(r.id);
          await this.db.rejections.put({ ...r, name: m?.name ?? '', args: m?.args, at: this.now().getTime() });
        }
        await this.db.setMeta('lastAcked', heard);
      });
      if (heard <= acked) {
        throw new ApiError({ code: ErrorCode.INTERNAL, status: 0, message: 'server made no progress' });
      }
      acked = heard;
      if (batch.length < this.batchSize && heard === res.lastMutationId) return;
    }
  }

  private requestPage(cookie: string | null, limit: number): Promise<EarlyAnswer<PullResponse>> {
    return postJsonEarly<PullResponse>(
      this.fetch,
      `${this.baseUrl}/api/sync/pull`,
      {
        protocolVersion: this.versions.protocol,
        schemaVersion: this.versions.schema,
        clientGroupId: this.clientGroupId,
        cookie,
        limit,
      },
      this.opts.lang,
    );
  }

  /**
   * Writes pulled rows in one transaction: drops the mutations the server confirmed, replays the rest on
   * top (so a local edit never shows reverted), and stores the cookie when the pull is complete.
   */
  private async applyPulled(
    patch: PatchOperation[],
    progress: PatchProgress,
    done?: { confirmed: number | undefined; cookie: string },
  ) {
    await this.db.transaction('rw', this.db.syncTables, async () => {
      await applyPatch(this.db, patch, progress);
      const confirmed = done?.confirmed;
      if (confirmed !== undefined) {
        await this.db.mutations.where('id').belowOrEqual(confirmed).delete();
        const acked = (await this.db.getMeta<number>('lastAcked')) ?? 0;
        if (confirmed > acked) await this.db.setMeta('lastAcked', confirmed);
      }
      await rebase(this.db, this.opts.actor, this.now());
      if (done) await this.db.setMeta('cookie', done.cookie);
    });
    this.opts.onPulled?.(patch);
    if (patch.length) this.post({ type: 'changed' });
  }

  /**
   * Pulls until the server has nothing more, and applies what came in one transaction at the end, so the
   * device never shows half a server transaction. A full pull (it starts with `clear`: a new device, or a
   * scope that changed) writes its first page at once: it is small and leads with the user's own open
   * tickets, so the first screen is usable long before the rest arrives. The rest is written in one go
   * (each bucket once); the cookie is stored only with it, so an interrupted full pull starts over.
   */
  private async pull(): Promise<void> {
    let cookie = (await this.db.getMeta<string | null>('cookie')) ?? null;
    const pageSize = this.opts.pullPageSize ?? MAX_PULL_LIMIT;
    let held: PatchOperation[] = [];
    let full = false;
    let progress = newPatchProgress();
    let writing: Promise<void> = Promise.resolve();
    let writeFailure: { error: unknown } | null = null;
    // The next page, asked for as soon as this one's headers named its cookie.
    let ahead: { cookie: string; answer: Promise<EarlyAnswer<PullResponse>> } | null = null;
    const lastIds: Record<string, number> = {};
    let resets = 0;
    let pages = 0;
    const received = { rows: 0, bytes: 0 };
    try {
      for (;;) {
        let res: PullResponse;
        try {
          const limit = pages === 0 && cookie === null ? Math.min(pageSize, FIRST_PAGE_LIMIT) : pageSize;
          const asked: Promise<EarlyAnswer<PullResponse>> =
            ahead?.cookie === cookie ? ahead.answer : this.requestPage(cookie, limit);
          ahead = null;
          const answer: EarlyAnswer<PullResponse> = await asked;
          const hinted: string | null = answer.headers.get(PULL_COOKIE_HEADER);
          if (hinted && answer.headers.get(PULL_MORE_HEADER) === '1') {
            const next = this.requestPage(hinted, pageSize);
            // Awaited when its turn comes (or dropped with the pull); never an unhandled rejection meanwhile.
            next.catch(() => {});
            ahead = { cookie: hinted, answer: next };
          }
          const page = await answer.read();
          res = page.body;
          received.rows += res.patch.length;
          received.bytes += page.bytes;
          // A long (first) pull says how far it got, page by page.
          if (res.more) this.state.set({ pulling: { ...received } });
        } catch (error) {
          // Too old or unreadable: start over with a full pull; the queue is kept and rebased on it.
          if (error instanceof ApiError && error.code === ErrorCode.SYNC_RESET_REQUIRED && resets++ === 0) {
            await writing;
            cookie = null;
            held = [];
            progress = newPatchProgress();
            pages = 0;
            continue;
          }
          throw error;
        }
        if (pages === 0) full = res.patch[0]?.op === 'clear';
        Object.assign(lastIds, res.lastMutationIds);
        cookie = res.cookie;
        if (full && pages === 0 && res.more) {
          // The first screen: written at once while the rest downloads.
          const rows = res.patch;
          writing = this.applyPulled(rows, progress).catch((error: unknown) => {
            writeFailure ??= { error };
          });
        } else {
          held.push(...res.patch);
        }
        pages++;
        // A page the device could not write ends the pull; the next one starts over from the stored cookie.
        if (writeFailure) throw (writeFailure as { error: unknown }).error;
        if (!res.more) break;
      }
      if (this.state.get().pulling) this.state.set({ pulling: { ...received, applying: true } });
      await writing;
      if (writeFailure) throw (writeFailure as { error: unknown }).error;
      await this.applyPulled(held, progress, { confirmed: lastIds[this.clientId], cookie: cookie as string });
    } finally {
      await writing;
      if (this.state.get().pulling) this.state.set({ pulling: null });
    }
  }

  private async upload(): Promise<void> {
    const acked = (await this.db.getMeta<number>('lastAcked')) ?? 0;
    const ready = await this.db.blobs.where('mutationId').belowOrEqual(acked).toArray();
    for (const blob of ready) {
      const rejected = await this.db.rejections.get(blob.mutationId);
      if (!rejected) {
        try {
          await uploadBlob(this.fetch, this.baseUrl, blob);
        } catch (error) {
          // Gone on the server (ticket deleted or out of reach), or refused for good (not this user's, too
          // large): say so rather than retry forever. A damaged or misplaced piece resumes on the next try.
          if (!(error instanceof ApiError) || !isPermanentUploadFailure(error.code)) throw error;
          await this.db.rejections.put({
            id: blob.mutationId,
            code: error.code === 'NETWORK' ? ErrorCode.INTERNAL : error.code,
            message: error.code === ErrorCode.NOT_FOUND ? 'attachment no longer exists on the server' : error.message,
            name: 'upload',
            args: { attachmentId: blob.id },
            at: this.now().getTime(),
          });
        }
      }
      await this.db.blobs.delete(blob.id);
      await this.refreshCounts();
    }
  }

  /** One read transaction for the three counts the badge shows (after every edit: each one costs). */
  private async refreshCounts(): Promise<void> {
    const { mutations, blobs, rejections } = this.db;
    const [pending, uploadsPending, rejected] = await this.db.transaction('r', [mutations, blobs, rejections], () =>
      Promise.all([mutations.count(), blobs.count(), rejections.count()]),
    );
    this.state.set({ pending, uploadsPending, rejected });
  }

  private post(message: Message): void {
    try {
      this.channel?.postMessage(message);
    } catch {
      // A closed channel (tab shutting down) has no one to tell.
    }
  }

  private onMessage(message: Message): void {
    if (message.type === 'kick' && this.state.get().leader) this.kick();
    if (message.type === 'state' && !this.state.get().leader) {
      const { leader: _leader, ...rest } = message.state;
      this.state.set(rest);
    }
    if (message.type === 'changed') void this.refreshCounts();
  }
}
