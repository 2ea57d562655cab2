/** What the UI shows about sync: the badge, the pending count, why it stopped. */
export interface SyncState {
  /** The last request reached the server (false after a network failure, until one succeeds). */
  online: boolean;
  /** This tab is the one that talks to the server. */
  leader: boolean;
  syncing: boolean;
  /** Offline edits not yet confirmed by a pull. */
  pending: number;
  /** Photos and signatures still to upload. */
  uploadsPending: number;
  /** Mutations the server refused (kept for the UI to explain). */
  rejected: number;
  lastSyncAt: number | null;
  /** The session expired: sync waits, the queue is kept, log in again as the same user. */
  authRequired: boolean;
  /** The server speaks a newer protocol or schema: the queue is kept until the app updates. */
  upgradeRequired: boolean;
  /** The browser promised not to evict the offline data (navigator.storage.persist()). */
  persisted: boolean | null;
  error: { code: string; message: string } | null;
  /** When the next automatic retry happens after a failure. */
  retryAt: number | null;
  /**
   * A pull of several pages in progress (a new device's first one): rows and bytes received so far, and
   * whether they are being written to the device. Null otherwise.
   */
  pulling: { rows: number; bytes: number; applying?: boolean } | null;
}

export const initialSyncState = (): SyncState => ({
  online: true,
  leader: false,
  syncing: false,
  pending: 0,
  uploadsPending: 0,
  rejected: 0,
  lastSyncAt: null,
  authRequired: false,
  upgradeRequired: false,
  persisted: null,
  error: null,
  retryAt: null,
  pulling: null,
});

/** A tiny observable: the PWA wraps it in a Solid signal, tests read it directly. */
export class StateStore {
  private state = initialSyncState();
  private readonly listeners = new Set<(s: SyncState) => void>();

  get(): SyncState {
    return this.state;
  }

  set(patch: Partial<SyncState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener(this.state);
  }

  subscribe(listener: (s: SyncState) => void): () => void {
    this.listeners.add(listener);
    listener(this.state);
    return () => this.listeners.delete(listener);
  }
}
