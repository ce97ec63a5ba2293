import { cutAtAntimeridian } from '../geo/antimeridian.js';
import { countsPerMinute, isQuantity, type Quantity, quantities } from '../sensors/quantities.js';
import type { CellAggregate, PublicReading } from '../sensors/readings.repository.js';
import { withBoundary } from '../sensors/readings.service.js';
import {
  type CsvColumn,
  csvTable,
  featureCollectionEnd,
  featureCollectionStart,
  featureLine,
  type OpenDataContext,
  type StreamFormat,
} from './open-data-stream.js';

export type ReadingsFormat = StreamFormat<PublicReading, OpenDataContext>;

/** The cells export is of one quantity at one resolution; the file says which. */
export interface CellsContext extends OpenDataContext {
  quantity: Quantity;
  resolution: number;
}

export type CellsFormat = StreamFormat<CellAggregate, CellsContext>;

const geojsonType = { contentType: 'application/geo+json; charset=utf-8', extension: 'geojson' };

function unitOf(quantity: string): string | null {
  return isQuantity(quantity) ? quantities[quantity].unit : null;
}

function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * How Safecast's API writes a time in its CSV (Ruby's `Time#to_s` in UTC): `2011-12-08 18:16:20 UTC`, whole
 * seconds. The GeoJSON keeps the milliseconds.
 */
export function safecastTime(ms: number): string {
  return `${isoTime(ms).slice(0, 19).replace('T', ' ')} UTC`;
}

/** Safecast publishes radiation as counts per minute with the unit `cpm`; other quantities in their unit. */
export function safecastValue(reading: PublicReading): { value: number; unit: string | null } {
  if (reading.quantity === 'radiation' && reading.cpm !== null) {
    return { value: reading.cpm, unit: countsPerMinute };
  }
  return { value: reading.value, unit: unitOf(reading.quantity) };
}

// ---- Readings CSV with Safecast's columns ----

type ReadingColumn = CsvColumn<PublicReading, OpenDataContext>;

/** Safecast's measurement export, column for column, so tools written for it read this file unchanged. */
const safecastColumns: ReadingColumn[] = [
  { header: 'Captured Time', hxl: '#date +captured', value: (r) => safecastTime(r.capturedMs) },
  { header: 'Latitude', hxl: '#geo +lat', value: (r) => r.lat },
  { header: 'Longitude', hxl: '#geo +lon', value: (r) => r.lon },
  { header: 'Value', hxl: '#indicator +value +num', value: (r) => safecastValue(r).value },
  { header: 'Unit', hxl: '#indicator +unit', value: (r) => safecastValue(r).unit },
  { header: 'Location Name', hxl: '#loc +name', value: (r) => r.deviceName },
  { header: 'Device ID', hxl: '#meta +device +id', value: (r) => r.deviceId },
  // Safecast puts the MD5 of each log line here; Tally keeps the lines' numbers, not their text, so it names
  // the drive log the reading came from by the file's MD5.
  { header: 'MD5Sum', hxl: '#meta +md5', value: (r) => r.md5 },
  { header: 'Height', hxl: '#geo +elevation +m', value: (r) => r.altitude },
  // Safecast's own export leaves these two empty for nearly every measurement; Tally records neither.
  { header: 'Surface', hxl: '#meta +surface', value: () => null },
  { header: 'Radiation', hxl: '#meta +radiation', value: () => null },
  { header: 'Uploaded Time', hxl: '#date +reported', value: (r) => safecastTime(r.receivedMs) },
  { header: 'Loader ID', hxl: '#meta +import +id', value: (r) => r.importId },
];

/**
 * Opt-in, after Safecast's: which quantity a row is (PM1, PM2.5 and PM10 share µg/m³) and its value in the
 * quantity's unit (radiation in µSv/h, converted with the device's own factor).
 */
const quantityColumns: ReadingColumn[] = [
  { header: 'Quantity', hxl: '#indicator +type', value: (r) => r.quantity },
  { header: 'Quantity Value', hxl: '#indicator +value +num +converted', value: (r) => r.value },
  { header: 'Quantity Unit', hxl: '#indicator +unit +converted', value: (r) => unitOf(r.quantity) },
];

/** Last, after Safecast's own columns (which tools read by name or position): a saved file names its licence. */
const licenseColumn: ReadingColumn = {
  header: 'License',
  hxl: '#meta +license',
  value: (_r, c) => c.license.id,
};

export function readingsCsvFormat(options: { hxl: boolean; extraColumns: boolean }): ReadingsFormat {
  return csvTable(
    [...safecastColumns, ...(options.extraColumns ? quantityColumns : []), licenseColumn],
    options.hxl,
  );
}

// ---- Readings GeoJSON ----

export const readingsGeojsonFormat: ReadingsFormat = {
  ...geojsonType,
  begin: (context) => featureCollectionStart(`${context.deploymentName} sensor readings`, context),
  row: (reading, _context, first) =>
    featureLine(
      {
        type: 'Feature',
        id: reading.id,
        geometry: { type: 'Point', coordinates: [reading.lon, reading.lat] },
        properties: {
          captured_at: isoTime(reading.capturedMs),
          quantity: reading.quantity,
          value: reading.value,
          unit: unitOf(reading.quantity),
          cpm: reading.cpm,
          device_id: reading.deviceId,
          device_name: reading.deviceName,
          import_id: reading.importId,
          altitude: reading.altitude,
          received_at: isoTime(reading.receivedMs),
        },
      },
      first,
    ),
  end: () => featureCollectionEnd,
};

// ---- H3 cell aggregates ----

const cellColumns: CsvColumn<CellAggregate, CellsContext>[] = [
  { header: 'cell', hxl: '#geo +code +h3', value: (c) => c.cell },
  { header: 'resolution', hxl: '#meta +resolution +num', value: (c) => c.resolution },
  { header: 'lat', hxl: '#geo +lat', value: (c) => c.lat },
  { header: 'lon', hxl: '#geo +lon', value: (c) => c.lon },
  { header: 'count', hxl: '#indicator +count +num', value: (c) => c.count },
  { header: 'mean', hxl: '#indicator +mean +num', value: (c) => c.mean },
  { header: 'min', hxl: '#indicator +min +num', value: (c) => c.min },
  { header: 'max', hxl: '#indicator +max +num', value: (c) => c.max },
  { header: 'latest', hxl: '#indicator +latest +num', value: (c) => c.latestValue },
  { header: 'latest_at', hxl: '#date +latest', value: (c) => isoTime(c.latestMs) },
  { header: 'quantity', hxl: '#indicator +type', value: (_c, x) => x.quantity },
  { header: 'unit', hxl: '#indicator +unit', value: (_c, x) => quantities[x.quantity].unit },
  { header: 'license', hxl: '#meta +license', value: (_c, x) => x.license.id },
];

export function cellsCsvFormat(options: { hxl: boolean }): CellsFormat {
  return csvTable(cellColumns, options.hxl);
}

export const cellsGeojsonFormat: CellsFormat = {
  ...geojsonType,
  begin: (context) =>
    featureCollectionStart(
      `${context.deploymentName} ${quantities[context.quantity].label} by H3 cell, resolution ${context.resolution}`,
      context,
    ),
  row: (cell, context, first) =>
    featureLine(
      {
        type: 'Feature',
        id: cell.cell,
        geometry: cutAtAntimeridian(withBoundary(cell).boundary),
        properties: {
          cell: cell.cell,
          resolution: cell.resolution,
          quantity: context.quantity,
          unit: quantities[context.quantity].unit,
          lat: cell.lat,
          lon: cell.lon,
          count: cell.count,
          mean: cell.mean,
          min: cell.min,
          max: cell.max,
          latest: cell.latestValue,
          latest_at: isoTime(cell.latestMs),
        },
      },
      first,
    ),
  end: () => featureCollectionEnd,
};
