import type { Database } from '../../db/client';
import type { Logger } from '../../logger';
import { parsePoke, pokeReaches, type ScopeActor, type ScopeKeys, scopeKeys } from './scope-keys';

/** The channel the triggers of migration 0006_sync_notify notify on. */
export const POKE_CHANNEL = 'mesa_sync';
/** At most one poke per subscriber per window: a burst of commits costs each device one pull. */
export const COALESCE_MS = 50;

export interface SubscriberIo {
  /** Writes one poke. The hub never has two in flight for one subscriber (a slow reader gets fewer). */
  poke(): Promise<void>;
  /** The hub is closing: end the stream. */
  end(): void;
}

export interface Subscription {
  /** The session was reloaded: match against the actor's current scope. */
  update(actor: ScopeActor): void;
  close(): Promise<void>;
}

export interface PokeHub {
  subscribe(actor: ScopeActor, io: SubscriberIo): Subscription;
  /** Connected subscribers. */
  readonly size: number;
  /** Ends every subscriber and stops listening (a later subscriber would start again). */
  close(): Promise<void>;
}

interface Subscriber {
  io: SubscriberIo;
  scope: ScopeKeys;
  lastSent: number;
  timer: ReturnType<typeof setTimeout> | null;
  writing: boolean;
  again: boolean;
  closed: boolean;
}

interface ListenSession {
  listening: boolean;
  stop: Promise<(() => Promise<void>) | null>;
}

/**
 * One LISTEN per process, fanned out in memory to the SSE subscribers whose scope a commit touched.
 * The LISTEN starts with the first subscriber and stops with the last, so an app nobody streams from
 * holds no extra connection. Every subscriber is poked once the LISTEN holds (its first pull starts
 * after that, so no commit falls between) and again whenever it holds anew after a lost connection.
 */
export function createPokeHub(database: Database, log: Logger, coalesceMs = COALESCE_MS): PokeHub {
  const subscribers = new Set<Subscriber>();
  let session: ListenSession | null = null;

  const write = (s: Subscriber) => {
    if (s.closed) return;
    if (s.writing) {
      s.again = true;
      return;
    }
    s.writing = true;
    s.lastSent = performance.now();
    s.io
      .poke()
      .catch((error: unknown) => log.debug('sync poke not written', { error: String(error) }))
      .finally(() => {
        s.writing = false;
        if (s.again) {
          s.again = false;
          poke(s);
        }
      });
  };

  const poke = (s: Subscriber) => {
    if (s.closed || s.timer) return; // one already due carries this one
    // Even when due at once, wait for the timers phase: a commit's notifications (one per distinct
    // payload) arrive together and are then written as one poke.
    s.timer = setTimeout(
      () => {
        s.timer = null;
        write(s);
      },
      Math.max(0, s.lastSent + coalesceMs - performance.now()),
    );
  };

  const start = () => {
    const current: ListenSession = { listening: false, stop: Promise.resolve(null) };
    session = current;
    current.stop = database
      .listen(POKE_CHANNEL, {
        onPayload: (payload) => {
          if (session !== current) return;
          const keys = parsePoke(payload);
          for (const s of subscribers) if (pokeReaches(s.scope, keys)) poke(s);
        },
        onListen: () => {
          if (session !== current) return;
          // Held anew after a drop: commits made meanwhile were not announced, so everyone pulls.
          if (current.listening) log.warn('sync pokes: LISTEN re-established, poking every subscriber');
          current.listening = true;
          for (const s of subscribers) poke(s);
        },
      })
      .catch((error: unknown) => {
        log.error('sync pokes: LISTEN failed', { error: String(error) });
        // The next subscriber tries again.
        if (session === current) session = null;
        return null;
      });
  };

  const stopListening = async () => {
    const current = session;
    session = null;
    if (!current) return;
    const stop = await current.stop;
    await stop?.().catch((error: unknown) => log.warn('sync pokes: UNLISTEN failed', { error: String(error) }));
  };

  const drop = (s: Subscriber) => {
    s.closed = true;
    if (s.timer) clearTimeout(s.timer);
    s.timer = null;
    subscribers.delete(s);
  };

  return {
    subscribe(actor, io) {
      const s: Subscriber = {
        io,
        scope: scopeKeys(actor),
        lastSent: Number.NEGATIVE_INFINITY,
        timer: null,
        writing: false,
        again: false,
        closed: false,
      };
      subscribers.add(s);
      if (!session) start();
      else if (session.listening) poke(s);
      return {
        update(next) {
          s.scope = scopeKeys(next);
        },
        async close() {
          if (s.closed) return;
          drop(s);
          if (subscribers.size === 0) await stopListening();
        },
      };
    },
    get size() {
      return subscribers.size;
    },
    async close() {
      for (const s of [...subscribers]) {
        drop(s);
        s.io.end();
      }
      await stopListening();
    },
  };
}

const hubs = new WeakMap<Database, PokeHub>();

/** The hub of a database, made on first use: every app built on one Database shares one LISTEN. */
export function pokeHub(database: Database, log: Logger): PokeHub {
  let hub = hubs.get(database);
  if (!hub) {
    hub = createPokeHub(database, log);
    hubs.set(database, hub);
  }
  return hub;
}
