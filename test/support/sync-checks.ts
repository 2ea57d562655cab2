import { randomUUID } from 'node:crypto';
import {
  type Article,
  type AttachmentRow,
  type HistoryRow,
  PROTOCOL_VERSION,
  type PullResponse,
  SCHEMA_VERSION,
  type Ticket,
} from '@mesa/core';
import { expect } from 'vitest';
import type { LabDevice } from './sync-lab';

export interface Scope {
  tickets: Map<string, Ticket>;
  articles: Map<string, Article>;
  attachments: Map<string, AttachmentRow>;
  history: Map<string, HistoryRow>;
}

/** What the server says this device's user may see: a full pull from a fresh client group, no faults. */
export async function serverScope(device: LabDevice, baseUrl: string): Promise<Scope> {
  const scope: Scope = { tickets: new Map(), articles: new Map(), attachments: new Map(), history: new Map() };
  const clientGroupId = randomUUID();
  let cookie: string | null = null;
  for (;;) {
    const res = await fetch(`${baseUrl}/api/sync/pull`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: device.cookie },
      body: JSON.stringify({ protocolVersion: PROTOCOL_VERSION, schemaVersion: SCHEMA_VERSION, clientGroupId, cookie }),
    });
    if (res.status !== 200) throw new Error(`server scope pull: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as PullResponse;
    for (const op of body.patch) {
      if (op.op === 'put') (scope[op.table] as Map<string, unknown>).set(String(op.row.id), op.row);
    }
    cookie = body.cookie;
    if (!body.more) return scope;
  }
}

/** Syncs until the device has nothing left to send (or gives up loudly). */
export async function settle(device: LabDevice, rounds = 30): Promise<void> {
  const c = device.client;
  for (let i = 0; i < rounds; i++) {
    await c.syncNow();
    const s = c.state.get();
    const left = (await c.db.mutations.count()) + (await c.db.blobs.count());
    if (left === 0 && !s.error) return;
    if (s.authRequired || s.upgradeRequired) throw new Error(`device stuck: ${JSON.stringify(s)}`);
  }
  throw new Error(`device did not settle: ${JSON.stringify(c.state.get())}`);
}

/** The device holds exactly the server's rows for its user: same ids, same values. */
export async function expectConverged(device: LabDevice, baseUrl: string): Promise<void> {
  const truth = await serverScope(device, baseUrl);
  const db = device.client.db;
  const local = {
    tickets: await db.tickets.toArray(),
    articles: await db.allArticles(),
    attachments: await db.allAttachments(),
    history: await db.allHistory(),
  };
  const byId = (a: { id: string | number }, b: { id: string | number }) => String(a.id).localeCompare(String(b.id));
  for (const table of ['tickets', 'articles', 'attachments', 'history'] as const) {
    const want = [...truth[table].values()].sort(byId);
    const have = [...local[table]].sort(byId);
    expect(have, `${device.opts.email}: ${table}`).toEqual(want);
  }
  expect(await db.mutations.count()).toBe(0);
  expect(await db.blobs.count()).toBe(0);
  expect(await db.shadows.count()).toBe(0);
  expect(device.timeTravel, 'a pull brought older data than one before it').toEqual([]);
}
