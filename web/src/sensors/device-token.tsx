import { useEffect, useRef, useState } from 'preact/hooks';
import type { SensorDevice } from '../shared/sensor-device';
import { t } from './strings';

const texts = t.token;

/** The command that sends one reading, stamped now so that it is never refused as coming from the future. */
function curlLine(token: string, origin: string): string {
  const now = `${new Date().toISOString().slice(0, 16)}:00Z`;
  const body = JSON.stringify({ readings: [{ captured_at: now, cpm: 40 }] });
  return `curl -H "Authorization: Bearer ${token}" -H 'content-type: application/json' -d '${body}' ${origin}/api/v1/sensors/readings`;
}

function selectText(element: HTMLElement | null) {
  if (!element) return;
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = getSelection();
  selection?.removeAllRanges();
  selection?.addRange(range);
}

/**
 * A device's token, shown once: Tally keeps only its hash. The page forgets it as soon as the owner says
 * they copied it, and never shows it after a reload.
 */
export function TokenNotice(props: { device: SensorDevice; token: string; onDone: () => void }) {
  const { device, token } = props;
  const [copied, setCopied] = useState<'' | 'yes' | 'by-hand'>('');
  const tokenText = useRef<HTMLElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const origin = location.origin;
  const headingId = `token-${device.id}`;

  // The notice appears after a click elsewhere; moving the focus here makes sure it is read out and seen.
  useEffect(() => heading.current?.focus(), []);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token);
      setCopied('yes');
    } catch {
      selectText(tokenText.current);
      setCopied('by-hand');
    }
  };

  return (
    <section class="notice notice-success token-notice" aria-labelledby={headingId}>
      <h4 id={headingId} ref={heading} tabIndex={-1}>
        {texts.heading(device.name)}
      </h4>
      <p>{texts.once}</p>
      <div class="token-row">
        <span class="token-label">{texts.label}</span>
        <code class="token" ref={tokenText}>
          {token}
        </code>
        <button type="button" class="secondary" onClick={() => void copy()}>
          {texts.copy}
        </button>
      </div>
      <p aria-live="polite" class="token-copied">
        {copied === 'yes' ? texts.copied : copied === 'by-hand' ? texts.copyByHand : ''}
      </p>
      <p>{texts.curlLead}</p>
      <pre class="command">
        <code>{curlLine(token, origin)}</code>
      </pre>
      {device.mobility === 'mobile' && <p>{texts.movingHint}</p>}
      {device.network === 'airrohr' && <p>{texts.airrohrHint(origin)}</p>}
      {device.network === 'ttn' && <p>{texts.ttnHint(origin)}</p>}
      <button type="button" onClick={props.onDone}>
        {texts.done}
      </button>
    </section>
  );
}
