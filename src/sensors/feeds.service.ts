import { type Actor, hasRole, requireRole, type UserActor } from '../accounts/roles.js';
import type { Clock } from '../clock.js';
import type { ContactVault } from '../contacts/contact-vault.js';
import { TallyError, validationError } from '../errors.js';
import { uuidv7 } from '../ids.js';
import type { FeedsRepository } from './feeds.repository.js';
import { brokerHostAllowed, feedKinds, isFeedKind, type SensorFeed } from './sensor-feed.js';

export interface FeedInput {
  kind: string;
  url: string;
  topic: string;
  username?: string | null;
  password?: string | null;
}

/** A feed with its password in the clear: for connecting to its broker, never for showing. */
export interface FeedCredentials {
  feed: SensorFeed;
  password: string | null;
}

const brokerProtocols = ['mqtt:', 'mqtts:', 'ws:', 'wss:'];

function brokerUrl(raw: string): URL | null {
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

function checkedBrokerUrl(raw: string, allowedHosts: readonly string[]): string {
  const url = brokerUrl(raw);
  if (!url) {
    throw validationError('/url', 'must be a broker URL such as mqtts://eu1.cloud.thethings.network:8883');
  }
  if (!brokerProtocols.includes(url.protocol) || !url.hostname) {
    throw validationError('/url', `must be a broker URL starting with ${brokerProtocols.join(', ')}//`);
  }
  if (url.username || url.password) {
    // A password inside the URL would be stored and shown in the clear.
    throw validationError('/url', 'must not hold credentials: send username and password on their own');
  }
  if (!brokerHostAllowed(url.hostname, allowedHosts)) {
    throw new TallyError(
      'feed_host_not_allowed',
      `Feeds here may read only brokers on ${allowedHosts.join(', ') || 'no host'}; ask an administrator to allow ${url.hostname}`,
    );
  }
  return url.href;
}

/** MQTT 3.1.1 §4.7: `#` only as the whole last level, `+` only as a whole level. */
function checkedTopicFilter(topic: string): string {
  const levels = topic.split('/');
  const badLevel = levels.findIndex(
    (level, index) =>
      (level.includes('#') && (level !== '#' || index !== levels.length - 1)) ||
      (level.includes('+') && level !== '+'),
  );
  if (topic.length === 0 || topic.includes('\u0000') || badLevel >= 0) {
    throw validationError('/topic', 'must be an MQTT topic filter, e.g. v3/my-app@ttn/devices/+/up');
  }
  return topic;
}

/**
 * Brokers a device owner asks Tally to read their devices' uplinks from. The owner's password for the broker
 * (an API key on The Things Network) is sealed with the same key as contacts and never shown again. Owners
 * see and remove their own feeds; coordinators see and remove all.
 */
export class FeedsService {
  private readonly changeListeners: (() => void)[] = [];

  constructor(
    private readonly feeds: FeedsRepository,
    private readonly vault: ContactVault,
    private readonly clock: Clock,
    /** Patterns of the broker hosts feeds may connect to (`TALLY_FEED_BROKER_HOSTS`). */
    private readonly allowedHosts: readonly string[],
  ) {}

  async add(actor: Actor, input: FeedInput): Promise<SensorFeed> {
    const owner = requireRole(actor, 'reporter', 'add a sensor feed');
    if (!isFeedKind(input.kind)) throw validationError('/kind', `must be one of ${feedKinds.join(', ')}`);
    const now = this.clock.now().toISOString();
    const feed: SensorFeed = {
      id: uuidv7(),
      ownerId: owner.userId,
      kind: input.kind,
      url: checkedBrokerUrl(input.url, this.allowedHosts),
      topic: checkedTopicFilter(input.topic),
      username: input.username || null,
      hasPassword: Boolean(input.password),
      enabled: true,
      lastMessageAt: null,
      lastError: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.feeds.insert(feed, input.password ? this.vault.seal(input.password) : null);
    this.changed();
    return feed;
  }

  async list(actor: Actor): Promise<SensorFeed[]> {
    const user = requireRole(actor, 'reporter', 'see sensor feeds');
    return this.feeds.list(hasRole(user, 'coordinator') ? {} : { ownerId: user.userId });
  }

  async remove(actor: Actor, id: string): Promise<void> {
    const user = requireRole(actor, 'reporter', 'remove a sensor feed');
    await this.owned(user, id);
    if (!(await this.feeds.delete(id))) throw this.notFound(id);
    this.changed();
  }

  /**
   * Every enabled feed with its password unsealed, to connect with. A feed added when its broker's host was
   * allowed, and no longer is, is left out and says why.
   */
  async enabledWithCredentials(): Promise<FeedCredentials[]> {
    const usable: FeedCredentials[] = [];
    for (const { feed, sealedPassword } of await this.feeds.listEnabled()) {
      const host = brokerUrl(feed.url)?.hostname ?? '';
      if (!brokerHostAllowed(host, this.allowedHosts)) {
        await this.feeds.noteError(feed.id, `Feeds may no longer read brokers on ${host}`);
        continue;
      }
      usable.push({ feed, password: sealedPassword === null ? null : this.vault.unseal(sealedPassword) });
    }
    return usable;
  }

  /** A message from the feed was stored (`error` null) or refused. */
  recordMessage(id: string, error: string | null): Promise<void> {
    return this.feeds.noteMessage(id, this.clock.now().toISOString(), error);
  }

  /** The feed's broker could not be reached, refused the credentials or the subscription. */
  recordBrokerProblem(id: string, problem: string): Promise<void> {
    return this.feeds.noteError(id, problem);
  }

  /** Called after a feed is added or removed, so that whoever reads the feeds reads the new set. */
  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  private changed(): void {
    for (const listener of this.changeListeners) listener();
  }

  private async owned(user: UserActor, id: string): Promise<SensorFeed> {
    const feed = await this.feeds.findById(id);
    if (!feed || (feed.ownerId !== user.userId && !hasRole(user, 'coordinator'))) throw this.notFound(id);
    return feed;
  }

  private notFound(id: string): TallyError {
    return new TallyError('feed_not_found', `You have no sensor feed ${id}`);
  }
}
