import { type DeskAlert, deskAlerts, isStaff, type LocalTicket } from '@mesa/core';
import { type Accessor, createMemo, createSignal, onCleanup } from 'solid-js';
import { seenBy } from '../lib/seen';
import { currentUser } from '../session';
import { useReference, useTickets } from './queries';

/** The clocks move on their own: alerts are recomputed at this pace as well as on every change. */
const TICK_MS = 15_000;

export interface AlertRow extends DeskAlert {
  ticket: LocalTicket;
}

/** The agent's alerts from the device store (core's deskAlerts), most pressing first. */
export function useDeskAlerts(): Accessor<AlertRow[]> {
  const tickets = useTickets();
  const profile = useReference('profile');
  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => setNow(Date.now()), TICK_MS);
  onCleanup(() => clearInterval(timer));
  return createMemo(() => {
    const user = currentUser();
    if (!user || !isStaff(user.role)) return [];
    const list = tickets() ?? [];
    const byId = new Map(list.map((t) => [t.id, t]));
    const alerts = deskAlerts(list, {
      me: user.id,
      myDepartments: profile()?.[0]?.departmentIds ?? [],
      seen: seenBy(user.id),
      now: now(),
    });
    const rank = { sla: 0, mine: 1, new: 2 } as const;
    return alerts
      .map((a) => ({ ...a, ticket: byId.get(a.ticketId) as LocalTicket }))
      .sort((a, b) => rank[a.kind] - rank[b.kind] || a.ticket.createdAt.localeCompare(b.ticket.createdAt));
  });
}
