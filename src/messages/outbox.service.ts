import type { ChannelKind } from '../channels/channel.js';
import type { ChannelsService } from '../channels/channels.service.js';
import type { Clock } from '../clock.js';
import type { ContactVault } from '../contacts/contact-vault.js';
import { uuidv7 } from '../ids.js';
import type { OutboundPolicy } from '../outbound/policy.js';
import type { DeliveryReport } from './gateways/twilio.js';
import { canPush, SendFailure, send } from './outbound-senders.js';
import type { DueMessage, OutboxRepository } from './outbox.repository.js';

/** Attempts before a message is given up as failed: with the back-off below, about a day and a half. */
export const maxAttempts = 10;
/** How long an attempt may take before another process may try the message again. */
const leaseMs = 2 * 60_000;

/** When to try again after the n-th failed attempt: 30 s, 1 min, 2 min, … at most 4 h, with some jitter. */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(30_000 * 2 ** (attempts - 1), 4 * 3600_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

export interface OutboxLogger {
  warn(details: object, message: string): void;
}

export class OutboxService {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly channels: ChannelsService,
    private readonly vault: ContactVault,
    private readonly clock: Clock,
    /** Where gateways reach this Tally for delivery reports (see `reachableAt`). */
    public publicBase: string,
    /** Where gateways may be (`src/outbound`). */
    private readonly outbound: OutboundPolicy,
  ) {}

  /** Where failures are told (the server's log once it runs). */
  private log: OutboxLogger = { warn: () => {} };

  /** Once listening without TALLY_PUBLIC_URL: the address gateways on this machine reach it at. */
  reachableAt(url: string): void {
    this.publicBase = new URL(url).origin;
  }

  /** Queues a message to a contact; it is sent by the next round, or fetched by an SMSSync phone. */
  async enqueue(
    channel: { id: string; kind: ChannelKind },
    contactId: string,
    text: string,
    inReplyTo: string | null,
  ): Promise<string> {
    const id = uuidv7();
    const pushed = canPush(channel.kind);
    const now = this.clock.now().toISOString();
    await this.outbox.enqueue({ id, channelId: channel.id, contactId, text, inReplyTo, now, pushed });
    if (pushed) this.kick();
    return id;
  }

  /** What an SMSSync phone gets when it asks for messages to send: each addressed, and marked as fetched. */
  async fetchForPhone(
    channelId: string,
    limit = 50,
  ): Promise<{ to: string; message: string; uuid: string }[]> {
    const waiting = await this.outbox.awaitingPhone(channelId, limit);
    const handed = waiting.flatMap((message) =>
      message.sealedRecipient
        ? [{ to: this.vault.unseal(message.sealedRecipient), message: message.text, uuid: message.id }]
        : [],
    );
    await this.outbox.fetchedByPhone(
      handed.map((message) => message.uuid),
      this.clock.now().toISOString(),
    );
    return handed;
  }

  /** The ids among these that the channel's phone fetched from here (the only ones it may report on). */
  fetchedFrom(channelId: string, ids: readonly string[]): Promise<Set<string>> {
    return this.outbox.fetchedFrom(channelId, ids);
  }

  awaitingResult(channelId: string, limit = 100): Promise<string[]> {
    return this.outbox.awaitingResult(channelId, limit);
  }

  /** One round: every due message handed to its gateway, or its next attempt set. Returns how many were tried. */
  async runOnce(): Promise<number> {
    const now = this.clock.now();
    const due = await this.outbox.claimDue(
      now.toISOString(),
      new Date(now.getTime() + leaseMs).toISOString(),
      50,
    );
    for (const message of due) await this.attempt(message);
    return due.length;
  }

  /** A gateway's delivery report; false when the channel sent no message by that id. */
  delivered(channelId: string, report: DeliveryReport): Promise<boolean> {
    return this.outbox.delivered(
      channelId,
      report.providerId,
      report.state,
      report.detail,
      this.clock.now().toISOString(),
    );
  }

  /** Sends every `intervalMs`, and at once when a message is queued; failures go to `log`. */
  start(intervalMs: number, log: OutboxLogger): void {
    this.log = log;
    if (this.timer) return;
    this.timer = setInterval(() => this.kick(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  warn(details: object, message: string): void {
    this.log.warn(details, message);
  }

  private kick(): void {
    if (!this.timer || this.running) return;
    this.running = this.runOnce()
      .catch((error: unknown) => {
        this.log.warn({ err: error }, 'sending queued messages failed; they stay queued');
        return 0;
      })
      .finally(() => {
        this.running = null;
      });
  }

  private async attempt(message: DueMessage): Promise<void> {
    const now = () => this.clock.now().toISOString();
    try {
      const channel = await this.channels.forSending(message.channelId);
      if (!channel) throw new SendFailure(`the channel ${message.channelId} is gone or switched off`, false);
      if (!message.sealedRecipient) throw new SendFailure('the recipient asked to be forgotten', false);
      const handed = await send(
        { id: message.id, to: this.vault.unseal(message.sealedRecipient), text: message.text },
        {
          channel: channel.channel,
          secrets: channel.secrets,
          publicBase: this.publicBase,
          outbound: this.outbound,
        },
      );
      await this.outbox.handedOver(message.id, handed.providerId, handed.state, handed.detail, now());
    } catch (error) {
      const failure = error instanceof SendFailure ? error : new SendFailure((error as Error).message, true);
      const giveUp = !failure.retryable || message.attempts >= maxAttempts;
      const retryAt = giveUp
        ? null
        : new Date(this.clock.now().getTime() + retryDelayMs(message.attempts)).toISOString();
      await this.outbox.attemptFailed(message.id, failure.message, retryAt, now());
      this.log.warn(
        { message: message.id, channel: message.channelId, retryAt },
        `sending failed: ${failure.message}`,
      );
    }
  }
}
