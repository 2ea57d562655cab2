import type { Database } from '@mesa/api/db/client';
import { syncScopeExits, tickets } from '@mesa/api/db/schema';
import type { Actor } from '@mesa/api/http/context';
import { ticketScope } from '@mesa/api/services/access';
import { pullChanges, scopeHash } from '@mesa/api/sync/change-log';
import { POKE_CHANNEL } from '@mesa/api/sync/pokes/hub';
import { parsePoke, pokeReaches, scopeKeys } from '@mesa/api/sync/pokes/scope-keys';
import { seesTicket, type TicketScopeKeys } from '@mesa/core';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../support/db';
import { buildWorld, type World } from '../support/world';

/**
 * The ticket-scope rule has one home (core's scopeGrants/seesTicket). Its SQL forms — the WHERE of
 * reads, writes and pulls, the same WHERE over a scope exit's old keys, and the NOTIFY trigger's
 * payload matched by scopeKeys — must answer exactly as the rule does for every kind of viewer and
 * every combination of a ticket's keys. A copy that drifts fails here.
 */
let database: Database;
let w: World;
let viewers: Array<[string, Actor]>;
type Row = { id: string; keys: TicketScopeKeys; inserted: string };
let matrix: Row[];

const payloads: string[] = [];
let stopListening: () => Promise<void>;

async function eventually(check: () => boolean, what: string, ms = 10_000) {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error(`${what}: not in time`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Runs one committed statement and returns the NOTIFY payload it sent (exactly one). */
async function payloadOf(write: () => Promise<unknown>): Promise<string> {
  const before = payloads.length;
  await write();
  await eventually(() => payloads.length > before, 'notify');
  expect(payloads.length).toBe(before + 1);
  return payloads[before] as string;
}

const keysOf = (t: typeof tickets.$inferSelect): TicketScopeKeys => ({
  departmentId: t.departmentId,
  ownerId: t.ownerId,
  requesterId: t.requesterId,
  organizationId: t.organizationId,
});

beforeAll(async () => {
  database = await openTestDatabase();
  w = await buildWorld(database);
  const a = w.actors;
  viewers = [
    ...Object.entries(a),
    // Shapes the demo world lacks: an agent of no department, a technician who belongs to one
    // (departments give a technician nothing), a customer whose "sharing" flag has no organization.
    ['agent without departments', { ...a.agent, departmentIds: [] }],
    ['technician in a department', { ...a.technician, departmentIds: [w.dept('sistemas').id] }],
    ['customer sharing without organization', { ...a.customer, organizationId: null, orgSharesTickets: true }],
  ];
  stopListening = await database.listen(POKE_CHANNEL, { onPayload: (p) => payloads.push(p), onListen: () => {} });

  const u = w.users;
  const org = w.organizations;
  matrix = [];
  for (const dept of ['sistemas', 'redes'])
    for (const ownerId of [null, u.agent.id, u.technician.id])
      for (const requesterId of [null, u.customer.id, u.colleague.id, u.outsider.id])
        for (const organizationId of [null, org.sharing.id, org.private.id]) {
          const keys = { departmentId: w.dept(dept).id, ownerId, requesterId, organizationId };
          let id = '';
          const inserted = await payloadOf(async () => {
            const [row] = await database.db
              .insert(tickets)
              .values({
                ...keys,
                subject: `Matriz ${matrix.length}`,
                description: 'd',
                requesterName: 'x',
                channel: 'web',
                severity: 'low',
                urgency: 'low',
                priority: 'P4',
                status: 'new',
              })
              .returning();
            id = row!.id;
          });
          matrix.push({ id, keys, inserted });
        }
});

afterAll(async () => {
  await stopListening();
  await database.close();
});

describe('the ticket-scope rule', () => {
  it('is what the scope SQL selects, for every viewer over every key combination', async () => {
    expect(matrix.length).toBe(72);
    expect(viewers.length).toBe(12);
    for (const [who, actor] of viewers) {
      const selected = await database.db
        .select({ id: tickets.id })
        .from(tickets)
        .where(
          and(
            ticketScope(actor),
            inArray(
              tickets.id,
              matrix.map((t) => t.id),
            ),
          ),
        );
      const expected = matrix.filter((t) => seesTicket(actor, t.keys)).map((t) => t.id);
      expect(selected.map((r) => r.id).sort(), who).toEqual(expected.sort());
    }
  });

  it('is what a full pull sends, for every viewer', async () => {
    for (const [who, actor] of viewers) {
      const pulled = await pullChanges(database.db, actor, null, 1000);
      expect(pulled.more).toBe(false);
      const inMatrix = new Set(matrix.map((t) => t.id));
      const expected = matrix.filter((t) => seesTicket(actor, t.keys)).map((t) => t.id);
      expect(
        pulled.tickets
          .map((t) => t.id)
          .filter((id) => inMatrix.has(id))
          .sort(),
        who,
      ).toEqual(expected.sort());
    }
  });

  it('is what the insert and update triggers poke, for every viewer over every key combination', async () => {
    let compared = 0;
    for (const t of matrix) {
      // An update that leaves the scope columns alone names the same keys as the insert did.
      const updated = await payloadOf(() =>
        database.db
          .update(tickets)
          .set({ subject: `Toque ${t.id}` })
          .where(eq(tickets.id, t.id)),
      );
      for (const payload of [t.inserted, updated]) {
        const poke = parsePoke(payload);
        for (const [who, actor] of viewers) {
          expect(pokeReaches(scopeKeys(actor), poke), `${who} × ${JSON.stringify(t.keys)}`).toBe(
            seesTicket(actor, t.keys),
          );
          compared++;
        }
      }
    }
    expect(compared).toBe(72 * 12 * 2);
  });

  it('pokes the old and the new holders when a ticket moves, and the exit row keeps exactly the old scope', async () => {
    let compared = 0;
    const u = w.users;
    // Every ticket moves to the "opposite" keys: other department, other owner, other requester and organization.
    const flip = <T>(v: T, options: T[]): T => options[(options.indexOf(v) + 1) % options.length] as T;
    for (const t of matrix) {
      const next: TicketScopeKeys & { departmentId: string } = {
        departmentId: flip(t.keys.departmentId as string, [w.dept('sistemas').id, w.dept('redes').id]),
        ownerId: flip(t.keys.ownerId, [null, u.agent.id, u.technician.id]),
        requesterId: flip(t.keys.requesterId, [null, u.customer.id, u.colleague.id, u.outsider.id]),
        organizationId: flip(t.keys.organizationId, [null, w.organizations.sharing.id, w.organizations.private.id]),
      };
      const poke = parsePoke(await payloadOf(() => database.db.update(tickets).set(next).where(eq(tickets.id, t.id))));
      for (const [who, actor] of viewers) {
        expect(pokeReaches(scopeKeys(actor), poke), `${who} × ${JSON.stringify(t.keys)} → new keys`).toBe(
          seesTicket(actor, t.keys) || seesTicket(actor, next),
        );
        compared++;
      }
    }
    expect(compared).toBe(72 * 12);

    const exits = await database.db
      .select()
      .from(syncScopeExits)
      .where(
        inArray(
          syncScopeExits.ticketId,
          matrix.map((t) => t.id),
        ),
      );
    expect(exits.length).toBe(72);
    for (const [who, actor] of viewers) {
      const selected = await database.db
        .select({ ticketId: syncScopeExits.ticketId })
        .from(syncScopeExits)
        .where(
          and(
            ticketScope(actor, syncScopeExits),
            inArray(
              syncScopeExits.ticketId,
              matrix.map((t) => t.id),
            ),
          ),
        );
      const expected = matrix.filter((t) => seesTicket(actor, t.keys)).map((t) => t.id);
      expect(selected.map((r) => r.ticketId).sort(), who).toEqual(expected.sort());
    }
    // The moved rows follow the rule on their new keys.
    const moved = await database.db
      .select()
      .from(tickets)
      .where(
        inArray(
          tickets.id,
          matrix.map((t) => t.id),
        ),
      );
    for (const [who, actor] of viewers) {
      const selected = await database.db
        .select({ id: tickets.id })
        .from(tickets)
        .where(
          and(
            ticketScope(actor),
            inArray(
              tickets.id,
              matrix.map((t) => t.id),
            ),
          ),
        );
      const expected = moved.filter((t) => seesTicket(actor, keysOf(t))).map((t) => t.id);
      expect(selected.map((r) => r.id).sort(), who).toEqual(expected.sort());
    }
  });

  it('decides the pull cookie’s scope hash: it changes exactly when the rule’s grants (or the role) change', () => {
    const a = w.actors;
    const d = (slug: string) => w.dept(slug).id;
    const pairs: Array<[string, Actor, Actor, boolean]> = [
      ['technician given a department', a.technician, { ...a.technician, departmentIds: [d('redes')] }, false],
      [
        'agent departments in another order',
        { ...a.agent, departmentIds: [d('sistemas'), d('redes')] },
        { ...a.agent, departmentIds: [d('redes'), d('sistemas')] },
        false,
      ],
      [
        'non-sharing customer moved to another non-sharing organization',
        a.outsider,
        { ...a.outsider, organizationId: w.organizations.sharing.id },
        false,
      ],
      [
        'sharing customer whose organization stops sharing',
        a.customer,
        { ...a.customer, orgSharesTickets: false },
        true,
      ],
      ['agent given another department', a.agent, { ...a.agent, departmentIds: [d('sistemas'), d('redes')] }, true],
      ['admin made supervisor', a.admin, { ...a.admin, role: 'supervisor' }, true],
      ['another user', a.customer, a.colleague, true],
    ];
    for (const [what, before, after, changes] of pairs) {
      expect(scopeHash(before) !== scopeHash(after), what).toBe(changes);
    }
    expect(pairs.length).toBe(7);
  });
});
