import { eq, isNotNull, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client';
import { departments, mailboxes } from '../db/schema';
import type { Env } from '../env';

export type MailboxRow = typeof mailboxes.$inferSelect;

export interface MailboxSource {
  name: string;
  departmentSlug: string;
  /** imap(s)://… or null for the built-in SMTP listener. */
  url: string | null;
}

/** The IMAP mailboxes from IMAP_URL and IMAP_MAILBOXES ("slug=url;slug=url"), and the SMTP listener's. */
export function configuredMailboxes(env: Env): MailboxSource[] {
  const out: MailboxSource[] = [];
  if (env.IMAP_URL)
    out.push({ name: `imap:${env.IMAP_DEPARTMENT}`, departmentSlug: env.IMAP_DEPARTMENT, url: env.IMAP_URL });
  for (const entry of (env.IMAP_MAILBOXES ?? '').split(';')) {
    const at = entry.indexOf('=');
    if (at <= 0) continue;
    const slug = entry.slice(0, at).trim();
    const url = entry.slice(at + 1).trim();
    if (!/^imaps?:\/\//.test(url)) throw new Error(`IMAP_MAILBOXES: "${slug}" needs an imap:// or imaps:// URL`);
    out.push({ name: `imap:${slug}`, departmentSlug: slug, url });
  }
  if (env.SMTP_INBOUND_PORT !== undefined) {
    out.push({ name: 'smtp', departmentSlug: env.IMAP_DEPARTMENT, url: null });
  }
  return out;
}

/** Upserts one mailbox row per configured source; the address is the department's, else MAIL_FROM. */
export async function ensureMailbox(db: Db, env: Env, source: MailboxSource): Promise<MailboxRow> {
  const [dept] = await db.select().from(departments).where(eq(departments.slug, source.departmentSlug));
  if (!dept) throw new Error(`mailbox ${source.name}: no department with slug "${source.departmentSlug}"`);
  const address = (dept.email ?? env.MAIL_FROM).toLowerCase();
  const [row] = await db
    .insert(mailboxes)
    .values({ name: source.name, address, departmentId: dept.id })
    .onConflictDoUpdate({ target: mailboxes.name, set: { address, departmentId: dept.id } })
    .returning();
  if (!row) throw new Error('mailbox upsert returned no row');
  return row;
}

export async function getMailbox(tx: DbOrTx, id: string): Promise<MailboxRow | undefined> {
  const [row] = await tx.select().from(mailboxes).where(eq(mailboxes.id, id));
  return row;
}

/** Every address that is us: never a participant, never a requester. */
export async function ownAddresses(tx: DbOrTx, env: Env): Promise<Set<string>> {
  // One round trip: the intake asks for every message.
  const rows = await tx
    .select({ address: mailboxes.address })
    .from(mailboxes)
    .union(
      tx
        .select({ address: sql<string>`${departments.email}` })
        .from(departments)
        .where(isNotNull(departments.email)),
    );
  const set = new Set<string>([env.MAIL_FROM.toLowerCase()]);
  for (const r of rows) set.add(r.address.toLowerCase());
  return set;
}
