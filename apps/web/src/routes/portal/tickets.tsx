import { isStaff } from '@mesa/core';
import { TicketList } from '../../components/ticket-list';
import { currentUser } from '../../session';

/** `/tickets`: a customer's own tickets; for staff, the tickets they own. */
export default function MyTickets() {
  const scope = () => {
    const user = currentUser();
    return user && isStaff(user.role) ? { ownerId: 'me' } : {};
  };
  return <TicketList title="tickets.title" scope={scope()} />;
}
