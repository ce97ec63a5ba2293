import type { Kysely } from 'kysely';

// Frozen once landed: later changes go in a new migration.

/** A client's Idempotency-Key per report, so a retried submission returns the first report, not a copy. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('reports').addColumn('idempotency_key', 'text').execute();
  await db.schema
    .createIndex('reports_idempotency_key')
    .on('reports')
    .column('idempotency_key')
    .unique()
    .execute();
}
