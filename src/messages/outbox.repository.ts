import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { DeliveryState } from './gateways/twilio.js';

/** An outbound message ready to be handed to its gateway. */
export interface DueMessage {
  id: string;
  channelId: string;
  contactId: string | null;
  text: string;
  attempts: number;
  /** The recipient's number or address, sealed; null when they asked to be forgotten. */
  sealedRecipient: string | null;
}

export interface NewOutbound {
  id: string;
  channelId: string;
  contactId: string;
  text: string;
  inReplyTo: string | null;
  now: string;
  /** False for a channel whose phone comes to fetch its messages (SMSSync): no attempt is ever due. */
  pushed: boolean;
}

/** A message waiting for an SMSSync phone to fetch it. */
export interface AwaitingPhone {
  id: string;
  text: string;
  sealedRecipient: string | null;
}

/** The order states come in: a late report of an earlier state never moves a message back. */
const stateRank: Record<DeliveryState, number> = { queued: 0, sent: 1, delivered: 2, failed: 2 };

/**
 * The outbox: outbound messages are rows of their own, so a queued message survives a restart, and the
 * volunteer sees each one's state. A message is claimed for an attempt by moving its next attempt time
 * forward (a lease): if the process dies mid-attempt, the message is simply due again when the lease ends.
 */
export class OutboxRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async enqueue(message: NewOutbound): Promise<void> {
    await this.db
      .insertInto('messages')
      .values({
        id: message.id,
        channel_id: message.channelId,
        direction: 'outbound',
        provider_id: null,
        contact_id: message.contactId,
        text: message.text,
        media: '[]',
        raw: null,
        status: 'queued',
        status_detail: null,
        report_id: null,
        in_reply_to: message.inReplyTo,
        sent_at: null,
        received_at: message.now,
        updated_at: message.now,
        attempts: 0,
        next_attempt_at: message.pushed ? message.now : null,
      })
      .execute();
  }

  /** Queued messages of a channel whose phone fetches them, oldest first, not yet fetched. */
  async awaitingPhone(channelId: string, limit: number): Promise<AwaitingPhone[]> {
    const rows = await this.db
      .selectFrom('messages')
      .leftJoin('contacts', 'contacts.id', 'messages.contact_id')
      .select(['messages.id', 'messages.text', 'contacts.sealed'])
      .where('messages.channel_id', '=', channelId)
      .where('messages.direction', '=', 'outbound')
      .where('messages.status', '=', 'queued')
      .where('messages.provider_id', 'is', null)
      .orderBy('messages.seq')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ id: row.id, text: row.text, sealedRecipient: row.sealed }));
  }

  /** The phone took these messages; their id is the one its reports will name. */
  async fetchedByPhone(ids: readonly string[], now: string): Promise<void> {
    for (const id of ids) {
      await this.db
        .updateTable('messages')
        .set({ provider_id: id, status_detail: 'fetched by the phone', attempts: 1, updated_at: now })
        .where('id', '=', id)
        .execute();
    }
  }

  /** Which of these ids are outbound messages this channel's phone fetched. */
  async fetchedFrom(channelId: string, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('messages')
      .select('provider_id')
      .where('channel_id', '=', channelId)
      .where('direction', '=', 'outbound')
      .where('provider_id', 'in', [...ids])
      .execute();
    return new Set(rows.map((row) => row.provider_id!));
  }

  /** Messages the phone said it sent and whose delivery is not known yet. */
  async awaitingResult(channelId: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('messages')
      .select('provider_id')
      .where('channel_id', '=', channelId)
      .where('direction', '=', 'outbound')
      .where('status', '=', 'sent')
      .where('provider_id', 'is not', null)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((row) => row.provider_id!);
  }

  /**
   * Claims up to `limit` messages whose next attempt is due: each one's next attempt moves to `leaseUntil`
   * and its attempts go up by one, only if no other process claimed it first. A switched-off channel's
   * messages wait, unclaimed and without spending attempts, until it is switched on again; a deleted
   * channel's are claimed, to fail saying so.
   */
  async claimDue(now: string, leaseUntil: string, limit: number): Promise<DueMessage[]> {
    const due = await this.db
      .selectFrom('messages')
      .innerJoin('channels', 'channels.id', 'messages.channel_id')
      .leftJoin('contacts', 'contacts.id', 'messages.contact_id')
      .select([
        'messages.id',
        'messages.channel_id',
        'messages.contact_id',
        'messages.text',
        'messages.attempts',
        'messages.next_attempt_at',
        'contacts.sealed',
      ])
      .where('messages.direction', '=', 'outbound')
      .where('messages.status', '=', 'queued')
      .where('messages.next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('channels.enabled', '=', 1), eb('channels.deleted_at', 'is not', null)]))
      .orderBy('messages.next_attempt_at')
      .limit(limit)
      .execute();
    const claimed: DueMessage[] = [];
    for (const row of due) {
      const result = await this.db
        .updateTable('messages')
        .set({ next_attempt_at: leaseUntil, attempts: row.attempts + 1, updated_at: now })
        .where('id', '=', row.id)
        .where('next_attempt_at', '=', row.next_attempt_at)
        .where('status', '=', 'queued')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) continue;
      claimed.push({
        id: row.id,
        channelId: row.channel_id,
        contactId: row.contact_id,
        text: row.text,
        attempts: row.attempts + 1,
        sealedRecipient: row.sealed,
      });
    }
    return claimed;
  }

  /** The gateway took the message: it is `sent` (or still `queued` there), known by the gateway's id. */
  async handedOver(
    id: string,
    providerId: string,
    state: DeliveryState,
    detail: string,
    now: string,
  ): Promise<void> {
    await this.db
      .updateTable('messages')
      .set({
        provider_id: providerId,
        status: state,
        status_detail: detail,
        next_attempt_at: null,
        sent_at: now,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  }

  /** An attempt failed: tried again at `retryAt`, or given up (`failed`) when that is null. */
  async attemptFailed(id: string, detail: string, retryAt: string | null, now: string): Promise<void> {
    await this.db
      .updateTable('messages')
      .set({
        status: retryAt === null ? 'failed' : 'queued',
        status_detail: detail,
        next_attempt_at: retryAt,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  }

  /**
   * A gateway's report on a message it took, found by the gateway's id for it; false when the channel has
   * no such message. A report of an earlier state than the one recorded changes nothing.
   */
  async delivered(
    channelId: string,
    providerId: string,
    state: DeliveryState,
    detail: string,
    now: string,
  ): Promise<boolean> {
    const row = await this.db
      .selectFrom('messages')
      .select(['id', 'status'])
      .where('channel_id', '=', channelId)
      .where('direction', '=', 'outbound')
      .where('provider_id', '=', providerId)
      .executeTakeFirst();
    if (!row) return false;
    const current = stateRank[row.status as DeliveryState] ?? 0;
    if (stateRank[state] < current) return true;
    await this.db
      .updateTable('messages')
      .set({ status: state, status_detail: detail, updated_at: now })
      .where('id', '=', row.id)
      .execute();
    return true;
  }
}
