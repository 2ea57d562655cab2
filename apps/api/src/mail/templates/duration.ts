import type { Language } from '@mesa/core';

/** "2 h 15 min", "1 d 3 h": two units at most, the way people say how long something took. */
export function humanDuration(ms: number | null, lang: Language): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return lang === 'es' ? 'sin registro' : 'not recorded';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return lang === 'es' ? 'menos de 1 min' : 'less than 1 min';
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  return `${m} min`;
}

/** "10 MB", "512 KB" for size limits in notices. */
export function humanBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}
