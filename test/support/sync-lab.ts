import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Database } from '@mesa/api/db/client';
import type { PatchOperation, Role } from '@mesa/core';
import { MemoryLocks, SyncClient, type SyncClientOptions } from '@mesa/sync-client';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { testApp } from './api';

export { prng } from './prng';

import { PASSWORD } from './world';

type Server = ReturnType<typeof serve>;

/** The real API over HTTP on a loopback port, restartable on the same port (in-flight requests fail). */
export class LabServer {
  private server: Server | null = null;
  port = 0;

  constructor(private readonly database: Database) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const app = testApp(this.database);
    this.server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: app.fetch, port: this.port, hostname: '127.0.0.1' }, () => resolve(s));
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    (s as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** A crash and a restart: connections drop, a fresh app instance serves the same database. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}

/** `gateway`: a proxy answers 502 with its own HTML page, the request never reaches the API. */
type Loss = 'request' | 'response' | 'gateway';

export interface Faults {
  /** No network at all. */
  offline: boolean;
  /** Probability a request is lost before it reaches the server. */
  dropRequest: number;
  /** Probability the server handles a request but its response is lost. */
  dropResponse: number;
  /** Deterministic faults: the next requests whose path ends with the key are dropped (request or response). */
  next: Array<{ path: string; lose: Loss }>;
  /** Planned injected faults that have fired (a test proves its fault was really met). */
  fired: Array<{ path: string; lose: Loss }>;
}

/** A response held back by the network until the test releases it. */
export interface Held {
  /** Resolves once the server has answered the held request (its response waits). */
  readonly reached: Promise<void>;
  release(): void;
}

export interface DeviceOptions {
  email: string;
  role: Role;
  userId: string;
  name?: string;
  random?: () => number;
  /** Clock skew in ms: the device's idea of now (only informational for the server). */
  skewMs?: number;
  pokes?: boolean;
  versions?: SyncClientOptions['versions'];
  pullPageSize?: number;
}

/**
 * A simulated phone or tablet: the real sync client on its own fake IndexedDB, behind a network that can
 * lose requests and responses, with its own session cookie. It can be killed and started again on the
 * same storage, and can open a second tab (same storage, same locks, same broadcast channel).
 */
export class LabDevice {
  readonly idb = new IDBFactory();
  readonly locks = new MemoryLocks();
  readonly channelName = `lab-${crypto.randomUUID()}`;
  readonly faults: Faults = { offline: false, dropRequest: 0, dropResponse: 0, next: [], fired: [] };
  private readonly holds: Array<{ path: string; reached: () => void; gate: Promise<void> }> = [];
  cookie = '';
  client!: SyncClient;
  tabs: SyncClient[] = [];
  /** Versions of each ticket as pulled, to check the device never goes back in time. */
  readonly seenVersions = new Map<string, number>();
  readonly timeTravel: string[] = [];
  requests = 0;

  constructor(
    private readonly server: LabServer,
    readonly opts: DeviceOptions,
  ) {}

  readonly fetch = async (input: string, init?: RequestInit): Promise<Response> => {
    this.requests++;
    const random = this.opts.random ?? Math.random;
    const path = new URL(input).pathname;
    // Offline first: a planned fault waits for a request that really reaches the network.
    if (this.faults.offline) throw new TypeError('fetch failed: offline');
    const planned = this.faults.next.findIndex((f) => path.endsWith(f.path));
    const fault = planned >= 0 ? this.faults.next.splice(planned, 1)[0]?.lose : undefined;
    if (fault) this.faults.fired.push({ path, lose: fault });
    if (fault === 'gateway') {
      return new Response('<html><body>502 Bad Gateway</body></html>', {
        status: 502,
        headers: { 'content-type': 'text/html' },
      });
    }
    if (fault === 'request' || (!fault && random() < this.faults.dropRequest)) {
      throw new TypeError('fetch failed: request lost');
    }
    const headers = new Headers(init?.headers);
    if (this.cookie) headers.set('cookie', this.cookie);
    const url = new URL(input);
    url.port = String(this.server.port);
    const res = await fetch(url, { ...init, headers });
    const held = this.holds.findIndex((h) => path.endsWith(h.path));
    if (held >= 0) {
      const [h] = this.holds.splice(held, 1);
      h?.reached();
      await h?.gate;
    }
    if (fault === 'response' || (!fault && random() < this.faults.dropResponse)) {
      await res.arrayBuffer().catch(() => {});
      throw new TypeError('fetch failed: response lost');
    }
    return res;
  };

  /**
   * Holds the response of the next request whose path ends with `path` until `release()`: the client's
   * cycle stays in flight, at a known point, for as long as the test needs (no timing guesses).
   */
  hold(path: string): Held {
    let reached = () => {};
    let release = () => {};
    const reachedP = new Promise<void>((r) => {
      reached = r;
    });
    const gate = new Promise<void>((r) => {
      release = r;
    });
    this.holds.push({ path, reached, gate });
    return { reached: reachedP, release };
  }

  /**
   * Puts a mutation straight into the device's queue, past the client's own validation: what an older
   * build or a damaged record could leave there. Returns its mutation id.
   */
  async queueRaw(name: string, args: unknown): Promise<number> {
    const db = this.client.db;
    const id = await db.transaction('rw', [db.meta, db.mutations], async () => {
      const next = (await db.getMeta<number>('nextMutationId')) ?? 1;
      await db.mutations.add({ id: next, name, args, clientTime: Date.now() });
      await db.setMeta('nextMutationId', next + 1);
      return next;
    });
    this.client.kick();
    return id;
  }

  async login(password = PASSWORD): Promise<void> {
    const res = await fetch(`${this.server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: this.opts.email, password }),
    });
    if (res.status !== 200) throw new Error(`login ${this.opts.email}: ${res.status} ${await res.text()}`);
    this.cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  }

  private newClient(): SyncClient {
    const skew = this.opts.skewMs ?? 0;
    const options: SyncClientOptions = {
      actor: { id: this.opts.userId, role: this.opts.role, name: this.opts.name ?? null },
      baseUrl: this.server.url,
      fetch: this.fetch,
      indexedDB: { indexedDB: this.idb, IDBKeyRange },
      locks: this.locks,
      channelName: this.channelName,
      pokes: this.opts.pokes ?? false,
      now: () => new Date(Date.now() + skew),
      onPulled: (patch) => this.recordPull(patch),
    };
    if (this.opts.random) options.random = this.opts.random;
    if (this.opts.versions) options.versions = this.opts.versions;
    if (this.opts.pullPageSize) options.pullPageSize = this.opts.pullPageSize;
    return new SyncClient(options);
  }

  private recordPull(patch: PatchOperation[]): void {
    for (const op of patch) {
      if (op.op === 'clear') this.seenVersions.clear();
      if (op.op !== 'put' || op.table !== 'tickets') continue;
      const seen = this.seenVersions.get(op.row.id) ?? 0;
      if (op.row.version < seen) this.timeTravel.push(`${op.row.number}: v${seen} then v${op.row.version}`);
      this.seenVersions.set(op.row.id, Math.max(seen, op.row.version));
    }
  }

  async start(): Promise<SyncClient> {
    this.client = this.newClient();
    this.tabs = [this.client];
    await this.client.start();
    return this.client;
  }

  /** Another tab of the same browser. */
  async openTab(): Promise<SyncClient> {
    const tab = this.newClient();
    this.tabs.push(tab);
    await tab.start();
    return tab;
  }

  /** The app is killed: nothing in flight gets to finish talking to the server. */
  async kill(): Promise<void> {
    const offline = this.faults.offline;
    this.faults.offline = true;
    await Promise.all(this.tabs.map((t) => t.stop()));
    this.tabs = [];
    this.faults.offline = offline;
  }

  async restart(): Promise<SyncClient> {
    await this.kill();
    return this.start();
  }
}
