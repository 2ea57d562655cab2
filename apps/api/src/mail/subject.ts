/** Subject lines: reply/forward prefixes off, ticket tags found and added. */
import { findTicketNumbers, subjectTag } from '@mesa/core';

// Reply and forward prefixes across the clients our users have: English, Spanish (RV = reenviado), Portuguese (RES,
// ENC), German (AW, WG), French (TR), Nordic (SV, VS); with Outlook's counters `Re[5]:` / `Re(2):` and a fullwidth colon.
const PREFIX = /^\s*(?:re|aw|fwd?|fw|rv|res|enc|tr|wg|sv|vs|antw|rif)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]/i;

/** Removes a leading chain of `Re:`, `Fwd:`, `RV:`, `Re[5]:`… and trims; a `[T-000042]` tag stays. */
export function stripReplyPrefixes(subject: string): string {
  let s = subject;
  for (let m = PREFIX.exec(s); m; m = PREFIX.exec(s)) s = s.slice(m[0].length);
  return s.trim();
}

/** The first ticket number the subject mentions (`T-000042`), or null. */
export const ticketNumberInSubject = (subject: string): string | null => findTicketNumbers(subject)[0] ?? null;

/** `[T-000042] subject`, unless the subject already carries that tag. */
export function tagSubject(subject: string, ticketNumber: string): string {
  const tag = subjectTag(ticketNumber);
  const trimmed = subject.trim();
  if (trimmed.toUpperCase().includes(tag.toUpperCase())) return trimmed;
  return trimmed ? `${tag} ${trimmed}` : tag;
}
