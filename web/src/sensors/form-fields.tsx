/** The labelled fields of this page's forms: a hint and an error tied to each input for screen readers. */
import type { JSX } from 'preact';
import { t } from './strings';

type InputProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onInput'>;

function describedBy(id: string, hint: string | undefined, error: string | undefined): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

function Hint({ id, hint }: { id: string; hint: string | undefined }) {
  if (!hint) return null;
  return (
    <span class="hint" id={`${id}-hint`}>
      {hint}
    </span>
  );
}

function FieldError({ id, error }: { id: string; error: string | undefined }) {
  if (!error) return null;
  return (
    <p class="field-error" id={`${id}-error`}>
      {error}
    </p>
  );
}

export function TextField(
  props: {
    id: string;
    label: string;
    value: string;
    onValue: (value: string) => void;
    hint?: string;
    error?: string;
    optional?: boolean;
    multiline?: boolean;
  } & InputProps,
) {
  const { id, label, value, onValue, hint, error, optional, multiline, ...input } = props;
  const common = {
    id,
    value,
    'aria-describedby': describedBy(id, hint, error),
    'aria-invalid': error ? true : undefined,
  };
  return (
    <div class="field">
      <label for={id}>
        {label} {optional && <span class="optional">{t.optional}</span>}
      </label>
      <Hint id={id} hint={hint} />
      {multiline ? (
        <textarea {...common} rows={3} onInput={(e) => onValue(e.currentTarget.value)} />
      ) : (
        <input type="text" {...input} {...common} onInput={(e) => onValue(e.currentTarget.value)} />
      )}
      <FieldError id={id} error={error} />
    </div>
  );
}

export interface Choice<V extends string> {
  value: V;
  label: string;
  hint?: string;
}

/** Radio buttons in a fieldset: every choice visible at once, and arrow keys move between them. */
export function RadioGroup<V extends string>(props: {
  name: string;
  legend: string;
  choices: readonly Choice<V>[];
  value: V;
  onValue: (value: V) => void;
}) {
  return (
    <fieldset class="choices">
      <legend>{props.legend}</legend>
      {props.choices.map((choice) => {
        const id = `${props.name}-${choice.value}`;
        return (
          <div class="choice" key={choice.value}>
            <input
              type="radio"
              id={id}
              name={props.name}
              value={choice.value}
              checked={props.value === choice.value}
              aria-describedby={choice.hint ? `${id}-hint` : undefined}
              onChange={() => props.onValue(choice.value)}
            />
            <label for={id}>
              {choice.label}
              {choice.hint && (
                <span class="hint" id={`${id}-hint`}>
                  {choice.hint}
                </span>
              )}
            </label>
          </div>
        );
      })}
    </fieldset>
  );
}
