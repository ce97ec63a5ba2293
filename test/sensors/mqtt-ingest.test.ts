import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { MqttSubscription } from '../../src/sensors/mqtt-subscription.js';
import { forEachDatabase } from '../helpers/databases.js';
import { registerDevice } from '../helpers/sensors.js';
import {
  firstMessageOn,
  forgetSessions,
  listeningWithMqtt,
  type MqttTestApp,
  mapShows,
  mqttClient,
  mqttSkipReason,
  mqttUrl,
  publishJson,
  readingsOnMap,
  within,
} from './mqtt-helpers.js';

/** A fixed station shown where it stands, so its readings are on the map at its place. */
const station = {
  name: 'Rooftop station',
  model: 'bGeigie Zen',
  sensor: 'LND 7317',
  mobility: 'fixed',
  location: { lat: 37.4214, lon: 141.0329 },
  location_precision: 'exact',
};
const aroundStation = '141.0,37.4,141.1,37.5';

function minutesAgo(minutes: number): string {
  return new Date(Date.now() - minutes * 60_000).toISOString();
}

function batch(token: string) {
  return {
    token,
    readings: [
      { captured_at: minutesAgo(2), cpm: 40 },
      { captured_at: minutesAgo(1), cpm: 50 },
    ],
  };
}

async function stationOf(testApp: MqttTestApp) {
  const { device, token } = await registerDevice(testApp.app, await testApp.as('reporter'), station);
  const topic = (leaf: string) => `${testApp.topicRoot}/devices/${device.id}/${leaf}`;
  return { device, token, topic };
}

describe('readings over MQTT', { skip: mqttSkipReason }, () => {
  forEachDatabase('readings published on a device’s own topic', (open) => {
    test('a batch a device publishes on its topic is stored and shown on the map', async (t) => {
      const testApp = await listeningWithMqtt(t, await open());
      const { token, topic } = await stationOf(testApp);
      await publishJson(await mqttClient(t), topic('readings'), batch(token));
      const shown = await mapShows(testApp, 'radiation', aroundStation, 2);
      assert.ok(Math.abs((shown.mean ?? 0) - 45 / 334) < 1e-6, `mean ${shown.mean}`);
    });

    test('a stored batch is acknowledged on the device’s stored topic with what was stored', async (t) => {
      const testApp = await listeningWithMqtt(t, await open());
      const { token, topic } = await stationOf(testApp);
      const device = await mqttClient(t);
      const { message } = await firstMessageOn(device, topic('stored'));
      await publishJson(device, topic('readings'), batch(token));
      assert.deepEqual(await message, { stored: 2, duplicates: 0 });
    });

    test('a batch sent again is acknowledged as duplicates and stored once', async (t) => {
      const testApp = await listeningWithMqtt(t, await open());
      const { token, topic } = await stationOf(testApp);
      const device = await mqttClient(t);
      const sent = batch(token);
      const first = await firstMessageOn(device, topic('stored'));
      await publishJson(device, topic('readings'), sent);
      await first.message;
      await device.unsubscribeAsync(topic('stored'));
      const second = await firstMessageOn(device, topic('stored'));
      await publishJson(device, topic('readings'), sent);
      assert.deepEqual(await second.message, { stored: 0, duplicates: 2 });
      assert.equal((await readingsOnMap(testApp, 'radiation', aroundStation)).count, 2);
    });

    test('a batch with a wrong token gets a problem on the errors topic and nothing is stored', async (t) => {
      const testApp = await listeningWithMqtt(t, await open());
      const { topic } = await stationOf(testApp);
      const device = await mqttClient(t);
      const { message } = await firstMessageOn(device, topic('errors'));
      await publishJson(device, topic('readings'), batch(`tlyd_${randomUUID()}`));
      const problem = await message;
      assert.equal(problem.code, 'invalid_device_token');
      assert.equal(problem.status, 401);
      assert.equal(problem.type, 'urn:tally:problem:invalid_device_token');
      assert.equal(typeof problem.detail, 'string');
      // The problem is published only once the batch was refused: nothing of it can arrive later.
      assert.equal((await readingsOnMap(testApp, 'radiation', aroundStation)).count, 0);
    });

    test('the token of another device is refused on this device’s topic', async (t) => {
      const testApp = await listeningWithMqtt(t, await open());
      const { topic } = await stationOf(testApp);
      const other = await stationOf(testApp);
      const device = await mqttClient(t);
      const { message } = await firstMessageOn(device, topic('errors'));
      await publishJson(device, topic('readings'), batch(other.token));
      assert.equal((await message).code, 'invalid_device_token');
    });

    test('a reading out of range refuses the whole batch, naming the bad reading', async (t) => {
      const testApp = await listeningWithMqtt(t, await open());
      const { token, topic } = await stationOf(testApp);
      const device = await mqttClient(t);
      const { message } = await firstMessageOn(device, topic('errors'));
      const readings = [
        { captured_at: minutesAgo(2), cpm: 40 },
        { captured_at: minutesAgo(1), cpm: -5 },
      ];
      await publishJson(device, topic('readings'), { token, readings });
      const problem = await message;
      assert.equal(problem.code, 'reading_out_of_range');
      assert.deepEqual(
        (problem.errors as { field: string }[]).map((error) => error.field),
        ['/readings/1/cpm'],
      );
      assert.equal((await readingsOnMap(testApp, 'radiation', aroundStation)).count, 0);
    });

    test('a message that is not JSON gets a problem, and the next batch is still stored', async (t) => {
      const testApp = await listeningWithMqtt(t, await open());
      const { token, topic } = await stationOf(testApp);
      const device = await mqttClient(t);
      const { message } = await firstMessageOn(device, topic('errors'));
      await publishJson(device, topic('readings'), '{"token": "tlyd_');
      assert.equal((await message).code, 'malformed_json');
      await publishJson(device, topic('readings'), batch(token));
      await mapShows(testApp, 'radiation', aroundStation, 2);
    });

    test('a batch published while Tally is stopped is stored once Tally is back', async (t) => {
      const db = await open();
      const sessions = { origin: `test-${randomUUID()}/tally`, topicRoot: `test-${randomUUID()}/tally` };
      const before = await listeningWithMqtt(t, db, sessions);
      const { token, topic } = await stationOf(before);
      await before.app.close();
      await publishJson(await mqttClient(t), topic('readings'), batch(token));
      const after = await listeningWithMqtt(t, db, sessions);
      t.after(() => forgetSessions(after, sessions.origin));
      await mapShows(after, 'radiation', aroundStation, 2);
    });
  });

  test('a message that could not be stored now is left unacknowledged, and the broker delivers it again', async (t) => {
    const topic = `test-${randomUUID()}/readings`;
    const deliveries: string[] = [];
    let stored: (payload: string) => void = () => {};
    const storedOnce = new Promise<string>((resolve) => {
      stored = resolve;
    });
    const subscription = new MqttSubscription({
      name: 'test',
      url: mqttUrl,
      topic,
      clientId: `tally-test-${randomUUID().slice(0, 8)}`,
      log: { info: () => {}, warn: () => {} },
      onMessage: async (_topic, payload) => {
        deliveries.push(payload.toString('utf8'));
        if (deliveries.length === 1) throw new Error('the database is away for a moment');
        stored(payload.toString('utf8'));
      },
    });
    t.after(async () => {
      await subscription.stop();
      await subscription.forgetSession();
    });
    await within(subscription.subscribed, 'the subscription');
    await publishJson(await mqttClient(t), topic, 'batch 1');
    assert.equal(await within(storedOnce, 'the message delivered again'), 'batch 1');
    assert.deepEqual(deliveries, ['batch 1', 'batch 1']);
  });

  forEachDatabase('a broker that cannot be reached', (open) => {
    test('Tally keeps answering while its broker is unreachable, and closes without waiting for it', async (t) => {
      const testApp = await listeningWithMqtt(t, await open(), {
        brokerUrl: 'mqtt://127.0.0.1:9',
        waitUntilSubscribed: false,
      });
      const health = await testApp.app.inject({ url: '/api/v1/health' });
      assert.equal(health.statusCode, 200);
      await testApp.app.close();
    });
  });
});
