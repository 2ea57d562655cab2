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
