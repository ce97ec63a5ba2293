import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import type { SiteConfig } from '../types';

/**
 * Whether this deployment lets one publish, approve or reject one's own work (a one-person deployment).
 * Until the answer comes, and if it never does, it does not: the server refuses that by default too.
 */
export function useSelfReviewAllowed(): boolean {
  const [allowed, setAllowed] = useState(false);
  useEffect(() => {
    const controller = new AbortController();
    api
      .get<SiteConfig>('/api/v1/config', undefined, controller.signal)
      .then((config) => setAllowed(config.self_review_allowed === true))
      .catch(() => setAllowed(false));
    return () => controller.abort();
  }, []);
  return allowed;
}
