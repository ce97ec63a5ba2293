// A coarse fixed station's drive log (the Safecast New York log from ../shared/data/bgeigie, CC0) filed
// under it: every public output must place its readings at the centre of the device's hexagon only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cellToBoundary, cellToLatLng, latLngToCell } from 'h3-js';
import { BgeigieLogParser } from '../../src/sensors/decoders/bgeigie.js';
import { buildTestApp } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { ledgerEntries } from '../helpers/ledger.js';
import {
  approvedLog,
  bgeigieSample,
  type DeviceJson,
  type Headers,
  registerDevice,
  sendReadings,
} from '../helpers/sensors.js';

type App = Awaited<ReturnType<typeof buildTestApp>>['app'];

const logFile = 'safecastapi-bgeigie_nyc.log';
const world = '-180,-90,180,90';
const finerThanCoarse = [9];

interface Place {
  lat: number;
  lon: number;
}

/** Where the log's GPS put the station: its owner's home, every line of it. */
function loggedPlaces(): Place[] {
  const parser = new BgeigieLogParser();
  const lines = [...parser.push(bgeigieSample(logFile).toString('utf8')).lines, ...parser.end().lines];
  const places = lines.filter((line) => line.gpsValid).map((line) => ({ lat: line.lat, lon: line.lon }));
  assert.ok(places.length > 0);
  return places;
}

/** Every way an exact place could be written out: decimals of several lengths and the hexagons around it. */
function tellTales(places: readonly Place[], centre: Place): string[] {
  const centreCells = new Set(finerThanCoarse.map((r) => latLngToCell(centre.lat, centre.lon, r)));
  const tales = new Set<string>();
  for (const place of places) {
    for (const digits of [6, 5, 4]) {
      tales.add(place.lat.toFixed(digits));
      tales.add(place.lon.toFixed(digits));
    }
    for (const resolution of finerThanCoarse) {
      const cell = latLngToCell(place.lat, place.lon, resolution);
      if (!centreCells.has(cell)) tales.add(cell);
    }
  }
  // The centre and the hexagons around it are public: a tell-tale they happen to share proves nothing.
  const publicCells = [1, 3, 5, 7].map((r) => latLngToCell(centre.lat, centre.lon, r));
  const publicText = JSON.stringify([
    centre,
    [...centreCells],
    publicCells,
    publicCells.map((cell) => [cellToLatLng(cell), cellToBoundary(cell)]),
  ]);
  return [...tales].filter((tale) => !publicText.includes(tale));
}

function assertNoExactPlace(label: string, body: string, tales: readonly string[]) {
  for (const tale of tales) assert.ok(!body.includes(tale), `${label} gives away ${tale}`);
}

interface Station {
  app: App;
  owner: Headers;
  device: DeviceJson;
  token: string;
  importId: string;
  tales: string[];
}

/** A coarse station registered at the log's first fix, its log approved and one live reading sent. */
async function coarseStationWithLog(open: Parameters<Parameters<typeof forEachDatabase>[1]>[0]) {
  const { app, as } = await buildTestApp(await open());
  const owner = await as('reporter');
  const places = loggedPlaces();
  const home = places[0] as Place;
  const { device, token } = await registerDevice(app, owner, {
    name: 'Station at home',
    model: 'bGeigie Nano',
    sensor: 'LND 7317',
    mobility: 'fixed',
    location: home,
    location_precision: 'coarse',
  });
  const imported = await approvedLog(app, owner, await as('volunteer'), logFile, `&device_id=${device.id}`);
  const live = await sendReadings(app, token, {
    readings: [{ captured_at: new Date(Date.now() - 60_000).toISOString(), cpm: 40, ...home }],
  });
  assert.equal(live.statusCode, 200, live.body);
  const centre = device.location as Place;
  const tales = tellTales(places, centre);
  for (const tale of [home.lat.toFixed(6), home.lon.toFixed(4), latLngToCell(home.lat, home.lon, 9)]) {
    assert.ok(tales.includes(tale), `${tale} is looked for`);
  }
  const station: Station = {
    app,
    owner,
    device,
    token,
    importId: imported.id,
    tales,
  };
  return station;
}

async function publicBody(app: App, url: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await app.inject({ url, headers });
  assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
  return response.body;
}

forEachDatabase('a coarse fixed device’s exact place', (open) => {
  test('its drive log’s readings are exported at the centre of its hexagon, in CSV and GeoJSON', async () => {
    const { app, device, importId, tales } = await coarseStationWithLog(open);
    for (const format of ['csv', 'geojson']) {
      for (const query of ['', `?device=${device.id}`, `?import=${importId}`]) {
        const url = `/api/v1/exports/readings.${format}${query}`;
        const body = await publicBody(app, url);
        assert.ok(body.includes(String(device.location?.lat)), `${url} has the readings at the centre`);
        assertNoExactPlace(url, body, tales);
      }
    }
  });

  test('its drive log’s track is drawn at the centre, for the public and for its owner', async () => {
    const { app, owner, device, importId, tales } = await coarseStationWithLog(open);
    const url = `/api/v1/sensors/imports/${importId}/track`;
    for (const headers of [{}, owner]) {
      const body = await publicBody(app, url, headers);
      assertNoExactPlace(url, body, tales);
      const points = JSON.parse(body).features.filter(
        (feature: { geometry: { type: string } }) => feature.geometry.type === 'Point',
      );
      assert.ok(points.length > 0);
      for (const point of points) {
        assert.deepEqual(point.geometry.coordinates, [device.location?.lon, device.location?.lat]);
      }
    }
  });

  test('its drive log’s summary bounds only the centre, and its rejected lines keep no raw GPS', async () => {
    const { app, device, importId, tales } = await coarseStationWithLog(open);
    for (const url of [`/api/v1/sensors/imports/${importId}`, '/api/v1/sensors/imports']) {
      const body = await publicBody(app, url);
      assertNoExactPlace(url, body, [...tales, '4141.8847', '07355.3663']);
    }
    const item = JSON.parse(await publicBody(app, `/api/v1/sensors/imports/${importId}`));
    const { lat, lon } = device.location as Place;
    assert.deepEqual(item.summary.bbox, [lon, lat, lon, lat]);
  });

  test('its hexagons at every resolution, their details and their exports hold only the centre', async () => {
    const { app, device, tales } = await coarseStationWithLog(open);
    const centre = device.location as Place;
    for (const resolution of [1, 3, 5, 7, 9]) {
      const url = `/api/v1/sensors/cells?bbox=${world}&resolution=${resolution}`;
      const body = await publicBody(app, url);
      assertNoExactPlace(url, body, tales);
      const features: { id?: string; properties: { cell: string } }[] = JSON.parse(body).features;
      assert.deepEqual(
        features.map((feature) => feature.properties.cell),
        [latLngToCell(centre.lat, centre.lon, resolution)],
      );
      for (const feature of features) {
        const detail = `/api/v1/sensors/cells/${feature.properties.cell}`;
        assertNoExactPlace(detail, await publicBody(app, detail), tales);
      }
      for (const format of ['csv', 'geojson']) {
        const exported = `/api/v1/exports/cells.${format}?resolution=${resolution}`;
        assertNoExactPlace(exported, await publicBody(app, exported), tales);
      }
    }
  });

  test('its device views, series and the public record show only the centre', async () => {
    const { app, device, tales } = await coarseStationWithLog(open);
    for (const url of [
      '/api/v1/sensors/devices',
      `/api/v1/sensors/devices/${device.id}`,
      `/api/v1/sensors/devices/${device.id}/series`,
      '/api/v1/sensors/quantities',
    ]) {
      assertNoExactPlace(url, await publicBody(app, url), tales);
    }
    const record = (await ledgerEntries(app)).map((entry) =>
      entry.content ? Buffer.from(entry.content, 'base64').toString('utf8') : '',
    );
    assert.ok(record.some((content) => content.includes(device.id)));
    assertNoExactPlace('the public record', JSON.stringify(record), tales);
  });

  test('its owner still sees its exact place', async () => {
    const { app, owner, device } = await coarseStationWithLog(open);
    const mine = JSON.parse(await publicBody(app, `/api/v1/sensors/devices/${device.id}`, owner));
    assert.deepEqual(mine.exact_location, loggedPlaces()[0]);
  });
});
