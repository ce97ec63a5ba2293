import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.js';

// Frozen once landed: later changes go in a new migration.

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const now = new Date().toISOString();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text')
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('disabled_at', 'text')
    .execute();

  await db.schema
    .createTable('auth_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.createIndex('auth_tokens_user').on('auth_tokens').column('user_id').execute();

  await db.schema
    .createTable('surveys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('auto_publish', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('fields', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db
    .insertInto('surveys' as never)
    .values({
      id: 'default',
      name: 'Reports',
      description: 'What did you see? Where and when?',
      auto_publish: 0,
      fields: '[]',
      created_at: now,
      updated_at: now,
    } as never)
    .execute();

  await db.schema
    .createTable('categories')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('parent_id', 'text', (c) => c.references('categories.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('color', 'text')
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('translations', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('categories_parent').on('categories').column('parent_id').execute();

  await db.schema
    .createTable('reports')
    .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('survey_id', 'text', (c) => c.notNull().references('surveys.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('lat', 'double precision')
    .addColumn('lon', 'double precision')
    .addColumn('accuracy_m', 'double precision')
    // Where the public sees the report (coarsened when sensitive); bbox queries and the map use these,
    // so probing with tiny boxes cannot reveal a sensitive report's exact place.
    .addColumn('public_lat', 'double precision')
    .addColumn('public_lon', 'double precision')
    .addColumn('location_name', 'text')
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('verification', 'text', (c) => c.notNull().defaultTo('unverified'))
    .addColumn('sensitivity', 'text', (c) => c.notNull().defaultTo('exact'))
    .addColumn('author_name', 'text')
    .addColumn('contact', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('fields', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .execute();
  await db.schema.createIndex('reports_status_seq').on('reports').columns(['status', 'seq']).execute();
  await db.schema
    .createIndex('reports_status_occurred')
    .on('reports')
    .columns(['status', 'occurred_at'])
    .execute();

  await db.schema
    .createTable('report_categories')
    .addColumn('report_id', 'text', (c) => c.notNull().references('reports.id').onDelete('cascade'))
    .addColumn('category_id', 'text', (c) => c.notNull().references('categories.id'))
    .addPrimaryKeyConstraint('report_categories_pk', ['report_id', 'category_id'])
    .execute();
  await db.schema
    .createIndex('report_categories_category')
    .on('report_categories')
    .columns(['category_id', 'report_id'])
    .execute();

  await db.schema
    .createTable('report_revisions')
    .addColumn('report_id', 'text', (c) => c.notNull().references('reports.id').onDelete('cascade'))
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('snapshot', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_revisions_pk', ['report_id', 'revision'])
    .execute();

  if (dialect === 'postgres') {
    // A GiST index on the point answers bbox queries without PostGIS.
    await sql`CREATE INDEX reports_location ON reports USING gist (point(public_lon, public_lat)) WHERE public_lat IS NOT NULL`.execute(
      db,
    );
    // Accents are folded (as SQLite's FTS5 does with remove_diacritics), so "cafe" finds "Café" on both.
    await sql`ALTER TABLE reports ADD COLUMN search tsvector GENERATED ALWAYS AS (
      to_tsvector('simple', translate(lower(title || ' ' || description || ' ' || coalesce(location_name, '')),
        'áàâäãåāăąéèêëēėęěíìîïīįóòôöõøōőúùûüūůűųýÿçćčñńňśšźżžđłğş', 'aaaaaaaaaeeeeeeeeiiiiiioooooooouuuuuuuuyycccnnnsszzzdlgs'))
    ) STORED`.execute(db);
    await sql`CREATE INDEX reports_search ON reports USING gin (search)`.execute(db);
  } else {
    // R*Tree for bbox, FTS5 for full text; both keyed on the report's integer seq and kept by triggers.
    await sql`CREATE VIRTUAL TABLE reports_rtree USING rtree(seq, min_lon, max_lon, min_lat, max_lat)`.execute(
      db,
    );
    await sql`CREATE VIRTUAL TABLE reports_fts USING fts5(
      title, description, location_name, content='reports', content_rowid='seq', tokenize='unicode61 remove_diacritics 2'
    )`.execute(db);
    for (const statement of [
      sql`CREATE TRIGGER reports_ai AFTER INSERT ON reports BEGIN
        INSERT INTO reports_fts(rowid, title, description, location_name)
          VALUES (new.seq, new.title, new.description, new.location_name);
        INSERT INTO reports_rtree(seq, min_lon, max_lon, min_lat, max_lat)
          SELECT new.seq, new.public_lon, new.public_lon, new.public_lat, new.public_lat WHERE new.public_lat IS NOT NULL AND new.public_lon IS NOT NULL;
      END`,
      sql`CREATE TRIGGER reports_ad AFTER DELETE ON reports BEGIN
        INSERT INTO reports_fts(reports_fts, rowid, title, description, location_name)
          VALUES ('delete', old.seq, old.title, old.description, old.location_name);
        DELETE FROM reports_rtree WHERE seq = old.seq;
      END`,
      sql`CREATE TRIGGER reports_au_text AFTER UPDATE OF title, description, location_name ON reports BEGIN
        INSERT INTO reports_fts(reports_fts, rowid, title, description, location_name)
          VALUES ('delete', old.seq, old.title, old.description, old.location_name);
        INSERT INTO reports_fts(rowid, title, description, location_name)
          VALUES (new.seq, new.title, new.description, new.location_name);
      END`,
      sql`CREATE TRIGGER reports_au_location AFTER UPDATE OF public_lat, public_lon ON reports BEGIN
        DELETE FROM reports_rtree WHERE seq = old.seq;
        INSERT INTO reports_rtree(seq, min_lon, max_lon, min_lat, max_lat)
          SELECT new.seq, new.public_lon, new.public_lon, new.public_lat, new.public_lat WHERE new.public_lat IS NOT NULL AND new.public_lon IS NOT NULL;
      END`,
    ]) {
      await statement.execute(db);
    }
  }
}
