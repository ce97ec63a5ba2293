import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

// Frozen once landed: later changes go in a new migration.

/**
 * The deployment's own places: names people use that no gazetteer has (a market, an estate, a camp, a
 * ward), looked for in messages before the GeoNames towns.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('local_places')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    // The name folded as message texts are compared: lower case, no accents or punctuation.
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('lat', 'double precision', (c) => c.notNull())
    .addColumn('lon', 'double precision', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}
