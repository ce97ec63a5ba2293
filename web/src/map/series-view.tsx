import { useEffect, useRef, useState } from 'preact/hooks';
import { formatCount, formatValue } from './sensor-format';
import type { SeriesData } from './series-chart';
import { t } from './strings';

export interface SeriesRow {
  /** Seconds since the epoch. */
  t: number;
  mean: number;
  max: number;
  count: number;
}

interface SeriesViewProps {
  title: string;
  rows: SeriesRow[];
  bucketSeconds: number;
  unit: string;
  /** Daily buckets are UTC days. */
  utc: boolean;
  formatTime(seconds: number): string;
}

type ChartState = 'loading' | 'drawn' | 'failed';

/** A chart of the rows (uPlot, fetched on first use) and the same values as a table for those who cannot see it. */
export function SeriesView({ title, rows, bucketSeconds, unit, utc, formatTime }: SeriesViewProps) {
  const box = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<ChartState>('loading');
  const [tableOpen, setTableOpen] = useState(false);

  useEffect(() => {
    let cancelled = false;
    let chart: { destroy(): void } | undefined;
    setState('loading');
    const data: SeriesData = {
      times: rows.map((row) => row.t),
      mean: rows.map((row) => row.mean),
      max: rows.map((row) => row.max),
      bucketSeconds,
    };
    import('./series-chart')
      .then(({ drawSeries }) => {
        if (cancelled || !box.current) return;
        chart = drawSeries(box.current, data, {
          unit,
          utc,
          timeLabel: t.sensors.when,
          meanLabel: t.sensors.meanSeries,
          maxLabel: t.sensors.maxSeries,
        });
        setState('drawn');
      })
      .catch((error: unknown) => {
        console.warn('chart:', error);
        if (!cancelled) setState('failed');
      });
    return () => {
      cancelled = true;
      chart?.destroy();
    };
  }, [rows, bucketSeconds, unit, utc]);

  return (
    <figure class="series">
      <figcaption class="series-title">{title}</figcaption>
      <div class="series-chart" ref={box} aria-hidden="true" />
      {state === 'loading' && <p class="muted">{t.sensors.chartLoading}</p>}
      {state === 'failed' && <p class="muted">{t.sensors.chartError}</p>}
      <details class="series-table" onToggle={(event) => setTableOpen(event.currentTarget.open)}>
        <summary>{t.sensors.asTable}</summary>
        {tableOpen && (
          <table>
            <thead>
              <tr>
                <th scope="col">{t.sensors.when}</th>
                <th scope="col">{t.sensors.meanSeries}</th>
                <th scope="col">{t.sensors.maxSeries}</th>
                <th scope="col">{t.sensors.count}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.t}>
                  <th scope="row">{formatTime(row.t)}</th>
                  <td>{formatValue(row.mean, unit)}</td>
                  <td>{formatValue(row.max, unit)}</td>
                  <td>{formatCount(row.count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </details>
    </figure>
  );
}
