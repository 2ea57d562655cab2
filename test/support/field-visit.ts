import type { Ticket } from '@mesa/core';
import { client, type testApp } from './api';
import type { World } from './world';

/**
 * A field visit, as the sync tests and benches use it: the customer opens a Systems ticket and the office
 * assigns it to the technician. Throws when the API refuses (usable outside vitest, in bench/).
 */
export async function openFieldVisit(
  app: ReturnType<typeof testApp>,
  world: World,
  subject = 'Visita: router caído',
): Promise<Ticket> {
  const customer = await client(app).login(world.users.customer.email);
  const office = await client(app).login(world.users.admin.email);
  const created = await customer.post<Ticket>('/api/tickets', {
    departmentId: world.dept('sistemas').id,
    subject,
    description: 'El router del piso 2 no enciende desde esta mañana.',
    severity: 'high',
    urgency: 'medium',
  });
  if (created.status !== 201) throw new Error(`create: ${JSON.stringify(created.body)}`);
  const assigned = await office.post<Ticket>(`/api/tickets/${created.body.number}/assign`, {
    ownerId: world.users.technician.id,
  });
  if (assigned.status !== 200) throw new Error(`assign: ${JSON.stringify(assigned.body)}`);
  return assigned.body;
}
