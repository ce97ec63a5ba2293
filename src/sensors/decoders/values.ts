import { type FieldError, TallyError } from '../../errors.js';
import { type Quantity, quantityNames } from '../quantities.js';
import type { DecodedReading } from './decoded-reading.js';

/** Where a reading was taken, when the wire format says so. */
export interface Place {
  lat: number;
  lon: number;
  altitude?: number;
}

/** How a wire format names a value: the quantity, its unit there, and a conversion into Tally's unit. */
export interface NamedValue {
  quantity: Quantity;
  unit: DecodedReading['unit'];
  /** Lower wins when two names in one payload give the same quantity. */
  rank: number;
  convert?: (value: number) => number;
}

/** A value a decoder recognised, before the readings of one uplink are settled. */
export interface ValueMatch extends Omit<NamedValue, 'convert'> {
  value: number;
}

export type NameRow = [Quantity, DecodedReading['unit'], string[], ((value: number) => number)?];

/** Rows in order of preference: a name in an earlier row, or earlier in its row, wins over a later one. */
export function nameTable(rows: NameRow[]): Map<string, NamedValue> {
  const table = new Map<string, NamedValue>();
  for (const [quantity, unit, names, convert] of rows) {
    for (const name of names) table.set(name, { quantity, unit, rank: table.size, convert });
  }
  return table;
}

export function matchOf(named: NamedValue, value: number): ValueMatch {
  const { quantity, unit, rank, convert } = named;
  return { quantity, unit, rank, value: convert ? convert(value) : value };
}

export function pascalToHpa(value: number): number {
  return value / 100;
}

export function malformed(field: string, message: string): TallyError {
  return new TallyError('malformed_readings', `${field || 'the body'}: ${message}`, [{ field, message }]);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON pointer (RFC 6901) from its unescaped parts. */
export function pointer(...parts: (string | number)[]): string {
  return parts.map((part) => `/${String(part).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

const decimal = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A plain decimal such as `-12.5` or `1e3`; never `NaN`, `Infinity`, hex or an empty string. */
export function parseDecimal(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed.length > 64 || !decimal.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

/** A finite JSON number, or a decimal written as a string (as airrohr and some payload formatters send). */
export function numberFrom(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
  if (typeof raw === 'string') return parseDecimal(raw);
  return null;
}

const rfc3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * Milliseconds since the epoch for an RFC 3339 date-time with a zone, or null. Fractions finer than a
 * millisecond (The Things Stack writes nanoseconds) are cut, not rounded, so a reading never moves later.
 */
export function parseInstant(text: string): number | null {
  const match = text.length <= 64 ? rfc3339.exec(text) : null;
  if (!match) return null;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match.slice(1, 7).map(Number);
  const millis = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offsetHours = Number(match[9] ?? 0);
  const offsetMinutes = Number(match[10] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  // 60 seconds is a leap second; Date rolls it into the next minute, which is as close as milliseconds get.
  if (hour > 23 || minute > 59 || second > 60 || offsetHours > 23 || offsetMinutes > 59) return null;
  // Date.UTC reads years below 100 as 19xx; setting the year afterwards keeps it as written.
  const utc = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, millis));
  utc.setUTCFullYear(year);
  const offset = (match[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return utc.getTime() - offset;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export const instantExpected = 'must be an RFC 3339 date-time with a zone, e.g. 2026-11-26T04:00:00Z';

/** A required capture time: the field's pointer names what is missing or unreadable. */
export function requireInstant(raw: unknown, field: string): number {
  if (raw === undefined || raw === null) throw malformed(field, 'is required');
  const instant = typeof raw === 'string' ? parseInstant(raw) : null;
  if (instant === null) throw malformed(field, instantExpected);
  return instant;
}

/** A required identifier: a non-empty string of reasonable length. */
export function requireId(raw: unknown, field: string): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw malformed(field, 'is required');
  if (raw.length > 255) throw malformed(field, 'must be at most 255 characters');
  return raw;
}

const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard padded base64, as The Things Network sends payload bytes; Buffer alone would skip junk silently. */
export function bytesFromBase64(raw: unknown, field: string): Uint8Array {
  if (typeof raw !== 'string' || !base64.test(raw)) throw malformed(field, 'must be base64');
  return new Uint8Array(Buffer.from(raw, 'base64'));
}

/**
 * A device's own position, or null. Devices without a fix send nothing, zeros (Cayenne LPP, TTN) or
 * out-of-range sentinels (airrohr sends -200): their readings still count, only without a place.
 */
export function devicePlace(rawLat: unknown, rawLon: unknown, rawAltitude?: unknown): Place | null {
  const lat = numberFrom(rawLat);
  const lon = numberFrom(rawLon);
  if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
  if (lat === 0 && lon === 0) return null;
  const altitude = numberFrom(rawAltitude);
  return altitude === null ? { lat, lon } : { lat, lon, altitude };
}

/** Barometers report hPa or Pa: no air pressure on the ground reaches 2000 hPa or falls to 2000 Pa. */
export function pressureInHpa(value: number): number {
  return value > 2000 ? value / 100 : value;
}

/** One reading per quantity (readings are unique per device, quantity and instant), in the catalog's order. */
function bestPerQuantity(matches: Iterable<ValueMatch>): ValueMatch[] {
  const best = new Map<Quantity, ValueMatch>();
  for (const match of matches) {
    const held = best.get(match.quantity);
    if (!held || match.rank < held.rank) best.set(match.quantity, match);
  }
  return quantityNames.flatMap((quantity) => best.get(quantity) ?? []);
}

export function toReadings(
  matches: Iterable<ValueMatch>,
  capturedAt: number,
  place: Place | null,
): DecodedReading[] {
  return bestPerQuantity(matches).map(({ quantity, value, unit }) => ({
    quantity,
    value,
    unit,
    capturedAt,
    ...place,
  }));
}

/** Collects every bad field of a batch, so one answer lists them all (up to a readable number). */
export class FieldErrors {
  static readonly limit = 100;
  readonly list: FieldError[] = [];
  count = 0;

  add(field: string, message: string): void {
    this.count += 1;
    if (this.list.length < FieldErrors.limit) this.list.push({ field, message });
  }

  throwIfAny(): void {
    if (this.count === 0) return;
    const first = this.list[0];
    const more = this.count > 1 ? ` (and ${this.count - 1} more)` : '';
    throw new TallyError('malformed_readings', `${first?.field}: ${first?.message}${more}`, this.list);
  }
}
