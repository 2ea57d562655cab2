import { type Language, levels, type Severity } from '@mesa/core';
import { createUniqueId, For } from 'solid-js';
import { pick, t } from '../i18n';

type Level = Severity; // severity and urgency share the same four levels (seed 003)

export interface LevelSelectProps {
  label: string;
  value: Level;
  onChange: (level: Level) => void;
  /** The seed definition of each level, in both languages. */
  definitions: Record<Level, Record<Language, string>>;
}

/** A level `<select>` that explains the chosen level and lists all of them on demand. */
export function LevelSelect(props: LevelSelectProps) {
  const id = createUniqueId();
  const change = (value: string) => {
    const level = levels.find((candidate) => candidate === value);
    if (level) props.onChange(level);
  };
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select
        id={id}
        value={props.value}
        onChange={(event) => change(event.currentTarget.value)}
        aria-describedby={`${id}-help`}
      >
        <For each={levels}>{(level) => <option value={level}>{t(`level.${level}`)}</option>}</For>
      </select>
      <p id={`${id}-help`} class="hint">
        {pick(props.definitions[props.value])}
      </p>
      <details class="hint">
        <summary>{t('level.all')}</summary>
        <dl class="definitions">
          <For each={levels}>
            {(level) => (
              <>
                <dt>{t(`level.${level}`)}</dt>
                <dd>{pick(props.definitions[level])}</dd>
              </>
            )}
          </For>
        </dl>
      </details>
    </div>
  );
}
