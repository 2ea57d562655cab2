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

/**
 * A test for one query: every word of it appears in the ticket's number, subject, requester or
 * organization. The query is folded once, not once per ticket of a ten-thousand-row list.
 */
export function searchMatcher(query: string): (ticket: Ticket) => boolean {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return () => true;
  return (ticket) => {
    const text = haystack(ticket);
    return words.every((word) => text.includes(word));
  };
}
