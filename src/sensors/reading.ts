import { type FieldError, TallyError } from '../errors.js';
import type { DecodedReading } from './decoders/decoded-reading.js';
import type { Device } from './device.js';
import { type Quantity, quantities } from './quantities.js';

/** Quality bits of a stored reading. Only readings with none are mapped and published as open data. */
export const readingFlags = {
  /** The GPS had no fix: the position is stale or missing. */
  noGpsFix: 1,
  /** The counter had not yet counted a full minute: the CPM is low. */
  countsNotValid: 2,
} as const;

export interface NewReading {
  deviceId: string;
  quantity: Quantity;
  capturedMs: number;
  value: number;
  cpm: number | null;
  lat: number | null;
  lon: number | null;
  altitude: number | null;
  flags: number;
  importId: string | null;
  line: number | null;
  receivedMs: number;
}

/** A reading may be this far ahead of the server's clock (devices' clocks drift). */
export const futureToleranceMs = 5 * 60_000;
/** Nothing older was measured by any network Tally hosts; older times are a device's unset clock. */
export const earliestCaptureMs = Date.UTC(1990, 0, 1);

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** µSv/h from counts per minute with the device's own factor, to the precision a tube gives. */
export function doseRate(cpm: number, cpmPerUnit: number): number {
  return round(cpm / cpmPerUnit, 6);
}

/**
 * Turns what a device sent into readings to store, or refuses the whole batch naming every bad reading:
 * nothing of a batch is stored unless all of it can be. A fixed device's readings are placed where the
 * public sees the device, never at its exact place.
 */
export function readingsFromDevice(
  device: Device,
  decoded: readonly DecodedReading[],
  nowMs: number,
  pointer = (index: number) => `/readings/${index}`,
): NewReading[] {
  const errors: FieldError[] = [];
  let code: 'reading_out_of_range' | 'reading_in_future' | 'malformed_readings' = 'reading_out_of_range';
  const readings: NewReading[] = [];
  const toReading = (reading: DecodedReading, index: number): NewReading | null => {
    const at = pointer(index);
    const problem = (field: string, message: string, kind: typeof code = 'reading_out_of_range') => {
      if (errors.length === 0) code = kind;
      errors.push({ field: `${at}${field}`, message });
      return null;
    };
    const range = quantities[reading.quantity];
    let value = reading.value;
    let cpm: number | null = null;
    if (reading.unit === 'cpm') {
      if (reading.quantity !== 'radiation') {
        return problem('/cpm', 'counts per minute are for radiation only', 'malformed_readings');
      }
      if (!device.cpmPerUnit) {
        return problem(
          '/cpm',
          `device ${device.id} has no conversion factor (cpm_per_unit) for counts per minute`,
          'malformed_readings',
        );
      }
      if (!(reading.value >= 0) || !Number.isFinite(reading.value))
        return problem('/cpm', 'must be zero or more');
      cpm = reading.value;
      value = doseRate(reading.value, device.cpmPerUnit);
    }
    if (!Number.isFinite(value) || value < range.min || value > range.max) {
      return problem('/value', `${value} ${range.unit} is outside ${range.min}…${range.max} ${range.unit}`);
    }
    if (!Number.isFinite(reading.capturedAt) || reading.capturedAt < earliestCaptureMs) {
      return problem('/captured_at', 'is before 1990');
    }
    if (reading.capturedAt > nowMs + futureToleranceMs) {
      return problem(
        '/captured_at',
        `${new Date(reading.capturedAt).toISOString()} is in the future (the server's time is ${new Date(nowMs).toISOString()})`,
        'reading_in_future',
      );
    }
    let lat = reading.lat ?? null;
    let lon = reading.lon ?? null;
    if (device.mobility === 'fixed') {
      lat = device.publicLocation?.lat ?? null;
      lon = device.publicLocation?.lon ?? null;
    } else if (lat !== null && lon !== null) {
      if (!(lat >= -90 && lat <= 90)) return problem('/lat', 'must be between -90 and 90');
      if (!(lon >= -180 && lon <= 180)) return problem('/lon', 'must be between -180 and 180');
    } else {
      lat = null;
      lon = null;
    }
    return {
      deviceId: device.id,
      quantity: reading.quantity,
      capturedMs: reading.capturedAt,
      value,
      cpm,
      lat,
      lon,
      altitude: device.mobility === 'fixed' ? null : (reading.altitude ?? null),
      flags: 0,
      importId: null,
      line: null,
      receivedMs: nowMs,
    };
  };
  decoded.forEach((reading, index) => {
    const stored = toReading(reading, index);
    if (stored) readings.push(stored);
  });
  if (errors.length > 0) {
    const first = errors[0] as FieldError;
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    throw new TallyError(
      code,
      `${first.field}: ${first.message}${more}; nothing was stored`,
      errors.slice(0, 100),
    );
  }
  return readings;
}
