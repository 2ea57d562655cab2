import type { Language } from '@mesa/core';

/**
 * The first product language the client prefers, by q-value; the UI's language
 * selector sends it, so it wins over the profile's language.
 */
export function pickLanguage(header: string | undefined, fallback: Language): Language {
  if (!header) return fallback;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { lang: tag.trim().slice(0, 2).toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1, index };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  const hit = ranked.find((r) => r.lang === 'es' || r.lang === 'en');
  return (hit?.lang as Language | undefined) ?? fallback;
}
