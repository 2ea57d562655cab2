import { randomUUID } from 'node:crypto';
import { ticketHistory } from '@mesa/api/db/schema';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailDesk, openMailDesk } from '../support/mail-desk';
import { composeMail } from '../support/mail-factory';

/**
 * Notes the mail channel writes itself (a reused Message-ID, a bounce) are ticket writes like any other:
 * through the one write path, so the ticket is locked, its version moves (devices and open editors see
 * a change) and history lists the article, as for a note an agent writes.
 */
let desk: MailDesk;
beforeAll(async () => {
  desk = await openMailDesk();
});
afterAll(async () => {
  await desk.close();
});

const historyOf = (ticketId: string) =>
  desk.database.db
    .select({ field: ticketHistory.field, newValue: ticketHistory.newValue })
    .from(ticketHistory)
    .where(eq(ticketHistory.ticketId, ticketId))
    .orderBy(asc(ticketHistory.id));

describe('errors', () => {
  it('a note the desk writes about a reused Message-ID goes through the write path', async () => {
    const messageId = `${randomUUID()}@example.com`;
    const first = await desk.intake(
      desk.mailbox.id,
      await composeMail({ from: 'Ana Acme <ana@acme.test>', subject: 'Sin red', text: 'Primero', messageId }),
    );
    expect(first.outcome).toBe('created');
    const second = await desk.intake(
      desk.mailbox.id,
      await composeMail({ from: 'Otra <otra@example.com>', subject: 'Otra cosa', text: 'Segundo', messageId }),
    );
    // Another message: a ticket of its own, with a note for staff about the id.
    expect(second.outcome).toBe('created');
    expect(second.ticketId).not.toBe(first.ticketId);
    const ticketId = second.ticketId as string;
    const notes = (await desk.articlesOf(ticketId)).filter((a) => a.kind === 'internal_note');
    expect(notes.map((a) => a.authorId)).toEqual([null]);
    const note = notes[0]!;
    const history = await historyOf(ticketId);
    expect(history.filter((h) => h.field === 'article').map((h) => h.newValue)).toContainEqual({
      id: note.id,
      kind: 'internal_note',
    });
    expect(history.filter((h) => h.field === 'message_id_reused')).toHaveLength(1);
    // Created (1), then the note's write (2).
    expect((await desk.ticket(ticketId)).version).toBe(2);
  });
});
