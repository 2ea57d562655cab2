import { createHash } from 'node:crypto';
import { AppError, ErrorCode, mayReadHistory, openStatuses, scopeGrants } from '@mesa/core';
import { and, desc, eq, getTableColumns, gt, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client';
import { articles, attachments, syncScopeExits, ticketHistory, tickets } from '../db/schema';
import type { Actor } from '../http/context';
import { articleVisibility, attachmentVisibility, ticketScope } from '../services/access';
import type { HistoryDbRow } from '../services/ticket-dto';

export type TicketRow = typeof tickets.$inferSelect;
/** An article as the change log reads it: without the mail's HTML and quoted text, which devices never get. */
export type ArticleRow = Omit<typeof articles.$inferSelect, 'bodyHtml' | 'quotedText'>;
const { bodyHtml: _html, quotedText: _quoted, ...articleColumns } = getTableColumns(articles);
export type AttachmentRow = typeof attachments.$inferSelect;

/** Tombstones are kept this long: a cookie older than this cannot be caught up and gets a full pull. */
export const TOMBSTONE_TTL_MS = 90 * 24 * 60 * 60 * 1000;

/** Where a paged table got to: the last row's writer and id (a uuid; history's bigint as decimal text). */
type Position = [xid: string, id: string];
type SyncTable = 'tickets' | 'articles' | 'attachments' | 'history';
const pagedTables = ['tickets', 'articles', 'attachments', 'history'] as const;

/**
 * What the opaque cookie holds. `s` is a Postgres snapshot (pg_current_snapshot() as text) taken
 * inside an earlier pull: every row written by a transaction visible in it has been delivered.
 * `t` is when it was taken (ms since epoch, database clock). While a pull is paged, `p` carries the
 * snapshot of its first page (the one the final page hands out), how far each table got, and in
 * `exits` the last ticket id whose scope exit was sent. `h` is the caller's scope hash (scopeHash)
 * when the cookie was written.
 */
export interface SyncCookie {
  s: string | null;
  t?: number;
  h?: string;
  p?: { s: string; t: number; exits?: string } & Partial<Record<SyncTable, Position>>;
}

export interface PullResult {
  cookie: string;
  more: boolean;
  tickets: TicketRow[];
  articles: ArticleRow[];
  attachments: AttachmentRow[];
  /** Empty for whoever may not read history (mayReadHistory). */
  history: HistoryDbRow[];
  deletedTicketIds: string[];
  /**
   * Tickets that left the caller's scope (or were deleted out of it) since the cookie: the caller
   * could see them before, not now. The device drops them as it drops deleted ones.
   */
  exitedTicketIds: string[];
  /** The client must drop what it holds and take this pull (and its following pages) as the whole truth. */
  reset: boolean;
  /**
   * On a full pull's first page only: the caller's own open tickets, then the other open ones most recently
   * updated, with their rows, read in the page's snapshot so the device can show its first screen before
   * the rest arrives (the later pages send them again in change order).
   */
  lead: LeadRows | null;
}

export interface LeadRows {
  tickets: TicketRow[];
  articles: ArticleRow[];
  attachments: AttachmentRow[];
  history: HistoryDbRow[];
}

/**
 * The cookie's format, written as `v`. Another value is a cookie this code cannot read (written by a newer
 * or older server after a format change): a full pull, like any unusable cookie. Cookies from before the
 * field existed have the same format, so a missing `v` is this one.
 */
const COOKIE_FORMAT = 1;

/** How far ahead of the database clock a cookie's time may be (clock steps): beyond it, it is not ours. */
const CLOCK_SLACK_MS = 5 * 60 * 1000;

export function encodeCookie(cookie: SyncCookie): string {
  return Buffer.from(JSON.stringify({ v: COOKIE_FORMAT, ...cookie }), 'utf8').toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HASH = /^[A-Za-z0-9_-]{16}$/;
/** Postgres takes 64-bit transaction ids but refuses anything at or above 2^63 in a snapshot. */
const XID_LIMIT = 2n ** 63n;

/** A transaction id (xid8) as decimal text, in the range Postgres accepts, so a cast cannot fail. */
const isXid = (v: unknown): v is string => typeof v === 'string' && /^\d{1,19}$/.test(v) && BigInt(v) < XID_LIMIT;

/**
 * A short digest of what decides the caller's scope: core's scope grants (the rule ticketScope is
 * generated from), plus the user and the role (which also decides what of a ticket they read). A cookie
 * written under another one (agent moved between departments, customer's organization or its sharing
 * flag changed, role changed, another user) cannot be caught up incrementally: rows that entered the
 * scope did not change, and rows that left it left no trace. Such a pull starts over as a full one. A
 * change the rule ignores (a technician's departments) keeps the hash, and the device its data.
 */
export function scopeHash(actor: Actor): string {
  const grants = scopeGrants(actor);
  const scope = grants === 'all' ? 'all' : grants.map((g) => [g.column, [...g.values].sort()]);
  return createHash('sha256')
    .update(JSON.stringify([actor.id, actor.role, scope]))
    .digest('base64url')
    .slice(0, 16);
}

/** A pg_snapshot as text, checked the way Postgres will check it so a forged one cannot break the transaction. */
export function isSnapshotText(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const m = /^(\d{1,20}):(\d{1,20}):((?:\d{1,20})(?:,\d{1,20})*)?$/.exec(s);
  if (!m) return false;
  const xmin = BigInt(m[1] as string);
  const xmax = BigInt(m[2] as string);
  // Transaction ids 0-2 are special; pg_snapshot_in also wants 64-bit values and xmin <= xmax.
  if (xmin < 1n || xmax < xmin || xmax >= XID_LIMIT) return false;
  let last = xmin - 1n;
  for (const part of m[3] ? m[3].split(',') : []) {
    const x = BigInt(part);
    if (x < xmin || x >= xmax || x < last) return false;
    last = x;
  }
  return true;
}

const isPosition = (table: SyncTable, v: unknown): v is Position =>
  Array.isArray(v) &&
  v.length === 2 &&
  isXid(v[0]) &&
  typeof v[1] === 'string' &&
  (table === 'history' ? /^\d{1,18}$/.test(v[1]) : UUID.test(v[1]));

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Null for anything that is not a cookie this module wrote (garbage, truncated, tampered with). */
export function decodeCookie(text: string): SyncCookie | null {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const { v, s, t, h, p } = raw as Record<string, unknown>;
  if (v !== undefined && v !== COOKIE_FORMAT) return null;
  if (s !== null && !(isSnapshotText(s) && isTime(t))) return null;
  const cookie: SyncCookie = s === null ? { s: null } : { s, t: t as number };
  if (h !== undefined) {
    if (typeof h !== 'string' || !HASH.test(h)) return null;
    cookie.h = h;
  }
  if (p !== undefined) {
    if (typeof p !== 'object' || p === null || Array.isArray(p)) return null;
    const page = p as Record<string, unknown>;
    if (!isSnapshotText(page.s) || !isTime(page.t)) return null;
    cookie.p = { s: page.s, t: page.t };
    if (page.exits !== undefined) {
      if (typeof page.exits !== 'string' || !UUID.test(page.exits)) return null;
      cookie.p.exits = page.exits;
    }
    for (const table of pagedTables) {
      const pos = page[table];
      if (pos === undefined) continue;
      if (!isPosition(table, pos)) return null;
      cookie.p[table] = pos;
    }
  }
  return cookie;
}

/** Written by a transaction the snapshot did not see: committed after it, or still running when it was taken. */
const changedSince = (col: AnyPgColumn, snapshot: string): SQL =>
  sql`(${col} >= pg_snapshot_xmin(${snapshot}::pg_snapshot) and not pg_visible_in_snapshot(${col}, ${snapshot}::pg_snapshot))`;

const after = (xidCol: AnyPgColumn, idCol: AnyPgColumn, pos: Position | undefined): SQL | undefined =>
  pos ? sql`(${xidCol}, ${idCol}) > (${pos[0]}::xid8, ${pos[1]}::uuid)` : undefined;
const afterSerial = (xidCol: AnyPgColumn, idCol: AnyPgColumn, pos: Position | undefined): SQL | undefined =>
  pos ? sql`(${xidCol}, ${idCol}) > (${pos[0]}::xid8, ${pos[1]}::bigint)` : undefined;

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** The tickets a new device shows first (see PullResult.lead), at most `limit`, with their rows. */
async function leadRows(tx: Tx, actor: Actor, limit: number): Promise<LeadRows> {
  const mine = actor.role === 'customer' ? tickets.requesterId : tickets.ownerId;
  const leading = await tx
    .select()
    .from(tickets)
    .where(and(ticketScope(actor), isNull(tickets.deletedAt), inArray(tickets.status, [...openStatuses])))
    .orderBy(sql`(${mine} = ${actor.id}) desc nulls last`, desc(tickets.updatedAt), tickets.id)
    .limit(limit);
  const ids = leading.map((t) => t.id);
  if (ids.length === 0) return { tickets: [], articles: [], attachments: [], history: [] };
  // One after the other: a transaction is one connection.
  const articleRows = await tx
    .select(articleColumns)
    .from(articles)
    .innerJoin(tickets, eq(tickets.id, articles.ticketId))
    .where(and(inArray(articles.ticketId, ids), articleVisibility(actor)))
    .orderBy(articles.changeXid, articles.id);
  const attachmentRows = await tx
    .select(getTableColumns(attachments))
    .from(attachments)
    .innerJoin(tickets, eq(tickets.id, attachments.ticketId))
    .leftJoin(articles, eq(articles.id, attachments.articleId))
    .where(and(inArray(attachments.ticketId, ids), attachmentVisibility(actor)));
  const historyRows = mayReadHistory(actor.role)
    ? await tx.select().from(ticketHistory).where(inArray(ticketHistory.ticketId, ids)).orderBy(ticketHistory.id)
    : [];
  return { tickets: leading, articles: articleRows, attachments: attachmentRows, history: historyRows };
}

/** The lead rows the page itself does not carry (one response names each row once). */
function without(
  lead: LeadRows,
  page: {
    t: { rows: TicketRow[] };
    a: { rows: ArticleRow[] };
    f: { rows: AttachmentRow[] };
    h: { rows: HistoryDbRow[] };
  },
): LeadRows {
  const absent = <T extends { id: string | number }>(rows: T[], sent: { id: string | number }[]) => {
    const ids = new Set(sent.map((r) => r.id));
    return rows.filter((r) => !ids.has(r.id));
  };
  return {
    tickets: absent(lead.tickets, page.t.rows),
    articles: absent(lead.articles, page.a.rows),
    attachments: absent(lead.attachments, page.f.rows),
    history: absent(lead.history, page.h.rows),
  };
}

/**
 * The rows of the caller's scope written since the cookie, read in one REPEATABLE READ snapshot.
 * A null cookie gets a full pull with `reset` (tombstones left out); so does a cookie written under
 * another scope hash (the caller's own scope changed). An unreadable cookie, one older than the
 * tombstones (90 days) or one from another database throws SYNC_RESET_REQUIRED (410): the client
 * then pulls again with a null cookie.
 * An incremental pull also lists the tickets that left the caller's scope (sync_scope_exits rows
 * written since the cookie whose old keys were in scope, for tickets not in scope now or deleted).
 * Each table returns at most `limit` rows ordered by (change_xid, id); when any table is cut, `more`
 * is set and the cookie asks for the next page. The final page hands out the snapshot of the first
 * page, so a transaction that commits while the pages are read is sent again rather than skipped.
 * Scope exits are paged too, `limit` ticket ids at a time in id order: a mass move (a department's
 * queue handed to another) can leave thousands. An exit committed between pages behind the position
 * is not lost: it is not visible in the first page's snapshot, so the next pull sends it.
 */
export async function pullChanges(db: Db, actor: Actor, cookie: string | null, limit = 500): Promise<PullResult> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`pullChanges: bad limit ${limit}`);
  const decoded = cookie === null ? null : decodeCookie(cookie);
  if (cookie !== null && decoded === null) {
    throw new AppError(ErrorCode.SYNC_RESET_REQUIRED, 'Unreadable sync cookie', { reason: 'invalid' });
  }
  return db.transaction(
    async (tx) => {
      // The first statement fixes the transaction's snapshot; pg_current_snapshot() is that snapshot.
      const [now] = await tx
        .select({
          snap: sql<string>`pg_current_snapshot()::text`,
          nowMs: sql<number>`(extract(epoch from now()) * 1000)::float8`.mapWith(Number),
        })
        .from(sql`(select 1) as one`);
      if (!now) throw new Error('pg_current_snapshot returned no row');
      const current = { s: now.snap, t: now.nowMs };

      // Every snapshot the cookie relies on: the base and, while paging, the first page's.
      const times = [decoded?.s ? decoded.t : undefined, decoded?.p?.t].filter((x): x is number => x !== undefined);
      if (times.some((t) => now.nowMs - t > TOMBSTONE_TTL_MS)) {
        throw new AppError(ErrorCode.SYNC_RESET_REQUIRED, 'Sync cookie expired', { reason: 'expired' });
      }
      // A time or a snapshot ahead of this database: written by another one (restored, recreated) or forged;
      // such a snapshot could hide rows.
      const foreign = () =>
        new AppError(ErrorCode.SYNC_RESET_REQUIRED, 'Sync cookie not from this database', { reason: 'foreign' });
      if (times.some((t) => t - now.nowMs > CLOCK_SLACK_MS)) throw foreign();
      const snapshots = [decoded?.s, decoded?.p?.s].filter((x): x is string => typeof x === 'string');
      for (const snapshot of snapshots) {
        const [check] = await tx
          .select({
            ok: sql<boolean>`pg_snapshot_xmax(${snapshot}::pg_snapshot) <= pg_snapshot_xmax(pg_current_snapshot())`,
          })
          .from(sql`(select 1) as one`);
        if (!check?.ok) throw foreign();
      }
      // A cookie without a hash predates scope hashes: it cannot vouch for the scope either.
      const hash = scopeHash(actor);
      const usable = decoded?.h === hash ? decoded : null;
      const base = usable?.s ?? null;
      const page = usable?.p;
      const reset = base === null && page === undefined;

      const scope = ticketScope(actor);

      const ticketRows = await tx
        .select()
        .from(tickets)
        .where(
          and(
            scope,
            base === null ? isNull(tickets.deletedAt) : changedSince(tickets.changeXid, base),
            after(tickets.changeXid, tickets.id, page?.tickets),
          ),
        )
        .orderBy(tickets.changeXid, tickets.id)
        .limit(limit + 1);

      // Tickets that came (back) into scope since the base: the device dropped or never had their
      // articles and attachments, so those go out in full, not only the ones written since.
      const entered =
        base === null
          ? []
          : (
              await tx
                .selectDistinct({ id: syncScopeExits.ticketId })
                .from(syncScopeExits)
                .innerJoin(tickets, eq(tickets.id, syncScopeExits.ticketId))
                .where(and(changedSince(syncScopeExits.changeXid, base), scope, isNull(tickets.deletedAt)))
            ).map((r) => r.id);
      const changedOrEntered = (col: AnyPgColumn, ticketCol: AnyPgColumn) =>
        base === null
          ? undefined
          : entered.length
            ? or(changedSince(col, base), inArray(ticketCol, entered))
            : changedSince(col, base);

      const articleRows = await tx
        .select(articleColumns)
        .from(articles)
        .innerJoin(tickets, eq(tickets.id, articles.ticketId))
        .where(
          and(
            scope,
            isNull(tickets.deletedAt),
            articleVisibility(actor),
            changedOrEntered(articles.changeXid, articles.ticketId),
            after(articles.changeXid, articles.id, page?.articles),
          ),
        )
        .orderBy(articles.changeXid, articles.id)
        .limit(limit + 1);

      const attachmentRows = await tx
        .select(getTableColumns(attachments))
        .from(attachments)
        .innerJoin(tickets, eq(tickets.id, attachments.ticketId))
        .leftJoin(articles, eq(articles.id, attachments.articleId))
        .where(
          and(
            scope,
            isNull(tickets.deletedAt),
            attachmentVisibility(actor),
            changedOrEntered(attachments.changeXid, attachments.ticketId),
            after(attachments.changeXid, attachments.id, page?.attachments),
          ),
        )
        .orderBy(attachments.changeXid, attachments.id)
        .limit(limit + 1);

      const historyRows = mayReadHistory(actor.role)
        ? await tx
            .select(getTableColumns(ticketHistory))
            .from(ticketHistory)
            .innerJoin(tickets, eq(tickets.id, ticketHistory.ticketId))
            .where(
              and(
                scope,
                isNull(tickets.deletedAt),
                changedOrEntered(ticketHistory.changeXid, ticketHistory.ticketId),
                afterSerial(ticketHistory.changeXid, ticketHistory.id, page?.history),
              ),
            )
            .orderBy(ticketHistory.changeXid, ticketHistory.id)
            .limit(limit + 1)
        : [];

      // Old keys in the caller's scope, so nothing is said about a ticket the caller never could see.
      const exitRows =
        base === null
          ? []
          : await tx
              .select({ ticketId: syncScopeExits.ticketId })
              .from(syncScopeExits)
              .where(
                and(
                  changedSince(syncScopeExits.changeXid, base),
                  ticketScope(actor, syncScopeExits),
                  sql`not exists (select 1 from ${tickets} where ${tickets.id} = ${syncScopeExits.ticketId} and ${tickets.deletedAt} is null and ${scope})`,
                  page?.exits ? gt(syncScopeExits.ticketId, page.exits) : undefined,
                ),
              )
              .groupBy(syncScopeExits.ticketId)
              .orderBy(syncScopeExits.ticketId)
              .limit(limit + 1);

      const cut = <T extends { changeXid: string; id: string | number }>(rows: T[]): { rows: T[]; last?: Position } => {
        const kept = rows.slice(0, limit);
        const last = kept.at(-1);
        return last ? { rows: kept, last: [last.changeXid, String(last.id)] } : { rows: kept };
      };
      const more =
        ticketRows.length > limit ||
        articleRows.length > limit ||
        attachmentRows.length > limit ||
        historyRows.length > limit ||
        exitRows.length > limit;
      const t = cut(ticketRows);
      const a = cut(articleRows);
      const f = cut(attachmentRows);
      const h = cut(historyRows);
      const exited = exitRows.slice(0, limit).map((r) => r.ticketId);

      // The snapshot this pull catches the client up to: the first page's, carried through the pages.
      const target = page ? { s: page.s, t: page.t } : current;
      let next: SyncCookie;
      if (more) {
        next =
          base === null
            ? { s: null, h: hash, p: { ...target } }
            : { s: base, t: usable?.t as number, h: hash, p: { ...target } };
        const p = next.p as NonNullable<SyncCookie['p']>;
        const exitsAt = exited.at(-1) ?? page?.exits;
        if (exitsAt) p.exits = exitsAt;
        const positions = {
          tickets: t.last ?? page?.tickets,
          articles: a.last ?? page?.articles,
          attachments: f.last ?? page?.attachments,
          history: h.last ?? page?.history,
        };
        for (const table of pagedTables) {
          const pos = positions[table];
          if (pos) p[table] = pos;
        }
      } else {
        next = { s: target.s, t: target.t, h: hash };
      }

      return {
        cookie: encodeCookie(next),
        more,
        tickets: t.rows.filter((r) => r.deletedAt === null),
        articles: a.rows,
        attachments: f.rows,
        history: h.rows,
        deletedTicketIds: t.rows.filter((r) => r.deletedAt !== null).map((r) => r.id),
        exitedTicketIds: exited,
        reset,
        // A full pull of one page has everything already; a longer one leads with what this page lacks.
        lead: reset && !page && more ? without(await leadRows(tx, actor, limit), { t, a, f, h }) : null,
      };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}
