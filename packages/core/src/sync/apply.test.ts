import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import type { Ticket } from '../schemas/ticket';
import { applyMutation, emptyLocalState, type LocalState, type SyncActor } from './apply';
import { parseMutation } from './mutators';
import { ticketFieldConflicts } from './ticket-fields';

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const sha = 'b'.repeat(64);
const T = uuid(1);
const now = new Date('2026-03-01T10:00:00.000Z');
const agent: SyncActor = { id: uuid(100), role: 'agent', name: 'Agente' };
const tech: SyncActor = { id: uuid(101), role: 'technician' };
const customer: SyncActor = { id: uuid(102), role: 'customer' };

const ticket = (over: Partial<Ticket> = {}): Ticket => ({
  id: T,
  number: 'T-1',
  subject: 'Impresora',
  description: 'No imprime',
  status: 'open',
  severity: 'medium',
  urgency: 'medium',
  priority: 'P3',
  channel: 'web',
  departmentId: uuid(50),
  ownerId: agent.id,
  supportTier: 1,
  requesterId: customer.id,
  organizationId: null,
  requester: { name: 'Ana', organization: null, location: null, phone: null, email: 'ana@example.com' },
  siteId: null,
  equipmentId: null,
  contractId: null,
  cc: [],
  firstResponseDueAt: null,
  resolutionDueAt: null,
  createdAt: '2026-03-01T09:00:00.000Z',
  updatedAt: '2026-03-01T09:00:00.000Z',
  firstResponseAt: null,
  attendedAt: null,
  resolvedAt: null,
  closedAt: null,
  version: 1,
  ...over,
});

const stateWith = (t: Ticket & { deletedAt?: string | null } = ticket()): LocalState => {
  const s = emptyLocalState();
  s.tickets.set(t.id, t);
  return s;
};

const run = (s: LocalState, name: string, args: unknown, actor: SyncActor = agent) =>
  applyMutation(s, parseMutation(name, args), actor, now);

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).code;
  }
  throw new Error('expected a throw');
};

describe('applyMutation', () => {
  it('updateTicketFields: last write wins per field, requester merged, input untouched', () => {
    const s0 = stateWith();
    const s1 = run(s0, 'updateTicketFields@1', {
      ticketId: T,
      changes: { subject: 'Escáner', cc: ['x@y.com', 'x@y.com'], requester: { phone: '555', location: '' } },
    });
    const t = s1.tickets.get(T);
    expect(t?.subject).toBe('Escáner');
    expect(t?.cc).toEqual(['x@y.com']);
    expect(t?.requester).toEqual({ ...ticket().requester, phone: '555', location: null });
    expect(t?.updatedAt).toBe(now.toISOString());
    expect(s0.tickets.get(T)?.subject).toBe('Impresora');
  });

  it('updateTicketFields: role field table', () => {
    expect(
      codeOf(() => run(stateWith(), 'updateTicketFields@1', { ticketId: T, changes: { subject: 'x' } }, tech)),
    ).toBe('FORBIDDEN');
    const s = run(stateWith(), 'updateTicketFields@1', { ticketId: T, changes: { cc: ['c@d.com'] } }, customer);
    expect(s.tickets.get(T)?.cc).toEqual(['c@d.com']);
  });

  it('ticketFieldConflicts marks overwritten values the writer had not seen', () => {
    const m = parseMutation('updateTicketFields@1', {
      ticketId: T,
      changes: { subject: 'Nuevo', requester: { name: 'Bea' }, urgency: 'high' },
      seen: { subject: 'Viejo', requester: { name: 'Ana' }, urgency: 'low' },
    });
    if (m.name !== 'updateTicketFields@1') throw new Error('unreachable');
    expect(ticketFieldConflicts(ticket(), m.args.changes, m.args.seen)).toEqual([
      { field: 'subject', overwritten: 'Impresora', seen: 'Viejo', value: 'Nuevo' },
      { field: 'urgency', overwritten: 'medium', seen: 'low', value: 'high' },
    ]);
  });

  it('changeStatus runs the state machine and stamps times', () => {
    const s = run(stateWith(), 'changeStatus@1', { ticketId: T, to: 'resolved' });
    expect(s.tickets.get(T)).toMatchObject({ status: 'resolved', resolvedAt: now.toISOString() });
    const reopened = run(s, 'changeStatus@1', { ticketId: T, to: 'open' });
    expect(reopened.tickets.get(T)).toMatchObject({ status: 'open', resolvedAt: null, closedAt: null });
  });

  it('changeStatus: refused transitions throw the state machine code', () => {
    expect(codeOf(() => run(stateWith(), 'changeStatus@1', { ticketId: T, to: 'open' }))).toBe('INVALID_TRANSITION');
    const closed = stateWith(ticket({ status: 'closed' }));
    expect(codeOf(() => run(closed, 'changeStatus@1', { ticketId: T, to: 'attended' }))).toBe('INVALID_TRANSITION');
    expect(codeOf(() => run(stateWith(), 'changeStatus@1', { ticketId: T, to: 'closed' }, tech))).toBe(
      'TRANSITION_NOT_ALLOWED',
    );
    const unowned = stateWith(ticket({ status: 'new', ownerId: null }));
    expect(codeOf(() => run(unowned, 'changeStatus@1', { ticketId: T, to: 'in_progress' }))).toBe('INVALID_TRANSITION');
  });

  it('addNote inserts once, applies nextStatus and first response', () => {
    const args = { id: uuid(7), ticketId: T, kind: 'public_reply', body: 'Hecho', nextStatus: 'attended' };
    const s1 = run(stateWith(), 'addNote@1', args);
    expect(s1.articles.get(uuid(7))).toMatchObject({
      authorId: agent.id,
      authorName: 'Agente',
      nextStatus: 'attended',
    });
    expect(s1.tickets.get(T)).toMatchObject({ status: 'attended', firstResponseAt: now.toISOString() });
    const s2 = run(s1, 'addNote@1', { ...args, body: 'otra vez' });
    expect(s2).toBe(s1);
  });

  it('addNote: customer rules and closed tickets', () => {
    const note = { id: uuid(8), ticketId: T, kind: 'internal_note', body: 'x' };
    expect(codeOf(() => run(stateWith(), 'addNote@1', note, customer))).toBe('FORBIDDEN');
    const waiting = stateWith(ticket({ status: 'pending_customer' }));
    const s = run(waiting, 'addNote@1', { ...note, kind: 'public_reply' }, customer);
    expect(s.tickets.get(T)?.status).toBe('open');
    const closed = stateWith(ticket({ status: 'closed' }));
    expect(codeOf(() => run(closed, 'addNote@1', note))).toBe('INVALID_TRANSITION');
  });

  it('addAttachment and captureSignature insert once and check the article', () => {
    const file = { id: uuid(9), ticketId: T, filename: 'log.txt', contentType: 'text/plain', size: 3, sha256: sha };
    const s1 = run(stateWith(), 'addAttachment@1', file);
    expect(s1.attachments.get(uuid(9))).toMatchObject({ kind: 'file', articleId: null, signerName: null });
    expect(run(s1, 'addAttachment@1', { ...file, filename: 'other' })).toBe(s1);
    expect(codeOf(() => run(stateWith(), 'addAttachment@1', { ...file, articleId: uuid(99) }))).toBe(
      'REFERENCE_NOT_FOUND',
    );
    const sig = { id: uuid(10), ticketId: T, signerName: 'Ana', contentType: 'image/png', size: 10, sha256: sha };
    const s2 = run(s1, 'captureSignature@1', sig, tech);
    expect(s2.attachments.get(uuid(10))).toMatchObject({
      kind: 'signature',
      signerName: 'Ana',
      filename: 'signature.png',
    });
  });

  it('deleted and missing tickets are refused', () => {
    const deleted = stateWith({ ...ticket(), deletedAt: '2026-03-01T09:30:00.000Z' });
    expect(codeOf(() => run(deleted, 'changeStatus@1', { ticketId: T, to: 'resolved' }))).toBe('TICKET_DELETED');
    expect(
      codeOf(() => run(deleted, 'addNote@1', { id: uuid(11), ticketId: T, kind: 'public_reply', body: 'x' })),
    ).toBe('TICKET_DELETED');
    expect(
      codeOf(() => run(emptyLocalState(), 'updateTicketFields@1', { ticketId: T, changes: { subject: 'x' } })),
    ).toBe('TICKET_NOT_FOUND');
  });
});

describe('properties', () => {
  const statuses = ['new', 'open', 'in_progress', 'pending_customer', 'attended', 'resolved', 'closed'] as const;
  const actorArb = fc.constantFrom(agent, tech, customer);
  const noteArb = fc.record({
    id: fc.uuid({ version: 4 }),
    ticketId: fc.constant(T),
    kind: fc.constantFrom('public_reply', 'internal_note'),
    body: fc.string({ minLength: 1, maxLength: 20 }).filter((b) => b.trim().length > 0),
  });
  const mutationArb = fc.oneof(
    fc.record({
      name: fc.constant('changeStatus@1'),
      args: fc.record({ ticketId: fc.constant(T), to: fc.constantFrom(...statuses) }),
    }),
    fc.record({
      name: fc.constant('updateTicketFields@1'),
      args: fc.record({
        ticketId: fc.constant(T),
        changes: fc.record(
          { subject: fc.constantFrom('a', 'b'), urgency: fc.constantFrom('low', 'high'), cc: fc.constant(['z@z.com']) },
          { requiredKeys: ['subject'] },
        ),
      }),
    }),
    fc.record({ name: fc.constant('addNote@1'), args: noteArb }),
    fc.record({
      name: fc.constant('addAttachment@1'),
      args: fc.record({
        id: fc.constantFrom(uuid(20), uuid(21)),
        ticketId: fc.constant(T),
        filename: fc.constant('f'),
        contentType: fc.constant('text/plain'),
        size: fc.nat(100),
        sha256: fc.constant(sha),
      }),
    }),
  );

  const replay = (steps: Array<{ m: { name: string; args: unknown }; actor: SyncActor }>): LocalState => {
    let s = stateWith();
    for (const { m, actor } of steps) {
      try {
        s = run(s, m.name, m.args, actor);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
      }
    }
    return s;
  };

  it('is deterministic: the same sequence from the same start gives the same state', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ m: mutationArb, actor: actorArb }), { maxLength: 30 }), (steps) => {
        expect(replay(steps)).toEqual(replay(steps));
      }),
    );
  });

  it('insert-only notes commute: any order gives the same set of articles', () => {
    fc.assert(
      fc.property(
        fc
          .uniqueArray(noteArb, { selector: (n) => n.id, minLength: 1, maxLength: 8 })
          .chain((notes) => fc.tuple(fc.constant(notes), fc.shuffledSubarray(notes, { minLength: notes.length }))),
        ([a, b]) => {
          const apply = (notes: typeof a) =>
            replay(notes.map((args) => ({ m: { name: 'addNote@1', args }, actor: agent })));
          const sa = apply(a);
          const sb = apply(b);
          const sorted = (s: LocalState) => [...s.articles.values()].sort((x, y) => x.id.localeCompare(y.id));
          expect(sorted(sa)).toEqual(sorted(sb));
          expect(sa.articles.size).toBe(a.length);
          expect(sa.tickets).toEqual(sb.tickets);
        },
      ),
    );
  });
});
