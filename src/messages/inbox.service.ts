import { type Actor, requireRole } from '../accounts/roles.js';
import type { Channel } from '../channels/channel.js';
import type { Clock } from '../clock.js';
import type { ContactVault } from '../contacts/contact-vault.js';
import { normalizePhoneNumber } from '../contacts/phone-number.js';
import { uuidv7 } from '../ids.js';
import type { InboundMessage } from './gateways/inbound-message.js';
import type { Message } from './message.js';
import type { MessageQuery, MessagesRepository } from './messages.repository.js';
import { acknowledgement } from './replies.js';

export interface Received {
  message: Message;
  /** A provider's retry of a message already stored: nothing new was stored. */
  duplicate: boolean;
  /** What to answer the sender with, for gateways that carry replies in their response. */
  replies: string[];
}

export class InboxService {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly vault: ContactVault,
    private readonly clock: Clock,
    /** The deployment's countries, the first one the country local numbers are read in. */
    private readonly countries: readonly string[],
  ) {}

  /**
   * Stores a message from a gateway, raw and with its sender, before anything is made of it. When this
   * returns, the message is committed: only then may the gateway be told it was received.
   */
  async receive(channel: Channel, inbound: InboundMessage, raw: unknown): Promise<Received> {
    const phone = normalizePhoneNumber(inbound.from, this.countries[0] ?? null);
    // A sender that is no phone number (an alphanumeric sender id) is still one sender, kept as written.
    const address = phone?.e164 ?? inbound.from.trim();
    const now = this.clock.now().toISOString();
    const stored = await this.messages.storeInbound(
      {
        id: uuidv7(),
        channelId: channel.id,
        providerId: inbound.providerId,
        text: inbound.text,
        media: inbound.media,
        raw: this.vault.seal(JSON.stringify(raw)),
        sentAt: inbound.sentAt,
        receivedAt: now,
      },
      {
        id: uuidv7(),
        kind: 'phone',
        lookup: this.vault.lookupOf('phone', address),
        sealed: this.vault.seal(address),
        country: phone?.country ?? null,
      },
    );
    const language = stored.contact.language ?? channel.settings.language;
    const replies = stored.contact.forgotten ? [] : [acknowledgement(language, stored.message.seq)];
    return { message: stored.message, duplicate: stored.duplicate, replies };
  }

  async list(actor: Actor, query: MessageQuery): Promise<Message[]> {
    requireRole(actor, 'volunteer', 'read the inbox');
    return this.messages.list(query);
  }
}
