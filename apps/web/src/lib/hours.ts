import type { BusinessCalendar } from '@mesa/core';
import { language, t } from '../i18n';

const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
// 2024-01-01 was a Monday: weekday names in the UI language without a table of our own.
const dayName = (index: number) =>
  new Intl.DateTimeFormat(language(), { weekday: 'short', timeZone: 'UTC' }).format(
    new Date(Date.UTC(2024, 0, 1 + index)),
  );

/** "lun–vie 08:00–17:00 (America/Caracas)", or "24×7": a department's hours as a customer reads them. */
export function hoursSummary(calendar: BusinessCalendar, is24x7: boolean): string {
  if (is24x7) return t('hours.allDay');
  const groups: { from: number; to: number; text: string }[] = [];
  days.forEach((day, index) => {
    const text = calendar.weekly[day].map((i) => `${i.start}–${i.end}`).join(', ');
    if (!text) return;
    const last = groups.at(-1);
    if (last && last.text === text && last.to === index - 1) last.to = index;
    else groups.push({ from: index, to: index, text });
  });
  if (groups.length === 0) return t('hours.closed');
  const parts = groups.map((g) => `${dayName(g.from)}${g.to > g.from ? `–${dayName(g.to)}` : ''} ${g.text}`);
  return `${parts.join('; ')} (${calendar.timeZone})`;
}
