import { levels, type Severity, type TicketStatus } from '@mesa/core';
import { eq, sql } from 'drizzle-orm';
import type { Actor } from '../http/context';
import { createReference } from '../services/reference-service';
import { actorFor } from '../services/session-service';
import { addArticle } from '../services/ticket-articles';
import { assignTicket, closeTicket, updateTicket } from '../services/ticket-commands';
import { createTicket } from '../services/ticket-create';
import { getTicket } from '../services/ticket-query';
import type { Db } from './client';
import { makeContract, makeEquipment, makeOrganization, makeRegion, makeSite, makeUser } from './factories';
import { departments, settings, tickets } from './schema';

export const DEMO_PASSWORD = 'demo1234';
const MARKER = 'demo_seeded';

/** The demo logins the README and the start banner list. */
export const demoLogins = [
  { role: 'supervisor', email: 'supervisora@mesa.test' },
  { role: 'agent', email: 'agente@mesa.test' },
  { role: 'agent', email: 'agente2@mesa.test' },
  { role: 'technician', email: 'tecnico@mesa.test' },
  { role: 'customer', email: 'cliente@acme.test' },
  { role: 'customer', email: 'colega@acme.test' },
  { role: 'customer', email: 'cliente@globex.test' },
] as const;

const subjects = [
  'Página web no resuelve por dominio',
  'Impresora del piso 3 no imprime',
  'Alta de usuario en el sistema de nómina',
  'Enlace de datos caído en sede Maracaibo',
  'Servidor de correo lento',
  'Factura con monto incorrecto',
  'Solicitud de ampliación de contrato',
  'Falla en UPS del centro de datos',
  'VPN no conecta desde casa',
  'Cambio de clave de acceso al portal',
  'Disco degradado en arreglo RAID',
  'Switch del rack 4 reinicia solo',
];

async function users(db: Db) {
  const dept = async (slug: string) =>
    (await db.select({ id: departments.id }).from(departments).where(eq(departments.slug, slug)))[0]!.id;
  const [atencion, sistemas, redes, soporte, comercial, facturacion, datos] = await Promise.all(
    ['atencion', 'sistemas', 'redes', 'soporte-24h', 'comercial', 'facturacion', 'centros-de-datos'].map(dept),
  );
  const acme = await makeOrganization(db, { name: 'Acme Venezuela C.A.', membersSeeEachOther: true });
  const globex = await makeOrganization(db, { name: 'Globex Colombia S.A.S.' });
  const password = DEMO_PASSWORD;
  const u = {
    supervisor: await makeUser(db, { role: 'supervisor', email: demoLogins[0].email, name: 'Carmen Rojas', password }),
    agent: await makeUser(db, {
      role: 'agent',
      email: demoLogins[1].email,
      name: 'Luis Pérez',
      password,
      departmentIds: [atencion!, sistemas!, redes!, soporte!],
    }),
    agent2: await makeUser(db, {
      role: 'agent',
      email: demoLogins[2].email,
      name: 'Ana Gómez',
      password,
      language: 'en',
      departmentIds: [comercial!, facturacion!, datos!],
    }),
    tech: await makeUser(db, { role: 'technician', email: demoLogins[3].email, name: 'José Rivas', password }),
    acme1: await makeUser(db, {
      email: demoLogins[4].email,
      name: 'Pedro Martínez',
      password,
      phone: '+58 212 555 0101',
      organizationId: acme.id,
    }),
    acme2: await makeUser(db, { email: demoLogins[5].email, name: 'Laura Díaz', password, organizationId: acme.id }),
    globex: await makeUser(db, {
      email: demoLogins[6].email,
      name: 'Andrés Gil',
      password,
      language: 'en',
      organizationId: globex.id,
    }),
  };
  const world = await makeRegion(db, 'Global');
  const ve = await makeRegion(db, 'Venezuela', world.id);
  const ccs = await makeRegion(db, 'Caracas', ve.id);
  const co = await makeRegion(db, 'Colombia', world.id);
  const sedeCcs = await makeSite(db, { name: 'Sede Caracas', regionId: ccs.id, address: 'Av. Libertador, piso 3' });
  const sedeBog = await makeSite(db, { name: 'Sede Bogotá', regionId: co.id, address: 'Calle 72 # 10-34' });
  const ctAcme = await makeContract(db, acme.id, 'CT-2026-0001');
  const ctGlobex = await makeContract(db, globex.id, 'CT-2026-0002');
  await makeEquipment(db, {
    serialNumber: 'SN-DL380-0001',
    maintenanceCode: 'MC-ACME-01',
    siteId: sedeCcs.id,
    contractId: ctAcme.id,
    contactId: u.acme1.id,
  });
  await makeEquipment(db, {
    model: 'Cisco Catalyst 9300',
    serialNumber: 'SN-C9300-0002',
    maintenanceCode: 'MC-GLOBEX-01',
    siteId: sedeBog.id,
    contractId: ctGlobex.id,
    contactId: u.globex.id,
  });
  return { u, depts: [atencion!, sistemas!, redes!, comercial!, facturacion!, datos!] };
}

const progression: TicketStatus[] = [
  'new',
  'open',
  'in_progress',
  'pending_customer',
  'pending_third_party',
  'attended',
  'resolved',
  'closed',
];

/** A few dozen tickets in every state, written through the services so history and outbox are real. */
export async function seedDemo(db: Db): Promise<boolean> {
  const [done] = await db.select().from(settings).where(eq(settings.key, MARKER));
  if (done) return false;
  const { u, depts } = await users(db);
  const reference = createReference(db, 0);
  const as = (id: string): Promise<Actor> => actorFor(db, id);
  const agent = await as(u.agent.id);
  const supervisor = await as(u.supervisor.id);
  const customers = [await as(u.acme1.id), await as(u.acme2.id), await as(u.globex.id)];
  for (let i = 0; i < 36; i++) {
    const customer = customers[i % customers.length]!;
    const byPhone = i % 3 === 0;
    const severity: Severity = levels[i % 4]!;
    const ticket = await createTicket(db, reference, byPhone ? agent : customer, {
      departmentId: depts[i % depts.length]!,
      subject: subjects[i % subjects.length]!,
      description: `Descripción del caso ${i + 1}: el usuario reporta la falla desde esta mañana.`,
      severity,
      urgency: levels[(i * 3) % 4]!,
      cc: i % 5 === 0 ? ['jefe.sistemas@acme.test'] : [],
      ...(byPhone ? { channel: 'phone' as const, requesterId: customer.id } : {}),
    });
    const target = progression[i % progression.length]!;
    if (target === 'new') continue;
    const owner = i % 2 === 0 ? u.tech.id : u.agent.id;
    let t = await assignTicket(db, supervisor, ticket.number, { ownerId: owner, supportTier: i % 4 === 0 ? 2 : 1 });
    if (target === 'open') continue;
    await addArticle(db, supervisor, ticket.number, { kind: 'public_reply', body: 'Estamos revisando su caso.' });
    t = await getTicket(db, supervisor, ticket.number);
    t = await updateTicket(db, reference, supervisor, ticket.number, { version: t.version, status: 'in_progress' });
    if (target === 'in_progress') continue;
    if (target === 'pending_customer' || target === 'pending_third_party') {
      await updateTicket(db, reference, supervisor, ticket.number, { version: t.version, status: target });
      continue;
    }
    await addArticle(db, supervisor, ticket.number, {
      kind: 'internal_note',
      body: 'Siguiente estado: Atendido. Se revisó la configuración y se aplicó la corrección.',
      nextStatus: 'attended',
      realProblem: 'Página web no resuelve por dominio',
      realSolution: 'Se le aplica un reinicio al servidor DNS',
    });
    if (target === 'attended') continue;
    await addArticle(db, supervisor, ticket.number, {
      kind: 'public_reply',
      body: 'El caso quedó resuelto. Por favor confirme.',
      nextStatus: 'resolved',
    });
    if (target === 'closed') await closeTicket(db, customer, ticket.number, 'Confirmado, gracias.');
  }
  // Spread the demo over the past weeks so queues, SLA clocks and ages look lived-in.
  const shift = sql`make_interval(hours => ((${tickets.seq} * 7) % 400)::int)`;
  await db.update(tickets).set({
    createdAt: sql`${tickets.createdAt} - ${shift}`,
    updatedAt: sql`${tickets.updatedAt} - ${shift}`,
    firstResponseDueAt: sql`${tickets.firstResponseDueAt} - ${shift}`,
    resolutionDueAt: sql`${tickets.resolutionDueAt} - ${shift}`,
    firstResponseAt: sql`${tickets.firstResponseAt} - ${shift}`,
    attendedAt: sql`${tickets.attendedAt} - ${shift}`,
    resolvedAt: sql`${tickets.resolvedAt} - ${shift}`,
    closedAt: sql`${tickets.closedAt} - ${shift}`,
  });
  const back = sql`make_interval(hours => ((t.seq * 7) % 400)::int)`;
  await db.execute(sql`update ticket_history x set at = x.at - ${back} from tickets t where t.id = x.ticket_id`);
  await db.execute(
    sql`update articles x set created_at = x.created_at - ${back} from tickets t where t.id = x.ticket_id`,
  );
  await db.insert(settings).values({ key: MARKER, value: { at: new Date().toISOString() } });
  return true;
}
