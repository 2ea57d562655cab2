import { createUniqueId, Show } from 'solid-js';

export interface TextFieldProps {
  label: string;
  value: string;
  onInput: (value: string) => void;
  name?: string;
  type?: 'text' | 'email' | 'password' | 'tel';
  /** The id of a `<datalist>` of suggestions. */
  list?: string;
  autocomplete?: string;
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  multiple?: boolean;
  hint?: string;
  /** What is wrong with the value: shown in place of the hint, and the input marked invalid. */
  error?: string | null;
}

/** A labelled `<input>` whose hint (or error) is wired through `aria-describedby`. */
export function TextField(props: TextFieldProps) {
  const id = createUniqueId();
  const hintId = `${id}-hint`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        onInput={(event) => props.onInput(event.currentTarget.value)}
        autocomplete={props.autocomplete}
        required={props.required}
        minLength={props.minLength}
        maxLength={props.maxLength}
        multiple={props.multiple}
        list={props.list}
        aria-describedby={props.error || props.hint ? hintId : undefined}
        aria-invalid={props.error ? 'true' : undefined}
      />
      <Show when={props.error || props.hint}>
        <p id={hintId} class={props.error ? 'hint field-error' : 'hint'}>
          {props.error || props.hint}
        </p>
      </Show>
    </div>
  );
}
