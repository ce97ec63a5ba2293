import { cellToLatLng, latLngToCell } from 'h3-js';
import type { Quantity } from './quantities.js';

export const mobilities = ['fixed', 'mobile'] as const;
export type Mobility = (typeof mobilities)[number];

/** `coarse`: a fixed device at someone's home is shown, with its readings, at the centre of a 5 km² hexagon. */
export const locationPrecisions = ['exact', 'coarse'] as const;
export type LocationPrecision = (typeof locationPrecisions)[number];

// A type, not an interface: it goes into the public record's JSON as it is.
export type Position = {
  lat: number;
  lon: number;
};

export interface Device {
  id: string;
  ownerId: string;
  name: string;
  model: string;
  sensor: string;
  quantity: Quantity;
  /** Counts per minute per µSv/h; null for a device that sends no counts. */
  cpmPerUnit: number | null;
  mobility: Mobility;
  /** Exact; only its owner sees it. */
  location: Position | null;
  /** What the public sees, and where the device's readings are placed. */
  publicLocation: Position | null;
  locationPrecision: LocationPrecision;
  network: string | null;
  externalId: string | null;
  hardwareId: string | null;
  serial: string | null;
  payloadFormat: string | null;
  createdAt: string;
  updatedAt: string;
  lastReadingAt: string | null;
}

/** H3 resolution 7: hexagons of about 5 km², enough to hide a house among thousands. */
const coarseResolution = 7;

export function publicPosition(location: Position | null, precision: LocationPrecision): Position | null {
  if (!location) return null;
  if (precision === 'exact') return location;
  const [lat, lon] = cellToLatLng(latLngToCell(location.lat, location.lon, coarseResolution));
  return { lat: Math.round(lat * 1e5) / 1e5, lon: Math.round(lon * 1e5) / 1e5 };
}
