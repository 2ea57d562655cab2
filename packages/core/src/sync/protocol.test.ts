import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { fieldConflicts } from './conflict';
import { mutatorNames, parseMutation } from './mutators';
import {
  MAX_COOKIE_LENGTH,
  PROTOCOL_VERSION,
  pullRequestSchema,
  pullResponseSchema,
  pushRequestSchema,
  SCHEMA_VERSION,
} from './protocol';

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const sha = 'a'.repeat(64);

const mutation = (id: number) => ({ id, name: 'changeStatus@1', args: {}, clientTime: 1_700_000_000_000 });
const push = (count: number) => ({
  protocolVersion: PROTOCOL_VERSION,
  schemaVersion: SCHEMA_VERSION,
  clientGroupId: uuid(1),
  clientId: uuid(2),
  mutations: Array.from({ length: count }, (_, i) => mutation(i + 1)),
});

function validationReason(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    const err = e as AppError;
    expect(err.code).toBe('VALIDATION_FAILED');
    return (err.details as { reason: string }).reason;
  }
  throw new Error('expected a throw');
}

describe('push / pull envelopes', () => {
  it('accepts up to 100 mutations and refuses 101', () => {
    expect(pushRequestSchema.safeParse(push(100)).success).toBe(true);
    expect(pushRequestSchema.safeParse(push(101)).success).toBe(false);
  });

  it('refuses non-uuid client ids, non-positive mutation ids and unknown keys', () => {
    expect(pushRequestSchema.safeParse({ ...push(1), clientId: 'abc' }).success).toBe(false);
    expect(pushRequestSchema.safeParse({ ...push(0), mutations: [mutation(0)] }).success).toBe(false);
    expect(pushRequestSchema.safeParse({ ...push(1), extra: 1 }).success).toBe(false);
  });

  it('pull: cookie is opaque, nullable, bounded', () => {
    const base = { protocolVersion: 1, schemaVersion: 1, clientGroupId: uuid(1) };
    expect(pullRequestSchema.safeParse({ ...base, cookie: null }).success).toBe(true);
    expect(pullRequestSchema.safeParse({ ...base, cookie: 'v1:42', limit: 50 }).success).toBe(true);
    expect(pullRequestSchema.safeParse({ ...base, cookie: 'x'.repeat(MAX_COOKIE_LENGTH) }).success).toBe(true);
    expect(pullRequestSchema.safeParse({ ...base, cookie: 'x'.repeat(MAX_COOKIE_LENGTH + 1) }).success).toBe(false);
    expect(pullRequestSchema.safeParse({ ...base, cookie: null, limit: 0 }).success).toBe(false);
  });

  it('pull response: patch operations', () => {
    const ok = pullResponseSchema.safeParse({
      cookie: 'c',
      more: false,
      lastMutationIds: { [uuid(2)]: 3 },
      patch: [
        { op: 'clear' },
        { op: 'del', table: 'tickets', id: uuid(3) },
        {
          op: 'put',
          table: 'attachments',
          row: {
            id: uuid(4),
            ticketId: uuid(3),
            articleId: null,
            kind: 'file',
            filename: 'a.txt',
            contentType: 'text/plain',
            size: 1,
            sha256: sha,
            signerName: null,
            createdAt: '2026-01-01T00:00:00.000Z',
          },
        },
      ],
    });
    expect(ok.success).toBe(true);
    const bad = pullResponseSchema.safeParse({
      cookie: 'c',
      more: false,
      lastMutationIds: {},
      patch: [{ op: 'put', table: 'articles', row: { id: 'x' } }],
    });
    expect(bad.success).toBe(false);
  });
});

describe('parseMutation', () => {
  it('knows the versioned names', () => {
    expect(mutatorNames).toEqual([
      'updateTicketFields@1',
      'changeStatus@1',
      'addNote@1',
      'addAttachment@1',
      'captureSignature@1',
      'createTicket@1',
      'assignTicket@1',
    ]);
  });

  it('refuses unknown mutators and unknown versions', () => {
    expect(validationReason(() => parseMutation('dropTables@1', {}))).toBe('UNKNOWN_MUTATOR');
    expect(validationReason(() => parseMutation('changeStatus@2', { ticketId: uuid(1), to: 'open' }))).toBe(
      'UNKNOWN_MUTATOR',
    );
    expect(validationReason(() => parseMutation('toString', {}))).toBe('UNKNOWN_MUTATOR');
  });

  it('refuses bad args', () => {
    const bad: Array<[string, unknown]> = [
      ['changeStatus@1', { ticketId: uuid(1), to: 'nowhere' }],
      ['changeStatus@1', { ticketId: 'nope', to: 'open' }],
      ['updateTicketFields@1', { ticketId: uuid(1), changes: {} }],
      ['updateTicketFields@1', { ticketId: uuid(1), changes: { status: 'open' } }],
      ['updateTicketFields@1', { ticketId: uuid(1), changes: { subject: 'x'.repeat(201) } }],
      ['updateTicketFields@1', { ticketId: uuid(1), changes: { cc: ['not-an-email'] } }],
      ['addNote@1', { id: uuid(2), ticketId: uuid(1), kind: 'email_in', body: 'hi' }],
      ['addNote@1', { id: uuid(2), ticketId: uuid(1), kind: 'public_reply', body: 'x'.repeat(50_001) }],
      ['addNote@1', { id: uuid(2), ticketId: uuid(1), kind: 'public_reply', body: '   ' }],
      [
        'addAttachment@1',
        { id: uuid(2), ticketId: uuid(1), filename: 'a', contentType: 'text/plain', size: 1, sha256: 'abc' },
      ],
      [
        'addAttachment@1',
        { id: uuid(2), ticketId: uuid(1), filename: 'a', contentType: 'text/plain', size: -1, sha256: sha },
      ],
      [
        'captureSignature@1',
        { id: uuid(2), ticketId: uuid(1), signerName: 'Ana', contentType: 'image/gif', size: 1, sha256: sha },
      ],
      ['changeStatus@1', null],
    ];
    for (const [name, args] of bad) expect(validationReason(() => parseMutation(name, args))).toBe('INVALID_ARGS');
  });

  it('parses and normalizes good args', () => {
    const m = parseMutation('updateTicketFields@1', {
      ticketId: uuid(1),
      changes: { cc: ['Ana@Example.com'], requester: { phone: '555' } },
    });
    expect(m).toEqual({
      name: 'updateTicketFields@1',
      args: { ticketId: uuid(1), changes: { cc: ['ana@example.com'], requester: { phone: '555' } }, seen: {} },
    });
  });
});

describe('fieldConflicts', () => {
  it('flags fields changed underneath the writer, deep-comparing arrays', () => {
    const seen = { subject: 'a', cc: ['x@y.z'], urgency: 'low' };
    const current = { subject: 'b', cc: ['x@y.z'], urgency: 'high' };
    const changes = { subject: 'c', cc: ['q@y.z'], urgency: 'high', severity: 'low' };
    expect(fieldConflicts(seen, current, changes)).toEqual([
      { field: 'subject', overwritten: 'b', seen: 'a', value: 'c' },
    ]);
    expect(fieldConflicts({ cc: ['a'] }, { cc: ['a', 'b'] }, { cc: ['c'] })).toEqual([
      { field: 'cc', overwritten: ['a', 'b'], seen: ['a'], value: ['c'] },
    ]);
  });
});
