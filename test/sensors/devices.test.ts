import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestApp } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { assertProblem } from '../helpers/reports.js';
import { bgeigieNano, type DeviceJson, registerDevice, sendReadings } from '../helpers/sensors.js';

const rooftop = {
  name: 'Rooftop station',
  model: 'Pointcast',
  sensor: 'LND 7318U',
  mobility: 'fixed',
  location: { lat: 37.42139, lon: 141.03285 },
};

forEachDatabase('sensor devices', (open) => {
  test('an owner registers a bGeigie and gets the LND 7317 conversion factor and a token of its own', async () => {
    const { app, as } = await buildTestApp(await open());
    const { device, token } = await registerDevice(app, await as('reporter'));
    assert.equal(device.cpm_per_unit, 334);
    assert.equal(device.quantity, 'radiation');
    assert.equal(device.unit, 'µSv/h');
    assert.match(token, /^tlyd_[\w-]{40,}$/);
  });

  test('a conversion factor given at registration is kept instead of the tube default', async () => {
    const { app, as } = await buildTestApp(await open());
    const { device } = await registerDevice(app, await as('reporter'), { ...bgeigieNano, cpm_per_unit: 320 });
    assert.equal(device.cpm_per_unit, 320);
  });

  test('a fixed device at a home is shown to the public at the centre of its hexagon, never at its door', async () => {
    const { app, as } = await buildTestApp(await open());
    const { device } = await registerDevice(app, await as('reporter'), rooftop);
    const shown = (await app.inject({ url: `/api/v1/sensors/devices/${device.id}` })).json<DeviceJson>();
    assert.equal(shown.location_precision, 'coarse');
    assert.notDeepEqual(shown.location, rooftop.location);
    assert.ok(Math.abs((shown.location?.lat ?? 0) - rooftop.location.lat) < 0.03);
    assert.equal(shown.exact_location, undefined);
    const everything = (await app.inject({ url: '/api/v1/sensors/devices' })).body;
    assert.ok(!everything.includes(String(rooftop.location.lat)), 'the exact latitude is not in the list');
  });

  test('the owner sees the exact location of their own device', async () => {
    const { app, as } = await buildTestApp(await open());
    const owner = await as('reporter');
    const { device } = await registerDevice(app, owner, rooftop);
    const mine = (await app.inject({ url: '/api/v1/sensors/devices?mine=true', headers: owner })).json<{
      data: DeviceJson[];
    }>();
    assert.deepEqual(
      mine.data.map((d) => d.exact_location),
      [rooftop.location],
    );
    assert.equal(mine.data[0]?.id, device.id);
  });

  test('a device registered with exact precision is shown where it stands', async () => {
    const { app, as } = await buildTestApp(await open());
    const { device } = await registerDevice(app, await as('reporter'), {
      ...rooftop,
      location_precision: 'exact',
    });
    assert.deepEqual(device.location, rooftop.location);
  });

  test('the registration is on the public record with the public location only', async () => {
    const { app, as } = await buildTestApp(await open());
    const { device } = await registerDevice(app, await as('reporter'), rooftop);
    const entries = (await app.inject({ url: '/api/v1/ledger/entries?start=0&end=100' })).json<{
      entries: { content: string | null }[];
    }>();
    const contents = entries.entries.map((entry) =>
      Buffer.from(entry.content ?? '', 'base64').toString('utf8'),
    );
    const registered = contents.find((content) => content.includes(device.id));
    assert.ok(registered, 'an entry names the device');
    assert.ok(registered.includes('"cpm_per_unit":334'));
    assert.ok(!registered.includes(String(rooftop.location.lat)));
  });

  test('an anonymous caller cannot register a device: 401 unauthenticated', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/devices',
      payload: bgeigieNano,
    });
    assertProblem(response, 401, 'unauthenticated');
  });

  test('a fixed device without a location is refused naming the field', async () => {
    const { app, as } = await buildTestApp(await open());
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/devices',
      headers: await as('reporter'),
      payload: { ...rooftop, location: undefined },
    });
    assertProblem(response, 400, 'validation_failed', '/location');
  });

  test('an unknown quantity is refused naming the field', async () => {
    const { app, as } = await buildTestApp(await open());
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/devices',
      headers: await as('reporter'),
      payload: { ...bgeigieNano, quantity: 'happiness' },
    });
    assertProblem(response, 400, 'validation_failed', '/quantity');
  });

  test('nobody but its owner may change a device: 404 device_not_found', async () => {
    const { app, as } = await buildTestApp(await open());
    const { device } = await registerDevice(app, await as('reporter'));
    const response = await app.inject({
      method: 'PATCH',
      url: `/api/v1/sensors/devices/${device.id}`,
      headers: await as('reporter'),
      payload: { cpm_per_unit: 1 },
    });
    assertProblem(response, 404, 'device_not_found');
  });

  test('the owner changes the conversion factor and the change is returned', async () => {
    const { app, as } = await buildTestApp(await open());
    const owner = await as('reporter');
    const { device } = await registerDevice(app, owner);
    const response = await app.inject({
      method: 'PATCH',
      url: `/api/v1/sensors/devices/${device.id}`,
      headers: owner,
      payload: { cpm_per_unit: 330, name: 'Car logger' },
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json<DeviceJson>().cpm_per_unit, 330);
    assert.equal(response.json<DeviceJson>().name, 'Car logger');
  });

  test('a new token replaces the old one at once', async () => {
    const { app, as } = await buildTestApp(await open());
    const owner = await as('reporter');
    const { device, token: old } = await registerDevice(app, owner);
    const rotated = await app.inject({
      method: 'POST',
      url: `/api/v1/sensors/devices/${device.id}/token`,
      headers: owner,
    });
    const { token } = rotated.json<{ token: string }>();
    const reading = { readings: [{ captured_at: new Date().toISOString(), cpm: 35 }] };
    assertProblem(await sendReadings(app, old, reading), 401, 'invalid_device_token');
    assert.equal((await sendReadings(app, token, reading)).statusCode, 200);
  });

  test('a device id on another network can be registered once only', async () => {
    const { app, as } = await buildTestApp(await open());
    const station = {
      ...bgeigieNano,
      model: 'airrohr',
      sensor: 'SDS011',
      quantity: 'pm2_5',
      network: 'airrohr',
      external_id: 'esp8266-1234',
    };
    await registerDevice(app, await as('reporter'), station);
    const again = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/devices',
      headers: await as('reporter'),
      payload: station,
    });
    assertProblem(again, 400, 'validation_failed', '/external_id');
  });

  test('a network without its id is refused', async () => {
    const { app, as } = await buildTestApp(await open());
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/devices',
      headers: await as('reporter'),
      payload: { ...bgeigieNano, network: 'ttn' },
    });
    assertProblem(response, 400, 'validation_failed', '/external_id');
  });
});
