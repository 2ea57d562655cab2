/**
 * Ticket numbers: `T-` + the database sequence value, zero-padded to at least six digits (T-000042, T-1234567).
 * Padding keeps them sortable as text for the first million tickets and the fixed prefix makes them easy to spot
 * in email subjects. Exactly one spelling is valid per number, so a number round-trips and is never ambiguous.
 */
import { z } from 'zod';
import { AppError, ErrorCode } from './errors';

const PREFIX = 'T-';
const MIN_DIGITS = 6;
/** Canonical digits: six with at least one non-zero, or more than six without a leading zero. */
const canonical = /^T-(?:(?!0{6})\d{6}|[1-9]\d{6,})$/;

export function formatTicketNumber(seq: number): string {
  if (!Number.isSafeInteger(seq) || seq <= 0) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, 'A ticket sequence number must be a positive safe integer', {
      seq,
    });
  }
  return PREFIX + String(seq).padStart(MIN_DIGITS, '0');
}

/** The sequence number of a ticket number typed or pasted by a person (case-insensitive, trimmed), else null. */
export function parseTicketNumber(s: string): number | null {
  const candidate = s.trim().toUpperCase();
  if (!canonical.test(candidate)) return null;
  const seq = Number(candidate.slice(PREFIX.length));
  return Number.isSafeInteger(seq) ? seq : null;
}

export const ticketNumberSchema = z
  .string()
  .regex(canonical, 'Expected a ticket number like T-000042')
  .refine((s) => parseTicketNumber(s) !== null, 'Ticket number out of range');

// Letters, digits, '_' or '-' next to the match mean it is part of a longer token (XT-000042, T-0000421A).
const tokenChar = /[\p{L}\p{N}_-]/u;
const candidates = /T-\d+/gi;

/** The whole code point ending just before index i (a low surrogate pulls in its high half). */
function charBefore(text: string, i: number): string {
  if (i <= 0) return '';
  const unit = text.charCodeAt(i - 1);
  return unit >= 0xdc00 && unit <= 0xdfff && i >= 2 ? text.slice(i - 2, i) : text.charAt(i - 1);
}

const charAt = (text: string, i: number): string => {
  const cp = text.codePointAt(i);
  return cp === undefined ? '' : String.fromCodePoint(cp);
};

/** Ticket numbers mentioned in free text (e.g. a reply's subject), upper-cased, deduped, in order of appearance. */
export function findTicketNumbers(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(candidates)) {
    const end = match.index + match[0].length;
    if (tokenChar.test(charBefore(text, match.index)) || tokenChar.test(charAt(text, end))) continue;
    const number = match[0].toUpperCase();
    if (parseTicketNumber(number) !== null) found.add(number);
  }
  return [...found];
}

/** How a ticket number appears in outgoing subjects, e.g. `[T-000042] Printer offline`. */
export const subjectTag = (n: string): string => `[${n}]`;
