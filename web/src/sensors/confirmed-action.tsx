import { useState } from 'preact/hooks';
import { ApiError, errorMessage } from '../api';
import { shared } from '../shared/strings';

export interface ConfirmedActionTexts {
  /** The first button. */
  label: string;
  /** The first button as a screen reader hears it, naming what it acts on. */
  accessibleLabel: string;
  /** What doing it costs, shown with the second button. */
  warning: string;
  /** The second button, which does it. */
  confirm: string;
  cancel: string;
}

/**
 * A button for what cannot be undone (a new token cuts a device off, a removed feed's key is gone): the first
 * click only shows what it costs, the second does it. `act` throws on failure; a lost sign-in is handed on.
 */
export function ConfirmedAction(props: {
  texts: ConfirmedActionTexts;
  act: () => Promise<void>;
  onAuthLost: () => void;
}) {
  const { texts } = props;
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const run = async () => {
    setBusy(true);
    setError('');
    try {
      await props.act();
      setConfirming(false);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) props.onAuthLost();
      else setError(errorMessage(err, shared.errors));
    } finally {
      setBusy(false);
    }
  };

  if (!confirming) {
    return (
      <div class="actions">
        <button
          type="button"
          class="secondary"
          aria-label={texts.accessibleLabel}
          onClick={() => setConfirming(true)}
        >
          {texts.label}
        </button>
      </div>
    );
  }
  return (
    <div class="notice notice-warning">
      <p>{texts.warning}</p>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="button" class="danger" disabled={busy} onClick={() => void run()}>
          {texts.confirm}
        </button>
        <button type="button" class="secondary" disabled={busy} onClick={() => setConfirming(false)}>
          {texts.cancel}
        </button>
      </div>
    </div>
  );
}
