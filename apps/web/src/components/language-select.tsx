import type { Language } from '@mesa/core';
import { createUniqueId, For } from 'solid-js';
import { isLanguage, language, languageNames, setLanguage, supportedLanguages, t } from '../i18n';

export interface LanguageSelectProps {
  label?: string;
  /** Controlled mode (e.g. a form field); without it the select switches the UI language. */
  value?: Language;
  onChange?: (language: Language) => void;
}

export function LanguageSelect(props: LanguageSelectProps) {
  const id = createUniqueId();
  const change = (value: string) => {
    if (!isLanguage(value)) return;
    if (props.onChange) props.onChange(value);
    else setLanguage(value);
  };
  return (
    <div class="field field-inline">
      <label for={id}>{props.label ?? t('app.language')}</label>
      <select id={id} value={props.value ?? language()} onChange={(event) => change(event.currentTarget.value)}>
        <For each={supportedLanguages}>
          {(lang) => (
            <option value={lang} lang={lang}>
              {languageNames[lang]}
            </option>
          )}
        </For>
      </select>
    </div>
  );
}
