import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { articles, attachments, syncClients, syncRejections } from '@mesa/api/db/schema';
import { AppError, type Ticket, ticketStatuses } from '@mesa/core';
import { and, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { expectConverged, settle } from '../support/sync-checks';
import { type LabDevice, prng } from '../support/sync-lab';
import { useLab } from '../support/sync-world';

// 60 s in CI; SYNC_SOAK_SECONDS runs longer, SYNC_SEED replays a failing run.
const seconds = Number(process.env.SYNC_SOAK_SECONDS ?? 60);
const seed = Number(process.env.SYNC_SEED ?? Date.now() % 1_000_000);

const env = useLab();

/**
 * Mutations no device would queue itself, put straight into a device's queue (an older build, a damaged
 * record): each must end as a recorded rejection without blocking anything queued after it.
 */
const hostileMutations = (ticketId: string): Array<[string, string, unknown]> => {
  const note = (body: unknown) => ({ id: randomUUID(), ticketId, kind: 'public_reply', body });
  return [
    ['NUL in a note', 'addNote@1', note('antes\u0000después')],
    ['lone surrogate in a note', 'addNote@1', note('mitad \uD83D de un par')],
    [
      'NUL in a file name',
      'addAttachment@1',
      {
        id: randomUUID(),
        ticketId,
        filename: 'f\u0000.jpg',
        contentType: 'image/jpeg',
        size: 3,
        sha256: 'a'.repeat(64),
      },
    ],
    ['1 MB subject', 'updateTicketFields@1', { ticketId, changes: { subject: 'x'.repeat(1_000_000) } }],
    ['1 MB note', 'addNote@1', note('y'.repeat(1_000_000))],
    ['unknown mutator', 'deleteEverything@1', { ticketId }],
    ['wrong version', 'addNote@7', note('versión futura')],
    ['args of wrong types', 'changeStatus@1', { ticketId: 42, to: ['closed'] }],
    ['args not an object', 'addNote@1', 'hola'],
    ['args not JSON', 'addNote@1', note(10n)],
    ['a name the protocol refuses', 'z'.repeat(300), {}],
    ['ticket out of scope', 'addNote@1', { ...note('fuera'), ticketId: randomUUID() }],
  ];
};

interface Hostile {
  device: LabDevice;
  mutationId: number;
  what: string;
}

interface Made {
  device: LabDevice;
  mutationId: number;
  kind: 'note' | 'attachment';
  rowId: string;
}

describe(`randomized run (${seconds} s, seed ${seed})`, () => {
  it(
    'devices with lost traffic, kills, restarts, skewed clocks and scope changes end equal to the server, every mutation once',
    async () => {
      const random = prng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
      const tickets: Ticket[] = [];
      for (let i = 0; i < 4; i++) tickets.push(await env.lab.fieldTicket(`Aleatorio ${i}`));
      // Clocks that disagree: an hour ahead, an hour behind, and a phone that thinks it is 2001.
      const devices = [
        await env.lab.device('technician', { random, skewMs: 3_600_000 }),
        await env.lab.device('agent', { random }),
        await env.lab.device('supervisor', { random, skewMs: -3_600_000 }),
        await env.lab.device('customer', { random, skewMs: Date.UTC(2001, 0, 1) - Date.now() }),
      ];
      for (const d of devices) {
        d.faults.dropRequest = 0.1;
        d.faults.dropResponse = 0.1;
      }
      const made: Made[] = [];
      const hostile: Hostile[] = [];
      const counts: Record<string, number> = {};
      const count = (k: string) => {
        counts[k] = (counts[k] ?? 0) + 1;
      };

      const deviceOp = async (d: LabDevice) => {
        const local = (await d.client.db.tickets.toArray()).filter((t) => !t.deletedAt);
        const r = random();
        if (r < 0.08) {
          d.faults.offline = !d.faults.offline;
          return count(d.faults.offline ? 'offline' : 'online');
        }
        if (r < 0.11) {
          await d.restart();
          return count('device kill');
        }
        if (r < 0.2) {
          await d.client.syncNow();
          return count('sync');
        }
        const t = local.length ? pick(local) : null;
        if (!t) return;
        if (r < 0.25) {
          const [what, name, args] = pick(hostileMutations(t.id));
          hostile.push({ device: d, mutationId: await d.queueRaw(name, args), what });
          return count(`hostile: ${what}`);
        }
        const staff = d.opts.role !== 'customer';
        try {
          if (r < 0.5) {
            const id = randomUUID();
            const kind = staff && random() < 0.5 ? 'internal_note' : 'public_reply';
            const mutationId = await d.client.mutate('addNote@1', {
              id,
              ticketId: t.id,
              kind,
              body: `n${made.length}`,
            });
            made.push({ device: d, mutationId, kind: 'note', rowId: id });
            count('note');
          } else if (r < 0.7) {
            const changes =
              d.opts.role === 'customer'
                ? { cc: [`cc${Math.floor(random() * 5)}@acme.test`] }
                : d.opts.role === 'technician'
                  ? { description: `desc ${Math.floor(random() * 1000)}` }
                  : { subject: `asunto ${Math.floor(random() * 1000)}`, urgency: pick(['low', 'high'] as const) };
            await d.client.mutate('updateTicketFields@1', { ticketId: t.id, changes });
            count('edit');
          } else if (r < 0.9) {
            await d.client.mutate('changeStatus@1', { ticketId: t.id, to: pick(ticketStatuses) });
            count('status');
          } else {
            const data = new Uint8Array(randomBytes(1000 + Math.floor(random() * 5000)));
            // What attach() does, keeping the mutation id it returns: reading the queue's last entry afterwards
            // raced the background cycle, whose pull may already have dropped it (a wrong id then).
            const id = randomUUID();
            const sha256 = createHash('sha256').update(data).digest('hex');
            const file = {
              id,
              ticketId: t.id,
              filename: 'foto.jpg',
              contentType: 'image/jpeg',
              size: data.length,
              sha256,
            };
            const mutationId = await d.client.mutate('addAttachment@1', file, data);
            made.push({ device: d, mutationId, kind: 'attachment', rowId: id });
            count('photo');
          }
        } catch (error) {
          // Refused on the device (same rules as the server): nothing was queued.
          if (!(error instanceof AppError)) throw error;
          count(`refused locally ${error.code}`);
        }
      };

      const officeOp = async () => {
        const r = random();
        const t = pick(tickets);
        if (r < 0.3) {
          tickets.push(await env.lab.fieldTicket(`Aleatorio ${tickets.length}`));
          count('office: new ticket');
        } else if (r < 0.6) {
          // Scope change: the technician loses or regains the ticket.
          const owner = random() < 0.5 ? env.lab.world.users.agent.id : env.lab.world.users.technician.id;
          await env.lab.office.admin.post(`/api/tickets/${t.number}/assign`, { ownerId: owner });
          count('office: reassign');
        } else if (r < 0.9) {
          await env.lab.office.admin.post(`/api/tickets/${t.number}/articles`, {
            kind: 'public_reply',
            body: 'oficina',
          });
          count('office: reply');
        } else if (r < 0.95) {
          await env.lab.office.admin.raw('DELETE', `/api/tickets/${t.number}`, '');
          count('office: delete');
        } else {
          await env.lab.server.restart();
          count('server restart');
        }
      };

      // Every kind of hostile mutation at least once, in random queues, before the random run adds more.
      for (const [what, name, args] of hostileMutations(pick(tickets).id)) {
        const d = pick(devices);
        hostile.push({ device: d, mutationId: await d.queueRaw(name, args), what });
      }

      const until = Date.now() + seconds * 1000;
      while (Date.now() < until) {
        if (random() < 0.15) await officeOp();
        else await deviceOp(pick(devices));
      }

      // Heal everything, then every device must hold exactly its scope with nothing left to send.
      for (const d of devices) {
        if (!d.client.state.get().leader) await d.restart();
        d.faults.offline = false;
        d.faults.dropRequest = 0;
        d.faults.dropResponse = 0;
      }
      for (let round = 0; round < 2; round++) for (const d of devices) await settle(d);
      for (const d of devices) await expectConverged(d, env.lab.server.url);

      // Exactly once: an accepted note or photo exists once on the server, a rejected one not at all.
      const rejected = new Set<string>();
      for (const d of devices) {
        // An upload that could not finish (the ticket was deleted meanwhile) is reported too, but its
        // mutation was applied: only mutation rejections count here.
        for (const r of await d.client.db.rejections.toArray()) {
          if (r.name !== 'upload') rejected.add(`${d.opts.email}#${r.id}`);
        }
        const [ledger] = await env.database.db.select().from(syncClients).where(eq(syncClients.clientId, d.client.id));
        const next = (await d.client.db.getMeta<number>('nextMutationId')) ?? 1;
        expect(ledger?.lastMutationId ?? 0, `${d.opts.email} ledger`).toBe(next - 1);
      }
      // Every hostile mutation is a recorded rejection, on the device and on the server.
      expect(new Set(hostile.map((h) => h.what)).size, 'kinds of hostile mutations queued').toBe(12);
      for (const h of hostile) {
        const onDevice = await h.device.client.db.rejections.get(h.mutationId);
        const [onServer] = await env.database.db
          .select({ code: syncRejections.code })
          .from(syncRejections)
          .where(and(eq(syncRejections.clientId, h.device.client.id), eq(syncRejections.mutationId, h.mutationId)));
        expect({ what: h.what, device: onDevice?.code, server: onServer?.code }).toEqual({
          what: h.what,
          device: h.what === 'ticket out of scope' ? 'TICKET_NOT_FOUND' : 'VALIDATION_FAILED',
          server: h.what === 'ticket out of scope' ? 'TICKET_NOT_FOUND' : 'VALIDATION_FAILED',
        });
      }
      const noteIds = made.filter((m) => m.kind === 'note').map((m) => m.rowId);
      const fileIds = made.filter((m) => m.kind === 'attachment').map((m) => m.rowId);
      const notes = noteIds.length
        ? await env.database.db.select({ id: articles.id }).from(articles).where(inArray(articles.id, noteIds))
        : [];
      const files = fileIds.length
        ? await env.database.db.select({ id: attachments.id }).from(attachments).where(inArray(attachments.id, fileIds))
        : [];
      const onServer = new Set([...notes, ...files].map((x) => x.id));
      for (const m of made) {
        const wasRejected = rejected.has(`${m.device.opts.email}#${m.mutationId}`);
        // A ticket deleted later takes its notes with it (hard delete only after 90 days: still there).
        expect(onServer.has(m.rowId), `${m.kind} ${m.rowId} rejected=${wasRejected}`).toBe(!wasRejected);
      }
      console.info(`sync soak seed ${seed}:`, JSON.stringify(counts));
    },
    (seconds + 120) * 1000,
  );
});
