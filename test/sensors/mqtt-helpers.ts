import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import { connectAsync, type MqttClient } from 'mqtt';
import { buildApp } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { devicesClientId, feedClientId } from '../../src/sensors/mqtt-ingest.js';
import { buildTestApp, type TestApp, testConfig } from '../helpers/app.js';
import type { TestDb } from '../helpers/databases.js';

export const mqttUrl = process.env.TALLY_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

/** Set by scripts/test.mjs when no MQTT broker answers outside CI; under CI that is a failure instead. */
export const mqttSkipReason = process.env.TALLY_TEST_SKIP_MQTT || undefined;

export interface MqttTestApp extends TestApp {
  /** Where this app's devices publish: `{topicRoot}/devices/{id}/readings`. */
  topicRoot: string;
}

export interface MqttTestOptions {
  /**
   * Names the broker sessions; the same origin over the same database resumes them. Given one, the test
   * drops the sessions itself once done (`forgetSessions`); otherwise they are dropped when the app closes.
   */
  origin?: string;
  topicRoot?: string;
  /** `null`: no broker of Tally's own, only the sensor feeds. */
  brokerUrl?: string | null;
  /** Whether to return only once every broker granted the subscriptions (not for an unreachable one). */
  waitUntilSubscribed?: boolean;
  /** The hosts feeds may read (the test broker's, unless given). */
  feedBrokerHosts?: string[];
  /** The private hosts Tally may connect to (the test broker's, unless given). */
  outboundAllowedHosts?: string[];
}

/** Feeds may read the test broker as they would The Things Network's. */
export const testBrokerHosts = [new URL(mqttUrl).hostname, '*.thethings.network'];

/** Fails with `what` unless the promise settles within the time. */
export async function within<T>(promise: Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Asks again every 50 ms until `check` answers something other than undefined; fails after the time. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await check();
    if (answer !== undefined) return answer;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Tally listening with MQTT on, as `tally serve` runs it: subscribed once listening, stopped when closed
 * (at the end of the test at the latest). Its topics and broker sessions are its own, so test files running
 * side by side never read each other's messages.
 */
export async function listeningWithMqtt(
  t: TestContext,
  db: TestDb,
  options: MqttTestOptions = {},
): Promise<MqttTestApp> {
  const topicRoot = options.topicRoot ?? `test-${randomUUID()}/tally`;
  const origin = options.origin ?? `test-${randomUUID()}/tally`;
  const overrides: Partial<Config> = {
    mqttUrl: options.brokerUrl === undefined ? mqttUrl : options.brokerUrl,
    ledgerOrigin: origin,
    feedBrokerHosts: options.feedBrokerHosts ?? testBrokerHosts,
    // The test broker runs on this machine: only the operator's allowlist lets feeds reach it.
    outboundAllowedHosts: options.outboundAllowedHosts ?? [new URL(mqttUrl).hostname],
  };
  // Its accounts and services, with an app of its own that listens; the helper's app is never started.
  const base = await buildTestApp(db, overrides);
  const app = await buildApp(testConfig(overrides), {
    db,
    services: base.services,
    logger: false,
    mqtt: { topicRoot },
  });
  t.after(async () => {
    await app.close();
    if (!options.origin) await forgetSessions(base, origin);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  if (options.waitUntilSubscribed ?? true) await subscriptionsGranted(base);
  return { ...base, app, topicRoot };
}

/** Drops the app's sessions on the test broker, so that test runs leave none behind. */
export async function forgetSessions(testApp: TestApp, origin: string): Promise<void> {
  const feeds = await testApp.services.feeds.enabledWithCredentials();
  const clientIds = [devicesClientId(origin), ...feeds.map(({ feed }) => feedClientId(origin, feed.id))];
  for (const clientId of clientIds) {
    const client = await connectAsync(mqttUrl, { clientId, clean: true, reconnectPeriod: 0 });
    await client.endAsync();
  }
}

/** Once this, what is published on the subscribed topics reaches Tally. */
export function subscriptionsGranted(testApp: TestApp): Promise<void> {
  return within(testApp.services.mqtt.ready(), 'the MQTT subscriptions');
}

/** A client of the test broker, as a device or a network would publish with; ended after the test. */
export async function mqttClient(t: TestContext): Promise<MqttClient> {
  const client = await connectAsync(mqttUrl, { clientId: `tally-test-${randomUUID()}`, reconnectPeriod: 0 });
  t.after(() => client.endAsync());
  return client;
}

/** Subscribes at once; `message` is the JSON of the first message on the topic. */
export async function firstMessageOn(
  client: MqttClient,
  topic: string,
): Promise<{ message: Promise<Record<string, unknown>> }> {
  const message = new Promise<Record<string, unknown>>((resolve) => {
    const onMessage = (arrivedOn: string, payload: Buffer) => {
      if (arrivedOn !== topic) return;
      client.off('message', onMessage);
      resolve(JSON.parse(payload.toString('utf8')));
    };
    client.on('message', onMessage);
  });
  await client.subscribeAsync(topic, { qos: 1 });
  return { message: within(message, `a message on ${topic}`) };
}

/** Published at QoS 1: resolves once the broker has it. */
export async function publishJson(client: MqttClient, topic: string, content: unknown): Promise<void> {
  await client.publishAsync(topic, typeof content === 'string' ? content : JSON.stringify(content), {
    qos: 1,
  });
}

interface CellsJson {
  features: { properties: { count: number; mean: number } }[];
}

/** The map's hexagons of a quantity in a view, summed: how many readings, and their mean. */
export async function readingsOnMap(
  testApp: TestApp,
  quantity: string,
  bbox: string,
): Promise<{ count: number; mean: number | null }> {
  const response = await testApp.app.inject({
    url: `/api/v1/sensors/cells?quantity=${quantity}&bbox=${bbox}&zoom=12`,
  });
  if (response.statusCode !== 200) throw new Error(response.body);
  const cells = response.json<CellsJson>().features.map((feature) => feature.properties);
  const count = cells.reduce((sum, cell) => sum + cell.count, 0);
  const total = cells.reduce((sum, cell) => sum + cell.mean * cell.count, 0);
  return { count, mean: count === 0 ? null : total / count };
}

/** Waits until the map shows `count` readings of the quantity in the view. */
export function mapShows(testApp: TestApp, quantity: string, bbox: string, count: number) {
  return eventually(`${count} ${quantity} readings on the map`, async () => {
    const shown = await readingsOnMap(testApp, quantity, bbox);
    return shown.count === count ? shown : undefined;
  });
}
