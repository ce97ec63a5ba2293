import { createHash } from 'node:crypto';
import secureJson from 'secure-json-parse';
import { problemOf, TallyError } from '../errors.js';
import { decodeUtf8 } from '../http/body-parsers.js';
import { isRecord } from './decoders/values.js';
import type { FeedCredentials, FeedsService } from './feeds.service.js';
import { type MqttLogger, MqttSubscription } from './mqtt-subscription.js';
import type { FeedOwner } from './readings.service.js';
import type { FeedKind, SensorFeed } from './sensor-feed.js';
import type { StoredUplink, UplinkIngest } from './uplinks.js';

export interface MqttIngestSettings {
  /** Tally's own broker, where devices publish to their own topic (TALLY_MQTT_URL); null: there is none. */
  brokerUrl: string | null;
  /** This deployment's name (its public record's origin): the brokers keep its sessions under it. */
  deployment: string;
}

export interface MqttStartOptions {
  /** The first level of Tally's own topics: `tally`, unless a test wants topics nobody else publishes on. */
  topicRoot?: string;
}

/** As much as one batch over HTTP may be. */
const maxMessageBytes = 8 * 1024 * 1024;

/**
 * The same for the same deployment and source, so a restart resumes the broker's session; 22 characters,
 * within the 23 that every MQTT 3.1.1 broker must accept.
 */
function sessionClientId(deployment: string, source: string): string {
  return `tally-${createHash('sha256').update(`${deployment}\n${source}`).digest('hex').slice(0, 16)}`;
}

/** The client id Tally reads its own broker's device topics with. */
export function devicesClientId(deployment: string): string {
  return sessionClientId(deployment, 'devices');
}

/** The client id Tally reads a sensor feed's broker with. */
export function feedClientId(deployment: string, feedId: string): string {
  return sessionClientId(deployment, `feed ${feedId}`);
}

/** Read like a JSON request body: strict UTF-8, and no `__proto__` or `constructor` keys reach an object. */
function parseJsonMessage(payload: Buffer): unknown {
  if (payload.length > maxMessageBytes) {
    throw new TallyError('body_too_large', `The message is larger than ${maxMessageBytes} bytes`);
  }
  const text = decodeUtf8(payload);
  if (text.trim() === '') throw new TallyError('malformed_json', 'The message is empty');
  try {
    return secureJson.parse(text, undefined, { protoAction: 'remove', constructorAction: 'remove' });
  } catch (error) {
    throw new TallyError('malformed_json', `The message is not valid JSON: ${(error as Error).message}`);
  }
}

/** Refused for a reason that stays however often the message comes: acknowledged, so it is not resent. */
function isFinal(error: unknown): error is TallyError {
  return error instanceof TallyError && error.status < 500;
}

function tokenIn(body: unknown): string | undefined {
  return isRecord(body) && typeof body.token === 'string' ? body.token : undefined;
}

/** Where devices publish on Tally's own broker, and where each is answered. */
function deviceTopics(root: string) {
  const prefix = `${root}/devices/`;
  const suffix = '/readings';
  return {
    filter: `${prefix}+${suffix}`,
    deviceIdOf: (topic: string) => topic.slice(prefix.length, -suffix.length),
    answer: (deviceId: string, outcome: 'stored' | 'errors') => `${prefix}${deviceId}/${outcome}`,
  };
}

const feedReaders: Record<
  FeedKind,
  (uplinks: UplinkIngest, body: unknown, owner: FeedOwner) => Promise<StoredUplink>
> = {
  'ttn-v3': (uplinks, body, owner) => uplinks.ttn(body, 'v3', owner),
  'ttn-v2': (uplinks, body, owner) => uplinks.ttn(body, 'v2', owner),
  safecast: (uplinks, body, owner) => uplinks.safecast(body, owner),
};

/**
 * Readings over MQTT: devices publishing Tally's JSON batch with their token to `tally/devices/{id}/readings`
 * on Tally's own broker, and the sensor feeds owners added (The Things Network, Safecast), each read from
 * its own broker for its owner's devices. Every message goes through the same uplink ingest as HTTP.
 */
export class MqttIngest {
  /** Null while not running. */
  private log: MqttLogger | null = null;
  private devices: MqttSubscription | null = null;
  private readonly feedSubscriptions = new Map<string, MqttSubscription>();
  /** Feed changes are applied one after the other, in the order they were made. */
  private syncing: Promise<void> = Promise.resolve();

  constructor(
    private readonly uplinks: UplinkIngest,
    private readonly feeds: FeedsService,
    private readonly settings: MqttIngestSettings,
  ) {
    feeds.onChange(() => {
      if (this.log) this.syncFeeds();
    });
  }

  start(log: MqttLogger, options: MqttStartOptions = {}): void {
    if (this.log) return;
    this.log = log;
    if (this.settings.brokerUrl) {
      this.devices = this.subscribeToDevices(this.settings.brokerUrl, options.topicRoot ?? 'tally', log);
    }
    this.syncFeeds();
  }

  /**
   * Resolves once every broker has granted its subscription: what is published from then on is read. Never
   * resolves while a broker refuses, so whoever waits for it waits with a time limit.
   */
  async ready(): Promise<void> {
    await this.syncing;
    await Promise.all([this.devices, ...this.feedSubscriptions.values()].map((each) => each?.subscribed));
  }

  /** Lets the messages being stored finish, then disconnects; the brokers keep what arrives meanwhile. */
  async stop(): Promise<void> {
    if (!this.log) return;
    this.log = null;
    await this.syncing;
    const subscriptions = [this.devices, ...this.feedSubscriptions.values()];
    this.devices = null;
    this.feedSubscriptions.clear();
    await Promise.all(subscriptions.map((each) => each?.stop()));
  }

  private subscribeToDevices(url: string, root: string, log: MqttLogger): MqttSubscription {
    const topics = deviceTopics(root);
    const subscription: MqttSubscription = new MqttSubscription({
      name: 'devices',
      url,
      topic: topics.filter,
      clientId: devicesClientId(this.settings.deployment),
      log,
      onMessage: (topic, payload) => {
        const deviceId = topics.deviceIdOf(topic);
        return this.fromDevice(deviceId, payload, log, (outcome, content) =>
          subscription.publish(topics.answer(deviceId, outcome), JSON.stringify(content)),
        );
      },
    });
    return subscription;
  }

  /** Stored whole and answered with the counts, or refused whole and answered with the problem. */
  private async fromDevice(
    deviceId: string,
    payload: Buffer,
    log: MqttLogger,
    answer: (outcome: 'stored' | 'errors', content: object) => void,
  ): Promise<void> {
    try {
      const body = parseJsonMessage(payload);
      const stored = await this.uplinks.json(body, tokenIn(body), deviceId);
      answer('stored', { stored: stored.inserted, duplicates: stored.duplicates });
    } catch (error) {
      if (!isFinal(error)) throw error;
      log.info({ source: 'devices', device: deviceId, code: error.code }, 'message refused');
      answer('errors', problemOf(error));
    }
  }

  /** Subscribes to the feeds enabled now and leaves the removed ones, after the changes before. */
  private syncFeeds(): void {
    this.syncing = this.syncing
      .then(() => this.applyFeeds())
      .catch((error: unknown) => this.log?.warn({ err: error }, 'the sensor feeds could not be read'));
  }

  private async applyFeeds(): Promise<void> {
    const wanted = await this.feeds.enabledWithCredentials();
    const wantedIds = new Set(wanted.map(({ feed }) => feed.id));
    for (const [id, subscription] of this.feedSubscriptions) {
      if (wantedIds.has(id)) continue;
      this.feedSubscriptions.delete(id);
      await this.leave(id, subscription);
    }
    for (const credentials of wanted) {
      const log = this.log;
      if (!log) return;
      if (this.feedSubscriptions.has(credentials.feed.id)) continue;
      this.feedSubscriptions.set(credentials.feed.id, this.subscribeToFeed(credentials, log));
    }
  }

  /** A removed feed's broker would otherwise keep queueing its messages for a session nobody resumes. */
  private async leave(feedId: string, subscription: MqttSubscription): Promise<void> {
    await subscription.stop();
    await subscription.forgetSession().catch((error: unknown) => {
      this.log?.info(
        { source: `feed ${feedId}`, err: error },
        'the broker could not be told to drop the session',
      );
    });
  }

  private subscribeToFeed({ feed, password }: FeedCredentials, log: MqttLogger): MqttSubscription {
    const source = `feed ${feed.id}`;
    return new MqttSubscription({
      name: source,
      resolve: () => this.feeds.resolveBroker(feed),
      topic: feed.topic,
      clientId: feedClientId(this.settings.deployment, feed.id),
      username: feed.username ?? undefined,
      password: password ?? undefined,
      log,
      onMessage: (_topic, payload) => this.fromFeed(feed, payload, log),
      onProblem: (problem) => {
        this.feeds.recordBrokerProblem(feed.id, problem).catch((error: unknown) => {
          log.warn({ source, err: error }, 'the feed’s problem could not be recorded');
        });
      },
    });
  }

  /** Stored for the feed owner's device, whatever the message says about who sent it. */
  private async fromFeed(feed: SensorFeed, payload: Buffer, log: MqttLogger): Promise<void> {
    let refusal: string | null = null;
    try {
      const owner: FeedOwner = { kind: 'feed-owner', userId: feed.ownerId };
      await feedReaders[feed.kind](this.uplinks, parseJsonMessage(payload), owner);
    } catch (error) {
      if (!isFinal(error)) throw error;
      log.info({ source: `feed ${feed.id}`, code: error.code }, 'message refused');
      refusal = `${error.code}: ${error.message}`;
    }
    await this.feeds.recordMessage(feed.id, refusal);
  }
}
