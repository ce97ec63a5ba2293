import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api, errorMessage, isAbort } from '../api';
import { shared } from '../shared/strings';

export interface OwnList<T> {
  items: T[];
  loading: boolean;
  error: string;
  reload: () => void;
  /** An item just made, or changed by the server: first in the list, in place of its old copy. */
  put: (item: T) => void;
}

/** The signed-in owner's devices or imports (`?mine=true`), kept fresh as they are made and changed. */
export function useOwnList<T extends { id: string }>(path: string, onAuthLost: () => void): OwnList<T> {
  const [items, setItems] = useState<T[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState('');
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError('');
    api
      .get<{ data: T[] }>(path, { mine: true }, controller.signal)
      .then((answer) => setItems(answer.data))
      .catch((err: unknown) => {
        if (isAbort(err)) return;
        if (err instanceof ApiError && err.status === 401) onAuthLost();
        else setError(errorMessage(err, shared.errors));
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [path, attempt, onAuthLost]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  const put = useCallback(
    (item: T) => setItems((previous) => [item, ...previous.filter((other) => other.id !== item.id)]),
    [],
  );
  return { items, loading, error, reload, put };
}
