import { useRef, useState } from 'preact/hooks';
import { ApiError, errorMessage } from '../api';
import { shared } from '../shared/strings';

export type FieldErrors<Field extends string> = Partial<Record<Field, string>>;

/** The server's field errors (JSON pointers such as `/url`) placed beside the form's own fields. */
export function fieldErrorsOf<Field extends string>(
  err: unknown,
  fieldOfPointer: Record<string, Field>,
): FieldErrors<Field> {
  const found: FieldErrors<Field> = {};
  if (!(err instanceof ApiError)) return found;
  for (const { field, message } of err.fieldErrors) {
    const name = fieldOfPointer[field];
    if (name) found[name] = message;
  }
  return found;
}

/**
 * A form checked before it is sent and by the server: its field errors, a summary, and whether it is being
 * sent. `send` clears the errors while the request runs; a refusal puts its reasons beside their fields
 * (`errorsOf`) and moves the focus to the first field to correct; a lost sign-in is handed on.
 */
export function useCheckedForm<Field extends string>(
  errorsOf: (err: unknown) => FieldErrors<Field>,
  onAuthLost: () => void,
) {
  const form = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<FieldErrors<Field>>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const showErrors = (found: FieldErrors<Field>, summary: string) => {
    setErrors(found);
    setError(summary);
    // The first field to correct takes the focus, so a keyboard or screen-reader user lands on it.
    requestAnimationFrame(() => form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
  };

  const send = async (request: () => Promise<void>) => {
    setBusy(true);
    setErrors({});
    setError('');
    try {
      await request();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) onAuthLost();
      else showErrors(errorsOf(err), errorMessage(err, shared.errors));
    } finally {
      setBusy(false);
    }
  };

  return { form, errors, error, busy, showErrors, clearErrors: () => setErrors({}), send };
}
