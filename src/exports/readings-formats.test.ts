import assert from 'node:assert/strict';
import { test } from 'node:test';
import { latLngToCell } from 'h3-js';
import type { CellAggregate, PublicReading } from '../sensors/readings.repository.js';
import type { OpenDataContext } from './open-data-stream.js';
import {
  type CellsContext,
  cellsCsvFormat,
  cellsGeojsonFormat,
  readingsCsvFormat,
  readingsGeojsonFormat,
  safecastTime,
  safecastValue,
} from './readings-formats.js';

const context: OpenDataContext = {
  deploymentName: 'Tally Fukushima',
  license: {
    id: 'CC0-1.0',
    name: 'Creative Commons Zero v1.0 Universal',
    url: 'https://creativecommons.org/publicdomain/zero/1.0/',
  },
  generatedAt: '2026-11-25T12:00:00.000Z',
};

const cellsContext: CellsContext = { ...context, quantity: 'radiation', resolution: 1 };

function reading(overrides: Partial<PublicReading> = {}): PublicReading {
  return {
    id: 7,
    deviceId: 'd-1',
    deviceName: 'Rooftop',
    quantity: 'radiation',
    capturedMs: Date.UTC(2011, 11, 8, 18, 16, 20),
    value: 0.122754,
    cpm: 41,
    lat: 37.4211,
    lon: 141.0328,
    altitude: 12.5,
    importId: 'i-1',
    md5: '0123456789abcdef0123456789abcdef',
    receivedMs: Date.UTC(2026, 10, 25, 9, 0, 0, 250),
    ...overrides,
  };
}

function cell(overrides: Partial<CellAggregate> = {}): CellAggregate {
  return {
    cell: latLngToCell(37.4211, 141.0328, 1),
    resolution: 1,
    lat: 37.4,
    lon: 141,
    count: 3,
    mean: 0.2,
    min: 0.1,
    max: 0.3,
    latestMs: Date.UTC(2024, 2, 1),
    latestValue: 0.15,
    ...overrides,
  };
}

function csvRow(row: string): string[] {
  return row.replace(/\r\n$/, '').split(',');
}

test('a time is written as Safecast writes it, whole seconds in UTC', () => {
  assert.equal(safecastTime(Date.UTC(2011, 11, 8, 18, 16, 20, 999)), '2011-12-08 18:16:20 UTC');
});

test('radiation with counts is given as CPM in cpm, as Safecast does', () => {
  assert.deepEqual(safecastValue(reading()), { value: 41, unit: 'cpm' });
});

test('radiation without counts is given as a dose rate in µSv/h', () => {
  assert.deepEqual(safecastValue(reading({ cpm: null, value: 0.08 })), { value: 0.08, unit: 'µSv/h' });
});

test('another quantity is given in its own unit', () => {
  assert.deepEqual(safecastValue(reading({ quantity: 'pm10', cpm: null, value: 31 })), {
    value: 31,
    unit: 'µg/m³',
  });
});

test('a readings CSV row fills the Safecast columns, leaves Surface and Radiation empty and names the licence', () => {
  const row = readingsCsvFormat({ hxl: false, extraColumns: false }).row(
    reading({ deviceName: 'Rooftop' }),
    context,
    true,
  );
  assert.equal(
    row,
    '2011-12-08 18:16:20 UTC,37.4211,141.0328,41,cpm,Rooftop,d-1,0123456789abcdef0123456789abcdef,12.5,,,' +
      '2026-11-25 09:00:00 UTC,i-1,CC0-1.0\r\n',
  );
});

test('a live reading has empty MD5Sum, Height and Loader ID cells', () => {
  const row = readingsCsvFormat({ hxl: false, extraColumns: false }).row(
    reading({ importId: null, md5: null, altitude: null }),
    context,
    true,
  );
  const cells = csvRow(row);
  assert.deepEqual([cells[7], cells[8], cells[12]], ['', '', '']);
});

test('the readings CSV header and HXL row have a cell for every column', () => {
  for (const extraColumns of [false, true]) {
    const [header, hashtags] = readingsCsvFormat({ hxl: true, extraColumns })
      .begin(context)
      .split('\r\n')
      .map(csvRow);
    assert.equal(hashtags?.length, header?.length);
    assert.equal(new Set(header).size, header?.length);
  }
});

test('a reading feature is a [longitude, latitude] point with the time in RFC 3339', () => {
  const feature = JSON.parse(readingsGeojsonFormat.row(reading(), context, true)) as {
    geometry: unknown;
    properties: { captured_at: string; received_at: string; unit: string };
  };
  assert.deepEqual(feature.geometry, { type: 'Point', coordinates: [141.0328, 37.4211] });
  assert.equal(feature.properties.captured_at, '2011-12-08T18:16:20.000Z');
  assert.equal(feature.properties.received_at, '2026-11-25T09:00:00.250Z');
  assert.equal(feature.properties.unit, 'µSv/h');
});

test('a readings GeoJSON file is one valid collection however many batches it was written in', () => {
  const format = readingsGeojsonFormat;
  const text =
    format.begin(context) +
    format.row(reading({ id: 1 }), context, true) +
    format.row(reading({ id: 2 }), context, false) +
    format.end(context);
  const collection = JSON.parse(text) as { features: { id: number }[]; license: { id: string } };
  assert.deepEqual(
    collection.features.map((feature) => feature.id),
    [1, 2],
  );
  assert.equal(collection.license.id, 'CC0-1.0');
});

test('the cells collection is named after its quantity and resolution', () => {
  const collection = JSON.parse(
    cellsGeojsonFormat.begin(cellsContext) + cellsGeojsonFormat.end(cellsContext),
  );
  assert.equal(collection.name, 'Tally Fukushima Radiation dose rate by H3 cell, resolution 1');
});

test('a cell that crosses the antimeridian is drawn as two polygons, one either side', () => {
  const fiji = cell({ cell: latLngToCell(-17.7, 179.9, 1) });
  const feature = JSON.parse(cellsGeojsonFormat.row(fiji, cellsContext, true)) as {
    geometry: { type: string; coordinates: [number, number][][][] };
  };
  assert.equal(feature.geometry.type, 'MultiPolygon');
  const [west, east] = feature.geometry.coordinates.map((polygon) => polygon[0] ?? []);
  assert.ok(west?.every(([lon]) => lon >= 0 && lon <= 180));
  assert.ok(east?.every(([lon]) => lon <= 0 && lon >= -180));
});

test('a cells CSV row gives the latest value with its time, the unit and the licence', () => {
  const row = cellsCsvFormat({ hxl: false }).row(cell(), cellsContext, true);
  assert.deepEqual(csvRow(row).slice(4), [
    '3',
    '0.2',
    '0.1',
    '0.3',
    '0.15',
    '2024-03-01T00:00:00.000Z',
    'radiation',
    'µSv/h',
    'CC0-1.0',
  ]);
});
