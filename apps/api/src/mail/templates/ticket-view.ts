import type { Language } from '@mesa/core';
import { type Block, pick } from './doc';

/** What ticket mails say about the ticket, already in the recipient's language. */
export interface TicketView {
  number: string;
  subject: string;
  /** `${publicUrl}/tickets/<number>` */
  link: string;
  priority: string;
  requesterName: string;
  requesterEmail: string | null;
  departmentName: string;
}

export const ticketFacts = (t: TicketView, lang: Language): Block => ({
  kind: 'facts',
  rows: [
    [pick(lang, 'Ticket', 'Ticket'), t.number],
    [pick(lang, 'Asunto', 'Subject'), t.subject],
    [
      pick(lang, 'Solicitante', 'Requester'),
      t.requesterEmail ? `${t.requesterName} <${t.requesterEmail}>` : t.requesterName,
    ],
    [pick(lang, 'Departamento', 'Department'), t.departmentName],
    [pick(lang, 'Prioridad', 'Priority'), t.priority],
  ],
});

export const ticketLink = (t: TicketView, lang: Language): Block => ({
  kind: 'link',
  label: pick(lang, `Ver el ticket ${t.number}`, `View ticket ${t.number}`),
  href: t.link,
});

/** Long texts (descriptions, replies) are cut in staff notices: the ticket has the whole thing. */
export const excerpt = (s: string, max = 4000): string => (s.length > max ? `${s.slice(0, max).trimEnd()} […]` : s);
