import { z } from 'zod';
import { ErrorCode } from '../errors';
import { articleSchema } from '../schemas/article';
import { ticketHistoryEntrySchema, ticketSchema } from '../schemas/ticket';
import { referenceKindSchema } from './reference';

/** Wire protocol of /api/sync/push and /api/sync/pull. Bump on any incompatible change to the envelopes. */
export const PROTOCOL_VERSION = 1;
/** Shape of the synced rows (tickets, articles, attachments, reference data). Bump when a row schema changes. */
export const SCHEMA_VERSION = 4;
export const MAX_MUTATIONS_PER_PUSH = 100;
/** Rows per table per pull page a client may ask for; the server's default page is smaller (500). */
export const MAX_PULL_LIMIT = 5000;
/**
 * The cookie carries up to two Postgres snapshots, each listing the transactions in progress when it was
 * taken (up to one per connection, 20 digits each): a busy server writes cookies of some kilobytes.
 */
export const MAX_COOKIE_LENGTH = 64 * 1024;
/**
 * A pull's answer repeats its cookie and `more` in headers (when the cookie is short enough for one), so a
 * device asks for the next page as soon as the headers arrive: the server reads it while the device is still
 * downloading and parsing this one. The body stays the truth.
 */
export const PULL_COOKIE_HEADER = 'mesa-sync-cookie';
export const PULL_MORE_HEADER = 'mesa-sync-more';
export const MAX_PULL_COOKIE_HEADER = 4096;

const versionField = z.number().int().positive();
const errorCodeSchema = z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]);

/** One client mutation. `args` is validated per mutator by `parseMutation`, not here. */
export const mutationSchema = z.strictObject({
  /** Per-client, strictly increasing from 1. */
  id: z.number().int().positive(),
  /** `name@version`, e.g. `updateTicketFields@1`. */
  name: z.string().min(1).max(100),
  args: z.unknown(),
  /** Client wall clock in epoch ms: informational only, the server orders by receipt. */
  clientTime: z.number().int().nonnegative(),
});
export type Mutation = z.infer<typeof mutationSchema>;

export const pushRequestSchema = z.strictObject({
  protocolVersion: versionField,
  schemaVersion: versionField,
  clientGroupId: z.uuid(),
  clientId: z.uuid(),
  mutations: z.array(mutationSchema).max(MAX_MUTATIONS_PER_PUSH),
});
export type PushRequest = z.infer<typeof pushRequestSchema>;

export const rejectedMutationSchema = z.object({
  id: z.number().int().positive(),
  code: errorCodeSchema,
  message: z.string().optional(),
});
export type RejectedMutation = z.infer<typeof rejectedMutationSchema>;

export const pushResponseSchema = z.object({
  /** The last mutation id of this client the server has processed (applied or rejected). */
  lastMutationId: z.number().int().nonnegative(),
  rejected: z.array(rejectedMutationSchema),
  serverVersion: z.string(),
});
export type PushResponse = z.infer<typeof pushResponseSchema>;

export const pullRequestSchema = z.strictObject({
  protocolVersion: versionField,
  schemaVersion: versionField,
  clientGroupId: z.uuid(),
  /** Opaque; null on the first pull (the response then starts with `clear`). */
  cookie: z.string().min(1).max(MAX_COOKIE_LENGTH).nullable(),
  limit: z.number().int().min(1).max(MAX_PULL_LIMIT).optional(),
});
export type PullRequest = z.infer<typeof pullRequestSchema>;

/** Attachment metadata only; the content is fetched (or uploaded) by sha256 outside the sync channel. */
export const attachmentKinds = ['file', 'signature'] as const;
export const attachmentKindSchema = z.enum(attachmentKinds);
export type AttachmentKind = z.infer<typeof attachmentKindSchema>;

export const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex sha256');

export const attachmentRowSchema = z.object({
  id: z.string(),
  ticketId: z.string(),
  articleId: z.string().nullable(),
  kind: attachmentKindSchema,
  filename: z.string(),
  contentType: z.string(),
  size: z.number().int().nonnegative(),
  sha256: sha256Schema,
  /** Only for signatures: who signed. */
  signerName: z.string().nullable(),
  createdAt: z.string(),
});
export type AttachmentRow = z.infer<typeof attachmentRowSchema>;

/** One history row of a ticket (staff only, see mayReadHistory); rows are never changed, only added. */
export const historyRowSchema = ticketHistoryEntrySchema.extend({ ticketId: z.string() });
export type HistoryRow = z.infer<typeof historyRowSchema>;

export const syncTables = ['tickets', 'articles', 'attachments'] as const;
export const syncTableSchema = z.enum(syncTables);
export type SyncTable = z.infer<typeof syncTableSchema>;

/**
 * One step of a pull's patch, applied in order. `clear` (first, on a full pull) drops every synced row
 * (reference data too) but not the device's queue of pending mutations. `del` of a ticket means deleted or no longer in the
 * caller's scope: the server sends no `del` for its articles and attachments, the device drops them
 * with the ticket.
 */
export const patchOperationSchema = z.union([
  z.object({ op: z.literal('put'), table: z.literal('tickets'), row: ticketSchema }),
  z.object({ op: z.literal('put'), table: z.literal('articles'), row: articleSchema }),
  z.object({ op: z.literal('put'), table: z.literal('attachments'), row: attachmentRowSchema }),
  /** History goes with its ticket: a ticket's `del` drops it, and no `del` is ever sent for a history row. */
  z.object({ op: z.literal('put'), table: z.literal('history'), row: historyRowSchema }),
  z.object({ op: z.literal('del'), table: syncTableSchema, id: z.string() }),
  z.object({ op: z.literal('clear') }),
  /** A kind of reference data, whole: the device replaces what it had of that kind. */
  z.object({ op: z.literal('ref'), kind: referenceKindSchema, rows: z.array(z.unknown()) }),
]);
export type PatchOperation = z.infer<typeof patchOperationSchema>;

export const pullResponseSchema = z.object({
  cookie: z.string().min(1).max(MAX_COOKIE_LENGTH),
  /** More pages follow: pull again with the returned cookie. */
  more: z.boolean(),
  /** clientId → last processed mutation id, for the clients of the group that changed. */
  lastMutationIds: z.record(z.uuid(), z.number().int().nonnegative()),
  patch: z.array(patchOperationSchema),
});
export type PullResponse = z.infer<typeof pullResponseSchema>;

/** True when the server speaks the versions the client sent. */
export const isSupportedVersion = (req: { protocolVersion: number; schemaVersion: number }): boolean =>
  req.protocolVersion === PROTOCOL_VERSION && req.schemaVersion === SCHEMA_VERSION;
