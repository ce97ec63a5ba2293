import { type Actor, anonymous, requireRole } from '../accounts/roles.js';
import type { Channel } from '../channels/channel.js';
import type { Clock } from '../clock.js';
import type { ContactVault } from '../contacts/contact-vault.js';
import type { ContactsRepository, Trust } from '../contacts/contacts.repository.js';
import { normalizePhoneNumber } from '../contacts/phone-number.js';
import { TallyError, validationError } from '../errors.js';
import { uuidv7 } from '../ids.js';
import type { PublicRecord } from '../ledger/public-record.js';
import { type ReportSource, reportSources } from '../reports/report.js';
import type { ReportView } from '../reports/report-view.js';
import type { NewReportInput, ReportsService } from '../reports/reports.service.js';
import type { InboundMessage } from './gateways/inbound-message.js';
import type { Message } from './message.js';
import type { MessageQuery, MessagesRepository } from './messages.repository.js';
import { canPush } from './outbound-senders.js';
import type { OutboxService } from './outbox.service.js';
import { type Gazetteer, type KnownPlace, locationInText, type SuggestedLocation } from './place-in-text.js';
import { acknowledgement, asksToBeForgotten, forgottenNotice, publishedNotice } from './replies.js';
import { TokenBuckets } from './token-buckets.js';

/** A message as the inbox shows it: with where it seems to be about, when its text says. */
export type InboxMessage = Message & {
  suggestedLocation: SuggestedLocation | null;
  /** Categories whose keywords the text holds. */
  suggestedCategories: string[];
};

export interface Received {
  message: Message;
  /** A provider's retry of a message already stored: nothing new was stored. */
  duplicate: boolean;
  /** What to answer the sender with, for gateways that carry replies in their response. */
  replies: string[];
}

/** Gateways whose answer to an inbound message can carry the reply (TwiML, Kannel's body, SMSSync's task). */
const answersInResponse = new Set(['twilio', 'kannel', 'smssync']);

/** What a volunteer may set when making a report of a message; the rest is taken from the message. */
export type ReportFromMessage = Partial<Omit<NewReportInput, 'contact'>>;

/** The title a report made from a message starts with: its first words, cut at a word near 80 characters. */
export function titleFrom(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= 80) return line || 'Message without text';
  // Never half of a character outside the Basic Multilingual Plane (an emoji): a lone surrogate is no text.
  const cut = line.slice(0, /[\ud800-\udbff]/.test(line.charAt(79)) ? 79 : 80);
  const space = cut.lastIndexOf(' ');
  return `${(space > 40 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * A message as it can be stored: PostgreSQL's text cannot hold the NUL character, which a gateway may pass
 * on (a GSM `@` decoded as 0x00), so it becomes U+FFFD like any other unreadable character.
 */
function withoutNul(message: InboundMessage): InboundMessage {
  const clean = (text: string) => text.replaceAll('\u0000', '\ufffd');
  return {
    ...message,
    providerId: clean(message.providerId),
    from: clean(message.from),
    to: message.to === null ? null : clean(message.to),
    text: clean(message.text),
    media: message.media.map(clean),
  };
}

/** What the inbox works with. */
export interface InboxDependencies {
  messages: MessagesRepository;
  contacts: ContactsRepository;
  reports: ReportsService;
  outbox: OutboxService;
  vault: ContactVault;
  record: PublicRecord;
  clock: Clock;
  /** Which channel a message came through, to name the report's source. */
  channelOf: (id: string) => Promise<Channel | undefined>;
  /** What finds the categories whose keywords a text holds. */
  keywordRouter: () => Promise<(text: string) => string[]>;
  gazetteer: Gazetteer;
  /** The deployment's own places, looked for before the gazetteer's. */
  knownPlaces: () => Promise<KnownPlace[]>;
  /** The public address of a report's page, for the notice its senders get; null without a public URL. */
  reportLink: (reportId: string) => string | null;
  /** The deployment's countries, the first one the country local numbers are read in. */
  countries: readonly string[];
  senderMessagesPerMinute: number;
  channelMessagesPerMinute: number;
}

export class InboxService {
  private readonly messages: MessagesRepository;
  private readonly contacts: ContactsRepository;
  private readonly reports: ReportsService;
  private readonly outbox: OutboxService;
  private readonly vault: ContactVault;
  private readonly record: PublicRecord;
  private readonly clock: Clock;
  private readonly channelOf: InboxDependencies['channelOf'];
  private readonly keywordRouter: InboxDependencies['keywordRouter'];
  private readonly gazetteer: Gazetteer;
  private readonly knownPlaces: InboxDependencies['knownPlaces'];
  private readonly reportLink: InboxDependencies['reportLink'];
  private readonly countries: readonly string[];
  private readonly senderBuckets: TokenBuckets;
  private readonly channelBuckets: TokenBuckets;
  private readonly senderLimit: number;

  constructor(deps: InboxDependencies) {
    this.messages = deps.messages;
    this.contacts = deps.contacts;
    this.reports = deps.reports;
    this.outbox = deps.outbox;
    this.vault = deps.vault;
    this.record = deps.record;
    this.clock = deps.clock;
    this.channelOf = deps.channelOf;
    this.keywordRouter = deps.keywordRouter;
    this.gazetteer = deps.gazetteer;
    this.knownPlaces = deps.knownPlaces;
    this.reportLink = deps.reportLink;
    this.countries = deps.countries;
    this.senderBuckets = new TokenBuckets(deps.senderMessagesPerMinute);
    this.channelBuckets = new TokenBuckets(deps.channelMessagesPerMinute);
    this.senderLimit = deps.senderMessagesPerMinute;
  }

  /** Tells everyone whose message made or joined a report that it is now public, through their channel. */
  async noticePublished(reportId: string): Promise<void> {
    const told = new Set<string>();
    for (const sender of await this.messages.sendersOf(reportId)) {
      if (told.has(sender.contactId)) continue;
      told.add(sender.contactId);
      const channel = await this.channelOf(sender.channelId);
      // A deleted channel sends nothing; a switched-off one keeps the notice queued until it is on again.
      if (!channel || channel.deletedAt || !(canPush(channel.kind) || channel.kind === 'smssync')) continue;
      const text = publishedNotice(channel.settings.language, sender.seq, this.reportLink(reportId));
      await this.outbox.enqueue(channel, sender.contactId, text, sender.messageId);
    }
  }

  /**
   * Stores a message from a gateway, raw and with its sender, before anything is made of it. When this
   * returns, the message is committed: only then may the gateway be told it was received.
   */
  async receive(channel: Channel, received: InboundMessage, raw: unknown): Promise<Received> {
    const inbound = withoutNul(received);
    const clock = this.clock.now();
    if (!this.channelBuckets.take(channel.id, clock.getTime())) {
      // The gateway keeps the message and tries again later: nothing is lost by saying so.
      throw new TallyError(
        'rate_limited',
        `The ${channel.kind} channel "${channel.id}" is sending too fast; try again shortly`,
      );
    }
    const contactKind = channel.kind === 'email' ? 'email' : 'phone';
    const phone =
      contactKind === 'phone' ? normalizePhoneNumber(inbound.from, this.countries[0] ?? null) : null;
    // A sender that is no phone number (an alphanumeric sender id) is still one sender, kept as written; an
    // address is one sender whatever the case it is written in.
    const address =
      phone?.e164 ?? (contactKind === 'email' ? inbound.from.trim().toLowerCase() : inbound.from.trim());
    const lookup = this.vault.lookupOf(contactKind, address);
    // A flood from one number is still stored, but kept out of the inbox and unanswered, so that it takes
    // neither the volunteers' attention nor the outbox from everyone else.
    const flooding = !this.senderBuckets.take(lookup, clock.getTime());
    const now = clock.toISOString();
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
        status: flooding ? 'archived' : 'received',
        statusDetail: flooding ? `more than ${this.senderLimit} messages a minute from this sender` : null,
      },
      {
        id: uuidv7(),
        kind: contactKind,
        lookup,
        sealed: this.vault.seal(address),
        country: phone?.country ?? null,
      },
    );
    const language = stored.contact.language ?? channel.settings.language;
    if (stored.contact.trust === 'blocked' && !stored.duplicate) {
      // Kept, as everything received is, but out of the inbox and unanswered.
      await this.messages.setStatus(stored.message.id, 'archived', now);
      return { message: stored.message, duplicate: false, replies: [] };
    }
    if (
      stored.contact.trust === 'trusted' &&
      !stored.duplicate &&
      !flooding &&
      !asksToBeForgotten(inbound.text)
    ) {
      // A sender volunteers trust may make a report directly; it still waits, pending, for publishing.
      await this.makeReport(stored.message, {}, channel);
    }
    if (flooding && !asksToBeForgotten(inbound.text)) {
      return { message: stored.message, duplicate: stored.duplicate, replies: [] };
    }
    if (asksToBeForgotten(inbound.text)) {
      await this.messages.forgetContact(stored.contact.id, now);
      return { message: stored.message, duplicate: stored.duplicate, replies: [forgottenNotice(language)] };
    }
    const reply = acknowledgement(language, stored.message.seq);
    if (answersInResponse.has(channel.kind)) {
      return { message: stored.message, duplicate: stored.duplicate, replies: [reply] };
    }
    // These gateways take no reply in their answer: the acknowledgement goes out as a message of its own.
    if (!stored.duplicate && canPush(channel.kind)) {
      await this.outbox.enqueue(channel, stored.contact.id, reply, stored.message.id);
    }
    return { message: stored.message, duplicate: stored.duplicate, replies: [] };
  }

  /**
   * Makes a report of a message: its text and sender's channel pre-filled, what the volunteer gives taken
   * over them. The report's author is the sender, not the volunteer (who may then vote on it). Made with the
   * message as its idempotency key, so a retry after a failure in between makes no second report.
   */
  async toReport(
    actor: Actor,
    messageId: string,
    input: ReportFromMessage,
  ): Promise<{ message: Message; report: ReportView }> {
    requireRole(actor, 'volunteer', 'make a report of a message');
    const message = await this.inboundMessage(messageId);
    if (message.reportId) {
      throw new TallyError(
        'message_already_linked',
        `Message ${messageId} already belongs to report ${message.reportId}`,
      );
    }
    const reportId = await this.makeReport(message, input, await this.channelOf(message.channelId));
    return {
      message: (await this.messages.findById(message.id)) ?? message,
      report: await this.reports.get(actor, reportId),
    };
  }

  /**
   * Marks a sender as trusted (their messages become pending reports directly), blocked (kept out of the
   * inbox, unanswered) or normal again. Who is trusted is on the public record, under an opaque contact id.
   */
  async setTrust(actor: Actor, contactId: string, trust: Trust): Promise<void> {
    const volunteer = requireRole(actor, 'volunteer', 'set whether a sender is trusted');
    const change = this.record.change('contact.trust', `contact:${contactId}`, volunteer, {
      contact: contactId,
      trust,
    });
    if (!(await this.contacts.setTrust(contactId, trust, [change]))) {
      throw new TallyError('not_found', `No contact ${contactId}`);
    }
  }

  /** Makes a pending report of a message and links it; returns the report's id. */
  private async makeReport(
    message: Message,
    input: ReportFromMessage,
    channel: Channel | undefined,
  ): Promise<string> {
    // The place the text names is proposed when the volunteer gives none and the guess is a fair one.
    const suggested =
      input.location === undefined ? this.suggestLocation(message, await this.knownPlaces()) : null;
    const location =
      suggested && suggested.confidence >= 0.5
        ? { lat: suggested.lat, lon: suggested.lon, name: suggested.name }
        : input.location;
    const created = await this.reports.create(
      anonymous,
      {
        ...input,
        title: input.title ?? titleFrom(message.text),
        description: input.description ?? message.text,
        categories: input.categories ?? (await this.keywordRouter())(message.text),
        ...(location === undefined ? {} : { location }),
      },
      sourceOf(channel),
      `message:${message.id}`,
    );
    await this.link(message, created.id);
    return created.id;
  }

  /** Attaches a message to a report that already exists: a second message about the same event. */
  async attach(actor: Actor, messageId: string, reportId: string): Promise<Message> {
    requireRole(actor, 'volunteer', 'attach a message to a report');
    const message = await this.inboundMessage(messageId);
    await this.reports.get(actor, reportId);
    return this.link(message, reportId);
  }

  /** Archives a message as noise: it stays stored, out of the way. */
  async archive(actor: Actor, messageId: string): Promise<Message> {
    requireRole(actor, 'volunteer', 'archive a message');
    const message = await this.inboundMessage(messageId);
    await this.messages.setStatus(message.id, 'archived', this.clock.now().toISOString());
    return (await this.messages.findById(message.id)) ?? message;
  }

  private async inboundMessage(id: string): Promise<Message> {
    const message = await this.messages.findById(id);
    if (!message) throw new TallyError('message_not_found', `No message ${id}`);
    if (message.direction !== 'inbound')
      throw validationError('path/id', 'only a received message can be triaged');
    return message;
  }

  private async link(message: Message, reportId: string): Promise<Message> {
    const linked = await this.messages.linkToReport(message.id, reportId, this.clock.now().toISOString());
    const now = (await this.messages.findById(message.id)) ?? message;
    if (!linked && now.reportId !== reportId) {
      throw new TallyError(
        'message_already_linked',
        `Message ${message.id} already belongs to report ${now.reportId}`,
      );
    }
    return now;
  }

  async list(actor: Actor, query: MessageQuery): Promise<InboxMessage[]> {
    requireRole(actor, 'volunteer', 'read the inbox');
    const messages = await this.messages.list(query);
    const [known, categoriesOf] = await Promise.all([this.knownPlaces(), this.keywordRouter()]);
    return messages.map((message) => ({
      ...message,
      suggestedLocation: this.suggestLocation(message, known),
      suggestedCategories: message.direction === 'inbound' ? categoriesOf(message.text) : [],
    }));
  }

  /** Where an inbound message seems to be about: in the deployment's countries, else the sender's. */
  private suggestLocation(message: Message, known: readonly KnownPlace[]): SuggestedLocation | null {
    if (message.direction !== 'inbound') return null;
    const countries =
      this.countries.length > 0 ? this.countries : message.senderCountry ? [message.senderCountry] : [];
    return locationInText(message.text, this.gazetteer, countries, known);
  }
}

/**
 * SMS gateways make SMS reports and mailboxes e-mail ones; a generic webhook says in its settings what it
 * carries (e.g. whatsapp).
 */
function sourceOf(channel: Channel | undefined): ReportSource {
  if (channel?.kind === 'email') return 'email';
  if (channel?.kind !== 'webhook') return 'sms';
  const said = channel.settings.source;
  return said && (reportSources as readonly string[]).includes(said) ? (said as ReportSource) : 'api';
}
