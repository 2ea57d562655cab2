import type { Language } from '@mesa/core';
import { type Draft, pick } from './doc';
import { humanBytes } from './duration';

export interface Rejection {
  reason: 'too_large' | 'closed_ticket';
  /** The refused message's subject. */
  subject: string | null;
  ticketNumber: string | null;
  maxBytes: number | null;
  /** The portal, where a new ticket can be opened. */
  portalLink: string;
}

/** A polite notice to a person whose mail was not recorded, saying why and what to do instead. */
export function mailRejected(r: Rejection, lang: Language): Draft {
  const subject = r.subject ?? pick(lang, '(sin asunto)', '(no subject)');
  const why =
    r.reason === 'too_large'
      ? pick(
          lang,
          `Tu mensaje «${subject}» supera el tamaño máximo que aceptamos${r.maxBytes ? ` (${humanBytes(r.maxBytes)})` : ''} y no se registró. Envíalo de nuevo sin los adjuntos más grandes, o compártelos mediante un enlace.`,
          `Your message “${subject}” is larger than the maximum size we accept${r.maxBytes ? ` (${humanBytes(r.maxBytes)})` : ''} and was not recorded. Please send it again without the largest attachments, or share them through a link.`,
        )
      : pick(
          lang,
          `Tu mensaje «${subject}» responde al ticket ${r.ticketNumber ?? ''}, que ya está cerrado, y no se añadió a él. Si necesitas más ayuda, abre un ticket nuevo en el portal o escribe un correo nuevo sin el número de ticket en el asunto.`,
          `Your message “${subject}” answers ticket ${r.ticketNumber ?? ''}, which is already closed, so it was not added to it. If you need more help, open a new ticket in the portal or write a new e-mail without the ticket number in the subject.`,
        );
  return {
    subject: pick(lang, `No pudimos registrar tu mensaje: ${subject}`, `Your message was not recorded: ${subject}`),
    blocks: [
      { kind: 'p', text: why },
      { kind: 'link', label: pick(lang, 'Ir al portal', 'Go to the portal'), href: r.portalLink },
    ],
  };
}
