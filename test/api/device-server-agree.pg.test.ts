import { randomUUID } from 'node:crypto';
import type { Database } from '@mesa/api/db/client';
import { makeContract, makeEquipment, makeRegion, makeSite } from '@mesa/api/db/factories';
import {
  AppError,
  type Article,
  type AttachmentRow,
  applyMutation,
  type DeviceReference,
  emptyLocalState,
  type LocalState,
  levels,
  type MutatorName,
  parseMutation,
  type ReferenceRows,
  type SyncActor,
  type Ticket,
  ticketStatuses,
} from '@mesa/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, clientsFor, testApp } from '../support/api';
import { openTestDatabase } from '../support/db';
import { type PatchOp, protocolDevice } from '../support/sync-device';
import { buildWorld, type World } from '../support/world';

let database: Database;
let world: World;
let as: Record<'customer' | 'agent' | 'technician', Client>;

beforeAll(async () => {
  database = await openTestDatabase();
  world = await buildWorld(database);
  as = await clientsFor(testApp(database), {
    customer: 'ana@acme.test',
    agent: 'agent@t.test',
    technician: 'tech@t.test',
  });
  // Seed 002: maintenance codes, one under the customer's organization's contract and one under another's.
  const db = database.db;
  const region = await makeRegion(db, 'Caracas');
  const site = await makeSite(db, { name: 'Sede Chacao', address: 'Av. Principal', regionId: region.id });
  const own = await makeContract(db, world.organizations.sharing.id, 'CT-A1');
  const other = await makeContract(db, world.organizations.private.id, 'CT-G1');
  await makeEquipment(db, { maintenanceCode: 'MC-A1', siteId: site.id, contractId: own.id });
  await makeEquipment(db, { maintenanceCode: 'MC-G1', contractId: other.id });
});
afterAll(() => database.close());

type Who = keyof typeof as;

/** The reference data a device holds after its first pull, as the mutators read it. */
function referenceFrom(patch: PatchOp[]): DeviceReference {
  const rows = <K extends keyof ReferenceRows>(kind: K) =>
    ((patch.find((p) => p.op === 'ref' && (p as { kind?: string }).kind === kind) as { rows?: unknown[] } | undefined)
      ?.rows ?? []) as ReferenceRows[K][];
  return {
    profile: rows('profile')[0] ?? null,
    departments: new Map(rows('departments').map((d) => [d.id, d])),
    policy: rows('policy')[0] ?? null,
    equipment: rows('equipment'),
    staff: rows('staff'),
  };
}

const bodies = ['Revisado en sitio.', 'Pruebe de nuevo, por favor.', 'Cambiamos el disco.', 'Sigue sin funcionar'];
const subjects = ['Impresora sin tóner', 'Enlace caído', 'Servidor lento'];
const level = fc.constantFrom(...levels);
const status = fc.constantFrom(...ticketStatuses);

/** One edit a user may try on their ticket: some the rules allow, some they refuse. */
const step = fc.oneof(
  fc.record({ kind: fc.constant('status' as const), to: status }),
  fc.record({
    kind: fc.constant('note' as const),
    internal: fc.boolean(),
    body: fc.constantFrom(...bodies),
    nextStatus: fc.option(status, { nil: undefined }),
  }),
  fc.record({
    kind: fc.constant('fields' as const),
    subject: fc.option(fc.constantFrom(...subjects), { nil: undefined }),
    severity: fc.option(level, { nil: undefined }),
    urgency: fc.option(level, { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('attach' as const), onNote: fc.boolean() }),
  fc.record({
    kind: fc.constant('assign' as const),
    owner: fc.constantFrom('me', 'agent', 'technician', 'nobody', 'keep'),
    tier: fc.option(fc.constantFrom(1, 2, 3), { nil: undefined }),
    note: fc.boolean(),
  }),
);

const scenario = fc.record({
  who: fc.constantFrom<Who>('customer', 'agent', 'technician'),
  toUrgentOnly: fc.boolean(),
  // Own, another organization's (only staff may name it), unknown, in any case, or none.
  code: fc.constantFrom(undefined, 'MC-A1', 'mc-a1', 'MC-G1', 'MC-NINGUNO'),
  severity: level,
  urgency: level,
  steps: fc.array(step, { minLength: 1, maxLength: 8 }),
});

type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

function mutationFor(
  s: Step,
  ticketId: string,
  lastNote: string | null,
  who: Who,
): { name: MutatorName; args: unknown } {
  switch (s.kind) {
    case 'assign': {
      // Owners from the directory the device holds (anyone else is the server's to check). A technician's
      // hand-over takes the ticket out of their scope, which only the server knows: they keep it here.
      const owner = who === 'technician' && s.owner !== 'keep' ? 'me' : s.owner;
      const ownerId = {
        me: world.users[who].id,
        agent: world.users.agent.id,
        technician: world.users.technician.id,
        nobody: null,
        keep: undefined,
      }[owner];
      const tier = s.tier ?? (ownerId === undefined ? 2 : undefined);
      return {
        name: 'assignTicket@1',
        args: {
          ticketId,
          ...(ownerId !== undefined ? { ownerId } : {}),
          ...(tier ? { supportTier: tier } : {}),
          ...(s.note ? { note: 'Pasa al segundo nivel: requiere especialista.', noteId: randomUUID() } : {}),
        },
      };
    }
    case 'status':
      return { name: 'changeStatus@1', args: { ticketId, to: s.to } };
    case 'note':
      return {
        name: 'addNote@1',
        args: {
          id: randomUUID(),
          ticketId,
          kind: s.internal ? 'internal_note' : 'public_reply',
          body: s.body,
          ...(s.nextStatus ? { nextStatus: s.nextStatus } : {}),
        },
      };
    case 'fields': {
      const changes = { subject: s.subject, severity: s.severity, urgency: s.urgency };
      const given = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
      return {
        name: 'updateTicketFields@1',
        args: { ticketId, changes: Object.keys(given).length ? given : { subject: 'Sin cambios' } },
      };
    }
    case 'attach':
      return {
        name: 'addAttachment@1',
        args: {
          id: randomUUID(),
          ticketId,
          ...(s.onNote && lastNote ? { articleId: lastNote } : {}),
          filename: 'foto.jpg',
          contentType: 'image/jpeg',
          size: 1234,
          sha256: 'a'.repeat(64),
        },
      };
  }
}

/** What both sides must agree on; times the server stamps itself are compared as set or not. */
const comparableTicket = (t: Ticket) => ({
  id: t.id,
  subject: t.subject,
  status: t.status,
  severity: t.severity,
  urgency: t.urgency,
  priority: t.priority,
  channel: t.channel,
  departmentId: t.departmentId,
  ownerId: t.ownerId,
  supportTier: t.supportTier,
  requesterId: t.requesterId,
  organizationId: t.organizationId,
  requesterName: t.requester.name,
  equipmentId: t.equipmentId,
  siteId: t.siteId,
  contractId: t.contractId,
  cc: t.cc,
  firstResponseAt: t.firstResponseAt !== null,
  attendedAt: t.attendedAt !== null,
  resolvedAt: t.resolvedAt !== null,
  closedAt: t.closedAt !== null,
});
const comparableArticle = (a: Article) => ({
  id: a.id,
  kind: a.kind,
  body: a.body,
  nextStatus: a.nextStatus,
  authorId: a.authorId,
});
const comparableAttachment = (a: AttachmentRow) => ({ id: a.id, articleId: a.articleId, filename: a.filename });

describe('the device and the server', () => {
  it('agree on every random sequence of edits: the same refusals, the same ticket, notes and files', async () => {
    const sistemas = world.dept('sistemas').id;
    const urgentOnly = world.dept('soporte-24h').id;
    await fc.assert(
      fc.asyncProperty(scenario, async (sc) => {
        const device = protocolDevice(as[sc.who]);
        const first = await device.pullAll(null);
        let state: LocalState = { ...emptyLocalState(), reference: referenceFrom(first.patch) };
        const profile = state.reference?.profile;
        if (!profile) throw new Error('no profile on the device');
        const actor: SyncActor = { id: profile.id, role: profile.role, name: profile.name };
        const ticketId = randomUUID();
        const departmentId = sc.who === 'customer' && sc.toUrgentOnly ? urgentOnly : sistemas;
        const mutations: { name: MutatorName; args: unknown }[] = [
          {
            name: 'createTicket@1',
            args: {
              id: ticketId,
              departmentId,
              subject: 'Caso de prueba',
              description: 'Generado por la prueba de propiedades.',
              severity: sc.severity,
              urgency: sc.urgency,
              ...(sc.who === 'customer' ? {} : { requesterId: world.users.customer.id }),
              ...(sc.code ? { maintenanceCode: sc.code } : {}),
            },
          },
        ];
        let lastNote: string | null = null;
        for (const s of sc.steps) {
          const m = mutationFor(s, ticketId, lastNote, sc.who);
          if (m.name === 'addNote@1') lastNote = (m.args as { id: string }).id;
          mutations.push(m);
        }

        // The device: each edit on the optimistic state, a refusal leaving it as it was.
        const deviceRefusals: Record<number, string> = {};
        mutations.forEach((m, i) => {
          try {
            state = applyMutation(state, parseMutation(m.name, m.args), actor, new Date());
          } catch (error) {
            if (!(error instanceof AppError)) throw error;
            deviceRefusals[i + 1] = error.code;
          }
        });

        // The server: the same queue, pushed at once.
        const pushed = await device.push(mutations.map((m, i) => ({ ...m, id: i + 1 })));
        expect(pushed.status, JSON.stringify(pushed.body)).toBe(200);
        const serverRefusals = Object.fromEntries(
          (pushed.body.rejected as { id: number; code: string }[]).map((r) => [r.id, r.code]),
        );
        expect(serverRefusals).toEqual(deviceRefusals);

        const after = await device.pullAll(first.cookie);
        const puts = (table: string) =>
          after.patch.filter((p) => p.op === 'put' && p.table === table).map((p) => p.row as unknown);
        const serverTicket = (puts('tickets') as Ticket[]).find((t) => t.id === ticketId);
        const deviceTicket = state.tickets.get(ticketId);
        if (!deviceTicket) {
          expect(serverTicket).toBeUndefined();
          return;
        }
        // A requester picked by id is looked up in the customer directory, which only the server holds: their
        // name and organization arrive with the pull (documented on createTicket@1).
        const known = (t: Ticket) => {
          const { requesterName, organizationId, ...rest } = comparableTicket(t);
          return sc.who === 'customer' ? { ...rest, requesterName, organizationId } : rest;
        };
        expect(serverTicket && known(serverTicket)).toEqual(known(deviceTicket));
        // Due times follow the creation time, which each side stamps itself a few milliseconds apart.
        const skew = Math.abs(Date.parse(serverTicket!.createdAt) - Date.parse(deviceTicket.createdAt)) + 1000;
        for (const due of ['firstResponseDueAt', 'resolutionDueAt'] as const) {
          const gap = Math.abs(Date.parse(serverTicket![due]!) - Date.parse(deviceTicket[due]!));
          expect(gap, due).toBeLessThanOrEqual(skew);
        }
        const byId = <T extends { id: string }>(rows: T[]) => [...rows].sort((a, b) => a.id.localeCompare(b.id));
        const serverArticles = (puts('articles') as Article[]).filter((a) => a.ticketId === ticketId);
        const deviceArticles = [...state.articles.values()].filter((a) => a.ticketId === ticketId);
        expect(byId(serverArticles).map(comparableArticle)).toEqual(byId(deviceArticles).map(comparableArticle));
        const serverFiles = (puts('attachments') as AttachmentRow[]).filter((a) => a.ticketId === ticketId);
        const deviceFiles = [...state.attachments.values()].filter((a) => a.ticketId === ticketId);
        expect(byId(serverFiles).map(comparableAttachment)).toEqual(byId(deviceFiles).map(comparableAttachment));
      }),
      { numRuns: 60 },
    );
  });
});
