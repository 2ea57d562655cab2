import type postgres from 'postgres';
import type { World } from './world';

/**
 * A desk's worth of tickets for benches: `tickets` of the world's customer spread over every department,
 * each with `articlesPerTicket` articles (one internal note among them), written in small commits as a
 * desk accumulates them (the pull pages by change xid). Throws unless every row is there.
 */
export async function seedTickets(
  sql: postgres.Sql,
  world: World,
  opts: { tickets: number; articlesPerTicket: number; ticketsPerCommit: number },
): Promise<void> {
  const { customer, agent } = world.users;
  const deptIds = (await sql<{ id: string }[]>`select id from departments order by slug`).map((d) => d.id);
  const seedBatch = (from: number, to: number) => sql`
    with t as (
      insert into tickets (subject, description, requester_id, organization_id, requester_name,
        requester_organization, requester_email, channel, department_id, severity, urgency, priority,
        status, created_by_id, first_response_due_at, resolution_due_at, created_at, updated_at)
      select 'Equipo sin respuesta en sala ' || g,
        'El servidor del rack ' || (g % 40) || ' no responde desde las 8:00. Ubicación: piso 3, sala de servidores. Se reinició el switch sin resultado.',
        ${customer.id}, ${customer.organizationId}, ${customer.name}, 'Acme', ${customer.email}, 'web',
        (${deptIds}::uuid[])[1 + g % ${deptIds.length}],
        (array['critical','high','medium','low'])[1 + g % 4], (array['high','medium','low','critical'])[1 + g % 4],
        (array['P1','P2','P3','P4'])[1 + g % 4], (array['new','open','in_progress','pending_customer'])[1 + g % 4],
        ${customer.id}, now() + interval '4 hours', now() + interval '3 days',
        now() - g * interval '1 minute', now() - g * interval '1 minute'
      from generate_series(${from}::int, ${to}::int) g
      returning id, created_at
    )
    insert into articles (ticket_id, kind, body, author_id, created_at)
    select t.id, case when k = 3 then 'internal_note' else 'public_reply' end,
      'Respuesta ' || k || ': revisamos el equipo, cambiamos el cable de red del puerto 12 y pedimos confirmar si el servicio volvió. Saludos, soporte.',
      case when k % 2 = 1 then ${customer.id}::uuid else ${agent.id}::uuid end,
      t.created_at + k * interval '10 minutes'
    from t cross join generate_series(1, ${opts.articlesPerTicket}::int) k`;
  const batches: Array<[number, number]> = [];
  for (let i = 1; i <= opts.tickets; i += opts.ticketsPerCommit) {
    batches.push([i, Math.min(opts.tickets, i + opts.ticketsPerCommit - 1)]);
  }
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let b = batches.shift(); b; b = batches.shift()) await seedBatch(b[0], b[1]);
    }),
  );
}
