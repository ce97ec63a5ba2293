import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

// Frozen once landed: later changes go in a new migration.

/**
 * A deleted channel keeps its row: the messages that came through it reference it and stay readable, and
 * its id stays taken, so that no later channel receives as the old one (and is matched against its
 * messages' provider ids). Its secrets and private settings are erased when it is deleted.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('channels').addColumn('deleted_at', 'text').execute();
}
