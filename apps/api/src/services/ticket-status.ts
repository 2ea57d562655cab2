import { reopenTarget, statusChange, type TicketStatus } from '@mesa/core';
import type { Actor } from '../http/context';
import type { TicketRow } from './ticket-dto';

/** Core's state machine and stamps (the same the devices run offline), on a database row. */
export const statusPatch = (actor: Actor, row: TicketRow, to: TicketStatus, now: Date): Partial<TicketRow> =>
  statusChange(row, to, actor.role, now);

export const reopenStatus = (row: TicketRow): TicketStatus => reopenTarget(row.ownerId !== null);
