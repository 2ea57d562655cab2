import type { Language } from '@mesa/core';
import { type Draft, pick } from './doc';
import { humanDuration } from './duration';
import { type TicketView, ticketLink } from './ticket-view';

const hello = (name: string, lang: Language) => pick(lang, `Hola, ${name}:`, `Hello ${name},`);

const replyHint = (lang: Language) =>
  pick(
    lang,
    'Para añadir información, responde a este correo (conserva el número de ticket en el asunto).',
    'To add information, reply to this e-mail (keep the ticket number in the subject).',
  );

/** To the requester of a new ticket: the number to quote, the link, and how to add more. */
export function ticketAck(t: TicketView, lang: Language): Draft {
  return {
    subject: t.subject,
    blocks: [
      { kind: 'p', text: hello(t.requesterName, lang) },
      {
        kind: 'p',
        text: pick(
          lang,
          `Recibimos tu solicitud y abrimos el ticket ${t.number}: «${t.subject}». Te avisaremos por correo cuando haya novedades.`,
          `We received your request and opened ticket ${t.number}: “${t.subject}”. We will let you know by e-mail when there is news.`,
        ),
      },
      ticketLink(t, lang),
      { kind: 'p', text: replyHint(lang) },
    ],
  };
}

/** A staff member's public reply, relayed to the requester and the CCs. */
export function ticketPublicUpdate(t: TicketView, body: string, authorName: string | null, lang: Language): Draft {
  const who = authorName ?? pick(lang, 'La mesa de ayuda', 'The help desk');
  return {
    subject: t.subject,
    blocks: [
      {
        kind: 'p',
        text: pick(lang, `${who} respondió en el ticket ${t.number}:`, `${who} replied on ticket ${t.number}:`),
      },
      { kind: 'quote', text: body },
      ticketLink(t, lang),
      { kind: 'p', text: pick(lang, 'Para contestar, responde a este correo.', 'To answer, reply to this e-mail.') },
    ],
  };
}

export interface ClosedTimes {
  /** Created → first response (or attended). */
  attentionMs: number | null;
  /** Created → resolved (or closed). */
  resolutionMs: number | null;
}

/** The closing mail: how long it took, and where to rate the service. */
export function ticketClosed(t: TicketView, times: ClosedTimes, rateLink: string, lang: Language): Draft {
  return {
    subject: pick(lang, `Ticket cerrado: ${t.subject}`, `Ticket closed: ${t.subject}`),
    blocks: [
      { kind: 'p', text: hello(t.requesterName, lang) },
      {
        kind: 'p',
        text: pick(
          lang,
          `Cerramos tu ticket ${t.number}: «${t.subject}».`,
          `We closed your ticket ${t.number}: “${t.subject}”.`,
        ),
      },
      {
        kind: 'facts',
        rows: [
          [pick(lang, 'Tiempo de atención', 'Attention time'), humanDuration(times.attentionMs, lang)],
          [pick(lang, 'Tiempo de resolución', 'Resolution time'), humanDuration(times.resolutionMs, lang)],
        ],
      },
      {
        kind: 'p',
        text: pick(
          lang,
          '¿Cómo te atendimos? Tu opinión nos ayuda a mejorar.',
          'How did we do? Your opinion helps us improve.',
        ),
      },
      { kind: 'link', label: pick(lang, 'Valorar el servicio', 'Rate the service'), href: rateLink },
      ticketLink(t, lang),
      {
        kind: 'p',
        text: pick(
          lang,
          'Si el problema continúa, responde a este correo.',
          'If the problem persists, reply to this e-mail.',
        ),
      },
    ],
  };
}
