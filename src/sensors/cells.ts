import { cellToLatLng, cellToParent, latLngToCell } from 'h3-js';

/**
 * The H3 resolutions readings are aggregated at, coarse to fine: about 420 km, 60 km, 8.5 km, 1.2 km and
 * 170 m across. Each is kept up to date as readings become public, so the map never waits for a rebuild.
 */
export const cellResolutions = [1, 3, 5, 7, 9] as const;
export type CellResolution = (typeof cellResolutions)[number];
const finest = cellResolutions[cellResolutions.length - 1] as CellResolution;

export function isCellResolution(value: number): value is CellResolution {
  return (cellResolutions as readonly number[]).includes(value);
}

/** The resolution whose hexagons are a few dozen pixels wide on a web map at this zoom. */
export function resolutionForZoom(zoom: number): CellResolution {
  if (zoom < 3) return 1;
  if (zoom < 6) return 3;
  if (zoom < 9) return 5;
  if (zoom < 12) return 7;
  return 9;
}

const dayMs = 86_400_000;

export function dayOf(ms: number): number {
  return Math.floor(ms / dayMs);
}

/** What a cell gains from one batch of readings. */
export interface CellDelta {
  quantity: string;
  resolution: CellResolution;
  cell: string;
  lat: number;
  lon: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  latestMs: number;
  latestValue: number;
}

export interface CellDayDelta {
  quantity: string;
  resolution: CellResolution;
  cell: string;
  day: number;
  count: number;
  sum: number;
  max: number;
}

export interface CellSourceDelta {
  quantity: string;
  resolution: CellResolution;
  cell: string;
  deviceId: string;
  importId: string;
  count: number;
  latestMs: number;
}

export interface AggregatedReading {
  quantity: string;
  value: number;
  capturedMs: number;
  lat: number | null;
  lon: number | null;
  deviceId: string;
  importId: string | null;
}

export interface CellDeltas {
  cells: CellDelta[];
  days: CellDayDelta[];
  sources: CellSourceDelta[];
}

/**
 * Folds a batch of readings into one delta per cell, day and source, so a batch of thousands of readings
 * touches each aggregate row once. Readings without a position are not on the map. The deltas come sorted
 * by key: writers on PostgreSQL then lock rows in the same order and cannot deadlock one another.
 *
 * A device's consecutive readings mostly fall in the same finest cell on the same day (a car at 50 km/h
 * crosses a 170 m hexagon in a few 5-second lines; a station never leaves its own): such a reading adds
 * to the same deltas as the one before it, which are kept at hand instead of being found again by key.
 */
export function cellDeltas(readings: Iterable<AggregatedReading>): CellDeltas {
  const cells = new Map<string, CellDelta>();
  const days = new Map<string, CellDayDelta>();
  const sources = new Map<string, CellSourceDelta>();
  let lastLat = Number.NaN;
  let lastLon = Number.NaN;
  let fine = '';
  let parents: string[] = [];
  // The deltas the previous reading added to, one per resolution, and what they are for.
  const run = { fine: '', quantity: '', day: Number.NaN, deviceId: '', importId: '' };
  const runCells: CellDelta[] = [];
  const runDays: CellDayDelta[] = [];
  const runSources: CellSourceDelta[] = [];
  for (const reading of readings) {
    if (reading.lat === null || reading.lon === null) continue;
    if (reading.lat !== lastLat || reading.lon !== lastLon) {
      lastLat = reading.lat;
      lastLon = reading.lon;
      const cell = latLngToCell(reading.lat, reading.lon, finest);
      if (cell !== fine) {
        fine = cell;
        parents = cellResolutions.map((resolution) =>
          resolution === finest ? cell : cellToParent(cell, resolution),
        );
      }
    }
    const day = dayOf(reading.capturedMs);
    const importId = reading.importId ?? '';
    const same =
      fine === run.fine &&
      day === run.day &&
      reading.quantity === run.quantity &&
      reading.deviceId === run.deviceId &&
      importId === run.importId;
    if (!same) {
      run.fine = fine;
      run.quantity = reading.quantity;
      run.day = day;
      run.deviceId = reading.deviceId;
      run.importId = importId;
    }
    for (let i = 0; i < cellResolutions.length; i++) {
      const resolution = cellResolutions[i] as CellResolution;
      const cell = parents[i] as string;
      const cellKey = same ? '' : `${reading.quantity}|${resolution}|${cell}`;
      const aggregate = same ? runCells[i] : cells.get(cellKey);
      if (aggregate) {
        aggregate.count += 1;
        aggregate.sum += reading.value;
        if (reading.value < aggregate.min) aggregate.min = reading.value;
        if (reading.value > aggregate.max) aggregate.max = reading.value;
        if (reading.capturedMs >= aggregate.latestMs) {
          aggregate.latestMs = reading.capturedMs;
          aggregate.latestValue = reading.value;
        }
        runCells[i] = aggregate;
      } else {
        const [lat, lon] = cellToLatLng(cell);
        const created: CellDelta = {
          quantity: reading.quantity,
          resolution,
          cell,
          lat,
          lon,
          count: 1,
          sum: reading.value,
          min: reading.value,
          max: reading.value,
          latestMs: reading.capturedMs,
          latestValue: reading.value,
        };
        cells.set(cellKey, created);
        runCells[i] = created;
      }
      const dayKey = same ? '' : `${cellKey}|${day}`;
      const daily = same ? runDays[i] : days.get(dayKey);
      if (daily) {
        daily.count += 1;
        daily.sum += reading.value;
        if (reading.value > daily.max) daily.max = reading.value;
        runDays[i] = daily;
      } else {
        const created: CellDayDelta = {
          quantity: reading.quantity,
          resolution,
          cell,
          day,
          count: 1,
          sum: reading.value,
          max: reading.value,
        };
        days.set(dayKey, created);
        runDays[i] = created;
      }
      const sourceKey = same ? '' : `${cellKey}|${reading.deviceId}|${importId}`;
      const source = same ? runSources[i] : sources.get(sourceKey);
      if (source) {
        source.count += 1;
        if (reading.capturedMs > source.latestMs) source.latestMs = reading.capturedMs;
        runSources[i] = source;
      } else {
        const created: CellSourceDelta = {
          quantity: reading.quantity,
          resolution,
          cell,
          deviceId: reading.deviceId,
          importId,
          count: 1,
          latestMs: reading.capturedMs,
        };
        sources.set(sourceKey, created);
        runSources[i] = created;
      }
    }
  }
  return { cells: sortedValues(cells), days: sortedValues(days), sources: sortedValues(sources) };
}

function sortedValues<T>(map: Map<string, T>): T[] {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, value]) => value);
}
