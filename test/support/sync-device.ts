import { randomUUID } from 'node:crypto';
import { PROTOCOL_VERSION, SCHEMA_VERSION } from '@mesa/core';
import { expect } from 'vitest';
import type { Client } from './api';

export const syncVersions = { protocolVersion: PROTOCOL_VERSION, schemaVersion: SCHEMA_VERSION };
export type PatchOp = { op: string; table?: string; id?: string; row?: { id: string } };

/**
 * A device speaking the raw sync protocol through a REST test client: one client id in one group, with
 * its own mutation counter (an explicit `id` overrides it, to replay or leave gaps).
 */
export function protocolDevice(who: Client) {
  const clientGroupId = randomUUID();
  const clientId = randomUUID();
  let next = 1;
  const pull = (cookie: string | null, limit?: number) =>
    who.post('/api/sync/pull', { ...syncVersions, clientGroupId, cookie, ...(limit ? { limit } : {}) });
  return {
    clientGroupId,
    clientId,
    push: (mutations: Array<{ name: string; args: unknown; id?: number }>) =>
      who.post('/api/sync/push', {
        ...syncVersions,
        clientGroupId,
        clientId,
        mutations: mutations.map((m) => ({ id: m.id ?? next++, name: m.name, args: m.args, clientTime: Date.now() })),
      }),
    pull,
    /** Every page of a pull, as one patch, and the final cookie. */
    async pullAll(
      cookie: string | null,
      limit?: number,
    ): Promise<{ patch: PatchOp[]; cookie: string; pages: PatchOp[][] }> {
      const patch: PatchOp[] = [];
      const pages: PatchOp[][] = [];
      let at = cookie;
      for (let n = 0; n < 200; n++) {
        const r = await pull(at, limit);
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        patch.push(...r.body.patch);
        pages.push(r.body.patch);
        at = r.body.cookie;
        if (!r.body.more) return { patch, cookie: at as string, pages };
      }
      throw new Error('pull never ended');
    },
  };
}
