import type { Ticket } from '@mesa/core';

/** Lower case without accents, so "facturacion" finds "Facturación". */
export const fold = (text: string): string => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

const haystacks = new WeakMap<object, string>();

function haystack(ticket: Ticket): string {
  let text = haystacks.get(ticket);
  if (text === undefined) {
    const r = ticket.requester;
    text = fold([ticket.number, ticket.subject, r.name, r.organization ?? '', r.email ?? ''].join('\n'));
    haystacks.set(ticket, text);
  }
  return text;
}

/** Every word of the query appears in the ticket's number, subject, requester or organization. */
export function matchesSearch(ticket: Ticket, query: string): boolean {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = haystack(ticket);
  return words.every((word) => text.includes(word));
}
