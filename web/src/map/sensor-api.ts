/** What the sensor map reads from the API, and the shapes of its answers. */
import type { Feature, FeatureCollection, LineString, Point, Polygon } from 'geojson';
import { api } from '../api';

export interface ColorStop {
  value: number;
  color: string;
}

export interface QuantityInfo {
  name: string;
  label: string;
  unit: string;
  min: number;
  max: number;
  /** Ascending: a value takes the colour of the highest stop at or below it. */
  color_scale: ColorStop[];
  /** How many of its readings are on the map. */
  mapped_readings: number;
}

export interface CellProperties {
  cell: string;
  resolution: number;
  count: number;
  mean: number;
  min: number;
  max: number;
  latest: number;
  latest_at: string;
}

export type CellCollection = FeatureCollection<Polygon, CellProperties> & {
  quantity: string;
  unit: string;
  resolution: number;
  /** More hexagons matched than the server sends at once. */
  truncated: boolean;
};

export interface CellDay {
  /** `YYYY-MM-DD`, a UTC day. */
  day: string;
  count: number;
  mean: number;
  max: number;
}

export interface CellSource {
  device_id: string;
  /** The drive log the readings came from; null for readings a device sent itself. */
  import_id: string | null;
  count: number;
  latest_at: string;
}

export interface CellDetail extends Feature<Polygon, CellProperties> {
  quantity: string;
  unit: string;
  days: CellDay[];
  sources: CellSource[];
}

export interface SensorDevice {
  id: string;
  name: string;
  model: string;
  sensor: string;
  quantity: string;
  unit: string;
  mobility: 'fixed' | 'mobile';
  location: { lat: number; lon: number } | null;
  last_reading_at: string | null;
}

export interface SeriesPoint {
  t: string;
  count: number;
  mean: number;
  max: number;
}

export interface DeviceSeries {
  device: SensorDevice;
  quantity: string;
  bucket_seconds: number;
  points: SeriesPoint[];
}

export interface DriveImport {
  id: string;
  device_id: string;
  file_name: string;
  metadata: { name?: string; cities?: string; description?: string };
  summary: {
    first_captured_at: string | null;
    last_captured_at: string | null;
    bbox: number[] | null;
  };
}

export interface TrackProperties {
  kind?: 'track';
  import_id?: string;
  captured_at?: string;
  value?: number;
}

export type TrackCollection = FeatureCollection<LineString | Point, TrackProperties>;

export function fetchQuantities(signal?: AbortSignal): Promise<QuantityInfo[]> {
  return api
    .get<{ data: QuantityInfo[] }>('/api/v1/sensors/quantities', undefined, signal)
    .then((answer) => answer.data);
}

export function fetchCells(
  query: { bbox: string; zoom: number; quantity: string },
  signal: AbortSignal,
): Promise<CellCollection> {
  return api.get<CellCollection>('/api/v1/sensors/cells', query, signal);
}

export function fetchCell(cell: string, quantity: string, signal: AbortSignal): Promise<CellDetail> {
  return api.get<CellDetail>(`/api/v1/sensors/cells/${encodeURIComponent(cell)}`, { quantity }, signal);
}

export function fetchDevices(signal?: AbortSignal): Promise<SensorDevice[]> {
  return api
    .get<{ data: SensorDevice[] }>('/api/v1/sensors/devices', undefined, signal)
    .then((answer) => answer.data);
}

export function fetchSeries(deviceId: string, quantity: string, signal: AbortSignal): Promise<DeviceSeries> {
  return api.get<DeviceSeries>(
    `/api/v1/sensors/devices/${encodeURIComponent(deviceId)}/series`,
    { quantity },
    signal,
  );
}

export function fetchImport(id: string, signal: AbortSignal): Promise<DriveImport> {
  return api.get<DriveImport>(`/api/v1/sensors/imports/${encodeURIComponent(id)}`, undefined, signal);
}

export function fetchTrack(importId: string, signal: AbortSignal): Promise<TrackCollection> {
  return api.get<TrackCollection>(
    `/api/v1/sensors/imports/${encodeURIComponent(importId)}/track`,
    undefined,
    signal,
  );
}

export interface Drive {
  info: DriveImport;
  track: TrackCollection;
  /** Readings of this drive in the hexagon asked about. */
  count: number;
}

/** At most this many drives are drawn for one hexagon; a busy road may have been driven hundreds of times. */
export const MAX_DRIVES = 8;

/** The drives among a hexagon's sources, each with its route; one that cannot be read is left out. */
export async function fetchDrives(sources: CellSource[], signal: AbortSignal): Promise<Drive[]> {
  const counts = new Map<string, number>();
  for (const source of sources) {
    if (source.import_id) counts.set(source.import_id, (counts.get(source.import_id) ?? 0) + source.count);
  }
  const ids = [...counts.keys()].slice(0, MAX_DRIVES);
  const settled = await Promise.allSettled(
    ids.map(async (id) => {
      const [info, track] = await Promise.all([fetchImport(id, signal), fetchTrack(id, signal)]);
      return { info, track, count: counts.get(id) ?? 0 };
    }),
  );
  return settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
}
