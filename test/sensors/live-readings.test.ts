// Real payloads from ../shared/data/sensors: The Things Network v3 and v2 uplinks from
// sensebox/ttn-osem-integration's test data (MIT), Safecast's device records from Safecast/safecastapi's
// spec fixtures (CC0); the airrohr body is openSenseMap-API's test push (MIT).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestApp } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { assertProblem } from '../helpers/reports.js';
import { type DeviceJson, registerDevice, sendReadings, sensorSample } from '../helpers/sensors.js';

const station = {
  name: 'Garden station',
  model: 'Pointcast',
  sensor: 'LND 7318U',
  mobility: 'fixed',
  location: { lat: 37.42139, lon: 141.03285 },
  location_precision: 'exact',
};

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

interface Stored {
  device_id: string;
  stored: number;
  duplicates: number;
}

const airrohrPush = {
  software_version: 'NRZ-2018-121C',
  sensordatavalues: [
    { value_type: 'SDS_P1', value: '1.87' },
    { value_type: 'SDS_P2', value: '1.05' },
    { value_type: 'BMP_pressure', value: '100659.00' },
    { value_type: 'BMP_temperature', value: '26.80' },
  ],
};

forEachDatabase('live readings', (open) => {
  test('a JSON batch is stored and on the map at once', async () => {
    const { app, as } = await buildTestApp(await open());
    const { token } = await registerDevice(app, await as('reporter'), station);
    const response = await sendReadings(app, token, {
      readings: [
        { captured_at: minutesAgo(2), cpm: 33.4 },
        { captured_at: minutesAgo(1), cpm: 66.8 },
      ],
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual([response.json<Stored>().stored, response.json<Stored>().duplicates], [2, 0]);
    const cells = await app.inject({ url: '/api/v1/sensors/cells?bbox=141,37.3,141.1,37.5&resolution=9' });
    const [cell] = cells.json<{ features: { properties: { count: number; mean: number; max: number } }[] }>()
      .features;
    assert.deepEqual(
      cell?.properties && [cell.properties.count, cell.properties.mean, cell.properties.max],
      [2, 0.15, 0.2],
    );
  });

  test('a fixed station’s readings are placed where the public sees it, not at its exact place', async () => {
    const { app, as } = await buildTestApp(await open());
    const { token, device } = await registerDevice(app, await as('reporter'), {
      ...station,
      location_precision: 'coarse',
    });
    await sendReadings(app, token, { readings: [{ captured_at: minutesAgo(1), cpm: 40, lat: 1, lon: 1 }] });
    const around = (lat: number, lon: number) =>
      `${lon - 0.0005},${lat - 0.0005},${lon + 0.0005},${lat + 0.0005}`;
    const at = async (lat: number, lon: number) =>
      (await app.inject({ url: `/api/v1/sensors/cells?bbox=${around(lat, lon)}&resolution=9` })).json<{
        features: unknown[];
      }>().features.length;
    const shown = device.location as { lat: number; lon: number };
    assert.equal(await at(shown.lat, shown.lon), 1);
    assert.equal(await at(station.location.lat, station.location.lon), 0);
  });

  test('a CSV of readings is stored', async () => {
    const { app, as } = await buildTestApp(await open());
    const { token } = await registerDevice(app, await as('reporter'), station);
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/readings',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      payload: `captured_at,cpm\r\n${minutesAgo(3)},40\r\n${minutesAgo(2)},41\r\n`,
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json<Stored>().stored, 2);
  });

  test('the same batch sent twice is stored once', async () => {
    const { app, as } = await buildTestApp(await open());
    const { token } = await registerDevice(app, await as('reporter'), station);
    const batch = { readings: [{ captured_at: minutesAgo(5), cpm: 40 }] };
    await sendReadings(app, token, batch);
    const again = await sendReadings(app, token, batch);
    assert.deepEqual([again.json<Stored>().stored, again.json<Stored>().duplicates], [0, 1]);
    const cells = await app.inject({ url: '/api/v1/sensors/cells?bbox=141,37.3,141.1,37.5&resolution=1' });
    assert.equal(
      cells.json<{ features: { properties: { count: number } }[] }>().features[0]?.properties.count,
      1,
    );
  });

  test('a batch with one reading in the future is refused whole: 422 reading_in_future', async () => {
    const { app, as } = await buildTestApp(await open());
    const owner = await as('reporter');
    const { token, device } = await registerDevice(app, owner, station);
    const response = await sendReadings(app, token, {
      readings: [
        { captured_at: minutesAgo(1), cpm: 40 },
        { captured_at: new Date(Date.now() + 3_600_000).toISOString(), cpm: 40 },
      ],
    });
    assertProblem(response, 422, 'reading_in_future', '/readings/1/captured_at');
    const shown = (await app.inject({ url: `/api/v1/sensors/devices/${device.id}` })).json<DeviceJson>();
    assert.equal(shown.last_reading_at, null);
  });

  test('an impossible value is refused: 422 reading_out_of_range', async () => {
    const { app, as } = await buildTestApp(await open());
    const { token } = await registerDevice(app, await as('reporter'), station);
    const response = await sendReadings(app, token, {
      readings: [{ captured_at: minutesAgo(1), quantity: 'humidity', value: 140 }],
    });
    assertProblem(response, 422, 'reading_out_of_range', '/readings/0/value');
  });

  test('negative counts are refused', async () => {
    const { app, as } = await buildTestApp(await open());
    const { token } = await registerDevice(app, await as('reporter'), station);
    const response = await sendReadings(app, token, { readings: [{ captured_at: minutesAgo(1), cpm: -5 }] });
    assert.equal(response.statusCode >= 400 && response.statusCode < 500, true, response.body);
  });

  test('a reading without its time is refused naming the field', async () => {
    const { app, as } = await buildTestApp(await open());
    const { token } = await registerDevice(app, await as('reporter'), station);
    const response = await sendReadings(app, token, { readings: [{ cpm: 40 }] });
    assertProblem(response, 400, 'malformed_readings', '/readings/0/captured_at');
  });

  test('more than 10,000 readings in one batch are refused: 413 too_many_readings', async () => {
    const { app, as } = await buildTestApp(await open());
    const { token } = await registerDevice(app, await as('reporter'), station);
    const start = Date.now() - 86_400_000;
    const readings = Array.from({ length: 10_001 }, (_, i) => ({
      captured_at: new Date(start + i * 1000).toISOString(),
      cpm: 40,
    }));
    assertProblem(await sendReadings(app, token, { readings }), 413, 'too_many_readings');
  });

  test('a wrong device token is refused: 401 invalid_device_token', async () => {
    const { app } = await buildTestApp(await open());
    const response = await sendReadings(app, 'tlyd_not-a-token', {
      readings: [{ captured_at: minutesAgo(1), cpm: 4 }],
    });
    assertProblem(response, 401, 'invalid_device_token');
  });

  test('a person’s token is not a device token', async () => {
    const { app, tokenFor } = await buildTestApp(await open());
    const response = await sendReadings(app, await tokenFor('admin'), {
      readings: [{ captured_at: minutesAgo(1), cpm: 4 }],
    });
    assertProblem(response, 401, 'invalid_device_token');
  });

  test('a body that is not JSON is refused: 400 malformed_json', async () => {
    const { app, as } = await buildTestApp(await open());
    const { token } = await registerDevice(app, await as('reporter'), station);
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/readings',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: '{"readings": [',
    });
    assertProblem(response, 400, 'malformed_json');
  });

  test('The Things Network v3 uplink is stored for the device registered under its id', async () => {
    const { app, as } = await buildTestApp(await open());
    const owner = await as('reporter');
    const { device } = await registerDevice(app, owner, {
      ...station,
      model: 'senseBox',
      sensor: 'BME280',
      quantity: 'temperature',
      network: 'ttn',
      external_id: 'sensebox-cayenne/cayenne-1',
    });
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/ttn/v3',
      headers: owner,
      payload: sensorSample('ttn-v3-uplink-cayennelpp.json') as Record<string, unknown>,
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json<Stored>().device_id, device.id);
    assert.ok(response.json<Stored>().stored >= 3);
    const series = await app.inject({
      url: `/api/v1/sensors/devices/${device.id}/series?quantity=temperature`,
    });
    assert.deepEqual(
      series.json<{ points: { mean: number }[] }>().points.map((p) => p.mean),
      [23],
    );
  });

  test('The Things Network v2 uplink is decoded as the registered senseBox:home format', async () => {
    const { app, as } = await buildTestApp(await open());
    const owner = await as('reporter');
    const { device } = await registerDevice(app, owner, {
      ...station,
      model: 'senseBox:home',
      sensor: 'HDC1080',
      quantity: 'temperature',
      network: 'ttn',
      external_id: 'sensebox-ifgi/my-dev-id',
      payload_format: 'sensebox-home',
    });
    // The sample carries no metadata.time; the network adds it to every real uplink.
    const uplink = {
      ...(sensorSample('ttn-v2-uplink-sbhome.json') as object),
      metadata: { time: minutesAgo(1) },
    };
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/ttn/v2',
      headers: owner,
      payload: uplink,
    });
    assert.equal(response.statusCode, 200, response.body);
    const series = await app.inject({ url: `/api/v1/sensors/devices/${device.id}/series?quantity=humidity` });
    assert.deepEqual(
      series.json<{ points: { mean: number }[] }>().points.map((p) => p.mean),
      [84.9],
    );
  });

  test('an uplink from a device nobody registered is refused: 422 unknown_device', async () => {
    const { app, as } = await buildTestApp(await open());
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/ttn/v3',
      headers: await as('reporter'),
      payload: sensorSample('ttn-v3-uplink-cayennelpp.json') as Record<string, unknown>,
    });
    assertProblem(response, 422, 'unknown_device');
  });

  test('an uplink relayed by someone who does not own the device is refused', async () => {
    const { app, as } = await buildTestApp(await open());
    await registerDevice(app, await as('reporter'), {
      ...station,
      quantity: 'temperature',
      network: 'ttn',
      external_id: 'sensebox-cayenne/cayenne-1',
    });
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/ttn/v3',
      headers: await as('reporter'),
      payload: sensorSample('ttn-v3-uplink-cayennelpp.json') as Record<string, unknown>,
    });
    assertProblem(response, 422, 'unknown_device');
  });

  test('an uplink without the owner’s token is refused: 401 unauthenticated', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/ttn/v3',
      payload: sensorSample('ttn-v3-uplink-cayennelpp.json') as Record<string, unknown>,
    });
    assertProblem(response, 401, 'unauthenticated');
  });

  test('a Sensor.Community station’s push is stored with its token as the password', async () => {
    const { app, as } = await buildTestApp(await open());
    const { token, device } = await registerDevice(app, await as('reporter'), {
      ...station,
      model: 'airrohr',
      sensor: 'SDS011',
      quantity: 'pm2_5',
      network: 'airrohr',
      external_id: 'esp8266-15319461',
    });
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/airrohr',
      headers: {
        authorization: `Basic ${Buffer.from(`station:${token}`).toString('base64')}`,
        'x-sensor': 'esp8266-15319461',
        'x-pin': '1',
      },
      payload: airrohrPush,
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual([response.json<Stored>().device_id, response.json<Stored>().stored], [device.id, 4]);
  });

  test('a station’s push with another station’s token is refused', async () => {
    const { app, as } = await buildTestApp(await open());
    const { token } = await registerDevice(app, await as('reporter'), {
      ...station,
      quantity: 'pm2_5',
      network: 'airrohr',
      external_id: 'esp8266-1',
    });
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/airrohr',
      headers: { authorization: `Bearer ${token}`, 'x-sensor': 'esp8266-2' },
      payload: airrohrPush,
    });
    assertProblem(response, 401, 'invalid_device_token');
  });

  test('Safecast device records are stored for each registered device', async () => {
    const { app, as } = await buildTestApp(await open());
    const owner = await as('reporter');
    const records = sensorSample('safecastapi-device_stories.json') as { device_urn: string }[];
    for (const record of records) {
      await registerDevice(app, owner, {
        ...station,
        model: 'Safecast device',
        sensor: 'LND 7318U',
        quantity: 'pm2_5',
        mobility: 'mobile',
        location: null,
        network: 'safecast',
        external_id: record.device_urn,
      });
    }
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/safecast',
      headers: owner,
      payload: records,
    });
    assert.equal(response.statusCode, 200, response.body);
    const stored = response.json<{ data: Stored[] }>().data;
    assert.equal(stored.length, records.length);
    assert.ok(stored.every((item) => item.stored > 0));
  });
});
