import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

// Frozen once landed: later changes go in a new migration.

/** Words that route a message to a category, in any language, set by coordinators. */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('category_keywords')
    // Folded: lower case, without accents or punctuation, as message texts are compared.
    .addColumn('keyword', 'text', (c) => c.notNull())
    .addColumn('category_id', 'text', (c) => c.notNull().references('categories.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('category_keywords_pk', ['keyword', 'category_id'])
    .execute();
  await db.schema
    .createIndex('category_keywords_category')
    .on('category_keywords')
    .columns(['category_id'])
    .execute();
}
