import type { Kysely } from 'kysely';

// Frozen once landed: later changes go in a new migration.

/**
 * A client's Idempotency-Key per report, so a retried submission returns the first report, not a copy;
 * with a fingerprint of what was sent, so reusing a key for a different report is caught.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('reports').addColumn('idempotency_key', 'text').execute();
  await db.schema.alterTable('reports').addColumn('idempotency_fingerprint', 'text').execute();
  await db.schema
    .createIndex('reports_idempotency_key')
    .on('reports')
    .column('idempotency_key')
    .unique()
    .execute();
}
