import { randomUUID } from 'node:crypto';
import { departments, outbox, tickets } from '@mesa/api/db/schema';
import { addArticle } from '@mesa/api/services/ticket-articles';
import { toTicket } from '@mesa/api/services/ticket-dto';
import {
  AppError,
  applyMutation,
  type ClosedReplyPolicy,
  type CustomerReplyEffect,
  customerReplyEffect,
  emptyLocalState,
  parseMutation,
  type TicketStatus,
} from '@mesa/core';
import { and, eq, gt, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailDesk, openMailDesk } from '../support/mail-desk';
import { composeMail } from '../support/mail-factory';

/**
 * "A customer's answer reopens" has one home (core's customerReplyEffect, applied by
 * services/customer-reply.ts). The portal reply and an e-mail reply must both do what it says, for
 * every status and every closed-ticket policy: the same state afterwards and the same mail to staff.
 */
let desk: MailDesk;
const FROM = 'Ana Acme <ana@acme.test>';

beforeAll(async () => {
  desk = await openMailDesk();
});
afterAll(async () => {
  await desk.close();
});

const setPolicy = (p: ClosedReplyPolicy) =>
  desk.database.db.update(departments).set({ closedReplyPolicy: p }).where(eq(departments.slug, 'atencion'));

/** A ticket Ana opened by mail, owned by the technician, put in `status`; returns it and its Message-ID. */
async function ticketIn(status: TicketStatus) {
  const messageId = `${randomUUID()}@acme.test`;
  const r = await desk.intake(desk.mailbox.id, await composeMail({ from: FROM, subject: 'Sin red', messageId }));
  expect(r.outcome).toBe('created');
  const id = r.ticketId as string;
  await desk.database.db
    .update(tickets)
    .set({ status, ownerId: desk.world.users.technician.id })
    .where(eq(tickets.id, id));
  const [{ last }] = (await desk.database.db
    .select({ last: sql<number>`coalesce(max(${outbox.id}), 0)`.mapWith(Number) })
    .from(outbox)) as [{ last: number }];
  return { id, messageId, outboxAfter: last };
}

/** What happened to the ticket: its status and the mail queued about it since `outboxAfter`. */
async function aftermath(t: { id: string; outboxAfter: number }) {
  const rows = await desk.database.db
    .select({ kind: outbox.kind })
    .from(outbox)
    .where(and(gt(outbox.id, t.outboxAfter), sql`${outbox.payload}->>'ticketId' = ${t.id}`))
    .orderBy(outbox.id);
  return { status: (await desk.ticket(t.id)).status, mail: rows.map((r) => r.kind) };
}

/** What the rule says, as the ticket's state and staff mail afterwards (joining effects only). */
const expected = (from: TicketStatus, effect: CustomerReplyEffect) => {
  switch (effect) {
    case 'append':
      return { status: from, mail: ['customer_replied'] };
    case 'hand_back':
      return { status: 'open', mail: ['customer_replied'] };
    case 'reopen':
      return { status: 'open', mail: ['customer_replied', 'ticket_reopened'] };
    default:
      return { status: from, mail: effect === 'reject' ? ['mail_rejected'] : [] };
  }
};

const cases: Array<[TicketStatus, ClosedReplyPolicy]> = [
  ...(['new', 'open', 'in_progress', 'pending_customer', 'pending_third_party', 'attended', 'resolved'] as const).map(
    (s) => [s, 'reopen'] as [TicketStatus, ClosedReplyPolicy],
  ),
  ['closed', 'reopen'],
  ['closed', 'new_ticket'],
  ['closed', 'reject'],
];

describe('errors', () => {
  it('a portal reply does what the customer-reply rule says, for every status and closed-ticket policy', async () => {
    const effects = new Set<CustomerReplyEffect>();
    for (const [status, policy] of cases) {
      await setPolicy(policy);
      const effect = customerReplyEffect(status, policy);
      effects.add(effect);
      const t = await ticketIn(status);
      const answer = await addArticle(
        desk.database.db,
        desk.world.actors.customer,
        { id: t.id },
        {
          kind: 'public_reply',
          body: 'Sigue sin red',
        },
      ).then(
        () => 'stored',
        (e: unknown) => (e instanceof AppError ? `${e.code} ${(e.details as { reason: string }).reason}` : e),
      );
      const joins = effect === 'append' || effect === 'hand_back' || effect === 'reopen';
      expect(answer, `${status} / ${policy}`).toBe(joins ? 'stored' : 'INVALID_TRANSITION TICKET_CLOSED');
      // A refused portal reply leaves everything as it was (the portal offers a new ticket instead).
      expect(await aftermath(t), `${status} / ${policy}`).toEqual(
        joins ? expected(status, effect) : { status, mail: [] },
      );
    }
    expect([...effects].sort()).toEqual(['append', 'hand_back', 'new_ticket', 'reject', 'reopen']);
    await setPolicy('reopen');
  });

  it('an e-mail reply does what the customer-reply rule says, for every status and closed-ticket policy', async () => {
    let compared = 0;
    for (const [status, policy] of cases) {
      await setPolicy(policy);
      const effect = customerReplyEffect(status, policy);
      const t = await ticketIn(status);
      const r = await desk.intake(
        desk.mailbox.id,
        await composeMail({
          from: FROM,
          subject: 'Re: Sin red',
          messageId: `${randomUUID()}@acme.test`,
          inReplyTo: t.messageId,
        }),
      );
      const outcome = {
        append: 'appended',
        hand_back: 'appended',
        reopen: 'reopened',
        new_ticket: 'linked',
        reject: 'rejected',
      };
      expect(r.outcome, `${status} / ${policy}`).toBe(outcome[effect]);
      expect(await aftermath(t), `${status} / ${policy}`).toEqual(expected(status, effect));
      if (effect === 'new_ticket') expect((await desk.ticket(r.ticketId as string)).linkedTicketId).toBe(t.id);
      compared++;
    }
    expect(compared).toBe(10);
    await setPolicy('reopen');
  });

  it('a device’s note does what the rule says; on a closed ticket the device, blind to the policy, refuses', async () => {
    let compared = 0;
    for (const [status] of cases) {
      const effect = customerReplyEffect(status, 'reopen');
      const t = await ticketIn(status);
      const state = emptyLocalState();
      state.tickets.set(t.id, toTicket(await desk.ticket(t.id)));
      const m = parseMutation('addNote@1', { id: randomUUID(), ticketId: t.id, kind: 'public_reply', body: 'Sin red' });
      const actor = { id: desk.world.users.customer.id, role: 'customer' as const };
      const after = await Promise.resolve()
        .then(() => applyMutation(state, m, actor, new Date()).tickets.get(t.id)?.status)
        .catch((e: unknown) => (e instanceof AppError ? `${e.code} ${(e.details as { reason: string }).reason}` : e));
      // The device cannot see the department's policy: it refuses at once rather than guess (nothing is queued).
      expect(after, status).toBe(
        status === 'closed' ? 'INVALID_TRANSITION TICKET_CLOSED' : expected(status, effect).status,
      );
      compared++;
    }
    expect(compared).toBe(10);
  });
});
