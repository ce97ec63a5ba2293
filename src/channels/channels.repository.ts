import { type Kysely, type Selectable, sql } from 'kysely';
import type { ChannelsTable, Database } from '../db/schema.js';
import type { Channel, ChannelKind } from './channel.js';

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
    },
    sealedSecrets: row.secrets,
  };
}

export class ChannelsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores a new channel; false when the id is taken. */
  async insert(channel: NewChannel): Promise<boolean> {
    const result = await this.db
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
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async findById(id: string): Promise<StoredChannel | undefined> {
    const row = await this.db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toStored(row);
  }

  async list(): Promise<Channel[]> {
    const rows = await this.db.selectFrom('channels').selectAll().orderBy('id').execute();
    return rows.map((row) => toStored(row).channel);
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
