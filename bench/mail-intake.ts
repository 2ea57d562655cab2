/**
 * Inbound mail: N messages through the full intake (parse, sanitize, thread, store, outbox) on real Postgres vs
 * mailparser alone on the same messages, in one run.
 *
 *   pnpm bench:mail-intake            (BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test)
 *   BENCH_MESSAGES=5000 BENCH_CONCURRENCY=8 pnpm bench:mail-intake
 *   BENCH_CPU_PROF=<dir>              writes a V8 CPU profile of the concurrent intake leg
 *
 * The messages are composed up front: ~60% new requests from 200 senders, ~35% replies threading to earlier
 * messages (In-Reply-To/References, quoted text), ~5% auto-replies. A mailbox reader feeds the intake one message
 * at a time, but several mailboxes and the SMTP listener feed it at once: the concurrent leg runs BENCH_CONCURRENCY
 * lanes, each owning a disjoint set of senders so a reply always follows the message it answers. Each intake leg
 * starts from a fresh database. Target: ≥ 150 msg/s and ratio (intake / mailparser) ≥ 0.5.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { postgresDatabase } from '@mesa/api/db/client';
import { seedBase } from '@mesa/api/db/seed-base';
import { testEnv } from '@mesa/api/env';
import { createLogger } from '@mesa/api/logger';
import { createIntake } from '@mesa/api/mail/intake';
import { ensureMailbox } from '@mesa/api/mail/mailboxes';
import { MAILPARSER_OPTIONS, parseMail } from '@mesa/api/mail/parse';
import { createReference } from '@mesa/api/services/reference-service';
import { simpleParser } from 'mailparser';
import Composer from 'nodemailer/lib/mail-composer/index.js';
import postgres from 'postgres';
import { prng } from '../test/support/prng';
import { benchServerUrl, scratchDatabase } from './scratch-database';

const total = Number(process.env.BENCH_MESSAGES ?? 2000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
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
type Kind = 'new' | 'reply' | 'auto';
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
    const kind: Kind = r < 0.6 || threads.length === 0 ? 'new' : r < 0.95 ? 'reply' : 'auto';
    const messageId = `${(base + i).toString(36)}.${Math.floor(rand() * 2 ** 48).toString(36)}@mail.bench.test`;
    const date = new Date(start + i * 45_000);
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
  outbox: number;
  ticketCreated: number;
  skipAck: number;
  customerReplied: number;
  inbound: number;
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
             (select count(*) from outbox)::int as outbox,
             (select count(*) from outbox where kind = 'ticket_created')::int as "ticketCreated",
             (select count(*) from outbox where kind = 'ticket_created' and payload ? 'skipAck')::int as "skipAck",
             (select count(*) from outbox where kind = 'customer_replied')::int as "customerReplied",
             (select count(*) from mail_messages where direction = 'in')::int as inbound,
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

/** The full intake in `lanes` concurrent loops on a fresh database; warm-up messages first, not counted. */
async function intakeLeg(messages: Message[], warmup: Message[], lanes: number, profileTo?: string) {
  await scratch.recreate();
  const database = postgresDatabase(benchUrl);
  try {
    await database.migrate();
    await seedBase(database.db);
    const env = testEnv({ MAIL_FROM: 'soporte@mesa.test' });
    const mailbox = await ensureMailbox(database.db, env, {
      name: 'imap:atencion',
      departmentSlug: 'atencion',
      url: null,
    });
    const intake = createIntake({
      db: database.db,
      env,
      log: createLogger('silent'),
      publicUrl: 'http://desk.test',
      reference: createReference(database.db, 30_000),
    });
    const outcomes = new Map<string, number>();
    const latencies: number[] = [];
    const drive = async (list: Message[], record: boolean) => {
      const byLane = Array.from({ length: lanes }, (_, lane) => list.filter((m) => m.sender % lanes === lane));
      await Promise.all(
        byLane.map(async (lane) => {
          for (const m of lane) {
            const t = performance.now();
            const r = await intake(mailbox.id, m.raw);
            if (!record) continue;
            latencies.push(performance.now() - t);
            outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
          }
        }),
      );
    };
    await drive(warmup, false);
    const before = await counts();
    const session = profileTo ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    const cpu = process.cpuUsage();
    const started = performance.now();
    await drive(messages, true);
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
  } finally {
    await database.close();
  }
}

/** Expected rows, from what was generated; a mismatch means the intake did not do the work being timed. */
function check(messages: Message[], got: Awaited<ReturnType<typeof intakeLeg>>): string[] {
  const n = (k: Kind) => messages.filter((m) => m.kind === k).length;
  const expected: Partial<Counts> = {
    tickets: n('new'),
    articles: messages.length,
    inbound: messages.length,
    ticketCreated: n('new'),
    skipAck: 0,
    customerReplied: n('reply'),
    outbox: n('new') + n('reply'),
    attachments: messages.filter((m) => m.attachment).length,
    blobs: messages.length + messages.filter((m) => m.attachment).length,
    contacts: new Set(messages.map((m) => m.sender)).size,
  };
  const problems = Object.entries(expected)
    .filter(([k, v]) => got.counts[k as keyof Counts] !== v)
    .map(([k, v]) => `${k}: expected ${v}, got ${got.counts[k as keyof Counts]}`);
  if (got.outcomes.get('created') !== n('new')) problems.push(`outcome created: ${got.outcomes.get('created')}`);
  if (got.outcomes.get('appended') !== n('reply') + n('auto'))
    problems.push(`outcome appended: ${got.outcomes.get('appended')}`);
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------

try {
  const genStarted = performance.now();
  const messages = await generate(total, 42, 0);
  const warmup = await generate(100, 7, 10_000);
  const bytesTotal = messages.reduce((s, m) => s + m.raw.length, 0);
  const kinds = (k: Kind) => messages.filter((m) => m.kind === k).length;
  console.log(
    `messages: ${total} (${kinds('new')} new, ${kinds('reply')} replies, ${kinds('auto')} auto-replies; ` +
      `${messages.filter((m) => m.html).length} with HTML, ${messages.filter((m) => m.attachment).length} with an ` +
      `attachment; ${(bytesTotal / 1024 / 1024).toFixed(1)} MB, composed in ${((performance.now() - genStarted) / 1000).toFixed(1)} s)`,
  );

  // The options parseMail passes, so the baseline is the parse the intake is built on.
  const mailparser = await sequential(messages, (raw) => simpleParser(raw, MAILPARSER_OPTIONS));
  const parse = await sequential(messages, parseMail);
  const one = await intakeLeg(messages, warmup, 1);
  const profileTo = process.env.BENCH_CPU_PROF
    ? `${process.env.BENCH_CPU_PROF}/mail-intake-c${concurrency}-${process.pid}.cpuprofile`
    : undefined;
  const many = await intakeLeg(messages, warmup, concurrency, profileTo);

  const ratio = many.rate / mailparser;
  const met = many.rate >= TARGET_RATE && ratio >= TARGET_RATIO;
  const line = (label: string, r: Awaited<ReturnType<typeof intakeLeg>>) =>
    console.log(
      `${label}: ${r.rate.toFixed(0)} msg/s (p50 ${r.p50} ms, p95 ${r.p95} ms, node CPU ${(r.nodeCpu * 100).toFixed(0)}% of one core)`,
    );
  console.log(`Postgres: ${benchServerUrl.replace(/\/\/.*@/, '//…@')}`);
  console.log(`mailparser simpleParser alone: ${mailparser.toFixed(0)} msg/s (sequential)`);
  console.log(
    `parseMail alone (mailparser + HTML sanitizing + classification): ${parse.toFixed(0)} msg/s (sequential)`,
  );
  line('full intake, concurrency 1', one);
  line(`full intake, concurrency ${concurrency}`, many);
  if (profileTo) console.log(`CPU profile: ${profileTo}`);
  console.log(
    `ratio (intake c=${concurrency} / mailparser): ${ratio.toFixed(3)}; target ≥ ${TARGET_RATE} msg/s and ratio ≥ ${TARGET_RATIO}: ` +
      `${met ? 'MET' : 'NOT MET'} (rate ${many.rate >= TARGET_RATE ? 'met' : 'not met'}, ratio ${ratio >= TARGET_RATIO ? 'met' : 'not met'})`,
  );
  const c = many.counts;
  console.log(
    `rows written (c=${concurrency}): ${c.tickets} tickets, ${c.articles} articles, ${c.outbox} outbox (${c.ticketCreated} ticket_created, ` +
      `${c.customerReplied} customer_replied), ${c.inbound} inbound mail rows, ${c.attachments} attachments, ` +
      `${c.blobs} blobs, ${c.contacts} contacts; outcomes ${[...many.outcomes].map(([k, v]) => `${k} ${v}`).join(', ')}`,
  );
  const problems = [
    ...check(messages, one).map((p) => `c=1 ${p}`),
    ...check(messages, many).map((p) => `c=${concurrency} ${p}`),
  ];
  console.log(
    problems.length
      ? `sanity: MISMATCH\n  ${problems.join('\n  ')}`
      : 'sanity: OK (rows match the generated messages in both intake legs)',
  );
  if (problems.length) process.exitCode = 1;
} finally {
  await scratch.drop();
}
