import type { Database, ListenHandlers } from '@mesa/api/db/client';
import { createLogger } from '@mesa/api/logger';
import { COALESCE_MS, createPokeHub, POKE_CHANNEL } from '@mesa/api/sync/pokes/hub';
import { departmentKey, ownerKey, type ScopeActor } from '@mesa/api/sync/pokes/scope-keys';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** A database whose LISTEN the test drives: deliver payloads, drop and restore the connection. */
function fakeDatabase() {
  const state = { handlers: null as ListenHandlers | null, listens: 0, stops: 0, channel: '' };
  const database = {
    async listen(channel: string, handlers: ListenHandlers) {
      state.listens++;
      state.channel = channel;
      state.handlers = handlers;
      return async () => {
        state.stops++;
        state.handlers = null;
      };
    },
  } as unknown as Database;
  const h = () => {
    if (!state.handlers) throw new Error('not listening');
    return state.handlers;
  };
  return { database, state, notify: (p: string) => h().onPayload(p), holds: () => h().onListen() };
}

const tech: ScopeActor = {
  id: 't1',
  role: 'technician',
  organizationId: null,
  orgSharesTickets: false,
  departmentIds: [],
};
const agent: ScopeActor = {
  id: 'a1',
  role: 'agent',
  organizationId: null,
  orgSharesTickets: false,
  departmentIds: ['d1'],
};

/** A subscriber that counts its pokes; `slow` makes each write wait until released. */
function counter(slow = false) {
  const c = { pokes: 0, ended: false, release: () => {} };
  return {
    c,
    io: {
      poke: () => {
        c.pokes++;
        return slow
          ? new Promise<void>((r) => {
              c.release = r;
            })
          : Promise.resolve();
      },
      end: () => {
        c.ended = true;
      },
    },
  };
}

const log = createLogger('silent');
/** Lets pending promise callbacks run, then moves the fake clock. */
const advance = async (ms: number) => {
  await vi.advanceTimersByTimeAsync(ms);
};

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('poke hub', () => {
  it('listens with the first subscriber, pokes it once the LISTEN holds, and stops with the last', async () => {
    const f = fakeDatabase();
    const hub = createPokeHub(f.database, log);
    const a = counter();
    const sa = hub.subscribe(tech, a.io);
    await advance(0);
    expect([f.state.listens, f.state.channel]).toEqual([1, POKE_CHANNEL]);
    expect(a.c.pokes).toBe(0); // the fake has not said it holds yet
    f.holds();
    await advance(1);
    expect(a.c.pokes).toBe(1);

    // A later subscriber joins a LISTEN that already holds: poked at once, no second LISTEN.
    const b = counter();
    const sb = hub.subscribe(agent, b.io);
    await advance(1);
    expect([b.c.pokes, f.state.listens, hub.size]).toEqual([1, 1, 2]);

    await sa.close();
    expect(f.state.stops).toBe(0);
    await sb.close();
    expect([f.state.stops, hub.size]).toEqual([1, 0]);
  });

  it('pokes only the subscribers whose scope a payload names', async () => {
    const f = fakeDatabase();
    const hub = createPokeHub(f.database, log);
    const t = counter();
    const a = counter();
    hub.subscribe(tech, t.io);
    hub.subscribe(agent, a.io);
    await advance(0);
    f.holds();
    await advance(COALESCE_MS);
    f.notify(`${departmentKey('d1')} ${ownerKey('someone')}`);
    await advance(COALESCE_MS);
    expect([t.c.pokes, a.c.pokes]).toEqual([1, 2]);
    f.notify(ownerKey('t1'));
    await advance(COALESCE_MS);
    expect([t.c.pokes, a.c.pokes]).toEqual([2, 2]);
    f.notify('*');
    await advance(COALESCE_MS);
    expect([t.c.pokes, a.c.pokes]).toEqual([3, 3]);
    await hub.close();
  });

  it('folds a burst into one poke per window and always sends one after the last notification', async () => {
    const f = fakeDatabase();
    const hub = createPokeHub(f.database, log);
    const a = counter();
    hub.subscribe(agent, a.io);
    await advance(0);
    f.holds();
    await advance(COALESCE_MS);
    expect(a.c.pokes).toBe(1);
    // One commit's several payloads arrive together: one poke.
    f.notify(departmentKey('d1'));
    f.notify(`${departmentKey('d1')} ${ownerKey('x')}`);
    await advance(1);
    expect(a.c.pokes).toBe(2);
    // 100 notifications over 200 ms: one poke per 50 ms window, and the last window's trailing poke.
    for (let i = 0; i < 100; i++) {
      f.notify(departmentKey('d1'));
      await advance(2);
    }
    await advance(COALESCE_MS);
    expect(a.c.pokes).toBeGreaterThanOrEqual(2 + 4);
    expect(a.c.pokes).toBeLessThanOrEqual(2 + 5);
    const settled = a.c.pokes;
    await advance(10 * COALESCE_MS);
    expect(a.c.pokes).toBe(settled);
    await hub.close();
  });

  it('never has two writes in flight for a slow reader, and pokes again once it drains', async () => {
    const f = fakeDatabase();
    const hub = createPokeHub(f.database, log);
    const slow = counter(true);
    hub.subscribe(agent, slow.io);
    await advance(0);
    f.holds();
    await advance(1);
    expect(slow.c.pokes).toBe(1); // stuck: the reader does not read
    for (let i = 0; i < 10; i++) {
      f.notify('*');
      await advance(COALESCE_MS);
    }
    expect(slow.c.pokes).toBe(1);
    slow.c.release();
    await advance(COALESCE_MS);
    expect(slow.c.pokes).toBe(2);
    slow.c.release();
    await hub.close();
  });

  it('pokes everyone when the LISTEN holds again after a lost connection', async () => {
    const f = fakeDatabase();
    const hub = createPokeHub(f.database, log);
    const t = counter();
    const a = counter();
    hub.subscribe(tech, t.io);
    hub.subscribe(agent, a.io);
    await advance(0);
    f.holds();
    await advance(COALESCE_MS);
    expect([t.c.pokes, a.c.pokes]).toEqual([1, 1]);
    f.holds(); // re-established: commits in between were not announced
    await advance(COALESCE_MS);
    expect([t.c.pokes, a.c.pokes]).toEqual([2, 2]);
    await hub.close();
  });

  it('matches a subscriber against its updated scope', async () => {
    const f = fakeDatabase();
    const hub = createPokeHub(f.database, log);
    const a = counter();
    const sub = hub.subscribe(agent, a.io);
    await advance(0);
    f.holds();
    await advance(COALESCE_MS);
    sub.update({ ...agent, departmentIds: ['d2'] });
    f.notify(departmentKey('d1'));
    await advance(COALESCE_MS);
    expect(a.c.pokes).toBe(1);
    f.notify(departmentKey('d2'));
    await advance(COALESCE_MS);
    expect(a.c.pokes).toBe(2);
    await hub.close();
  });

  it('close ends every subscriber, cancels pending pokes and stops listening', async () => {
    const f = fakeDatabase();
    const hub = createPokeHub(f.database, log);
    const a = counter();
    hub.subscribe(agent, a.io);
    await advance(0);
    f.holds();
    await advance(1);
    f.notify('*'); // due in 50 ms
    await hub.close();
    await advance(10 * COALESCE_MS);
    expect([a.c.pokes, a.c.ended, hub.size, f.state.stops]).toEqual([1, true, 0, 1]);
  });
});
