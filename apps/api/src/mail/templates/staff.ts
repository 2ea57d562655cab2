import { type Language, statusLabels, type TicketStatus } from '@mesa/core';
import { type Draft, pick } from './doc';
import { excerpt, type TicketView, ticketFacts, ticketLink } from './ticket-view';

/** To the department (or the owner) when a ticket is opened. */
export function ticketNotice(t: TicketView, description: string, lang: Language): Draft {
  return {
    subject: pick(lang, `Nuevo ticket: ${t.subject}`, `New ticket: ${t.subject}`),
    blocks: [
      {
        kind: 'p',
        text: pick(
          lang,
          `Se abrió el ticket ${t.number} en ${t.departmentName}.`,
          `Ticket ${t.number} was opened in ${t.departmentName}.`,
        ),
      },
      ticketFacts(t, lang),
      { kind: 'quote', text: excerpt(description) },
      ticketLink(t, lang),
    ],
  };
}

export function customerReplied(t: TicketView, body: string, lang: Language): Draft {
  return {
    subject: pick(lang, `Respuesta del cliente: ${t.subject}`, `Customer replied: ${t.subject}`),
    blocks: [
      {
        kind: 'p',
        text: pick(
          lang,
          `${t.requesterName} respondió en el ticket ${t.number}:`,
          `${t.requesterName} replied on ticket ${t.number}:`,
        ),
      },
      { kind: 'quote', text: excerpt(body) },
      ticketLink(t, lang),
    ],
  };
}

export function ticketAssigned(t: TicketView, ownerName: string, lang: Language): Draft {
  return {
    subject: pick(lang, `Ticket asignado: ${t.subject}`, `Ticket assigned to you: ${t.subject}`),
    blocks: [
      {
        kind: 'p',
        text: pick(
          lang,
          `Hola, ${ownerName}: se te asignó el ticket ${t.number}.`,
          `Hello ${ownerName}, ticket ${t.number} was assigned to you.`,
        ),
      },
      ticketFacts(t, lang),
      ticketLink(t, lang),
    ],
  };
}

export function ticketReopened(t: TicketView, from: TicketStatus | null, lang: Language): Draft {
  const was = from ? statusLabels[from][lang].toLowerCase() : null;
  return {
    subject: pick(lang, `Ticket reabierto: ${t.subject}`, `Ticket reopened: ${t.subject}`),
    blocks: [
      {
        kind: 'p',
        text: was
          ? pick(
              lang,
              `El ticket ${t.number} se reabrió (estaba ${was}).`,
              `Ticket ${t.number} was reopened (it was ${was}).`,
            )
          : pick(lang, `El ticket ${t.number} se reabrió.`, `Ticket ${t.number} was reopened.`),
      },
      ticketFacts(t, lang),
      ticketLink(t, lang),
    ],
  };
}
