import type { Language } from '@mesa/core';
import { createSignal } from 'solid-js';
import { en } from './en';
import { es, type MessageKey, type Messages } from './es';

export type { MessageKey } from './es';

const STORAGE_KEY = 'mesa.language';
const dictionaries: Record<Language, Messages> = { es, en };

export const supportedLanguages = Object.keys(dictionaries) as Language[];
/** Each language is named in itself, so a lost user can always find theirs. */
export const languageNames: Record<Language, string> = { es: 'Español', en: 'English' };

export const isLanguage = (value: unknown): value is Language =>
  typeof value === 'string' && Object.hasOwn(dictionaries, value);

function readStored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled (private mode, policies)
  }
}

function initialLanguage(): Language {
  const stored = readStored();
  if (isLanguage(stored)) return stored;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'es';
}

const [language, setLanguageSignal] = createSignal<Language>(initialLanguage());
document.documentElement.lang = language();

export { language };

export function setLanguage(next: Language): void {
  setLanguageSignal(next);
  document.documentElement.lang = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Not persisted; the choice still applies to this visit.
  }
}

/** Translates `key` in the current language; reactive when read inside JSX or effects. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = dictionaries[language()][key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (match, name: string) => String(params[name] ?? match));
}

/** Picks the current language from a bilingual record shared by `@mesa/core` (labels, definitions). */
export const pick = (texts: Record<Language, string>): string => texts[language()];
