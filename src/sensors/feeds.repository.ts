import type { Kysely, Selectable } from 'kysely';
import type { Database, SensorFeedsTable } from '../db/schema.js';
import type { FeedKind, SensorFeed } from './sensor-feed.js';

/** A feed as stored, with its password still sealed: for connecting to its broker, never for showing. */
export interface StoredFeed {
  feed: SensorFeed;
  sealedPassword: string | null;
}

function toStored(row: Selectable<SensorFeedsTable>): StoredFeed {
  return {
    feed: {
      id: row.id,
      ownerId: row.owner_id,
      kind: row.kind as FeedKind,
      url: row.url,
      topic: row.topic,
      username: row.username,
      hasPassword: row.password !== null,
      enabled: row.enabled === 1,
      lastMessageAt: row.last_message_at,
      lastError: row.last_error,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    },
    sealedPassword: row.password,
  };
}

export class FeedsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(feed: SensorFeed, sealedPassword: string | null): Promise<void> {
    await this.db
      .insertInto('sensor_feeds')
      .values({
        id: feed.id,
        owner_id: feed.ownerId,
        kind: feed.kind,
        url: feed.url,
        topic: feed.topic,
        username: feed.username,
        password: sealedPassword,
        enabled: feed.enabled ? 1 : 0,
        last_message_at: feed.lastMessageAt,
        last_error: feed.lastError,
        created_at: feed.createdAt,
        updated_at: feed.updatedAt,
      })
      .execute();
  }

  async findById(id: string): Promise<SensorFeed | undefined> {
    const row = await this.db.selectFrom('sensor_feeds').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toStored(row).feed;
  }

  async list(filter: { ownerId?: string }): Promise<SensorFeed[]> {
    let query = this.db.selectFrom('sensor_feeds').selectAll();
    if (filter.ownerId) query = query.where('owner_id', '=', filter.ownerId);
    const rows = await query.orderBy('created_at').orderBy('id').execute();
    return rows.map((row) => toStored(row).feed);
  }

  async listEnabled(): Promise<StoredFeed[]> {
    const rows = await this.db
      .selectFrom('sensor_feeds')
      .selectAll()
      .where('enabled', '=', 1)
      .orderBy('id')
      .execute();
    return rows.map(toStored);
  }

  /** False when there was no such feed. */
  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('sensor_feeds').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  /** A message arrived: stored (no error) or refused (why). */
  async noteMessage(id: string, at: string, error: string | null): Promise<void> {
    await this.db
      .updateTable('sensor_feeds')
      .set({ last_message_at: at, last_error: error })
      .where('id', '=', id)
      .execute();
  }

  /** The broker could not be reached or read; the last message's time stays. */
  async noteError(id: string, error: string): Promise<void> {
    await this.db.updateTable('sensor_feeds').set({ last_error: error }).where('id', '=', id).execute();
  }
}
