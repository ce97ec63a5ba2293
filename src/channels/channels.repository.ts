import { type Kysely, type Selectable, sql } from 'kysely';
import type { ChannelsTable, Database } from '../db/schema.js';
import type { LedgerChange } from '../ledger/entry.js';
import type { LedgerRepository } from '../ledger/ledger.repository.js';
import { type Channel, type ChannelKind, publicSettingNames } from './channel.js';

export interface StoredChannel {
  channel: Channel;
  /** The secrets as stored: sealed. */
  sealedSecrets: string;
}

export interface NewChannel {
  id: string;
  kind: ChannelKind;
  name: string;
  settings: Record<string, string>;
  secretNames: string[];
  sealedSecrets: string;
  createdAt: string;
}

function toStored(row: Selectable<ChannelsTable>): StoredChannel {
  const settings = JSON.parse(row.settings) as { values: Record<string, string>; secretNames: string[] };
  return {
    channel: {
      id: row.id,
      kind: row.kind as ChannelKind,
      name: row.name,
      settings: settings.values,
      secretNames: settings.secretNames,
      enabled: row.enabled === 1,
      refusedRequests: Number(row.refused_requests),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      deletedAt: row.deleted_at ?? null,
    },
    sealedSecrets: row.secrets,
  };
}

export class ChannelsRepository {
  /** A row as a channel, for readers of the table outside this repository (`tally ledger verify`). */
  static toChannel(row: Selectable<ChannelsTable>): Channel {
    return toStored(row).channel;
  }

  constructor(
    private readonly db: Kysely<Database>,
    /** Channels' creation, switching off and on, and deletion are public, recorded in the same transaction. */
    private readonly ledger: LedgerRepository,
  ) {}

  /** Stores a new channel with its entries; false (and nothing recorded) when the id is taken. */
  async insert(channel: NewChannel, changes: readonly LedgerChange[]): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .insertInto('channels')
        .values({
          id: channel.id,
          kind: channel.kind,
          name: channel.name,
          // Which secrets are set is kept beside the settings, so listing channels never unseals anything.
          settings: JSON.stringify({ values: channel.settings, secretNames: channel.secretNames }),
          secrets: channel.sealedSecrets,
          enabled: 1,
          refused_requests: 0,
          created_at: channel.createdAt,
          updated_at: channel.createdAt,
        })
        .onConflict((conflict) => conflict.column('id').doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0n) !== 1) return false;
      await this.ledger.append(trx, changes);
      return true;
    });
  }

  /** Switches a channel that is not deleted on or off, with its entries; false when there is none such. */
  async setEnabled(
    id: string,
    enabled: boolean,
    now: string,
    changes: readonly LedgerChange[],
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('channels')
        .set({ enabled: enabled ? 1 : 0, updated_at: now })
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await this.ledger.append(trx, changes);
      return true;
    });
  }

  /**
   * Deletes a channel but keeps its row, for the messages that reference it: its secrets and private
   * settings are erased, and what it still had queued to send fails, saying why. False when there was no
   * channel to delete.
   */
  async markDeleted(
    stored: StoredChannel,
    now: string,
    reason: string,
    changes: readonly LedgerChange[],
  ): Promise<boolean> {
    const kept = Object.fromEntries(
      Object.entries(stored.channel.settings).filter(([name]) => publicSettingNames.includes(name)),
    );
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('channels')
        .set({
          enabled: 0,
          secrets: '',
          settings: JSON.stringify({ values: kept, secretNames: [] }),
          updated_at: now,
          deleted_at: now,
        })
        .where('id', '=', stored.channel.id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await trx
        .updateTable('messages')
        .set({ status: 'failed', status_detail: reason, next_attempt_at: null, updated_at: now })
        .where('channel_id', '=', stored.channel.id)
        .where('direction', '=', 'outbound')
        .where('status', '=', 'queued')
        .execute();
      await this.ledger.append(trx, changes);
      return true;
    });
  }

  async findById(id: string): Promise<StoredChannel | undefined> {
    const row = await this.db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toStored(row);
  }

  /** Every channel not deleted. */
  async list(): Promise<Channel[]> {
    const rows = await this.db
      .selectFrom('channels')
      .selectAll()
      .where('deleted_at', 'is', null)
      .orderBy('id')
      .execute();
    return rows.map((row) => toStored(row).channel);
  }

  /** Channels, deleted ones too, that no entry of the public record names (added before channels were on it). */
  async unrecorded(): Promise<Channel[]> {
    const rows = await this.db
      .selectFrom('channels')
      .selectAll()
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('ledger_entries')
              .select('idx')
              .whereRef('ledger_entries.subject', '=', sql<string>`'channel:' || channels.id`),
          ),
        ),
      )
      .orderBy('id')
      .execute();
    return rows.map((row) => toStored(row).channel);
  }

  /** Appends entries that go with no change of a channel's row. */
  async recordAlone(changes: readonly LedgerChange[]): Promise<boolean> {
    if (changes.length === 0) return false;
    await this.ledger.appendAlone(changes);
    return true;
  }

  /** Counts a request refused for a wrong or missing signature or secret. */
  async countRefused(id: string): Promise<void> {
    await this.db
      .updateTable('channels')
      .set({ refused_requests: sql`refused_requests + 1` })
      .where('id', '=', id)
      .execute();
  }
}
