/** A sensor device as the API gives it (`/api/v1/sensors/devices`); the private fields only to its owner. */

export type Position = { lat: number; lon: number };

export interface SensorDevice {
  id: string;
  name: string;
  model: string;
  sensor: string;
  quantity: string;
  unit: string;
  /** Counts per minute per µSv/h; null for a device that sends no counts. */
  cpm_per_unit: number | null;
  mobility: 'fixed' | 'mobile';
  /** Where the public sees a fixed device: exact, or the centre of a hexagon of about 5 km². */
  location: Position | null;
  location_precision: 'exact' | 'coarse';
  created_at: string;
  last_reading_at: string | null;
  exact_location?: Position | null;
  network?: string | null;
  external_id?: string | null;
  hardware_id?: string | null;
  serial?: string | null;
  payload_format?: string | null;
}

export function deviceUrl(id: string, action?: 'token'): string {
  const path = `/api/v1/sensors/devices/${encodeURIComponent(id)}`;
  return action ? `${path}/${action}` : path;
}
