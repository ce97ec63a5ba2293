import { useEffect, useRef } from 'preact/hooks';
import { t } from './strings';

/** Legends sit over the map: open on wide screens, folded on phones, where the map is small. */
export function useOpenOnWideScreens() {
  const ref = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    if (ref.current && !window.matchMedia('(max-width: 720px)').matches) ref.current.open = true;
  }, []);
  return ref;
}

/** What the marker styles mean; clusters keep one look whatever they hold. */
export function ReportLegend() {
  const ref = useOpenOnWideScreens();
  return (
    <details class="legend" ref={ref}>
      <summary class="legend-heading">{t.legend}</summary>
      <ul>
        {(['verified', 'unverified', 'disputed'] as const).map((state) => (
          <li key={state} class="legend-item">
            <span class={`legend-marker marker-${state}`} aria-hidden="true" />
            {t.legendItems[state]}
          </li>
        ))}
        <li class="legend-item">
          <span class="legend-marker marker-cluster" aria-hidden="true" />
          {t.legendCluster}
        </li>
        <li class="legend-item legend-note">{t.legendColour}</li>
      </ul>
    </details>
  );
}
