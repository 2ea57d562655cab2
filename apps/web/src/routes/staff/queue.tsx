import { TicketList } from '../../components/ticket-list';

/** `/queue`: every ticket the staff member may see (the API scopes it by role and department). */
export default function Queue() {
  return <TicketList title="tickets.queueTitle" />;
}
