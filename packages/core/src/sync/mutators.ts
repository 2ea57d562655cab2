import { z } from 'zod';
import { AppError, ErrorCode } from '../errors';
import { createArticleInput } from '../schemas/article';
import { idSchema, shortText, storableText } from '../schemas/common';
import { severitySchema, ticketStatusSchema, urgencySchema } from '../schemas/enums';
import { assignTicketFields, createTicketInput, namesOwnerOrTier, updateTicketInput } from '../schemas/ticket';
import { type AttachmentRow, sha256Schema } from './protocol';

/** Largest attachment the sync channel announces; the upload endpoint enforces its own limit too. */
export const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;
/** Largest piece of a resumable upload (devices send pieces between these sizes). */
export const MAX_UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024;
/**
 * Smallest piece but the last. The held bytes are one bytea that every append rewrites, so small pieces
 * cost quadratic writes (25 MiB on Postgres 15: 0.8 s whole, 3.8 s in 8 MiB pieces, 11 s in 1 MiB, 25 s in
 * 256 KiB); this keeps a file to at most 25 pieces.
 */
export const MIN_UPLOAD_CHUNK_BYTES = 1024 * 1024;

// The REST update's field set, minus the stale-version guard (sync resolves per field) and status (changeStatus).
const { version: _version, status: _status, ...updatableFields } = updateTicketInput.shape;
export const ticketFieldChangesSchema = z
  .strictObject(updatableFields)
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: 'nothing to update' });
export type TicketFieldChanges = z.output<typeof ticketFieldChangesSchema>;
export type TicketField = keyof TicketFieldChanges;
export const ticketFields = Object.keys(updatableFields) as TicketField[];

const seenText = storableText().max(20_000);
/** What the writer last saw for the fields it changes (stored values, so looser than the input rules). */
export const ticketFieldsSeenSchema = z
  .strictObject({
    subject: seenText,
    description: seenText,
    severity: severitySchema,
    urgency: urgencySchema,
    departmentId: storableText().max(100),
    cc: z.array(storableText().max(254)).max(50),
    siteId: storableText().max(100).nullable(),
    equipmentId: storableText().max(100).nullable(),
    requester: z
      .strictObject({
        name: seenText,
        organization: seenText.nullable(),
        location: seenText.nullable(),
        phone: seenText.nullable(),
        email: seenText.nullable(),
      })
      .partial(),
  })
  .partial();
export type TicketFieldsSeen = z.output<typeof ticketFieldsSeenSchema>;

export const updateTicketFieldsArgs = z.strictObject({
  ticketId: idSchema,
  changes: ticketFieldChangesSchema,
  seen: ticketFieldsSeenSchema.default({}),
});

export const changeStatusArgs = z.strictObject({
  ticketId: idSchema,
  to: ticketStatusSchema,
  /** Recorded with the status change in history (not an article). */
  note: storableText().trim().max(5000).optional(),
});

export const addNoteArgs = createArticleInput.extend({ id: idSchema, ticketId: idSchema });

const contentTypeSchema = storableText()
  .trim()
  .max(255)
  .regex(/^[\w!#$&^.+-]+\/[\w!#$&^.+-]+(\s*;.*)?$/, 'expected a MIME type');
const sizeSchema = z.number().int().min(0).max(MAX_ATTACHMENT_BYTES);

export const addAttachmentArgs = z.strictObject({
  id: idSchema,
  ticketId: idSchema,
  articleId: idSchema.optional(),
  filename: shortText(255),
  contentType: contentTypeSchema,
  size: sizeSchema,
  sha256: sha256Schema,
});

export const signatureContentTypes = ['image/png', 'image/svg+xml'] as const;
export const captureSignatureArgs = z.strictObject({
  id: idSchema,
  ticketId: idSchema,
  articleId: idSchema.optional(),
  signerName: shortText(120),
  contentType: z.enum(signatureContentTypes),
  size: sizeSchema,
  sha256: sha256Schema,
});

/**
 * A ticket opened on the device: the client picks the id, so the device shows it at once and a replay
 * creates nothing twice. Its number (`T-…`) is the server's: the device shows "pending number" until the
 * pull brings it.
 */
export const createTicketArgs = createTicketInput.extend({ id: idSchema });

/** A hand-over; `noteId` is the client's id for the note that gives the reason, so a replay writes it once. */
export const assignTicketArgs = assignTicketFields
  .extend({ ticketId: idSchema, noteId: idSchema.optional() })
  .refine(...namesOwnerOrTier)
  .refine((v) => !v.note || v.noteId !== undefined, { message: 'a note needs its noteId', path: ['noteId'] });

/** Every mutator, by `name@version`. A new version is a new entry; old ones stay while clients may send them. */
export const mutatorArgs = {
  'updateTicketFields@1': updateTicketFieldsArgs,
  'changeStatus@1': changeStatusArgs,
  'addNote@1': addNoteArgs,
  'addAttachment@1': addAttachmentArgs,
  'captureSignature@1': captureSignatureArgs,
  'createTicket@1': createTicketArgs,
  'assignTicket@1': assignTicketArgs,
} as const;

export type MutatorName = keyof typeof mutatorArgs;
export const mutatorNames = Object.keys(mutatorArgs) as MutatorName[];
export type MutatorArgs<N extends MutatorName> = z.output<(typeof mutatorArgs)[N]>;
/** What a client passes when it records a mutation (before defaults and transforms). */
export type MutatorInput<N extends MutatorName> = z.input<(typeof mutatorArgs)[N]>;
export type ParsedMutation = { [N in MutatorName]: { name: N; args: MutatorArgs<N> } }[MutatorName];

export const isMutatorName = (name: string): name is MutatorName => Object.hasOwn(mutatorArgs, name);

/**
 * Validates a mutation's args against its mutator. Throws AppError(VALIDATION_FAILED) with
 * details.reason `UNKNOWN_MUTATOR` or `INVALID_ARGS` (the latter with the zod issues).
 */
export function parseMutation(name: string, args: unknown): ParsedMutation {
  if (!isMutatorName(name)) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, 'unknown mutator', { reason: 'UNKNOWN_MUTATOR', name });
  }
  const result = mutatorArgs[name].safeParse(args);
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, code: i.code }));
    // The message names the fields: a push rejection carries only code and message back to the device.
    const fields = [...new Set(issues.map((i) => i.path || '(args)'))].join(', ');
    throw new AppError(ErrorCode.VALIDATION_FAILED, `invalid mutator args: ${fields}`, {
      reason: 'INVALID_ARGS',
      name,
      issues,
    });
  }
  return { name, args: result.data } as ParsedMutation;
}

type AttachmentMutation = Extract<ParsedMutation, { name: 'addAttachment@1' | 'captureSignature@1' }>;

/** The attachment row an attachment mutator describes: the device and the server store the same one. */
export function attachmentOf(m: AttachmentMutation): Omit<AttachmentRow, 'createdAt'> {
  const a = m.args;
  const common = {
    id: a.id,
    ticketId: a.ticketId,
    articleId: a.articleId ?? null,
    contentType: a.contentType,
    size: a.size,
    sha256: a.sha256,
  };
  if (m.name === 'addAttachment@1') return { ...common, kind: 'file', filename: m.args.filename, signerName: null };
  const ext = m.args.contentType === 'image/png' ? 'png' : 'svg';
  return { ...common, kind: 'signature', filename: `signature.${ext}`, signerName: m.args.signerName };
}
