import { scaleBands } from './color-scale';
import { useOpenOnWideScreens } from './report-legend';
import type { QuantityInfo } from './sensor-api';
import { formatNumber } from './sensor-format';
import type { CellsState } from './sensor-layer';
import { t } from './strings';

interface SensorLegendProps {
  quantity: QuantityInfo | undefined;
  cells: CellsState;
  devicesShown: boolean;
  tracksShown: boolean;
}

/** The colour scale in HTML (the map has no text layers offline), the other symbols, and what is in view. */
export function SensorLegend({ quantity, cells, devicesShown, tracksShown }: SensorLegendProps) {
  const ref = useOpenOnWideScreens();
  return (
    <details class="legend sensor-legend" ref={ref}>
      <summary class="legend-heading">
        {quantity ? t.sensors.legendHeading(quantity.label, quantity.unit) : t.layerNames.sensors}
      </summary>
      {quantity && (
        <ul class="legend-scale">
          {scaleBands(quantity.color_scale).map((band) => (
            <li key={band.color} class="legend-item">
              <span class="legend-swatch" style={{ background: band.color }} aria-hidden="true" />
              {bandLabel(band.from, band.until)}
            </li>
          ))}
        </ul>
      )}
      <ul>
        {devicesShown && (
          <li class="legend-item">
            <span class="legend-marker marker-device" aria-hidden="true" />
            {t.sensors.legendDevice}
          </li>
        )}
        {tracksShown && (
          <li class="legend-item">
            <span class="legend-line" aria-hidden="true" />
            {t.sensors.legendTrack}
          </li>
        )}
        <li class="legend-item legend-note">{t.sensors.legendHexagon}</li>
        {cells.status === 'loaded' && (
          <li class="legend-item legend-note" aria-live="polite">
            {t.sensors.cellsInView(cells.count)} {cells.truncated && t.sensors.truncated}
          </li>
        )}
      </ul>
    </details>
  );
}

function bandLabel(from: number | undefined, until: number | undefined): string {
  if (from === undefined && until !== undefined) return t.sensors.below(formatNumber(until));
  if (from !== undefined && until === undefined) return t.sensors.andAbove(formatNumber(from));
  if (from !== undefined && until !== undefined)
    return t.sensors.range(formatNumber(from), formatNumber(until));
  return '';
}
