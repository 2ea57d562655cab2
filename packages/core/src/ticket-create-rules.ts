import type { Channel, Role } from './schemas/enums';

/** How a new ticket arrived: customers open on the web; staff say how (a call by default, the field for technicians). */
export function createdChannel(role: Role, requested: Exclude<Channel, 'email'> | undefined): Channel {
  if (role === 'customer') return 'web';
  return requested ?? (role === 'technician' ? 'field' : 'phone');
}

/** A technician opening a case in the field owns it from the start; other tickets wait in the queue. */
export const createdOwner = (actor: { id: string; role: Role }): string | null =>
  actor.role === 'technician' ? actor.id : null;
