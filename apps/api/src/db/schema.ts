import type { BusinessCalendar, PriorityMatrix, SlaPolicy } from '@mesa/core';
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' });
/** A 64-bit transaction id; kept as its decimal text so no precision is lost in JavaScript. */
const xid8 = customType<{ data: string; driverData: string | number | bigint }>({
  dataType: () => 'xid8',
  fromDriver: (v) => String(v),
  toDriver: (v) => v,
});
/**
 * Offline sync: the id of the transaction that last wrote the row (insert by default, update by the
 * mesa_touch_change_xid trigger). A pull returns the rows whose writer is not visible in the client's
 * snapshot cookie, so a commit that lands out of order is never skipped.
 */
const changeXid = () => xid8('change_xid').notNull().default(sql`pg_current_xact_id()`);

// Enums are text columns checked by zod at the edges: adding a state later is a
// code change, not a migration that locks the tickets table.
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => ts('created_at').notNull().defaultNow();
const id = () => uuid('id').primaryKey().defaultRandom();

export const organizations = pgTable('organizations', {
  id: id(),
  name: text('name').notNull(),
  /** Seed 004: users of one company see each other's tickets. */
  membersSeeEachOther: boolean('members_see_each_other').notNull().default(false),
  createdAt: createdAt(),
});

export const regions = pgTable('regions', {
  id: id(),
  name: text('name').notNull(),
  parentId: uuid('parent_id').references((): AnyPgColumn => regions.id),
});

export const sites = pgTable('sites', {
  id: id(),
  name: text('name').notNull(),
  address: text('address'),
  regionId: uuid('region_id')
    .notNull()
    .references(() => regions.id),
  organizationId: uuid('organization_id').references(() => organizations.id),
});

export const calendars = pgTable('calendars', {
  id: id(),
  name: text('name').notNull(),
  definition: jsonb('definition').$type<BusinessCalendar>().notNull(),
});

export const departments = pgTable('departments', {
  id: id(),
  slug: text('slug').notNull().unique(),
  nameEs: text('name_es').notNull(),
  nameEn: text('name_en').notNull(),
  email: text('email'),
  calendarId: uuid('calendar_id')
    .notNull()
    .references(() => calendars.id),
  /** Seed 004: the 24-hour department takes urgent tickets only. */
  urgentOnly: boolean('urgent_only').notNull().default(false),
  /** What a customer's e-mail to a closed ticket does: reopen it, open a new linked ticket, or bounce a notice. */
  closedReplyPolicy: text('closed_reply_policy')
    .$type<'reopen' | 'new_ticket' | 'reject'>()
    .notNull()
    .default('reopen'),
  /** Automated mail (reports, notices, noreply senders) that starts no thread opens a ticket only when true. */
  automatedMailOpensTickets: boolean('automated_mail_opens_tickets').notNull().default(false),
});

export const users = pgTable(
  'users',
  {
    id: id(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    /** Null for contacts known only by e-mail or phone: they cannot log in until they reset a password. */
    passwordHash: text('password_hash'),
    role: text('role').$type<'customer' | 'technician' | 'agent' | 'supervisor' | 'admin'>().notNull(),
    language: text('language').$type<'es' | 'en'>().notNull().default('es'),
    phone: text('phone'),
    organizationId: uuid('organization_id').references(() => organizations.id),
    emailVerifiedAt: ts('email_verified_at'),
    disabledAt: ts('disabled_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_email_key').on(sql`lower(${t.email})`)],
);

export const userDepartments = pgTable(
  'user_departments',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    departmentId: uuid('department_id')
      .notNull()
      .references(() => departments.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.departmentId] })],
);

export const sessions = pgTable(
  'sessions',
  {
    /** sha-256 of the cookie value: a leaked table does not leak live sessions. */
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const authTokens = pgTable(
  'auth_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose').$type<'verify_email' | 'reset_password'>().notNull(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
    createdAt: createdAt(),
  },
  (t) => [index('auth_tokens_open_idx').on(t.userId, t.purpose).where(sql`used_at is null`)],
);

/**
 * Attempts per throttle key (account + address, address, account, reset address…) in a window; shared by
 * every API instance. `refused` tells the UPSERT that recorded an attempt whether it was over the limit.
 */
export const loginThrottle = pgTable('login_throttle', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull().default(0),
  windowStartedAt: ts('window_started_at').notNull().defaultNow(),
  lockedUntil: ts('locked_until'),
  refused: boolean('refused').notNull().default(false),
});

/** A browser that logged in before (sha-256 of its cookie): its own login allowance for that account. */
export const rememberedDevices = pgTable(
  'remembered_devices',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('remembered_devices_user_idx').on(t.userId)],
);

export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').$type<PriorityMatrix | SlaPolicy | Record<string, unknown>>().notNull(),
});

export const contracts = pgTable('contracts', {
  id: id(),
  number: text('number').notNull().unique(),
  organizationId: uuid('organization_id')
    .notNull()
    .references(() => organizations.id),
});

export const equipment = pgTable('equipment', {
  id: id(),
  serialNumber: text('serial_number').notNull().unique(),
  model: text('model').notNull(),
  siteId: uuid('site_id').references(() => sites.id),
  contractId: uuid('contract_id').references(() => contracts.id),
  /** Seed 002: identifies the customer, the equipment and its location. */
  maintenanceCode: text('maintenance_code').unique(),
  /** The customer contact the maintenance code stands for. */
  contactId: uuid('contact_id').references(() => users.id),
});

export const ticketSeq = pgSequence('ticket_number_seq', { startWith: 1 });

export const tickets = pgTable(
  'tickets',
  {
    id: id(),
    seq: bigint('seq', { mode: 'number' }).notNull().unique().default(sql`nextval('ticket_number_seq')`),
    /** Same format as core's formatTicketNumber, computed by Postgres so an insert is one round trip. */
    number: text('number')
      .notNull()
      .unique()
      .generatedAlwaysAs(sql`'T-' || lpad(seq::text, greatest(6, length(seq::text)), '0')`),
    subject: text('subject').notNull(),
    description: text('description').notNull(),
    requesterId: uuid('requester_id').references(() => users.id),
    organizationId: uuid('organization_id').references(() => organizations.id),
    requesterName: text('requester_name').notNull(),
    requesterOrganization: text('requester_organization'),
    requesterLocation: text('requester_location'),
    requesterPhone: text('requester_phone'),
    requesterEmail: text('requester_email'),
    channel: text('channel').$type<'web' | 'email' | 'phone' | 'field'>().notNull(),
    departmentId: uuid('department_id')
      .notNull()
      .references(() => departments.id),
    siteId: uuid('site_id').references(() => sites.id),
    equipmentId: uuid('equipment_id').references(() => equipment.id),
    contractId: uuid('contract_id').references(() => contracts.id),
    severity: text('severity').$type<'critical' | 'high' | 'medium' | 'low'>().notNull(),
    urgency: text('urgency').$type<'critical' | 'high' | 'medium' | 'low'>().notNull(),
    priority: text('priority').$type<'P1' | 'P2' | 'P3' | 'P4'>().notNull(),
    status: text('status')
      .$type<
        'new' | 'open' | 'in_progress' | 'pending_customer' | 'pending_third_party' | 'attended' | 'resolved' | 'closed'
      >()
      .notNull(),
    ownerId: uuid('owner_id').references(() => users.id),
    supportTier: smallint('support_tier').notNull().default(1),
    cc: text('cc').array().notNull().default(sql`'{}'::text[]`),
    createdById: uuid('created_by_id').references(() => users.id),
    firstResponseDueAt: ts('first_response_due_at'),
    resolutionDueAt: ts('resolution_due_at'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    firstResponseAt: ts('first_response_at'),
    attendedAt: ts('attended_at'),
    resolvedAt: ts('resolved_at'),
    closedAt: ts('closed_at'),
    /** The mailbox that opened it: e-mail threads only within their own mailbox. */
    mailboxId: uuid('mailbox_id'),
    /** A follow-up opened by a reply to a closed ticket points back at it. */
    linkedTicketId: uuid('linked_ticket_id'),
    /** Optimistic concurrency: every write bumps it; a stale PATCH gets VERSION_CONFLICT. */
    version: integer('version').notNull().default(1),
    changeXid: changeXid(),
    /** Tombstone for offline sync: a deleted ticket stays (hidden) for 90 days so clients learn of it. */
    deletedAt: ts('deleted_at'),
  },
  (t) => [
    index('tickets_change_xid_idx').on(t.changeXid),
    // The queue order: first come, first served within priority (seed 004).
    index('tickets_queue_idx').on(t.priority, t.seq),
    index('tickets_requester_idx').on(t.requesterId),
    index('tickets_org_idx').on(t.organizationId),
    index('tickets_owner_idx').on(t.ownerId),
    index('tickets_department_idx').on(t.departmentId, t.priority, t.seq),
    index('tickets_status_idx').on(t.status),
    // Tombstones only: the hourly GC finds them without scanning every ticket.
    index('tickets_deleted_at_idx').on(t.deletedAt).where(sql`deleted_at is not null`),
  ],
);

export const articles = pgTable(
  'articles',
  {
    id: id(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<'public_reply' | 'internal_note' | 'email_in' | 'email_out'>().notNull(),
    authorId: uuid('author_id').references(() => users.id),
    body: text('body').notNull(),
    /** Seed 001: an agent note sets the next state and records the real problem and solution. */
    nextStatus: text('next_status'),
    realProblem: text('real_problem'),
    realSolution: text('real_solution'),
    /** Minutes the work of this note took (an increment: the ticket's total is the sum). */
    timeSpentMinutes: integer('time_spent_minutes'),
    /** E-mail: the sanitized HTML part, and the quoted text folded away below the reply (the full original stays in the raw .eml). */
    bodyHtml: text('body_html'),
    quotedText: text('quoted_text'),
    createdAt: createdAt(),
    changeXid: changeXid(),
  },
  (t) => [index('articles_ticket_idx').on(t.ticketId, t.createdAt), index('articles_change_xid_idx').on(t.changeXid)],
);

/** Content addressed by sha-256: the same photo uploaded twice is stored once. */
export const blobs = pgTable(
  'blobs',
  {
    sha256: text('sha256').primaryKey(),
    size: integer('size').notNull(),
    /** The bytes inline (mail, files the server stores itself), or empty when `piecesKey` names them. */
    content: bytea('content').notNull(),
    /** Uploaded files live in `blob_pieces` under this key (rows of at most 1 MiB). */
    piecesKey: uuid('pieces_key'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('blobs_pieces_key_idx').on(t.piecesKey).where(sql`${t.piecesKey} IS NOT NULL`),
    check('blobs_inline_or_pieces', sql`${t.piecesKey} IS NULL OR octet_length(${t.content}) = 0`),
  ],
);

/** A file's bytes in rows of at most 1 MiB, written while an upload streams in and read back one by one. */
export const blobPieces = pgTable(
  'blob_pieces',
  {
    piecesKey: uuid('pieces_key').notNull(),
    /** Byte offset of this piece in the file. */
    start: bigint('start', { mode: 'number' }).notNull(),
    content: bytea('content').notNull(),
  },
  (t) => [primaryKey({ columns: [t.piecesKey, t.start] })],
);

export const attachments = pgTable(
  'attachments',
  {
    id: id(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    articleId: uuid('article_id').references(() => articles.id, { onDelete: 'cascade' }),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    /** A signature captured on site (seed: field visits) or any other file. */
    kind: text('kind').$type<'file' | 'signature'>().notNull().default('file'),
    signerName: text('signer_name'),
    uploadedById: uuid('uploaded_by_id').references(() => users.id),
    /** When this attachment's own bytes arrived and matched; until then it reads as not found. */
    storedAt: ts('stored_at'),
    createdAt: createdAt(),
    changeXid: changeXid(),
  },
  (t) => [index('attachments_ticket_idx').on(t.ticketId), index('attachments_change_xid_idx').on(t.changeXid)],
);

export const ticketHistory = pgTable(
  'ticket_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    actorId: uuid('actor_id').references(() => users.id),
    at: ts('at').notNull().defaultNow(),
    field: text('field').notNull(),
    oldValue: jsonb('old_value'),
    newValue: jsonb('new_value'),
    /** Rows are only ever inserted, so the column default is the writer's transaction: no trigger needed. */
    changeXid: changeXid(),
  },
  (t) => [
    index('ticket_history_ticket_idx').on(t.ticketId, t.id),
    index('ticket_history_change_xid_idx').on(t.changeXid),
  ],
);

/** Written in the same transaction as the change that causes it; sent later by a worker. */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    availableAt: ts('available_at').notNull().defaultNow(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    doneAt: ts('done_at'),
  },
  (t) => [index('outbox_pending_idx').on(t.availableAt).where(sql`${t.doneAt} is null`)],
);

/**
 * Where mail comes in: an IMAP folder (read by one instance at a time) or the built-in SMTP listener.
 * UIDVALIDITY and the last committed UID make a re-fetch after a crash harmless.
 */
export const mailboxes = pgTable('mailboxes', {
  id: id(),
  name: text('name').notNull().unique(),
  /** The address customers write to; never a participant of its own tickets. */
  address: text('address').notNull(),
  departmentId: uuid('department_id')
    .notNull()
    .references(() => departments.id),
  uidValidity: bigint('uid_validity', { mode: 'number' }),
  lastUid: bigint('last_uid', { mode: 'number' }).notNull().default(0),
  createdAt: createdAt(),
});

/**
 * Every message in or out. Inbound rows dedupe on (mailbox, key): the Message-ID, or the sha-256 of
 * the raw message when it has none. Outbound rows let replies thread by In-Reply-To / References and
 * carry the recipients the automatic-mail caps count.
 */
export const mailMessages = pgTable(
  'mail_messages',
  {
    id: id(),
    direction: text('direction').$type<'in' | 'out'>().notNull(),
    mailboxId: uuid('mailbox_id').references(() => mailboxes.id),
    dedupeKey: text('dedupe_key'),
    messageId: text('message_id'),
    ticketId: uuid('ticket_id').references(() => tickets.id, { onDelete: 'set null' }),
    articleId: uuid('article_id').references(() => articles.id, { onDelete: 'set null' }),
    fromAddress: text('from_address'),
    toAddresses: text('to_addresses').array().notNull().default(sql`'{}'::text[]`),
    subject: text('subject'),
    /** Inbound: why it was judged automated (null = a person wrote it). Outbound: ack | notification | notice. */
    automated: text('automated'),
    /**
     * Inbound: created | appended | reopened | linked | rejected | bounce | loop | too_large, or stored (kept for
     * admins without a ticket: automated mail, spam, an unusable sender; `automated` says why).
     */
    outcome: text('outcome'),
    rawSha256: text('raw_sha256'),
    /** Inbound: sha-256 of the raw bytes, with the Message-ID the dedupe key (a sender can reuse any id). */
    contentSha256: text('content_sha256'),
    size: integer('size'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('mail_messages_dedupe_key')
      .on(t.mailboxId, t.dedupeKey, t.contentSha256)
      .where(sql`${t.direction} = 'in'`),
    index('mail_messages_in_stored_idx').on(t.createdAt).where(sql`${t.direction} = 'in' and ${t.ticketId} is null`),
    index('mail_messages_message_id_idx').on(t.messageId),
    index('mail_messages_ticket_idx').on(t.ticketId, t.createdAt),
    index('mail_messages_out_recent_idx')
      .on(t.createdAt)
      .where(sql`${t.direction} = 'out' and ${t.automated} is not null`),
  ],
);

/** Addresses that bounced: no automatic mail to them until the date. */
export const mailSuppressions = pgTable('mail_suppressions', {
  address: text('address').primaryKey(),
  reason: text('reason').notNull(),
  until: ts('until').notNull(),
  ticketId: uuid('ticket_id').references(() => tickets.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
});

/** Offline sync: one row per client (a browser profile); the group is the user's set of tabs on it. */
export const syncClients = pgTable(
  'sync_clients',
  {
    clientId: uuid('client_id').primaryKey(),
    clientGroupId: uuid('client_group_id').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The last offline mutation applied for this client: a replayed mutation at or below it is skipped. */
    lastMutationId: bigint('last_mutation_id', { mode: 'number' }).notNull().default(0),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('sync_clients_group_idx').on(t.clientGroupId), index('sync_clients_user_idx').on(t.userId)],
);

/**
 * Offline sync: a ticket's scope keys before a change that may move it out of someone's scope
 * (written by trigger). An incremental pull deletes from the device the tickets whose old keys were
 * in the caller's scope and whose current ones are not; kept as long as tombstones (90 days).
 */
export const syncScopeExits = pgTable(
  'sync_scope_exits',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    departmentId: uuid('department_id'),
    ownerId: uuid('owner_id'),
    requesterId: uuid('requester_id'),
    organizationId: uuid('organization_id'),
    changeXid: changeXid(),
    createdAt: createdAt(),
  },
  (t) => [index('sync_scope_exits_change_xid_idx').on(t.changeXid)],
);

/** A device's photo arriving in pieces: the bytes received so far for an attachment announced by sync. */
export const attachmentUploads = pgTable('attachment_uploads', {
  attachmentId: uuid('attachment_id')
    .primaryKey()
    .references(() => attachments.id, { onDelete: 'cascade' }),
  /** The pieces received so far (`blob_pieces`); a trigger drops them with this row unless a blob took them. */
  piecesKey: uuid('pieces_key').notNull().defaultRandom(),
  receivedBytes: bigint('received_bytes', { mode: 'number' }).notNull().default(0),
  /** The request writing now and when it last wrote: a lease, so two requests never interleave bytes. */
  writer: uuid('writer'),
  writerSeenAt: ts('writer_seen_at'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Bytes each user sent in uploads per UTC day, reserved before a request's body is read. */
export const uploadQuota = pgTable(
  'upload_quota',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    bytes: bigint('bytes', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.userId, t.day] })],
);

/**
 * Offline sync: why a device's mutation was refused. Kept so a replayed push (its first response was
 * lost) still reports the rejection: a refused edit is never silently dropped. Collected after 90 days.
 */
export const syncRejections = pgTable(
  'sync_rejections',
  {
    clientId: uuid('client_id')
      .notNull()
      .references(() => syncClients.clientId, { onDelete: 'cascade' }),
    mutationId: bigint('mutation_id', { mode: 'number' }).notNull(),
    code: text('code').notNull(),
    message: text('message').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.clientId, t.mutationId] }), index('sync_rejections_created_idx').on(t.createdAt)],
);
