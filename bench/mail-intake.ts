/**
 * Inbound mail: N messages through the full intake (repair, parse, sanitize, classify, thread, store, outbox) on real
 * Postgres vs a raw leg doing an intake's physical work at the same concurrency: mailparser, the same HTML
 * sanitizing, and the same rows written with hand-written SQL in one transaction per message.
 *
 *   pnpm bench:mail-intake            (BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test)
 *   BENCH_MESSAGES=5000 BENCH_CONCURRENCY=8 pnpm bench:mail-intake
 *   BENCH_ROUNDS=2                    runs of each leg, in ABBA order (raw, intake, intake, raw); rates are the means
 *   BENCH_CPU_PROF=<dir>              writes a V8 CPU profile of the first intake leg
 *
 * The messages are composed up front: ~57% new requests from 200 senders, ~35% replies threading to earlier
 * messages (In-Reply-To/References, quoted text), ~5% auto-replies, ~3% automated reports (stored, no ticket). A
 * mailbox reader feeds the intake one message at a time, but several mailboxes and the SMTP listener feed it at once:
 * both legs run BENCH_CONCURRENCY lanes, each owning a disjoint set of senders so a reply always follows the message
 * it answers. Each leg starts from a fresh database and its rows are counted against the generated messages.
 * Target: ≥ 150 msg/s and ratio (intake / raw) ≥ 0.5.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { postgresDatabase } from '@mesa/api/db/client';
import { seedBase } from '@mesa/api/db/seed-base';
import { testEnv } from '@mesa/api/env';
import { createLogger } from '@mesa/api/logger';
import { createIntake } from '@mesa/api/mail/intake';
import { ensureMailbox } from '@mesa/api/mail/mailboxes';
import { MAILPARSER_OPTIONS, parseMail, sanitizeHtml } from '@mesa/api/mail/parse';
import { createReference } from '@mesa/api/services/reference-service';
import { simpleParser } from 'mailparser';
import Composer from 'nodemailer/lib/mail-composer/index.js';
import postgres from 'postgres';
import { prng } from '../test/support/prng';
import { benchServerUrl, scratchDatabase } from './scratch-database';

const total = Number(process.env.BENCH_MESSAGES ?? 2000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
/** Runs of each leg, alternating which goes first. */
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const TARGET_RATE = 150;
const TARGET_RATIO = 0.5;
const scratch = scratchDatabase('mesa_bench_mail');
const benchUrl = scratch.url;

// ---------------------------------------------------------------------------------------------------------------
// Messages

const FIRST =
  'Ana,José,María,Luis,Carmen,Pedro,Rosa,Jesús,Lucía,Andrés,Yolanda,Rafael,Begoña,Óscar,Inés,Víctor,Marisol,Ramón,Elena,Tomás'.split(
    ',',
  );
const LAST =
  'Gómez,Pérez,Rodríguez,Martínez,Hernández,López,González,Díaz,Sánchez,Ramírez,Torres,Flores,Rivas,Núñez,Castillo,Méndez,Ortega,Peña,Rojas,Suárez'.split(
    ',',
  );
const DOMAINS = [
  'finanzas.gob.test',
  'salud.gob.test',
  'correo.example.com',
  'empresa.com.test',
  'gmail.test',
  'hotmail.test',
];
const OFFICES = [
  'Dirección de Finanzas',
  'Gerencia de Recursos Humanos',
  'Oficina de Planificación',
  'Dependencia de Compras',
  'Consultoría Jurídica',
];
const SUBJECTS = [
  'No funciona la impresora del piso 2',
  'Sin acceso al correo desde esta mañana',
  'Solicitud de instalación de software contable',
  'La VPN se desconecta cada pocos minutos',
  'Equipo muy lento al iniciar sesión',
  'Cambio de contraseña del sistema de nómina',
  'Pantalla azul al encender el equipo',
  'Carpeta compartida inaccesible',
  'Teléfono IP sin tono',
  'Solicitud de cuenta de usuario para personal nuevo',
  'Error al generar el reporte mensual',
  'El proyector de la sala de reuniones no enciende',
  'No puedo firmar documentos digitalmente',
  'Falla en el acceso a internet en la oficina 12',
];
const SENTENCES = [
  'Buenos días, les escribo porque desde ayer no puedo trabajar con normalidad.',
  'El problema empezó después de la actualización del viernes.',
  'Ya reinicié el equipo dos veces y el error continúa.',
  'Aparece un mensaje que dice "acceso denegado" y no me deja continuar.',
  'Es urgente porque tenemos que entregar el cierre contable esta semana.',
  'Otros compañeros de la oficina tienen el mismo inconveniente.',
  'Adjunto una captura de pantalla del error para que puedan revisarlo.',
  'El equipo tiene el número de inventario 004512 y está en el escritorio junto a la ventana.',
  'Quedo atento a cualquier información adicional que necesiten.',
  'Necesitamos que alguien pase por la oficina lo antes posible.',
  'La impresora muestra una luz naranja intermitente y no saca ninguna hoja.',
  'Cuando intento abrir el sistema se queda cargando indefinidamente.',
  'Por favor, indíquenme si debo hacer alguna solicitud formal a través de mi jefe.',
  'Gracias de antemano por la ayuda.',
];
const REPLIES = [
  'Gracias por la respuesta. Ya probé lo que me indicaron pero sigue igual.',
  'Les confirmo que el técnico pasó y el problema quedó resuelto. ¡Muchas gracias!',
  'Buenas tardes, ¿hay alguna novedad sobre este caso? Seguimos sin poder trabajar.',
  'Adjunto la información que me pidieron. El número de serie está en la etiqueta trasera.',
  'Hoy volvió a ocurrir a las 10:30, justo cuando estaba imprimiendo las facturas.',
  'Estaré en la oficina hasta las 4 de la tarde por si necesitan revisar el equipo.',
];
const AUTO_REPLIES = [
  'Estoy fuera de la oficina hasta el lunes 11 de marzo, con acceso limitado al correo. Para asuntos urgentes comuníquese con la extensión 2210.',
  'Gracias por su mensaje. Me encuentro de vacaciones y responderé a mi regreso.',
];

interface Sender {
  index: number;
  name: string;
  address: string;
  office: string;
}
interface Thread {
  sender: Sender;
  subject: string;
  ids: string[];
  lastText: string;
}
type Kind = 'new' | 'reply' | 'auto' | 'report';
interface Message {
  kind: Kind;
  sender: number;
  raw: Buffer;
  html: boolean;
  attachment: boolean;
}

const ascii = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** What Gmail/Outlook send as the HTML alternative: a head with styles, divs, a signature table, a quote. */
function htmlOf(paragraphs: string[], sender: Sender, quoted: string | null): string {
  const body = paragraphs.map((p) => `<div dir="ltr"><p class="MsoNormal" style="margin:0">${escapeHtml(p)}</p></div>`);
  const signature =
    `<table cellpadding="0" cellspacing="0" style="font-family:Arial,sans-serif;font-size:12px"><tbody>` +
    `<tr><td style="padding-right:8px"><b>${escapeHtml(sender.name)}</b></td></tr>` +
    `<tr><td>${escapeHtml(sender.office)}</td></tr><tr><td><a href="mailto:${sender.address}">${sender.address}</a></td></tr>` +
    `</tbody></table>`;
  const quote = quoted
    ? `<div class="gmail_quote"><div dir="ltr" class="gmail_attr">El lun, 4 mar 2024 a las 10:15, Mesa de ayuda ` +
      `&lt;atencion@mesa.test&gt; escribió:<br></div><blockquote class="gmail_quote" style="margin:0 0 0 .8ex;` +
      `border-left:1px solid #ccc;padding-left:1ex">${quoted
        .split('\n')
        .map((l) => `${escapeHtml(l)}<br>`)
        .join('')}</blockquote></div>`
    : '';
  return (
    `<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><style>p.MsoNormal{margin:0}` +
    `</style></head><body>${body.join('')}<br><div>--</div>${signature}${quote}</body></html>`
  );
}

/** Messages in arrival order; `base` keeps warm-up senders and ids apart from the measured ones. */
async function generate(count: number, seed: number, base: number): Promise<Message[]> {
  const rand = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const senders: Sender[] = Array.from({ length: 200 }, (_, i) => {
    const first = FIRST[i % FIRST.length] as string;
    const last = LAST[(i * 7 + Math.floor(i / FIRST.length)) % LAST.length] as string;
    const domain = DOMAINS[i % DOMAINS.length] as string;
    return {
      index: base + i,
      name: `${first} ${last}`,
      address: `${ascii(first)}.${ascii(last)}${base + i}@${domain}`,
      office: pick(OFFICES),
    };
  });
  const threads: Thread[] = [];
  const out: Message[] = [];
  const start = Date.parse('2024-03-04T08:00:00Z');
  for (let i = 0; i < count; i++) {
    const r = rand();
    const kind: Kind = r < 0.57 || threads.length === 0 ? 'new' : r < 0.6 ? 'report' : r < 0.95 ? 'reply' : 'auto';
    const messageId = `${(base + i).toString(36)}.${Math.floor(rand() * 2 ** 48).toString(36)}@mail.bench.test`;
    const date = new Date(start + i * 45_000);
    if (kind === 'report') {
      // A monitoring system's report: kept for admins, no ticket, no contact (spread over the lanes).
      const raw = await new Composer({
        from: 'Monitor <no-reply@monitor.bench.test>',
        to: 'Atención al Usuario <atencion@mesa.test>',
        subject: `Informe diario de disponibilidad ${i}`,
        text: `Disponibilidad: 99,${Math.floor(rand() * 100)} %\nIncidencias: ${Math.floor(rand() * 5)}\n`,
        headers: { 'Auto-Submitted': 'auto-generated' },
        messageId: `<${messageId}>`,
        date,
      })
        .compile()
        .build();
      out.push({ kind, sender: base + 1000 + (i % 64), raw, html: false, attachment: false });
      continue;
    }
    let thread: Thread;
    let paragraphs: string[];
    let text: string;
    let subject: string;
    let quoted: string | null = null;
    const headers: Record<string, string> = {};
    if (kind === 'new') {
      const sender = pick(senders);
      subject = pick(SUBJECTS);
      paragraphs = Array.from({ length: 2 + Math.floor(rand() * 5) }, () => pick(SENTENCES));
      if (rand() < 0.3) {
        // The organisation's template, as many requesters fill it in.
        paragraphs = [
          `Nombre y apellido: ${sender.name}`,
          `Organismo: ${sender.office}`,
          `Ubicación física: Piso ${1 + Math.floor(rand() * 9)}, oficina ${10 + Math.floor(rand() * 40)}`,
          `Teléfono: 0212-555-${1000 + Math.floor(rand() * 9000)}`,
          `Descripción del problema: ${paragraphs.join(' ')}`,
        ];
      }
      text = `${paragraphs.join('\n\n')}\n\n-- \n${sender.name}\n${sender.office}\n`;
      thread = { sender, subject, ids: [], lastText: text };
      threads.push(thread);
    } else {
      // Recent threads get most of the follow-ups.
      thread = threads[threads.length - 1 - Math.floor(rand() ** 2 * threads.length)] as Thread;
      quoted = thread.lastText.trimEnd();
      const attribution = `El lun, 4 mar 2024 a las 10:15, ${thread.sender.name} <${thread.sender.address}> escribió:`;
      const quote = quoted
        .split('\n')
        .map((l) => (l ? `> ${l}` : '>'))
        .join('\n');
      if (kind === 'reply') {
        subject = `Re: ${thread.subject}`;
        paragraphs = [pick(REPLIES)];
        text = `${paragraphs[0]}\n\n-- \n${thread.sender.name}\n\n${attribution}\n${quote}\n`;
      } else {
        subject = `Respuesta automática: Re: ${thread.subject}`;
        paragraphs = [pick(AUTO_REPLIES)];
        text = `${paragraphs[0]}\n`;
        headers['Auto-Submitted'] = 'auto-replied';
        headers['X-Auto-Response-Suppress'] = 'All';
        quoted = null;
      }
    }
    const sender = thread.sender;
    const html = kind !== 'auto' && rand() < 0.25;
    const attachment = kind === 'new' && rand() < 0.1;
    const cc = kind === 'new' && rand() < 0.15 ? [`${ascii(pick(FIRST))}.jefe@${sender.address.split('@')[1]}`] : [];
    const last = thread.ids[thread.ids.length - 1];
    const raw = await new Composer({
      from: `${sender.name} <${sender.address}>`,
      to: 'Atención al Usuario <atencion@mesa.test>',
      ...(cc.length ? { cc } : {}),
      subject,
      text,
      ...(html ? { html: htmlOf(paragraphs, sender, quoted) } : {}),
      headers,
      messageId: `<${messageId}>`,
      ...(last ? { inReplyTo: `<${last}>`, references: thread.ids.slice(-10).map((id) => `<${id}>`) } : {}),
      date,
      ...(attachment
        ? {
            attachments: [
              rand() < 0.5
                ? { filename: 'captura de pantalla.png', contentType: 'image/png', content: bytes(rand, 20_000) }
                : { filename: 'reporte-error.pdf', contentType: 'application/pdf', content: bytes(rand, 20_000) },
            ],
          }
        : {}),
    })
      .compile()
      .build();
    if (kind !== 'auto') {
      thread.ids.push(messageId);
      thread.lastText = text;
    }
    out.push({ kind, sender: sender.index, raw, html, attachment });
  }
  return out;
}

function bytes(rand: () => number, size: number): Buffer {
  const buf = Buffer.allocUnsafe(size + Math.floor(rand() * 4096));
  for (let i = 0; i < buf.length; i++) buf[i] = Math.floor(rand() * 256);
  return buf;
}

// ---------------------------------------------------------------------------------------------------------------
// Legs

const pct = (sorted: number[], p: number) => (sorted[Math.floor(sorted.length * p)] ?? 0).toFixed(1);

/** Sequential, after a warm-up on the first few messages. */
async function sequential(messages: Message[], op: (raw: Buffer) => Promise<unknown>) {
  for (const m of messages.slice(0, 50)) await op(m.raw);
  const started = performance.now();
  for (const m of messages) await op(m.raw);
  return messages.length / ((performance.now() - started) / 1000);
}

interface Counts {
  tickets: number;
  articles: number;
  history: number;
  outbox: number;
  ticketCreated: number;
  customerReplied: number;
  inbound: number;
  stored: number;
  attachments: number;
  blobs: number;
  contacts: number;
}

async function counts(): Promise<Counts> {
  const sql = postgres(benchUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`
      select (select count(*) from tickets)::int as tickets,
             (select count(*) from articles)::int as articles,
             (select count(*) from ticket_history)::int as history,
             (select count(*) from outbox)::int as outbox,
             (select count(*) from outbox where kind = 'ticket_created')::int as "ticketCreated",
             (select count(*) from outbox where kind = 'customer_replied')::int as "customerReplied",
             (select count(*) from mail_messages where direction = 'in')::int as inbound,
             (select count(*) from mail_messages where direction = 'in' and ticket_id is null)::int as stored,
             (select count(*) from attachments)::int as attachments,
             (select count(*) from blobs)::int as blobs,
             (select count(*) from users where role = 'customer')::int as contacts`;
    return row as unknown as Counts;
  } finally {
    await sql.end();
  }
}

const minus = (a: Counts, b: Counts): Counts =>
  Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v - b[k as keyof Counts]])) as unknown as Counts;

interface LegResult {
  rate: number;
  p50: string;
  p95: string;
  nodeCpu: number;
  outcomes: Map<string, number>;
  counts: Counts;
}

/** A fresh migrated, seeded database with the atencion mailbox, as both write legs start from. */
async function freshDesk() {
  await scratch.recreate();
  const database = postgresDatabase(benchUrl);
  await database.migrate();
  await seedBase(database.db);
  const env = testEnv({ MAIL_FROM: 'soporte@mesa.test' });
  const mailbox = await ensureMailbox(database.db, env, {
    name: 'imap:atencion',
    departmentSlug: 'atencion',
    url: null,
  });
  return { database, env, mailbox };
}

/**
 * `handle` in `lanes` concurrent loops (each lane owns a disjoint set of senders, so a reply follows the message it
 * answers); warm-up messages first, not counted; rows counted before and after the measured messages.
 */
async function drive(
  messages: Message[],
  warmup: Message[],
  lanes: number,
  handle: (raw: Buffer) => Promise<string>,
  profileTo?: string,
): Promise<LegResult> {
  const outcomes = new Map<string, number>();
  const latencies: number[] = [];
  const run = async (list: Message[], record: boolean) => {
    const byLane = Array.from({ length: lanes }, (_, lane) => list.filter((m) => m.sender % lanes === lane));
    await Promise.all(
      byLane.map(async (lane) => {
        for (const m of lane) {
          const t = performance.now();
          const outcome = await handle(m.raw);
          if (!record) continue;
          latencies.push(performance.now() - t);
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        }
      }),
    );
  };
  await run(warmup, false);
  const before = await counts();
  const session = profileTo ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run(messages, true);
  const elapsed = (performance.now() - started) / 1000;
  const cpuUsed = process.cpuUsage(cpu);
  if (session && profileTo) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(profileTo, JSON.stringify(profile));
    session.disconnect();
  }
  latencies.sort((a, b) => a - b);
  return {
    rate: messages.length / elapsed,
    p50: pct(latencies, 0.5),
    p95: pct(latencies, 0.95),
    nodeCpu: (cpuUsed.user + cpuUsed.system) / 1e6 / elapsed,
    outcomes,
    counts: minus(await counts(), before),
  };
}

/** The full intake (parse, repair, sanitize, classify, thread, fields, store, outbox) on a fresh database. */
async function intakeLeg(messages: Message[], warmup: Message[], lanes: number, profileTo?: string) {
  const { database, env, mailbox } = await freshDesk();
  try {
    const intake = createIntake({
      db: database.db,
      env,
      log: createLogger('silent'),
      publicUrl: 'http://desk.test',
      reference: createReference(database.db, 30_000),
    });
    return await drive(messages, warmup, lanes, async (raw) => (await intake(mailbox.id, raw)).outcome, profileTo);
  } finally {
    await database.close();
  }
}

const bare = (id: string) => id.trim().replace(/^<\s*/, '').replace(/\s*>$/, '');
const idsIn = (v: string | string[] | undefined): string[] =>
  v === undefined
    ? []
    : [v].flat().flatMap((s) =>
        s
          .split(/\s+/)
          .filter((t) => t.includes('@'))
          .map(bare),
      );

/**
 * An intake's physical work and nothing else, on a fresh database: mailparser with the intake's options, the same
 * HTML sanitizing, and the same rows (inbound row, raw blob, contact, ticket + history + outbox, article,
 * attachments, or for a reply the ticket's lock, version bump, history and outbox) in hand-written SQL, one
 * transaction per message, through a pool as large as the intake's.
 */
async function rawLeg(messages: Message[], warmup: Message[], lanes: number) {
  const { database, mailbox } = await freshDesk();
  await database.close();
  const sql = postgres(benchUrl, { max: 20, onnotice: () => {} });
  try {
    const [dept] = await sql`select id from departments where slug = 'atencion'`;
    const departmentId = dept?.id as string;
    const handle = async (raw: Buffer): Promise<string> => {
      const mail = await simpleParser(raw, MAILPARSER_OPTIONS);
      const clean = typeof mail.html === 'string' ? await sanitizeHtml(mail.html) : null;
      const text = mail.text?.trim() ? mail.text : (clean?.text() ?? '');
      const sha = createHash('sha256').update(raw).digest('hex');
      const messageId = mail.messageId ? bare(mail.messageId) : null;
      const fromObj = [mail.from].flat()[0]?.value[0];
      const from = (fromObj?.address ?? '').toLowerCase();
      const to = [mail.to, mail.cc]
        .flat()
        .flatMap((o) => o?.value ?? [])
        .map((a) => (a.address ?? '').toLowerCase());
      const automated = mail.headers.has('auto-submitted') ? 'auto-submitted' : null;
      const refs = [...idsIn(mail.inReplyTo), ...idsIn(mail.references).reverse()];
      return sql.begin(async (tx) => {
        const [row] = await tx`
          insert into mail_messages (direction, mailbox_id, dedupe_key, content_sha256, message_id, from_address,
                                     to_addresses, subject, automated, size, raw_sha256)
          values ('in', ${mailbox.id}, ${messageId ?? `sha256:${sha}`}, ${sha}, ${messageId}, ${from}, ${to},
                  ${mail.subject ?? null}, ${automated}, ${raw.length}, ${sha})
          on conflict do nothing returning id`;
        if (!row) return 'duplicate';
        await tx`insert into blobs (sha256, size, content) values (${sha}, ${raw.length}, ${raw}) on conflict do nothing`;
        const [thread] = refs.length
          ? await tx`select ticket_id from mail_messages where mailbox_id = ${mailbox.id}
                       and message_id = any(${refs}) and ticket_id is not null limit 1`
          : [];
        if (!thread && automated) {
          await tx`update mail_messages set outcome = 'stored' where id = ${row.id}`;
          return 'stored';
        }
        const [contact] = await tx`
          with ins as (insert into users (email, name, role) values (${from}, ${fromObj?.name || from}, 'customer')
                       on conflict do nothing returning id)
          select id from ins union all select id from users where lower(email) = ${from} limit 1`;
        const authorId = contact?.id as string;
        let ticketId: string;
        let outcome: string;
        if (!thread) {
          const [t] = await tx`
            with t as (
              insert into tickets (requester_id, requester_name, requester_email, subject, description, channel,
                                   department_id, severity, urgency, priority, status, cc, created_by_id, mailbox_id,
                                   first_response_due_at, resolution_due_at)
              values (${authorId}, ${fromObj?.name || from}, ${from}, ${(mail.subject ?? '').slice(0, 300)},
                      ${text.slice(0, 20_000)}, 'email', ${departmentId}, 'medium', 'medium', 'P3', 'new',
                      ${to.filter((a) => a !== from && !a.endsWith('@mesa.test'))}, ${authorId}, ${mailbox.id},
                      now() + interval '1 day', now() + interval '5 days')
              returning *),
            h as (insert into ticket_history (ticket_id, actor_id, at, field, new_value)
                  select t.id, t.created_by_id, t.created_at, 'created',
                         jsonb_build_object('status', t.status, 'priority', t.priority, 'channel', t.channel) from t),
            o as (insert into outbox (kind, payload)
                  select 'ticket_created', jsonb_build_object('ticketId', t.id) from t)
            select id from t`;
          ticketId = t?.id as string;
          outcome = 'created';
        } else {
          ticketId = thread.ticket_id as string;
          await tx`select id from tickets where id = ${ticketId} for update`;
          outcome = 'appended';
        }
        const [article] = await tx`
          insert into articles (ticket_id, kind, author_id, body, body_html)
          values (${ticketId}, 'email_in', ${authorId}, ${text}, ${clean?.html ?? null}) returning id`;
        for (const a of mail.attachments) {
          await tx`insert into blobs (sha256, size, content) values (${a.checksum}, ${a.size}, ${a.content})
                   on conflict do nothing`;
          await tx`insert into attachments (ticket_id, article_id, filename, content_type, size, sha256, uploaded_by_id)
                   values (${ticketId}, ${article?.id}, ${a.filename ?? 'file'}, ${a.contentType}, ${a.size},
                           ${a.checksum}, ${authorId})`;
        }
        if (thread) {
          await tx`insert into ticket_history (ticket_id, actor_id, field, new_value)
                   values (${ticketId}, ${authorId}, 'article', ${tx.json({ id: article?.id, kind: 'email_in' })})`;
          if (!automated) {
            await tx`update tickets set updated_at = now(), version = version + 1 where id = ${ticketId}`;
            await tx`insert into outbox (kind, payload)
                     values ('customer_replied', ${tx.json({ ticketId, articleId: article?.id })})`;
          }
        }
        await tx`update mail_messages set outcome = ${outcome}, ticket_id = ${ticketId}, article_id = ${article?.id}
                 where id = ${row.id}`;
        return outcome;
      }) as Promise<string>;
    };
    return await drive(messages, warmup, lanes, handle);
  } finally {
    await sql.end();
  }
}

/** Expected rows, from what was generated; a mismatch means a leg did not do the work being timed. */
function check(messages: Message[], got: LegResult): string[] {
  const n = (k: Kind) => messages.filter((m) => m.kind === k).length;
  const withAttachment = messages.filter((m) => m.attachment).length;
  const expected: Counts = {
    tickets: n('new'),
    articles: n('new') + n('reply') + n('auto'),
    history: n('new') + n('reply') + n('auto'),
    inbound: messages.length,
    stored: n('report'),
    ticketCreated: n('new'),
    customerReplied: n('reply'),
    outbox: n('new') + n('reply'),
    attachments: withAttachment,
    blobs: messages.length + withAttachment,
    contacts: new Set(messages.filter((m) => m.kind !== 'report').map((m) => m.sender)).size,
  };
  const problems = (Object.keys(expected) as Array<keyof Counts>)
    .filter((k) => got.counts[k] !== expected[k])
    .map((k) => `${k}: expected ${expected[k]}, got ${got.counts[k]}`);
  const outcome = (name: string, want: number) => {
    if ((got.outcomes.get(name) ?? 0) !== want) problems.push(`outcome ${name}: ${got.outcomes.get(name) ?? 0}`);
  };
  outcome('created', n('new'));
  outcome('appended', n('reply') + n('auto'));
  outcome('stored', n('report'));
  return problems;
}

const rows = (c: Counts) =>
  `${c.tickets} tickets, ${c.articles} articles, ${c.history} history, ${c.outbox} outbox (${c.ticketCreated} ` +
  `ticket_created, ${c.customerReplied} customer_replied), ${c.inbound} inbound mail rows (${c.stored} stored only), ` +
  `${c.attachments} attachments, ${c.blobs} blobs, ${c.contacts} contacts`;

// ---------------------------------------------------------------------------------------------------------------

try {
  const genStarted = performance.now();
  const messages = await generate(total, 42, 0);
  const warmup = await generate(100, 7, 10_000);
  const bytesTotal = messages.reduce((s, m) => s + m.raw.length, 0);
  const kinds = (k: Kind) => messages.filter((m) => m.kind === k).length;
  console.log(
    `messages: ${total} (${kinds('new')} new, ${kinds('reply')} replies, ${kinds('auto')} auto-replies, ` +
      `${kinds('report')} automated reports; ${messages.filter((m) => m.html).length} with HTML, ` +
      `${messages.filter((m) => m.attachment).length} with an attachment; ${(bytesTotal / 1024 / 1024).toFixed(1)} MB, ` +
      `composed in ${((performance.now() - genStarted) / 1000).toFixed(1)} s)`,
  );
  console.log(`Postgres: ${benchServerUrl.replace(/\/\/.*@/, '//…@')}`);

  // For orientation: what parsing alone costs (the parse the intake is built on, then the intake's own parse).
  const mailparser = await sequential(messages, (raw) => simpleParser(raw, MAILPARSER_OPTIONS));
  const parse = await sequential(messages, (raw) => parseMail(raw));
  console.log(`mailparser simpleParser alone: ${mailparser.toFixed(0)} msg/s (sequential)`);
  console.log(
    `parseMail alone (repair, mailparser, sanitizing, classification): ${parse.toFixed(0)} msg/s (sequential)`,
  );

  const line = (label: string, r: LegResult) =>
    console.log(
      `${label}: ${r.rate.toFixed(0)} msg/s (p50 ${r.p50} ms, p95 ${r.p95} ms, node CPU ${(r.nodeCpu * 100).toFixed(0)}% of one core)`,
    );
  const profileTo = process.env.BENCH_CPU_PROF
    ? `${process.env.BENCH_CPU_PROF}/mail-intake-c${concurrency}-${process.pid}.cpuprofile`
    : undefined;
  // Legs in ABBA order (raw, intake, intake, raw for two rounds): a load that drifts during the run (a shared
  // machine) weighs on both legs alike instead of on whichever ran second.
  const legs: Array<[string, LegResult]> = [];
  const rawRuns: LegResult[] = [];
  const intakeRuns: LegResult[] = [];
  const order = Array.from({ length: rounds }, (_, i) => (i % 2 === 0 ? ['raw', 'intake'] : ['intake', 'raw'])).flat();
  for (const [i, which] of order.entries()) {
    const run = i + 1;
    if (which === 'raw') {
      const r = await rawLeg(messages, warmup, concurrency);
      line(
        `run ${run}: raw (mailparser + sanitizing + hand-written SQL, one transaction per message), c=${concurrency}`,
        r,
      );
      console.log(`  rows written: ${rows(r.counts)}`);
      legs.push([`run ${run} raw`, r]);
      rawRuns.push(r);
    } else {
      const r = await intakeLeg(messages, warmup, concurrency, intakeRuns.length === 0 ? profileTo : undefined);
      line(`run ${run}: full intake, c=${concurrency}`, r);
      console.log(`  rows written: ${rows(r.counts)}`);
      legs.push([`run ${run} intake`, r]);
      intakeRuns.push(r);
    }
  }
  if (profileTo) console.log(`CPU profile: ${profileTo}`);

  const problems = legs.flatMap(([label, r]) => check(messages, r).map((p) => `${label} ${p}`));
  console.log(
    problems.length
      ? `sanity: MISMATCH\n  ${problems.join('\n  ')}`
      : `sanity: OK (all ${legs.length} legs wrote the rows the generated messages call for)`,
  );
  const mean = (runs: LegResult[]) => runs.reduce((sum, r) => sum + r.rate, 0) / runs.length;
  const intakeRate = mean(intakeRuns);
  const rawRate = mean(rawRuns);
  const ratio = intakeRate / rawRate;
  const met = problems.length === 0 && intakeRate >= TARGET_RATE && ratio >= TARGET_RATIO;
  console.log(
    `result: mail intake ${intakeRate.toFixed(0)} msg/s (target ≥ ${TARGET_RATE}) vs raw ${rawRate.toFixed(0)} msg/s ` +
      `at concurrency ${concurrency}, mean of ${rounds} runs each, ratio=${ratio.toFixed(2)} target=${TARGET_RATIO} ` +
      `${met ? 'MET' : 'NOT MET'}`,
  );
  if (problems.length) process.exitCode = 1;
} finally {
  await scratch.drop();
}
