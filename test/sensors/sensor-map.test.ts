// The drive log is Safecast/bGeigieNanoKit's sample 204-0920.LOG, a drive around Amsterdam (see
// ../shared/data/README.md).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { App } from '../../src/app.js';
import { buildTestApp } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { assertProblem } from '../helpers/reports.js';
import { approvedLog, importLog, registerDevice, sendReadings } from '../helpers/sensors.js';

interface CellCollection {
  resolution: number;
  unit: string;
  truncated: boolean;
  features: {
    id: string;
    properties: { cell: string; count: number; mean: number; min: number; max: number; latest_at: string };
    geometry: { type: string; coordinates: number[][][] };
  }[];
}

const amsterdam = '4.5,52.2,5.0,52.5';

/** A fixed radiation station, for series. */
const roof = {
  name: 'Roof',
  model: 'Pointcast',
  sensor: 'LND 7318U',
  mobility: 'fixed',
  location: { lat: 35.68, lon: 139.76 },
};

interface SeriesJson {
  bucket_seconds: number;
  points: { count: number; mean: number; max: number }[];
}

function series(app: App, deviceId: string, fromMs: number, toMs: number) {
  const from = new Date(fromMs).toISOString();
  const to = new Date(toMs).toISOString();
  return app.inject({ url: `/api/v1/sensors/devices/${deviceId}/series?from=${from}&to=${to}` });
}

forEachDatabase('sensor map', (open) => {
  test('the hexagons of a view come at the resolution its zoom needs, each a closed polygon', async () => {
    const { app, as } = await buildTestApp(await open());
    await approvedLog(app, await as('reporter'), await as('volunteer'), 'bGeigieNanoKit-204-0920.LOG');
    const coarse = (
      await app.inject({ url: `/api/v1/sensors/cells?bbox=${amsterdam}&zoom=4` })
    ).json<CellCollection>();
    const fine = (
      await app.inject({ url: `/api/v1/sensors/cells?bbox=${amsterdam}&zoom=13` })
    ).json<CellCollection>();
    assert.deepEqual([coarse.resolution, fine.resolution, coarse.unit], [3, 9, 'µSv/h']);
    assert.ok(fine.features.length > coarse.features.length);
    const ring = fine.features[0]?.geometry.coordinates[0] ?? [];
    assert.deepEqual(ring[0], ring.at(-1));
  });

  test('a view of the whole world shows the hexagons, not a sliver at the antimeridian', async () => {
    const { app, as } = await buildTestApp(await open());
    await approvedLog(app, await as('reporter'), await as('volunteer'), 'bGeigieNanoKit-204-0920.LOG');
    const world = (
      await app.inject({ url: '/api/v1/sensors/cells?bbox=-180,-85,180,85&zoom=1' })
    ).json<CellCollection>();
    assert.ok(world.features.length > 0);
  });

  test('every resolution counts the same readings', async () => {
    const { app, as } = await buildTestApp(await open());
    await approvedLog(app, await as('reporter'), await as('volunteer'), 'bGeigieNanoKit-204-0920.LOG');
    const totals = [];
    for (const resolution of [1, 3, 5, 7, 9]) {
      const cells = (
        await app.inject({ url: `/api/v1/sensors/cells?bbox=-180,-90,180,90&resolution=${resolution}` })
      ).json<CellCollection>();
      totals.push(cells.features.reduce((sum, cell) => sum + cell.properties.count, 0));
    }
    assert.equal(new Set(totals).size, 1, `totals ${totals.join(', ')}`);
  });

  test('a hexagon tells its daily values and the drives that passed through it', async () => {
    const { app, as } = await buildTestApp(await open());
    const approved = await approvedLog(
      app,
      await as('reporter'),
      await as('volunteer'),
      'bGeigieNanoKit-204-0920.LOG',
    );
    const [cell] = (
      await app.inject({ url: `/api/v1/sensors/cells?bbox=${amsterdam}&zoom=4` })
    ).json<CellCollection>().features;
    const detail = await app.inject({ url: `/api/v1/sensors/cells/${cell?.id}` });
    assert.equal(detail.statusCode, 200, detail.body);
    const body = detail.json<{ days: { day: string; count: number }[]; sources: { import_id: string }[] }>();
    assert.equal(body.days[0]?.day, '2012-09-20');
    assert.equal(
      body.days.reduce((sum, day) => sum + day.count, 0),
      cell?.properties.count,
    );
    assert.deepEqual(
      body.sources.map((source) => source.import_id),
      [approved.id],
    );
  });

  test('an approved drive’s track is public, in time order', async () => {
    const { app, as } = await buildTestApp(await open());
    const approved = await approvedLog(
      app,
      await as('reporter'),
      await as('volunteer'),
      'safecastapi-bgeigie_nyc.log',
    );
    const track = await app.inject({ url: `/api/v1/sensors/imports/${approved.id}/track` });
    assert.equal(track.statusCode, 200, track.body);
    const [line, ...points] = track.json<{
      features: {
        geometry: { type: string; coordinates: number[] | number[][] };
        properties: { captured_at?: string };
      }[];
    }>().features;
    assert.equal(line?.geometry.type, 'LineString');
    assert.equal(points.length, 17);
    const times = points.map((point) => point.properties.captured_at ?? '');
    assert.deepEqual(times, [...times].sort());
  });

  test('an unapproved drive’s track is not public', async () => {
    const { app, as } = await buildTestApp(await open());
    const imported = await importLog(app, await as('reporter'), 'safecastapi-bgeigie_nyc.log');
    assertProblem(
      await app.inject({ url: `/api/v1/sensors/imports/${imported.id}/track` }),
      404,
      'import_not_found',
    );
  });

  test('a week of a busy station’s series comes in quarter hours with their mean and maximum', async () => {
    const { app, as } = await buildTestApp(await open());
    const { device, token } = await registerDevice(app, await as('reporter'), roof);
    const week = Date.now() - (Date.now() % 3_600_000) - 7 * 86_400_000;
    // Every five minutes for a week: 2,016 readings, more than a chart shows one by one.
    await sendReadings(app, token, {
      readings: Array.from({ length: 2_016 }, (_, i) => ({
        captured_at: new Date(week + i * 300_000).toISOString(),
        cpm: 33.4 * ((i % 3) + 1),
      })),
    });
    const body = (await series(app, device.id, week, week + 7 * 86_400_000)).json<SeriesJson>();
    assert.equal(body.bucket_seconds, 900);
    assert.equal(body.points.length, 672);
    assert.deepEqual([body.points[0]?.count, body.points[0]?.mean, body.points[0]?.max], [3, 0.2, 0.3]);
  });

  test('a station with few readings in the span shows each of them, not buckets of them', async () => {
    const { app, as } = await buildTestApp(await open());
    const { device, token } = await registerDevice(app, await as('reporter'), roof);
    const hour = Date.now() - (Date.now() % 3_600_000) - 3_600_000;
    await sendReadings(app, token, {
      readings: [0, 10, 20].map((minutes) => ({
        captured_at: new Date(hour + minutes * 60_000).toISOString(),
        cpm: 33.4 * (minutes / 10 + 1),
      })),
    });
    const body = (await series(app, device.id, hour, hour + 7 * 86_400_000)).json<SeriesJson>();
    assert.equal(body.bucket_seconds, 60);
    assert.deepEqual(
      body.points.map((point) => [point.count, point.mean]),
      [
        [1, 0.1],
        [1, 0.2],
        [1, 0.3],
      ],
    );
  });

  test('the quantities come with their units and the documented colour scale', async () => {
    const { app } = await buildTestApp(await open());
    const quantities = (await app.inject({ url: '/api/v1/sensors/quantities' })).json<{
      data: { name: string; unit: string; color_scale: { value: number; color: string }[] }[];
    }>();
    const radiation = quantities.data.find((quantity) => quantity.name === 'radiation');
    assert.equal(radiation?.unit, 'µSv/h');
    assert.deepEqual(radiation?.color_scale[0], { value: 0, color: '#1a9850' });
  });

  test('each quantity says how many of its readings are on the map', async () => {
    const { app, as } = await buildTestApp(await open());
    const owner = await as('reporter');
    await approvedLog(app, owner, await as('volunteer'), 'bGeigieNanoKit-204-0920.LOG');
    const quantities = (await app.inject({ url: '/api/v1/sensors/quantities' })).json<{
      data: { name: string; mapped_readings: number }[];
    }>();
    const mapped = Object.fromEntries(quantities.data.map((each) => [each.name, each.mapped_readings]));
    const world = (
      await app.inject({ url: '/api/v1/sensors/cells?bbox=-180,-90,180,90&resolution=9' })
    ).json<CellCollection>();
    assert.equal(
      mapped.radiation,
      world.features.reduce((sum, cell) => sum + cell.properties.count, 0),
    );
    assert.ok((mapped.radiation ?? 0) > 0);
    assert.equal(mapped.pm2_5, 0);
  });

  test('a bad box, resolution, quantity or cell is refused naming the field', async () => {
    const { app } = await buildTestApp(await open());
    assertProblem(
      await app.inject({ url: '/api/v1/sensors/cells?bbox=1,2,3' }),
      400,
      'validation_failed',
      'query/bbox',
    );
    assertProblem(
      await app.inject({ url: `/api/v1/sensors/cells?bbox=${amsterdam}&resolution=4` }),
      400,
      'validation_failed',
      'query/resolution',
    );
    assertProblem(
      await app.inject({ url: `/api/v1/sensors/cells?bbox=${amsterdam}&quantity=joy` }),
      400,
      'validation_failed',
      'query/quantity',
    );
    assertProblem(
      await app.inject({ url: '/api/v1/sensors/cells/not-a-cell' }),
      400,
      'validation_failed',
      'path/cell',
    );
  });

  test('a hexagon without readings is 404', async () => {
    const { app } = await buildTestApp(await open());
    assertProblem(await app.inject({ url: '/api/v1/sensors/cells/871969430ffffff' }), 404, 'not_found');
  });
});
