import type { ChannelsService } from '../../channels/channels.service.js';
import type { OutboundPolicy } from '../../outbound/policy.js';
import type { InboxService } from '../inbox.service.js';
import type { OutboxLogger } from '../outbox.service.js';
import { mailboxSettings, readNewMail } from './mailbox.js';

/** Reads every e-mail channel's mailbox now and then; each new e-mail goes into the inbox like an SMS. */
export class MailPolling {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private log: OutboxLogger = { warn: () => {} };

  constructor(
    private readonly channels: ChannelsService,
    private readonly inbox: InboxService,
    /** Where mail servers may be (`src/outbound`). */
    private readonly outbound: OutboundPolicy,
  ) {}

  /** One round over every e-mail channel; answers how many e-mails were stored. A failing mailbox is logged and skipped. */
  async pollOnce(): Promise<number> {
    let stored = 0;
    for (const channel of await this.channels.withSecretsOfKind('email')) {
      try {
        stored += await readNewMail(
          this.outbound,
          mailboxSettings(channel.channel, channel.secrets),
          async (message, raw) => {
            await this.inbox.receive(channel.channel, message, raw);
          },
        );
      } catch (error) {
        this.log.warn(
          { err: error, channel: channel.channel.id },
          'reading the mailbox failed; trying again later',
        );
      }
    }
    return stored;
  }

  start(intervalMs: number, log: OutboxLogger): void {
    this.log = log;
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.pollOnce().finally(() => {
        this.running = null;
      });
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
