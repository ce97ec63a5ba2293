/** Small pieces of markup shared by the pages: the verification badge and the mirror banner. */
import type { MirrorOf } from '../types';
import { formatDateTime } from './format';
import { shared, verificationLabel } from './strings';

const ICONS: Record<string, string> = { verified: '✓', disputed: '!', unverified: '?' };

function stateOf(value: string | null | undefined): 'verified' | 'disputed' | 'unverified' {
  return value === 'verified' || value === 'disputed' ? value : 'unverified';
}

/** The verification state in words, with an icon and a border style, so it never depends on colour alone. */
export function VerificationBadge({ value, large }: { value: string | null | undefined; large?: boolean }) {
  const state = stateOf(value);
  return (
    <span class={`badge badge-${state}${large ? ' badge-large' : ''}`}>
      <span class="badge-icon" aria-hidden="true">
        {ICONS[state]}
      </span>
      {verificationLabel(state)}
    </span>
  );
}

/** The same badge built without Preact, for MapLibre popups. */
export function verificationBadgeElement(value: string | null | undefined): HTMLElement {
  const state = stateOf(value);
  const badge = document.createElement('span');
  badge.className = `badge badge-${state}`;
  const icon = document.createElement('span');
  icon.className = 'badge-icon';
  icon.setAttribute('aria-hidden', 'true');
  icon.textContent = ICONS[state] ?? '';
  badge.append(icon, verificationLabel(state));
  return badge;
}

export function MirrorBanner({ mirror }: { mirror: MirrorOf | null | undefined }) {
  if (!mirror) return null;
  const synced = mirror.synced_at
    ? shared.mirrorSynced(formatDateTime(mirror.synced_at))
    : shared.mirrorNeverSynced;
  return (
    <div class="mirror-banner" role="note">
      <strong>{shared.mirrorOf(mirror.origin)}</strong> (<a href={mirror.url}>{mirror.url}</a>), {synced}{' '}
      {shared.mirrorReadOnly}
    </div>
  );
}
