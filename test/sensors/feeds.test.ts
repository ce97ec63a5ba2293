import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, type TestContext, test } from 'node:test';
import type { App } from '../../src/app.js';
import { buildTestApp, localTargets, type TestApp } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { assertProblem } from '../helpers/reports.js';
import { type Headers, registerDevice, sensorSample } from '../helpers/sensors.js';
import {
  eventually,
  forgetSessions,
  listeningWithMqtt,
  mapShows,
  mqttClient,
  mqttSkipReason,
  mqttUrl,
  publishJson,
  readingsOnMap,
  subscriptionsGranted,
  testBrokerHosts,
} from './mqtt-helpers.js';

interface FeedJson {
  id: string;
  kind: string;
  topic: string;
  username: string | null;
  has_password: boolean;
  last_message_at: string | null;
  last_error: string | null;
}

// Real uplinks from sensebox/ttn-osem-integration's test data (MIT), in ../shared/data/sensors.
const cayenneUplink = () => sensorSample('ttn-v3-uplink-cayennelpp.json') as Record<string, unknown>;
const senseBoxHomeUplink = () => sensorSample('ttn-v2-uplink-sbhome.json') as Record<string, unknown>;

const inMuenster = { lat: 51.9607, lon: 7.6261 };
const aroundMuenster = '7.5,51.9,7.7,52.0';

/** The device of the v3 sample, registered as the sample names it. */
const cayenneBox = {
  name: 'senseBox on the roof',
  model: 'senseBox',
  sensor: 'HDC1080',
  quantity: 'temperature',
  mobility: 'fixed',
  location: inMuenster,
  location_precision: 'exact',
  network: 'ttn',
  external_id: 'sensebox-cayenne/cayenne-1',
};

/** The device of the v2 sample, which sends only bytes: its registration says how to read them. */
const senseBoxHome = {
  ...cayenneBox,
  name: 'senseBox:home in the garden',
  external_id: 'sensebox-ifgi/my-dev-id',
  payload_format: 'sensebox-home',
};

function ttnFeed(root: string, password = `NNSXS.${randomUUID()}`) {
  return {
    kind: 'ttn-v3',
    url: mqttUrl,
    topic: `${root}/v3/sensebox-cayenne@ttn/devices/+/up`,
    username: 'sensebox-cayenne@ttn',
    password,
  };
}

/** Where The Things Stack publishes the v3 sample device's uplinks, under a test's own topic root. */
const cayenneUplinkTopic = (root: string) => `${root}/v3/sensebox-cayenne@ttn/devices/cayenne-1/up`;

/** The network publishing the real v3 uplink of the sample device. */
async function publishCayenneUplink(t: TestContext, root: string): Promise<void> {
  await publishJson(await mqttClient(t), cayenneUplinkTopic(root), cayenneUplink());
}

async function addFeed(app: App, headers: Headers, body: Record<string, unknown>): Promise<FeedJson> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/sensors/feeds', headers, payload: body });
  assert.equal(response.statusCode, 201, response.body);
  return response.json<FeedJson>();
}

async function feedsSeenBy(app: App, headers: Headers): Promise<FeedJson[]> {
  const response = await app.inject({ url: '/api/v1/sensors/feeds', headers });
  assert.equal(response.statusCode, 200, response.body);
  return response.json<{ data: FeedJson[] }>().data;
}

/** Waits until the feed has recorded something about the message that came through it. */
function feedOnceNoted(testApp: TestApp, owner: Headers, feedId: string, noted: (feed: FeedJson) => boolean) {
  return eventually('the feed to note its message', async () => {
    const feed = (await feedsSeenBy(testApp.app, owner)).find((each) => each.id === feedId);
    return feed && noted(feed) ? feed : undefined;
  });
}

describe('sensor feeds read from a broker', { skip: mqttSkipReason }, () => {
  forEachDatabase('sensor feeds on the broker', (open) => {
    test('a ttn-v3 feed stores a real The Things Stack uplink for the owner’s device', async (t) => {
      const testApp = await listeningWithMqtt(t, await open(), { brokerUrl: null });
      const owner = await testApp.as('reporter');
      await registerDevice(testApp.app, owner, cayenneBox);
      const root = randomUUID();
      await addFeed(testApp.app, owner, ttnFeed(root));
      await subscriptionsGranted(testApp);
      await publishCayenneUplink(t, root);
      const shown = await mapShows(testApp, 'temperature', aroundMuenster, 1);
      assert.equal(shown.mean, 23);
      assert.equal((await readingsOnMap(testApp, 'illuminance', aroundMuenster)).mean, 1451);
    });

    test('a ttn-v2 feed stores a real senseBox:home uplink, read from its bytes', async (t) => {
      const testApp = await listeningWithMqtt(t, await open(), { brokerUrl: null });
      const owner = await testApp.as('reporter');
      await registerDevice(testApp.app, owner, senseBoxHome);
      const root = randomUUID();
      await addFeed(testApp.app, owner, {
        ...ttnFeed(root),
        kind: 'ttn-v2',
        topic: `${root}/+/devices/+/up`,
      });
      await subscriptionsGranted(testApp);
      // The sample carries no metadata, but a real v2 uplink has metadata.time (when the network received
      // it), the only time a v2 uplink carries; Tally stores no reading without the time it was taken.
      const uplink = { ...senseBoxHomeUplink(), metadata: { time: '2017-01-01T02:03:04Z' } };
      await publishJson(await mqttClient(t), `${root}/sensebox-ifgi/devices/my-dev-id/up`, uplink);
      const shown = await mapShows(testApp, 'temperature', aroundMuenster, 1);
      assert.equal(shown.mean, -1.2);
      assert.equal((await readingsOnMap(testApp, 'humidity', aroundMuenster)).mean, 84.9);
    });

    test('a feed notes when its last message came', async (t) => {
      const testApp = await listeningWithMqtt(t, await open(), { brokerUrl: null });
      const owner = await testApp.as('reporter');
      await registerDevice(testApp.app, owner, cayenneBox);
      const root = randomUUID();
      const feed = await addFeed(testApp.app, owner, ttnFeed(root));
      await subscriptionsGranted(testApp);
      const before = Date.now();
      await publishCayenneUplink(t, root);
      const noted = await feedOnceNoted(testApp, owner, feed.id, (each) => each.last_message_at !== null);
      assert.ok(Date.parse(noted.last_message_at ?? '') >= before - 1000);
      assert.equal(noted.last_error, null);
    });

    test('a feed stores nothing for a device its owner does not own, and says why', async (t) => {
      const testApp = await listeningWithMqtt(t, await open(), { brokerUrl: null });
      await registerDevice(testApp.app, await testApp.as('reporter'), cayenneBox);
      const stranger = await testApp.as('reporter');
      const root = randomUUID();
      const feed = await addFeed(testApp.app, stranger, ttnFeed(root));
      await subscriptionsGranted(testApp);
      await publishCayenneUplink(t, root);
      const noted = await feedOnceNoted(testApp, stranger, feed.id, (each) => each.last_error !== null);
      assert.match(noted.last_error ?? '', /^unknown_device: /);
      assert.equal((await readingsOnMap(testApp, 'temperature', aroundMuenster)).count, 0);
    });

    test('a message that is not JSON is noted on the feed, and the next uplink is still stored', async (t) => {
      const testApp = await listeningWithMqtt(t, await open(), { brokerUrl: null });
      const owner = await testApp.as('reporter');
      await registerDevice(testApp.app, owner, cayenneBox);
      const root = randomUUID();
      const feed = await addFeed(testApp.app, owner, ttnFeed(root));
      await subscriptionsGranted(testApp);
      const network = await mqttClient(t);
      const topic = cayenneUplinkTopic(root);
      await publishJson(network, topic, 'not json');
      const noted = await feedOnceNoted(testApp, owner, feed.id, (each) => each.last_error !== null);
      assert.match(noted.last_error ?? '', /^malformed_json: /);
      await publishJson(network, topic, cayenneUplink());
      await mapShows(testApp, 'temperature', aroundMuenster, 1);
    });

    test('an uplink published while Tally is stopped is stored once Tally is back', async (t) => {
      const db = await open();
      const sessions = { origin: `test-${randomUUID()}/tally`, brokerUrl: null };
      const before = await listeningWithMqtt(t, db, sessions);
      const owner = await before.as('reporter');
      await registerDevice(before.app, owner, cayenneBox);
      const root = randomUUID();
      await addFeed(before.app, owner, ttnFeed(root));
      await subscriptionsGranted(before);
      await before.app.close();
      await publishCayenneUplink(t, root);
      const after = await listeningWithMqtt(t, db, sessions);
      t.after(() => forgetSessions(after, sessions.origin));
      await mapShows(after, 'temperature', aroundMuenster, 1);
    });

    test('a feed whose broker’s host is no longer allowed is not read, and says why', async (t) => {
      const db = await open();
      const sessions = { origin: `test-${randomUUID()}/tally`, brokerUrl: null };
      const before = await listeningWithMqtt(t, db, sessions);
      const owner = await before.as('reporter');
      const feed = await addFeed(before.app, owner, ttnFeed(randomUUID()));
      await subscriptionsGranted(before);
      await before.app.close();
      const after = await listeningWithMqtt(t, db, { ...sessions, feedBrokerHosts: ['*.thethings.network'] });
      t.after(() => forgetSessions(before, sessions.origin));
      const noted = await feedOnceNoted(after, owner, feed.id, (each) => each.last_error !== null);
      assert.equal(noted.last_error, `Feeds may no longer read brokers on ${new URL(mqttUrl).hostname}`);
    });

    test('a feed whose broker cannot be reached says why, and Tally keeps answering', async (t) => {
      const testApp = await listeningWithMqtt(t, await open(), { brokerUrl: null });
      const owner = await testApp.as('reporter');
      const feed = await addFeed(testApp.app, owner, { ...ttnFeed(randomUUID()), url: 'mqtt://127.0.0.1:9' });
      const noted = await feedOnceNoted(testApp, owner, feed.id, (each) => each.last_error !== null);
      // Whether the port is closed or silent is not told: that would map the network for whoever asks.
      assert.equal(noted.last_error, 'the broker could not be reached');
      assert.equal((await testApp.app.inject({ url: '/api/v1/health' })).statusCode, 200);
    });
  });
});

forEachDatabase('sensor feeds', (open) => {
  test('the feed password is never in any response', async () => {
    const { app, as } = await buildTestApp(await open(), {
      feedBrokerHosts: testBrokerHosts,
      outboundAllowedHosts: localTargets,
    });
    const owner = await as('reporter');
    const password = `NNSXS.${randomUUID()}`;
    const added = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/feeds',
      headers: owner,
      payload: ttnFeed(randomUUID(), password),
    });
    const listed = await app.inject({ url: '/api/v1/sensors/feeds', headers: owner });
    assert.equal(added.statusCode, 201, added.body);
    assert.equal(added.json<FeedJson>().has_password, true);
    for (const response of [added, listed]) assert.ok(!response.body.includes(password), response.body);
  });

  test('the feed password is kept sealed in the database', async () => {
    const { app, as, db } = await buildTestApp(await open(), {
      feedBrokerHosts: testBrokerHosts,
      outboundAllowedHosts: localTargets,
    });
    const password = `NNSXS.${randomUUID()}`;
    const feed = await addFeed(app, await as('reporter'), ttnFeed(randomUUID(), password));
    const row = await db.kysely
      .selectFrom('sensor_feeds')
      .select('password')
      .where('id', '=', feed.id)
      .executeTakeFirstOrThrow();
    assert.ok(row.password && !row.password.includes(password), 'the password is not stored in the clear');
  });

  test('a feed is listed to its owner and to coordinators, not to other users', async () => {
    const { app, as } = await buildTestApp(await open(), {
      feedBrokerHosts: testBrokerHosts,
      outboundAllowedHosts: localTargets,
    });
    const owner = await as('reporter');
    const feed = await addFeed(app, owner, ttnFeed(randomUUID()));
    const ids = async (headers: Headers) => (await feedsSeenBy(app, headers)).map((each) => each.id);
    assert.deepEqual(await ids(owner), [feed.id]);
    assert.deepEqual(await ids(await as('coordinator')), [feed.id]);
    assert.deepEqual(await ids(await as('reporter')), []);
  });

  test('another user cannot remove someone’s feed; its owner can', async () => {
    const { app, as } = await buildTestApp(await open(), {
      feedBrokerHosts: testBrokerHosts,
      outboundAllowedHosts: localTargets,
    });
    const owner = await as('reporter');
    const feed = await addFeed(app, owner, ttnFeed(randomUUID()));
    const url = `/api/v1/sensors/feeds/${feed.id}`;
    const byStranger = await app.inject({ method: 'DELETE', url, headers: await as('volunteer') });
    assertProblem(byStranger, 404, 'feed_not_found');
    assert.equal((await feedsSeenBy(app, owner)).length, 1);
    const byOwner = await app.inject({ method: 'DELETE', url, headers: owner });
    assert.equal(byOwner.statusCode, 204, byOwner.body);
    assert.deepEqual(await feedsSeenBy(app, owner), []);
  });

  test('adding a feed needs a signed-in user', async () => {
    const { app } = await buildTestApp(await open(), {
      feedBrokerHosts: testBrokerHosts,
      outboundAllowedHosts: localTargets,
    });
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/feeds',
      payload: ttnFeed(randomUUID()),
    });
    assertProblem(response, 401, 'unauthenticated');
  });

  test('a broker URL holding credentials is refused, so no password is kept in the clear', async () => {
    const { app, as } = await buildTestApp(await open(), {
      feedBrokerHosts: testBrokerHosts,
      outboundAllowedHosts: localTargets,
    });
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/feeds',
      headers: await as('reporter'),
      payload: {
        ...ttnFeed(randomUUID()),
        url: 'mqtts://app@ttn:NNSXS.KEY@eu1.cloud.thethings.network:8883',
      },
    });
    assertProblem(response, 400, 'validation_failed', '/url');
  });

  test('a feed on a broker outside the allowed hosts is refused, so users cannot make Tally connect anywhere', async () => {
    const { app, as } = await buildTestApp(await open());
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/feeds',
      headers: await as('reporter'),
      payload: { ...ttnFeed(randomUUID()), url: 'mqtt://broker.example.org:1883' },
    });
    assertProblem(response, 422, 'feed_host_not_allowed');
    assert.match(response.json<{ detail: string }>().detail, /\*\.thethings\.network/);
  });

  test('a feed of a kind Tally cannot read is refused', async () => {
    const { app, as } = await buildTestApp(await open(), {
      feedBrokerHosts: testBrokerHosts,
      outboundAllowedHosts: localTargets,
    });
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/feeds',
      headers: await as('reporter'),
      payload: { ...ttnFeed(randomUUID()), kind: 'ttn-v4' },
    });
    assertProblem(response, 400, 'validation_failed', '/kind');
  });

  test('a topic filter with a wildcard inside a level is refused', async () => {
    const { app, as } = await buildTestApp(await open(), {
      feedBrokerHosts: testBrokerHosts,
      outboundAllowedHosts: localTargets,
    });
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/feeds',
      headers: await as('reporter'),
      payload: { ...ttnFeed(randomUUID()), topic: 'v3/app@ttn/devices/node-#/up' },
    });
    assertProblem(response, 400, 'validation_failed', '/topic');
  });
});
