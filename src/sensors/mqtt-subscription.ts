import { connect, connectAsync, type IClientOptions, type IPublishPacket, MqttClient } from 'mqtt';
import type { Resolved } from '../outbound/policy.js';
import { isOutboundRefused, refusedText } from '../outbound/refused.js';
import { connectResolved, isNetworkError } from '../outbound/sockets.js';

export interface MqttLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface SubscriptionOptions {
  /** For logs: what is read, never the URL (it may hold credentials). */
  name: string;
  /**
   * The broker, for a URL the operator configured. A broker someone typed is given as `resolve` instead:
   * then nothing parses a URL again and each connection goes to the address checked just before it.
   */
  url?: string;
  /** Checks and resolves the broker under the outbound policy, again before each connection. */
  resolve?: () => Promise<Resolved>;
  topic: string;
  /** The same across restarts: the broker keeps the session under it, with what arrived while away. */
  clientId: string;
  username?: string | undefined;
  password?: string | undefined;
  log: MqttLogger;
  /**
   * Deals with one message. Resolves once it is dealt with for good (stored, or refused for a reason that
   * will not change): only then is it acknowledged. Rejects when it could not be dealt with now: it is left
   * unacknowledged, and the broker delivers it again.
   */
  onMessage(topic: string, payload: Buffer): Promise<void>;
  /** The broker cannot be reached, refused the credentials or the subscription. */
  onProblem?(problem: string): void;
}

const firstRetryMs = 1_000;
const longestRetryMs = 120_000;
/** A connection that lasted this long was healthy: after it drops, the waits start again from the shortest. */
const healthyConnectionMs = 30_000;

/**
 * One client of one broker, subscribed to one topic filter so that no acknowledged message is ever lost: a
 * persistent session (clean: false, a stable client id), QoS 1, and each PUBACK sent only once the message
 * is dealt with. Messages are handled one at a time, in order. A lost connection is retried with a growing
 * wait.
 */
export class MqttSubscription {
  /** Settles once the broker first grants the subscription (never, if it refuses it). */
  readonly subscribed: Promise<void>;
  private readonly client: MqttClient;
  private markSubscribed: () => void = () => {};
  private stopping = false;
  private connectedAt = 0;
  private nextRetryMs = firstRetryMs;
  private retryTimer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;

  constructor(private readonly options: SubscriptionOptions) {
    this.subscribed = new Promise((resolve) => {
      this.markSubscribed = resolve;
    });
    if (options.resolve) {
      this.client = new MqttClient(() => this.openChecked(), {
        ...this.clientOptions(),
        manualConnect: true,
      });
      void this.connectChecked();
    } else {
      this.client = connect(options.url ?? '', this.clientOptions());
    }
    // mqtt.js sends a message's PUBACK when this calls back: only after the message is stored.
    this.client.handleMessage = (packet, done) => this.receive(packet, done);
    this.client.on('connect', () => this.connected());
    this.client.on('close', () => this.closed());
    this.client.on('error', (error) => this.reportProblem(describe(error)));
  }

  /** Answers on the same broker, at most once: an answer lost with the connection is not worth a retry. */
  publish(topic: string, payload: string): void {
    this.client.publish(topic, payload, { qos: 0 }, () => {});
  }

  /** Lets the message being stored finish and be acknowledged, then disconnects; the session stays. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    await this.inFlight;
    // A broker the policy refused was never connected to: there is no stream to end.
    if (this.client.stream) await this.client.endAsync();
  }

  /** Asks the broker to drop the session and what it keeps for it: for a feed that is gone for good. */
  async forgetSession(): Promise<void> {
    const options = { ...this.clientOptions(), clean: true, connectTimeout: 10_000 };
    if (!this.options.resolve) {
      await (await connectAsync(this.options.url ?? '', options)).endAsync();
      return;
    }
    const resolved = await this.options.resolve();
    const client = new MqttClient(
      () => connectResolved(resolved, resolved.target.protocol === 'mqtts'),
      options,
    );
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
        client.once('close', () => reject(new Error('the broker closed the connection')));
      });
    } finally {
      await client.endAsync(true);
    }
  }

  /** Where the next connection goes: checked and resolved just before it. */
  private resolved: Resolved | null = null;
  private everConnected = false;

  /** Resolves and checks the broker, then connects; a refusal makes no connection and is retried later. */
  private async connectChecked(): Promise<void> {
    const resolve = this.options.resolve;
    if (!resolve) return;
    try {
      this.resolved = await resolve();
    } catch (error) {
      this.reportProblem(isOutboundRefused(error) ? refusedText : 'the broker could not be reached');
      this.scheduleRetry(false);
      return;
    }
    if (this.stopping) return;
    if (this.everConnected) {
      this.client.reconnect();
    } else {
      this.everConnected = true;
      this.client.connect();
    }
  }

  private openChecked() {
    const resolved = this.resolved;
    if (!resolved) throw new Error('the broker was not checked before connecting');
    return connectResolved(resolved, resolved.target.protocol === 'mqtts');
  }

  private clientOptions(): IClientOptions {
    return {
      clientId: this.options.clientId,
      clean: false,
      username: this.options.username,
      password: this.options.password,
      // Reconnecting is done here, with a growing wait; mqtt.js would retry every second forever.
      reconnectPeriod: 0,
      connectTimeout: 30_000,
      // Subscribed again on each connection below, whether or not the broker kept the session.
      resubscribe: false,
      queueQoSZero: false,
    };
  }

  private connected(): void {
    this.connectedAt = Date.now();
    const { topic, log, name } = this.options;
    this.client.subscribe(topic, { qos: 1 }, (error, granted) => {
      if (error) {
        log.warn({ source: name, err: error }, 'subscribing failed');
      } else if (granted?.some((grant) => grant.qos === 128)) {
        this.reportProblem(`the broker refused the subscription to ${topic}`);
      } else {
        log.info({ source: name, topic }, 'subscribed');
        this.markSubscribed();
      }
    });
  }

  private closed(): void {
    if (this.stopping || this.retryTimer) return;
    const wasHealthy = this.connectedAt > 0 && Date.now() - this.connectedAt >= healthyConnectionMs;
    this.connectedAt = 0;
    this.scheduleRetry(wasHealthy);
  }

  private scheduleRetry(wasHealthy: boolean): void {
    if (this.stopping || this.retryTimer) return;
    const waitMs = wasHealthy ? firstRetryMs : this.nextRetryMs;
    this.nextRetryMs = Math.min(waitMs * 2, longestRetryMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.stopping) return;
      if (this.options.resolve) void this.connectChecked();
      else this.client.reconnect();
    }, waitMs);
    this.retryTimer.unref();
  }

  private reportProblem(problem: string): void {
    this.options.log.warn({ source: this.options.name, problem }, 'the MQTT broker cannot be read');
    this.options.onProblem?.(problem);
  }

  private receive(packet: IPublishPacket, done: (error?: Error) => void): void {
    // Each connection has a stream of its own. A PUBACK is sent on the connection its message came on or not
    // at all: mqtt.js would keep it for the next connection, where it would acknowledge another message.
    const stream = this.client.stream;
    if (this.stopping || !this.isOpen(stream)) {
      done(notAcknowledged);
      return;
    }
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const handled = this.options.onMessage(packet.topic, payload).then(
      () => done(this.isOpen(stream) ? undefined : notAcknowledged),
      (error: unknown) => {
        this.options.log.warn(
          { source: this.options.name, err: error },
          'a message could not be stored now; the broker will deliver it again',
        );
        done(notAcknowledged);
        this.redeliver();
      },
    );
    this.inFlight = handled;
  }

  private isOpen(stream: MqttClient['stream']): boolean {
    return stream === this.client.stream && this.client.connected && !stream.destroyed;
  }

  /** Brokers deliver an unacknowledged message again only on a new connection: drop this one. */
  private redeliver(): void {
    this.client.stream.destroy();
  }
}

/** What the broker's owner is shown: how the network failed (refused, timed out) is not told apart. */
function describe(error: Error): string {
  return isNetworkError(error) ? 'the broker could not be reached' : error.message;
}

const notAcknowledged = new Error('left unacknowledged for the broker to deliver again');
