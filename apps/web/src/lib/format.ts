import { language } from '../i18n';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Date and time in the UI language; reactive when read in JSX. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const lang = language();
  let formatter = formatters.get(lang);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
    formatters.set(lang, formatter);
  }
  return formatter.format(date);
}

/** Path of a ticket's detail screen (numbers look like `T-000042`). */
export const ticketPath = (number: string): string => `/tickets/${encodeURIComponent(number)}`;

/** A ticket's page: by number, or by the device's id while the number is pending. */
export const ticketHref = (ticket: { id: string; number: string }): string =>
  ticketPath(ticket.number === '' ? ticket.id : ticket.number);

/**
 * A span of time as a desk reads it: "45 min", "2 h 05 min", "3 d 4 h" (units the same in both languages).
 * Rounded down to the minute; under a minute is "0 min".
 */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${String(mins).padStart(2, '0')} min`;
  return `${mins} min`;
}

/** Bytes as KB / MB in the UI language. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${new Intl.NumberFormat(language(), { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
}
