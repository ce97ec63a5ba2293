import type { Kysely, Selectable } from 'kysely';
import type { Database, MessagesTable } from '../db/schema.js';
import type { Message, MessageStatus } from './message.js';

/** An inbound message as it is stored, before anything is made of it. */
export interface NewInboundMessage {
  id: string;
  channelId: string;
  providerId: string;
  text: string;
  media: string[];
  /** The gateway's request, sealed. */
  raw: string;
  sentAt: string | null;
  receivedAt: string;
  /** `received`, or `archived` for one kept out of the inbox (a flood from one sender). */
  status: 'received' | 'archived';
  statusDetail: string | null;
}

/** Who sent it, as stored: found again by the keyed hash, the value itself sealed. */
export interface SenderContact {
  id: string;
  kind: 'phone' | 'email';
  lookup: string;
  sealed: string;
  country: string | null;
}

export interface StoredInbound {
  message: Message;
  /** True when the provider had already delivered this message (a retry): nothing new was stored. */
  duplicate: boolean;
  contact: { id: string; trust: string; language: string | null };
}

export interface MessageQuery {
  direction?: 'inbound' | 'outbound' | null;
  status: MessageStatus | null;
  channelId: string | null;
  contactId: string | null;
  beforeSeq: number | null;
  limit: number;
}

function toMessage(row: Selectable<MessagesTable> & { sender_country?: string | null }): Message {
  return {
    seq: Number(row.seq),
    id: row.id,
    channelId: row.channel_id,
    direction: row.direction as Message['direction'],
    providerId: row.provider_id,
    contactId: row.contact_id,
    text: row.text,
    media: JSON.parse(row.media) as string[],
    status: row.status as MessageStatus,
    statusDetail: row.status_detail,
    reportId: row.report_id,
    inReplyTo: row.in_reply_to,
    sentAt: row.sent_at,
    receivedAt: row.received_at,
    updatedAt: row.updated_at,
    attempts: row.attempts,
    senderCountry: row.sender_country ?? null,
  };
}

export class MessagesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Stores an inbound message and its sender in one transaction, before anything else happens to it. The
   * unique (channel, direction, provider id) makes a provider's retry of the same message a no-op, a retry
   * racing the first delivery included: the second insert does nothing and the first one's row is returned.
   */
  async storeInbound(message: NewInboundMessage, sender: SenderContact): Promise<StoredInbound> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('contacts')
        .values({
          id: sender.id,
          kind: sender.kind,
          lookup: sender.lookup,
          sealed: sender.sealed,
          country: sender.country,
          language: null,
          trust: 'normal',
          forgotten_at: null,
          created_at: message.receivedAt,
        })
        // Writing again after STOP is asking to be heard again: the number is kept for replies once more.
        .onConflict((conflict) =>
          conflict.column('lookup').doUpdateSet((row) => ({
            sealed: row.ref('excluded.sealed'),
            forgotten_at: null,
          })),
        )
        .execute();
      const contact = await trx
        .selectFrom('contacts')
        .select(['id', 'trust', 'language'])
        .where('lookup', '=', sender.lookup)
        .executeTakeFirstOrThrow();
      const inserted = await trx
        .insertInto('messages')
        .values({
          id: message.id,
          channel_id: message.channelId,
          direction: 'inbound',
          provider_id: message.providerId,
          contact_id: contact.id,
          text: message.text,
          media: JSON.stringify(message.media),
          raw: message.raw,
          status: message.status,
          status_detail: message.statusDetail,
          report_id: null,
          in_reply_to: null,
          sent_at: message.sentAt,
          received_at: message.receivedAt,
          updated_at: message.receivedAt,
          attempts: 0,
          next_attempt_at: null,
        })
        .onConflict((conflict) => conflict.columns(['channel_id', 'direction', 'provider_id']).doNothing())
        .executeTakeFirst();
      const row = await trx
        .selectFrom('messages')
        .selectAll()
        .where('channel_id', '=', message.channelId)
        .where('direction', '=', 'inbound')
        .where('provider_id', '=', message.providerId)
        .executeTakeFirstOrThrow();
      return {
        message: toMessage(row),
        duplicate: Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0,
        contact: {
          id: contact.id,
          trust: contact.trust,
          language: contact.language,
        },
      };
    });
  }

  async findById(id: string): Promise<Message | undefined> {
    const row = await this.withSenderCountry().where('messages.id', '=', id).executeTakeFirst();
    return row && toMessage(row);
  }

  private withSenderCountry() {
    return this.db
      .selectFrom('messages')
      .leftJoin('contacts', 'contacts.id', 'messages.contact_id')
      .selectAll('messages')
      .select('contacts.country as sender_country');
  }

  /**
   * Links an inbound message to its report and marks it processed, unless it already has a report (then
   * false): two volunteers triaging the same message at once cannot both link it.
   */
  async linkToReport(id: string, reportId: string, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable('messages')
      .set({ report_id: reportId, status: 'processed', updated_at: now })
      .where('id', '=', id)
      .where('direction', '=', 'inbound')
      .where('report_id', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Forgets who a contact is (STOP): their sealed number and the raw requests that named them go, in one
   * transaction. Their messages' texts stay, as anything else sent to a public project does.
   */
  async forgetContact(contactId: string, now: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('contacts')
        .set({ sealed: null, forgotten_at: now })
        .where('id', '=', contactId)
        .execute();
      await trx.updateTable('messages').set({ raw: null }).where('contact_id', '=', contactId).execute();
    });
  }

  /** The senders of the messages that made or were attached to a report, with the channel each wrote through. */
  async sendersOf(
    reportId: string,
  ): Promise<{ messageId: string; seq: number; channelId: string; contactId: string }[]> {
    const rows = await this.db
      .selectFrom('messages')
      .innerJoin('contacts', 'contacts.id', 'messages.contact_id')
      .select(['messages.id', 'messages.seq', 'messages.channel_id', 'messages.contact_id'])
      .where('messages.report_id', '=', reportId)
      .where('messages.direction', '=', 'inbound')
      .where('contacts.forgotten_at', 'is', null)
      .orderBy('messages.seq')
      .execute();
    return rows.map((row) => ({
      messageId: row.id,
      seq: Number(row.seq),
      channelId: row.channel_id,
      contactId: row.contact_id!,
    }));
  }

  async setStatus(id: string, status: MessageStatus, now: string): Promise<void> {
    await this.db.updateTable('messages').set({ status, updated_at: now }).where('id', '=', id).execute();
  }

  /** Newest first; `beforeSeq` continues a listing without skips or repeats as messages arrive. */
  async list(query: MessageQuery): Promise<Message[]> {
    let select = this.withSenderCountry();
    if (query.direction) select = select.where('messages.direction', '=', query.direction);
    if (query.status) select = select.where('messages.status', '=', query.status);
    if (query.channelId) select = select.where('messages.channel_id', '=', query.channelId);
    if (query.contactId) select = select.where('messages.contact_id', '=', query.contactId);
    if (query.beforeSeq !== null) select = select.where('messages.seq', '<', query.beforeSeq);
    const rows = await select.orderBy('messages.seq', 'desc').limit(query.limit).execute();
    return rows.map(toMessage);
  }
}
