import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

// Frozen once landed: later changes go in a new migration.

/**
 * The verifiable public record (src/ledger/README.md): its leaves with their content, the head of the tree,
 * signed checkpoints; peers' votes on reports; and, on a mirror, where it mirrors from.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const bytes = dialect === 'postgres' ? 'bytea' : 'blob';
  // On SQLite only `integer primary key` is the table's own rowid, with no second index to keep.
  const position = dialect === 'postgres' ? 'bigint' : 'integer';

  await db.schema
    .createTable('ledger_entries')
    .addColumn('idx', position, (c) => c.primaryKey())
    .addColumn('time', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    // The exact bytes hashed as the leaf, and the content they name by its SHA-256 (null once redacted).
    .addColumn('leaf', bytes, (c) => c.notNull())
    .addColumn('content', bytes)
    .addColumn('redacted', 'integer', (c) => c.notNull().defaultTo(0))
    // Hashes of the complete subtrees this leaf closes, lowest level first: proofs read them instead of
    // rehashing the leaves below.
    .addColumn('tree_nodes', bytes, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('ledger_entries_subject')
    .on('ledger_entries')
    .columns(['subject', 'idx'])
    .execute();

  await db.schema
    .createTable('ledger_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('origin', 'text')
    .addColumn('size', 'bigint', (c) => c.notNull())
    // JSON array of base64 hashes: one complete subtree per set bit of the size, largest first.
    .addColumn('peaks', 'text', (c) => c.notNull())
    .execute();
  await db
    .insertInto('ledger_head' as never)
    .values({ id: 1, origin: null, size: 0, peaks: '[]' } as never)
    .execute();

  await db.schema
    .createTable('ledger_checkpoints')
    .addColumn('tree_size', 'bigint', (c) => c.primaryKey())
    .addColumn('root_hash', bytes, (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  // Who made the report public, as the record names them (a pseudonymous id).
  await db.schema.alterTable('reports').addColumn('published_by', 'text').execute();

  await db.schema
    .createTable('votes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('report_id', 'text', (c) => c.notNull().references('reports.id').onDelete('cascade'))
    // The voter's pseudonymous id as the public record shows it; one vote per voter and report.
    .addColumn('voter', 'text', (c) => c.notNull())
    .addColumn('verdict', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('ledger_index', 'bigint')
    .addUniqueConstraint('votes_report_voter', ['report_id', 'voter'])
    .execute();

  await db.schema
    .createTable('mirror_source')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('verifier_key', 'text', (c) => c.notNull())
    .addColumn('synced_at', 'text')
    .addColumn('last_error', 'text')
    .execute();
}
