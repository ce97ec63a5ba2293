import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { cellToBoundary, getResolution, latLngToCell } from 'h3-js';
import type { App } from '../../src/app.js';
import { buildTestApp } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { csvRecords, parseCsv } from '../helpers/formats.js';
import { assertProblem } from '../helpers/reports.js';
import {
  approvedLog,
  bgeigieNano,
  bgeigieSample,
  type Headers,
  registerDevice,
  sendReadings,
  submittedLog,
} from '../helpers/sensors.js';

/**
 * A real bGeigie Mini drive in New York State, 8 December 2011: Safecast/safecastapi spec/fixtures/bgeigie_nyc.log,
 * CC0. Of its 29 lines, the first 8 have neither a GPS fix nor a full minute of counts, the next 4 a fix but
 * no valid CPM; the 17 from 18:16:20 on have both and are the only ones published.
 */
const nycFile = 'safecastapi-bgeigie_nyc.log';
const nycLogMd5 = createHash('md5').update(bgeigieSample(nycFile)).digest('hex');
const nycFlawlessTimes = [
  '18:16:20',
  '18:16:26',
  '18:16:31',
  '18:16:36',
  '18:16:41',
  '18:16:46',
  '18:16:51',
  '18:16:56',
  '18:17:01',
  '18:17:06',
  '18:17:11',
  '18:17:16',
  '18:17:21',
  '18:17:26',
  '18:17:31',
  '18:17:36',
  '18:17:41',
].map((time) => `2011-12-08 ${time} UTC`);

const safecastHeader = [
  'Captured Time',
  'Latitude',
  'Longitude',
  'Value',
  'Unit',
  'Location Name',
  'Device ID',
  'MD5Sum',
  'Height',
  'Surface',
  'Radiation',
  'Uploaded Time',
  'Loader ID',
];

const cc0 = {
  id: 'CC0-1.0',
  name: 'Creative Commons Zero v1.0 Universal',
  url: 'https://creativecommons.org/publicdomain/zero/1.0/',
};
/** Around the drive, which was in the Hudson Valley, north of the city (41.7° N, 73.9° W). */
const driveBbox = '-74.0,41.6,-73.8,41.8';
const fukushima = { lat: 37.4211, lon: 141.0328 };

interface FeatureCollection<Geometry = { type: string; coordinates: unknown }> {
  type: string;
  name: string;
  license: { id: string; name: string; url: string };
  features: { type: string; id: string | number; geometry: Geometry; properties: Record<string, unknown> }[];
}

interface ReadingInput {
  captured_at: string;
  cpm?: number;
  quantity?: string;
  value?: number;
  lat?: number;
  lon?: number;
}

/** A bGeigie Mini of the owner's, by the name the exports show. */
async function loggerNamed(app: App, owner: Headers, name: string): Promise<{ id: string; token: string }> {
  const { device, token } = await registerDevice(app, owner, { ...bgeigieNano, model: 'bGeigie Mini', name });
  return { id: device.id, token };
}

/** The NYC drive as a user makes it public: import, submit, and a volunteer's approval. */
async function approvedNycDrive(app: App, as: (role: 'reporter' | 'volunteer') => Promise<Headers>) {
  const owner = await as('reporter');
  const device = await loggerNamed(app, owner, 'Pieter’s bGeigie, NYC');
  const approved = await approvedLog(app, owner, await as('volunteer'), nycFile, `&device_id=${device.id}`);
  return { device, importId: approved.id };
}

async function storeReadings(app: App, deviceToken: string, readings: ReadingInput[]): Promise<void> {
  const response = await sendReadings(app, deviceToken, { readings });
  assert.equal(response.statusCode, 200, response.body);
  assert.equal(response.json<{ stored: number }>().stored, readings.length);
}

/** `count` radiation readings a second apart along a line near Fukushima, from 1 March 2024. */
function liveRadiation(count: number, offset = 0): ReadingInput[] {
  return Array.from({ length: count }, (_, i) => ({
    captured_at: new Date(Date.UTC(2024, 2, 1) + (offset + i) * 1000).toISOString(),
    cpm: 30 + ((offset + i) % 20),
    lat: fukushima.lat + (offset + i) * 1e-6,
    lon: fukushima.lon,
  }));
}

async function exported(app: App, path: string) {
  const response = await app.inject({ url: `/api/v1/exports/${path}` });
  assert.equal(response.statusCode, 200, response.body);
  return response;
}

async function readingsCsv(app: App, query = ''): Promise<Record<string, string>[]> {
  return csvRecords((await exported(app, `readings.csv${query ? `?${query}` : ''}`)).body);
}

async function geojson<Geometry>(app: App, path: string): Promise<FeatureCollection<Geometry>> {
  return (await exported(app, path)).json<FeatureCollection<Geometry>>();
}

forEachDatabase('sensor readings as open data', (open) => {
  test("the readings CSV has Safecast's columns in Safecast's order, then the licence", async () => {
    const { app } = await buildTestApp(await open());
    const [header] = parseCsv((await exported(app, 'readings.csv')).body);
    assert.deepEqual(header, [...safecastHeader, 'License']);
  });

  test("an approved drive log's flawless lines are exported, the others are not", async () => {
    const { app, as } = await buildTestApp(await open());
    await approvedNycDrive(app, as);
    const records = await readingsCsv(app);
    assert.deepEqual(
      records.map((record) => record['Captured Time']),
      nycFlawlessTimes,
    );
  });

  test('an exported drive-log line carries its CPM, device, drive log MD5, altitude and import', async () => {
    const { app, as } = await buildTestApp(await open());
    const { device, importId } = await approvedNycDrive(app, as);
    const records = await readingsCsv(app);
    // $BMRDD,028,2011-12-08T18:16:20Z,41,2,46,A,4141.7977,N,07355.2556,W,438.8,A,1.5,1*4C
    const { 'Uploaded Time': uploaded, ...first } = records[0] ?? {};
    assert.deepEqual(first, {
      'Captured Time': '2011-12-08 18:16:20 UTC',
      Latitude: String(41 + 41.7977 / 60),
      Longitude: String(-(73 + 55.2556 / 60)),
      Value: '41',
      Unit: 'cpm',
      'Location Name': 'Pieter’s bGeigie, NYC',
      'Device ID': device.id,
      MD5Sum: nycLogMd5,
      Height: '438.8',
      Surface: '',
      Radiation: '',
      'Loader ID': importId,
      License: 'CC0-1.0',
    });
    assert.match(uploaded ?? '', /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
  });

  test("the drive log's last line, cut off without a line break, is exported too", async () => {
    const { app, as } = await buildTestApp(await open());
    await approvedNycDrive(app, as);
    const last = (await readingsCsv(app)).at(-1);
    // $BMRDD,028,2011-12-08T18:17:41Z,39,1,97,A,4141.8347,N,07355.3557,W,640.1,A,1.4,1*49
    assert.deepEqual(
      [last?.['Captured Time'], last?.Value, last?.Latitude, last?.Longitude, last?.Height],
      ['2011-12-08 18:17:41 UTC', '39', String(41 + 41.8347 / 60), String(-(73 + 55.3557 / 60)), '640.1'],
    );
  });

  test('a drive log that is submitted but not approved is not exported', async () => {
    const { app, as } = await buildTestApp(await open());
    const owner = await as('reporter');
    const device = await loggerNamed(app, owner, 'bGeigie awaiting review');
    await submittedLog(app, owner, nycFile, `&device_id=${device.id}`);
    assert.deepEqual(await readingsCsv(app), []);
    assert.deepEqual((await geojson(app, 'readings.geojson')).features, []);
  });

  test('a drive log that was rejected is not exported', async () => {
    const { app, as } = await buildTestApp(await open());
    const owner = await as('reporter');
    const device = await loggerNamed(app, owner, 'bGeigie with a bad drive');
    const submitted = await submittedLog(app, owner, nycFile, `&device_id=${device.id}`);
    const rejected = await app.inject({
      method: 'POST',
      url: `/api/v1/sensors/imports/${submitted.id}/reject`,
      headers: await as('volunteer'),
      payload: { reason: 'The device was left on a radioactive watch' },
    });
    assert.equal(rejected.statusCode, 200, rejected.body);
    assert.deepEqual(await readingsCsv(app), []);
  });

  test('a live radiation reading is exported as CPM with no MD5 and no loader', async () => {
    const { app, as } = await buildTestApp(await open());
    const device = await loggerNamed(app, await as('reporter'), 'Rooftop in Minamisoma');
    await storeReadings(app, device.token, [
      { captured_at: '2024-03-01T09:30:00Z', cpm: 40, lat: fukushima.lat, lon: fukushima.lon },
    ]);
    const [record] = await readingsCsv(app);
    assert.deepEqual(
      [record?.['Captured Time'], record?.Value, record?.Unit, record?.['Device ID'], record?.MD5Sum],
      ['2024-03-01 09:30:00 UTC', '40', 'cpm', device.id, ''],
    );
    assert.equal(record?.['Loader ID'], '');
  });

  test("a live reading of another quantity is exported in that quantity's unit", async () => {
    const { app, as } = await buildTestApp(await open());
    const device = await loggerNamed(app, await as('reporter'), 'Air station, Shibuya');
    await storeReadings(app, device.token, [
      { captured_at: '2024-03-01T09:30:00Z', quantity: 'pm2_5', value: 12.5, lat: 35.66, lon: 139.7 },
    ]);
    const [record] = await readingsCsv(app);
    assert.deepEqual([record?.Value, record?.Unit], ['12.5', 'µg/m³']);
  });

  test('a live reading without a position is not exported', async () => {
    const { app, as } = await buildTestApp(await open());
    const device = await loggerNamed(app, await as('reporter'), 'bGeigie indoors');
    await storeReadings(app, device.token, [{ captured_at: '2024-03-01T09:30:00Z', cpm: 40 }]);
    assert.deepEqual(await readingsCsv(app), []);
  });

  test("extra_columns=true adds the quantity, its value in µSv/h and the licence after Safecast's columns", async () => {
    const { app, as } = await buildTestApp(await open());
    await approvedNycDrive(app, as);
    const [header, first] = parseCsv((await exported(app, 'readings.csv?extra_columns=true')).body);
    assert.deepEqual(header, [...safecastHeader, 'Quantity', 'Quantity Value', 'Quantity Unit', 'License']);
    // 41 CPM / 334 CPM per µSv/h, kept to the precision a tube gives.
    assert.deepEqual(first?.slice(safecastHeader.length), ['radiation', '0.122754', 'µSv/h', cc0.id]);
  });

  test('the readings CSV with hxl=true has an HXL hashtag row under the header', async () => {
    const { app, as } = await buildTestApp(await open());
    await approvedNycDrive(app, as);
    const [header, hashtags, first] = parseCsv((await exported(app, 'readings.csv?hxl=true')).body);
    assert.equal(hashtags?.length, header?.length);
    assert.ok(
      hashtags?.every((tag) => tag.startsWith('#')),
      `not all HXL tags: ${hashtags}`,
    );
    assert.equal(hashtags?.[header?.indexOf('Latitude') ?? -1], '#geo +lat');
    assert.equal(first?.[0], '2011-12-08 18:16:20 UTC');
  });

  test('the readings GeoJSON is a FeatureCollection of [longitude, latitude] points with their properties', async () => {
    const { app, as } = await buildTestApp(await open());
    const { device, importId } = await approvedNycDrive(app, as);
    const collection = await geojson(app, 'readings.geojson');
    assert.equal(collection.type, 'FeatureCollection');
    assert.equal(collection.features.length, nycFlawlessTimes.length);
    const [first] = collection.features;
    assert.equal(first?.type, 'Feature');
    assert.deepEqual(first?.geometry, {
      type: 'Point',
      coordinates: [-(73 + 55.2556 / 60), 41 + 41.7977 / 60],
    });
    const { received_at: receivedAt, ...properties } = first?.properties ?? {};
    assert.deepEqual(properties, {
      captured_at: '2011-12-08T18:16:20.000Z',
      quantity: 'radiation',
      value: 0.122754, // 41 CPM / 334, to the precision a tube gives
      unit: 'µSv/h',
      cpm: 41,
      device_id: device.id,
      device_name: 'Pieter’s bGeigie, NYC',
      import_id: importId,
      altitude: 438.8,
    });
    assert.ok(!Number.isNaN(Date.parse(String(receivedAt))));
  });

  test('the quantity filter keeps readings of that quantity only', async () => {
    const { app, as } = await buildTestApp(await open());
    const device = await loggerNamed(app, await as('reporter'), 'Air and radiation, Shibuya');
    await storeReadings(app, device.token, [
      { captured_at: '2024-03-01T09:30:00Z', cpm: 40, lat: 35.66, lon: 139.7 },
      { captured_at: '2024-03-01T09:30:00Z', quantity: 'pm2_5', value: 12.5, lat: 35.66, lon: 139.7 },
    ]);
    const records = await readingsCsv(app, 'quantity=pm2_5');
    assert.deepEqual(
      records.map((record) => record.Unit),
      ['µg/m³'],
    );
  });

  test('the device filter keeps that device’s readings only', async () => {
    const { app, as } = await buildTestApp(await open());
    const owner = await as('reporter');
    const kept = await loggerNamed(app, owner, 'Kept');
    const other = await loggerNamed(app, owner, 'Other');
    await storeReadings(app, kept.token, liveRadiation(2));
    await storeReadings(app, other.token, liveRadiation(3));
    const records = await readingsCsv(app, `device=${kept.id}`);
    assert.deepEqual(
      records.map((record) => record['Location Name']),
      ['Kept', 'Kept'],
    );
  });

  test('the import filter keeps that drive log’s readings only', async () => {
    const { app, as } = await buildTestApp(await open());
    const { device, importId } = await approvedNycDrive(app, as);
    await storeReadings(app, device.token, liveRadiation(3));
    const records = await readingsCsv(app, `import=${importId}`);
    assert.equal(records.length, nycFlawlessTimes.length);
    assert.ok(records.every((record) => record['Loader ID'] === importId));
  });

  test('the bbox filter keeps readings inside the box only', async () => {
    const { app, as } = await buildTestApp(await open());
    const { device } = await approvedNycDrive(app, as);
    await storeReadings(app, device.token, liveRadiation(3));
    const inJapan = await readingsCsv(app, 'bbox=140,37,142,38');
    assert.deepEqual(
      inJapan.map((record) => record['Captured Time']),
      ['2024-03-01 00:00:00 UTC', '2024-03-01 00:00:01 UTC', '2024-03-01 00:00:02 UTC'],
    );
    assert.equal((await readingsCsv(app, `bbox=${driveBbox}`)).length, nycFlawlessTimes.length);
  });

  test('since and until keep readings captured between them, both ends included', async () => {
    const { app, as } = await buildTestApp(await open());
    await approvedNycDrive(app, as);
    const records = await readingsCsv(app, 'since=2011-12-08T18:17:01Z&until=2011-12-08T18:17:26Z');
    assert.deepEqual(
      records.map((record) => record['Captured Time']),
      nycFlawlessTimes.slice(8, 14),
    );
  });

  test('a bare date in until means the whole of that day', async () => {
    const { app, as } = await buildTestApp(await open());
    const { device } = await approvedNycDrive(app, as);
    await storeReadings(app, device.token, liveRadiation(1));
    const records = await readingsCsv(app, 'since=2011-12-08&until=2011-12-08');
    assert.equal(records.length, nycFlawlessTimes.length);
  });

  test('a bad bbox is refused as problem+json before anything is streamed', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({ url: '/api/v1/exports/readings.csv?bbox=north-of-here' });
    assertProblem(response, 400, 'validation_failed', 'query/bbox');
    assert.equal(response.headers['content-disposition'], undefined);
  });

  test('a since that is not a time is refused with the field named', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({ url: '/api/v1/exports/readings.geojson?since=yesterday' });
    assertProblem(response, 400, 'validation_failed', 'query/since');
  });

  test('an until before since is refused with the field named', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({
      url: '/api/v1/exports/readings.csv?since=2024-03-02&until=2024-03-01',
    });
    assertProblem(response, 400, 'validation_failed', 'query/until');
  });

  test('an unknown quantity is refused with the field named', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({ url: '/api/v1/exports/readings.csv?quantity=plutonium' });
    assertProblem(response, 400, 'validation_failed', 'query/quantity');
  });

  test('an unknown filter is refused rather than ignored', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({ url: '/api/v1/exports/readings.csv?status=pending' });
    assertProblem(response, 400, 'validation_failed', 'query/status');
  });

  test('every readings and cells file names the CC0 licence in a Link header by default', async () => {
    const { app } = await buildTestApp(await open());
    for (const path of ['readings.csv', 'readings.geojson', 'cells.csv', 'cells.geojson']) {
      const response = await exported(app, path);
      assert.equal(response.headers.link, `<${cc0.url}>; rel="license"`, path);
      assert.equal(response.headers['x-license'], cc0.id, path);
    }
  });

  test('each readings and cells file is served with its media type as a dated download', async () => {
    const { app } = await buildTestApp(await open());
    const expected = {
      'readings.csv': ['text/csv; charset=utf-8', /^attachment; filename="readings-\d{4}-\d{2}-\d{2}\.csv"$/],
      'readings.geojson': [
        'application/geo+json; charset=utf-8',
        /^attachment; filename="readings-\d{4}-\d{2}-\d{2}\.geojson"$/,
      ],
      'cells.csv?quantity=pm10&resolution=5': [
        'text/csv; charset=utf-8',
        /^attachment; filename="cells-pm10-r5-\d{4}-\d{2}-\d{2}\.csv"$/,
      ],
      'cells.geojson': [
        'application/geo+json; charset=utf-8',
        /^attachment; filename="cells-radiation-r7-\d{4}-\d{2}-\d{2}\.geojson"$/,
      ],
    } as const;
    for (const [path, [type, disposition]] of Object.entries(expected)) {
      const response = await exported(app, path);
      assert.equal(response.headers['content-type'], type, path);
      assert.match(String(response.headers['content-disposition']), disposition, path);
    }
  });

  test('the readings and cells GeoJSON collections carry a license member', async () => {
    const { app } = await buildTestApp(await open());
    for (const path of ['readings.geojson', 'cells.geojson']) {
      assert.deepEqual((await geojson(app, path)).license, cc0, path);
    }
  });

  test('the readings licence is the configured one, not the reports licence', async () => {
    const odbl = {
      id: 'ODbL-1.0',
      name: 'Open Data Commons Open Database License v1.0',
      url: 'https://opendatacommons.org/licenses/odbl/1-0/',
    };
    const { app } = await buildTestApp(await open(), { readingsLicense: odbl });
    const response = await exported(app, 'readings.geojson');
    assert.equal(response.headers.link, `<${odbl.url}>; rel="license"`);
    assert.deepEqual(response.json<FeatureCollection>().license, odbl);
  });

  test('the cells CSV names the quantity, unit and licence on every row', async () => {
    const { app, as } = await buildTestApp(await open());
    await approvedNycDrive(app, as);
    const records = csvRecords((await exported(app, 'cells.csv?quantity=radiation&resolution=7')).body);
    assert.ok(records.length > 0);
    for (const record of records) {
      assert.deepEqual([record.quantity, record.unit, record.license], ['radiation', 'µSv/h', cc0.id]);
    }
  });

  test('the cells CSV aggregates exactly the exported readings, cell by cell', async () => {
    const { app, as } = await buildTestApp(await open());
    await approvedNycDrive(app, as);
    const points = (await geojson<{ coordinates: [number, number] }>(app, 'readings.geojson')).features;
    const expected = new Map<string, number[]>();
    for (const point of points) {
      const [lon, lat] = point.geometry.coordinates;
      const cell = latLngToCell(lat, lon, 7);
      expected.set(cell, [...(expected.get(cell) ?? []), point.properties.value as number]);
    }
    const records = csvRecords((await exported(app, 'cells.csv?quantity=radiation&resolution=7')).body);
    assert.deepEqual(records.map((record) => record.cell).sort(), [...expected.keys()].sort());
    for (const record of records) {
      const values = expected.get(record.cell ?? '') ?? [];
      assert.equal(Number(record.resolution), 7);
      assert.equal(Number(record.count), values.length);
      assert.equal(Number(record.min), Math.min(...values));
      assert.equal(Number(record.max), Math.max(...values));
      const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
      // Means are given to a millionth of the unit.
      assert.ok(Math.abs(Number(record.mean) - mean) <= 5e-7, `${record.mean} ≠ ${mean}`);
    }
  });

  test('the cells CSV of a cell gives its latest value and when it was measured', async () => {
    const { app, as } = await buildTestApp(await open());
    const device = await loggerNamed(app, await as('reporter'), 'Rooftop in Minamisoma');
    await storeReadings(app, device.token, [
      { captured_at: '2024-03-01T09:30:00Z', cpm: 40, lat: fukushima.lat, lon: fukushima.lon },
      { captured_at: '2024-03-01T09:31:00Z', cpm: 50, lat: fukushima.lat, lon: fukushima.lon },
    ]);
    const [record] = csvRecords((await exported(app, 'cells.csv?resolution=9')).body);
    // 50 CPM / 334 CPM per µSv/h.
    assert.deepEqual(
      [record?.cell, record?.count, record?.latest, record?.latest_at],
      [latLngToCell(fukushima.lat, fukushima.lon, 9), '2', '0.149701', '2024-03-01T09:31:00.000Z'],
    );
  });

  test('the cells GeoJSON draws each cell as its closed H3 hexagon', async () => {
    const { app, as } = await buildTestApp(await open());
    await approvedNycDrive(app, as);
    const collection = await geojson<{ type: string; coordinates: number[][][] }>(
      app,
      'cells.geojson?quantity=radiation&resolution=7',
    );
    assert.ok(collection.features.length > 0);
    for (const feature of collection.features) {
      const cell = String(feature.id);
      assert.equal(getResolution(cell), 7);
      assert.equal(feature.geometry.type, 'Polygon');
      const corners = cellToBoundary(cell, true);
      const ring = feature.geometry.coordinates[0] ?? [];
      assert.equal(ring.length, corners.length);
      // Written to six decimals, a tenth of a metre.
      const offBy = ring.flatMap((corner, i) =>
        corner.map((degrees, axis) => Math.abs(degrees - (corners[i]?.[axis] ?? Number.NaN))),
      );
      assert.ok(
        offBy.every((difference) => difference <= 5e-7),
        `corners off by ${offBy.join(', ')}`,
      );
      assert.equal(feature.properties.cell, cell);
    }
  });

  test('the cells export of a quantity nobody measured is empty', async () => {
    const { app, as } = await buildTestApp(await open());
    await approvedNycDrive(app, as);
    assert.deepEqual((await geojson(app, 'cells.geojson?quantity=pm10')).features, []);
  });

  test('a resolution the cells are not kept at is refused with the field named', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({ url: '/api/v1/exports/cells.csv?resolution=4' });
    assertProblem(response, 400, 'validation_failed', 'query/resolution');
  });

  test('an unknown quantity for the cells is refused with the field named', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({ url: '/api/v1/exports/cells.geojson?quantity=plutonium' });
    assertProblem(response, 400, 'validation_failed', 'query/quantity');
  });

  test('a CSV export of 20,000 readings has one row per reading, each once', async () => {
    const { app, as } = await buildTestApp(await open());
    const device = await loggerNamed(app, await as('reporter'), 'Busy logger');
    await storeReadings(app, device.token, liveRadiation(10_000));
    await storeReadings(app, device.token, liveRadiation(10_000, 10_000));
    const times = (await readingsCsv(app)).map((record) => record['Captured Time']);
    assert.equal(times.length, 20_000);
    assert.equal(new Set(times).size, 20_000);
  });

  test('a GeoJSON export of 20,000 readings has one feature per reading, each once', async () => {
    const { app, as } = await buildTestApp(await open());
    const device = await loggerNamed(app, await as('reporter'), 'Busy logger');
    await storeReadings(app, device.token, liveRadiation(10_000));
    await storeReadings(app, device.token, liveRadiation(10_000, 10_000));
    const ids = (await geojson(app, 'readings.geojson')).features.map((feature) => feature.id);
    assert.equal(ids.length, 20_000);
    assert.equal(new Set(ids).size, 20_000);
  });

  test('the readings are read from the database a page at a time, never more', async () => {
    const { app, as, services } = await buildTestApp(await open());
    const device = await loggerNamed(app, await as('reporter'), 'Busy logger');
    await storeReadings(app, device.token, liveRadiation(2_500));
    const sizes: number[] = [];
    for await (const batch of services.openData.openReadings({}, 1_000)) sizes.push(batch.length);
    assert.deepEqual(sizes, [1_000, 1_000, 500]);
  });
});
