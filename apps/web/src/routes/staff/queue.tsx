import { TicketList } from '../../components/ticket-list';

/** `/queue`: every ticket on the device, which holds what the staff member's role and departments may see. */
export default function Queue() {
  return <TicketList title="tickets.queueTitle" />;
}
