/**
 * Details of what was chosen on the sensor map: a hexagon (its readings, their daily chart, the drives and
 * sensors that passed through it) or a fixed sensor (its readings over time). A side panel on wide screens,
 * a bottom sheet on phones; Esc or the close button closes it.
 */
import type { Position } from 'geojson';
import type { LngLatBoundsLike } from 'maplibre-gl';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { isAbort } from '../api';
import { formatDateTime } from '../shared/format';
import { colorFor } from './color-scale';
import {
  type CellDetail,
  type CellProperties,
  type DeviceSeries,
  type Drive,
  fetchCell,
  fetchDrives,
  fetchSeries,
  type QuantityInfo,
  type SensorDevice,
  type TrackCollection,
} from './sensor-api';
import { formatCount, formatDay, formatDistance, formatValue } from './sensor-format';
import { trackBounds } from './sensor-layer';
import { type SeriesRow, SeriesView } from './series-view';
import { t } from './strings';

export type SensorSelection = { kind: 'cell'; cell: CellProperties } | { kind: 'device'; id: string };

interface SensorPanelProps {
  selection: SensorSelection;
  quantity: QuantityInfo;
  /** Every quantity, for the unit of what a sensor measures when it is not the chosen one. */
  quantities: QuantityInfo[];
  devices: SensorDevice[];
  onClose(): void;
  onSelectDevice(id: string): void;
  onTracks(tracks: TrackCollection[]): void;
  onFit(bounds: LngLatBoundsLike): void;
  onShown(panel: HTMLElement): void;
}

export function SensorPanel(props: SensorPanelProps) {
  const { selection, devices, onClose, onShown } = props;
  const heading = useRef<HTMLHeadingElement>(null);
  const section = useRef<HTMLElement>(null);
  const key = selection.kind === 'cell' ? selection.cell.cell : selection.id;

  // Focus moves into the panel so that it is announced and Tab continues there; it goes back on closing.
  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      if (before?.isConnected) before.focus({ preventScroll: true });
    };
  }, [onClose]);
  // Each new choice is announced and shown.
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
    if (section.current) onShown(section.current);
  }, [key, onShown]);

  const device =
    selection.kind === 'device' ? devices.find((candidate) => candidate.id === selection.id) : undefined;
  const title =
    selection.kind === 'cell' ? t.sensors.cellHeading : (device?.name ?? t.sensors.mobility.fixed);

  return (
    <section class="sensor-panel" aria-labelledby="sensor-panel-heading" ref={section}>
      <header class="sensor-panel-header">
        <h2 id="sensor-panel-heading" ref={heading} tabIndex={-1}>
          {title}
        </h2>
        <button type="button" class="sensor-panel-close" onClick={onClose} aria-label={t.sensors.closePanel}>
          <span aria-hidden="true">×</span>
        </button>
      </header>
      {selection.kind === 'cell' ? (
        <CellDetails {...props} cell={selection.cell} />
      ) : (
        <DeviceDetails {...props} id={selection.id} device={device} />
      )}
    </section>
  );
}

interface Summary {
  count: number;
  mean: number;
  min?: number;
  max: number;
  latest?: { value: number; at: string };
}

function Stats({ summary, quantity, unit }: { summary: Summary; quantity: QuantityInfo; unit: string }) {
  return (
    <dl class="sensor-stats">
      <div>
        <dt>{t.sensors.count}</dt>
        <dd data-stat="count">{formatCount(summary.count)}</dd>
      </div>
      <div>
        <dt>{t.sensors.mean}</dt>
        <dd data-stat="mean">
          <span
            class="legend-swatch"
            style={{ background: colorFor(summary.mean, quantity.color_scale) }}
            aria-hidden="true"
          />
          {formatValue(summary.mean, unit)}
        </dd>
      </div>
      {summary.min !== undefined && (
        <div>
          <dt>{t.sensors.min}</dt>
          <dd>{formatValue(summary.min, unit)}</dd>
        </div>
      )}
      <div>
        <dt>{t.sensors.max}</dt>
        <dd data-stat="max">{formatValue(summary.max, unit)}</dd>
      </div>
      {summary.latest && (
        <div class="sensor-stats-wide">
          <dt>{t.sensors.latest}</dt>
          <dd>
            {t.sensors.latestAt(formatValue(summary.latest.value, unit), formatDateTime(summary.latest.at))}
          </dd>
        </div>
      )}
    </dl>
  );
}

function Failure() {
  return <p class="notice notice-error">{t.sensors.detailError}</p>;
}

function CellDetails({
  cell,
  quantity,
  devices,
  onSelectDevice,
  onTracks,
  onFit,
}: SensorPanelProps & { cell: CellProperties }) {
  const [detail, setDetail] = useState<CellDetail | null>(null);
  const [drives, setDrives] = useState<Drive[]>([]);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    setDetail(null);
    setDrives([]);
    setFailed(false);
    fetchCell(cell.cell, quantity.name, controller.signal)
      .then(async (found) => {
        setDetail(found);
        const routes = await fetchDrives(found.sources, controller.signal);
        if (controller.signal.aborted) return;
        setDrives(routes);
        onTracks(routes.map((drive) => drive.track));
      })
      .catch((error: unknown) => {
        if (!isAbort(error)) setFailed(true);
      });
    return () => {
      controller.abort();
      onTracks([]);
    };
  }, [cell.cell, quantity.name, onTracks]);

  const props = detail?.properties ?? cell;
  const unit = detail?.unit ?? quantity.unit;
  const rows = useMemo<SeriesRow[]>(
    () =>
      (detail?.days ?? []).map((day) => ({
        t: Date.parse(`${day.day}T00:00:00Z`) / 1000,
        mean: day.mean,
        max: day.max,
        count: day.count,
      })),
    [detail],
  );
  const sensorsHere = (detail?.sources ?? []).filter((source) => source.import_id === null);
  const across = detail ? widestSpan(detail.geometry.coordinates[0] ?? []) : 0;

  return (
    <div class="sensor-panel-body">
      {across > 0 && <p class="muted sensor-panel-lead">{t.sensors.cellSize(formatDistance(across))}</p>}
      <Stats
        quantity={quantity}
        unit={unit}
        summary={{
          count: props.count,
          mean: props.mean,
          min: props.min,
          max: props.max,
          latest: { value: props.latest, at: props.latest_at },
        }}
      />
      {failed && <Failure />}
      {!detail && !failed && <p class="muted">{t.loading}</p>}
      {rows.length > 0 && (
        <SeriesView
          title={t.sensors.dailyChart}
          rows={rows}
          bucketSeconds={86_400}
          unit={unit}
          utc
          formatTime={formatDay}
        />
      )}
      {drives.length > 0 && (
        <section class="sensor-panel-section" aria-labelledby="drives-heading">
          <h3 id="drives-heading">{t.sensors.drives}</h3>
          <p class="muted">{t.sensors.drivesDrawn}</p>
          <ul class="sensor-list">
            {drives.map((drive) => {
              const name = drive.info.metadata.name || drive.info.file_name;
              const bounds = trackBounds(drive.track);
              const when = drive.info.summary.first_captured_at;
              return (
                <li key={drive.info.id} class="sensor-item">
                  <span class="drive-name">{name}</span>
                  <span class="muted">
                    {[when ? formatDateTime(when) : '', t.sensors.driveReadings(drive.count)]
                      .filter(Boolean)
                      .join(' · ')}
                  </span>
                  {bounds && (
                    <button
                      type="button"
                      class="link"
                      onClick={() => onFit(bounds)}
                      aria-label={t.sensors.showDriveOf(name)}
                    >
                      {t.sensors.showDrive}
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        </section>
      )}
      {sensorsHere.length > 0 && (
        <section class="sensor-panel-section" aria-labelledby="sensors-here-heading">
          <h3 id="sensors-here-heading">{t.sensors.devicesHere}</h3>
          <ul class="sensor-list">
            {sensorsHere.map((source) => {
              const name = devices.find((device) => device.id === source.device_id)?.name ?? source.device_id;
              return (
                <li key={source.device_id} class="sensor-item">
                  <button
                    type="button"
                    class="link"
                    onClick={() => onSelectDevice(source.device_id)}
                    aria-label={t.sensors.showDevice(name)}
                  >
                    {name}
                  </button>{' '}
                  <span class="muted">{t.sensors.driveReadings(source.count)}</span>
                </li>
              );
            })}
          </ul>
        </section>
      )}
    </div>
  );
}

function DeviceDetails({
  id,
  device,
  quantity,
  quantities,
}: SensorPanelProps & { id: string; device: SensorDevice | undefined }) {
  const [series, setSeries] = useState<DeviceSeries | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    setSeries(null);
    setFailed(false);
    (async () => {
      let found = await fetchSeries(id, quantity.name, controller.signal);
      // A sensor may not measure the chosen quantity at all: its own is better than an empty chart.
      if (found.points.length === 0 && found.device.quantity !== quantity.name) {
        found = await fetchSeries(id, found.device.quantity, controller.signal);
      }
      if (!controller.signal.aborted) setSeries(found);
    })().catch((error: unknown) => {
      if (!isAbort(error)) setFailed(true);
    });
    return () => controller.abort();
  }, [id, quantity.name]);

  const shown = series?.device ?? device;
  const measured = quantities.find((candidate) => candidate.name === series?.quantity) ?? quantity;
  const rows = useMemo<SeriesRow[]>(
    () =>
      (series?.points ?? []).map((point) => ({
        t: Date.parse(point.t) / 1000,
        mean: point.mean,
        max: point.max,
        count: point.count,
      })),
    [series],
  );
  const summary = useMemo(() => summarise(rows), [rows]);
  const bucket = series?.bucket_seconds ?? 3600;
  const daily = bucket % 86_400 === 0;

  return (
    <div class="sensor-panel-body">
      {shown && (
        <p class="muted sensor-panel-lead">
          {[t.sensors.mobility[shown.mobility], shown.model, shown.sensor].filter(Boolean).join(' · ')}
        </p>
      )}
      {shown?.last_reading_at && (
        <p>
          {t.sensors.lastReading}: {formatDateTime(shown.last_reading_at)}
        </p>
      )}
      {failed && <Failure />}
      {!series && !failed && <p class="muted">{t.loading}</p>}
      {series && measured.name !== quantity.name && (
        <p class="notice notice-info">{t.sensors.otherQuantity(measured.label)}</p>
      )}
      {series && !summary && <p class="muted">{t.sensors.noReadings}</p>}
      {summary && <Stats quantity={measured} unit={measured.unit} summary={summary} />}
      {rows.length > 0 && (
        <SeriesView
          title={t.sensors.seriesChart(bucketPhrase(bucket))}
          rows={rows}
          bucketSeconds={bucket}
          unit={measured.unit}
          utc={daily}
          formatTime={daily ? formatDay : (seconds) => formatDateTime(new Date(seconds * 1000).toISOString())}
        />
      )}
    </div>
  );
}

/** The count, mean and highest value of every bucket together. */
function summarise(rows: SeriesRow[]): Summary | null {
  let count = 0;
  let sum = 0;
  let max = -Infinity;
  for (const row of rows) {
    count += row.count;
    sum += row.mean * row.count;
    max = Math.max(max, row.max);
  }
  return count > 0 ? { count, mean: sum / count, max } : null;
}

function bucketPhrase(seconds: number): string {
  if (seconds % 86_400 === 0) return t.sensors.per(seconds / 86_400, 'day');
  if (seconds % 3_600 === 0) return t.sensors.per(seconds / 3_600, 'hour');
  return t.sensors.per(Math.max(1, Math.round(seconds / 60)), 'minute');
}

const EARTH_RADIUS_M = 6_371_000;

/** The longest distance between two corners of a ring, in metres (haversine): a hexagon's width. */
function widestSpan(ring: Position[]): number {
  const rad = Math.PI / 180;
  let widest = 0;
  for (const [lon1 = 0, lat1 = 0] of ring) {
    for (const [lon2 = 0, lat2 = 0] of ring) {
      const a =
        Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
        Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
      widest = Math.max(widest, 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(a)));
    }
  }
  return widest;
}
