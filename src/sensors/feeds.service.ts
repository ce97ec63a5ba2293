import { type Actor, hasRole, requireRole, type UserActor } from '../accounts/roles.js';
import type { Clock } from '../clock.js';
import type { ContactVault } from '../contacts/contact-vault.js';
import { TallyError, validationError } from '../errors.js';
import { uuidv7 } from '../ids.js';
import type { OutboundPolicy, Resolved } from '../outbound/policy.js';
import { isOutboundRefused, refusedText } from '../outbound/refused.js';
import { formatTarget, type Target } from '../outbound/target.js';
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

/** Brokers are read over MQTT, plain or over TLS; each given to the client as host and port, never as a URL. */
const brokerProtocols = { mqtt: 1883, mqtts: 8883 } as const;

const brokerUrlHint = 'must be a broker URL such as mqtts://eu1.cloud.thethings.network:8883';

function checkedBroker(raw: string, policy: OutboundPolicy, allowedHosts: readonly string[]): Target {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) throw validationError('/url', brokerUrlHint);
  const scheme = raw.slice(0, raw.indexOf(':')).toLowerCase();
  if (!(scheme in brokerProtocols)) {
    throw validationError('/url', 'must be a broker URL starting with mqtt:// or mqtts://');
  }
  if (/^[^/]*\/\/[^/?#]*@/.test(raw)) {
    // A password inside the URL would be stored and shown in the clear.
    throw validationError('/url', 'must not hold credentials: send username and password on their own');
  }
  const target = policy.parseUrl(raw, brokerProtocols);
  // Checked on the host the policy parsed: the one the connection goes to.
  if (!brokerHostAllowed(target.host, allowedHosts)) {
    throw new TallyError(
      'feed_host_not_allowed',
      `Feeds here may read only brokers on ${allowedHosts.join(', ') || 'no host'}; ask an administrator to allow ${target.host}`,
    );
  }
  return target;
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
    /** Where Tally may connect at all (`TALLY_OUTBOUND_ALLOWED_HOSTS` for private brokers). */
    private readonly outbound: OutboundPolicy,
  ) {}

  async add(actor: Actor, input: FeedInput): Promise<SensorFeed> {
    const owner = requireRole(actor, 'reporter', 'add a sensor feed');
    if (!isFeedKind(input.kind)) throw validationError('/kind', `must be one of ${feedKinds.join(', ')}`);
    const now = this.clock.now().toISOString();
    const feed: SensorFeed = {
      id: uuidv7(),
      ownerId: owner.userId,
      kind: input.kind,
      url: this.brokerUrl(input.url),
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
      try {
        checkedBroker(feed.url, this.outbound, this.allowedHosts);
      } catch (error) {
        await this.feeds.noteError(feed.id, this.refusal(error));
        continue;
      }
      usable.push({ feed, password: sealedPassword === null ? null : this.vault.unseal(sealedPassword) });
    }
    return usable;
  }

  /**
   * The feed's broker checked and resolved now, just before connecting: the address to connect to. Throws
   * the outbound policy's problem when it may not be reached.
   */
  resolveBroker(feed: SensorFeed): Promise<Resolved> {
    return this.outbound.resolve(checkedBroker(feed.url, this.outbound, this.allowedHosts));
  }

  private brokerUrl(raw: string): string {
    const target = checkedBroker(raw, this.outbound, this.allowedHosts);
    return formatTarget(target, brokerProtocols[target.protocol as keyof typeof brokerProtocols]);
  }

  /** Why a stored feed is not read: refusals by the outbound policy say only the one fixed text. */
  private refusal(error: unknown): string {
    if (isOutboundRefused(error)) return refusedText;
    if (error instanceof TallyError && error.code === 'feed_host_not_allowed') {
      return error.message.replace(
        /^.*ask an administrator to allow /s,
        'Feeds may no longer read brokers on ',
      );
    }
    return error instanceof Error ? error.message : String(error);
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
