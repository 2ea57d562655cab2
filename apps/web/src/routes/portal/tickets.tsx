import { isStaff, type LocalTicket } from '@mesa/core';
import { TicketList } from '../../components/ticket-list';
import { currentUser } from '../../session';

/** `/tickets`: a customer's tickets (and their organization's when it shares); for staff, the ones they own. */
export default function MyTickets() {
  const include = (ticket: LocalTicket) => {
    const user = currentUser();
    return !user || !isStaff(user.role) || ticket.ownerId === user.id;
  };
  return <TicketList title="tickets.title" include={include} />;
}
