import assert from 'node:assert/strict';
import { test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { SqliteStatements } from './sqlite-statements.js';

interface Tables {
  places: { id: number; name: string; lat: number | null; photo: Uint8Array | null };
}

function openPlaces(capacity?: number) {
  const sqlite = new SqliteDatabase(':memory:');
  sqlite.exec(`CREATE TABLE places (id INTEGER PRIMARY KEY, name TEXT NOT NULL, lat REAL, photo BLOB);
    INSERT INTO places VALUES (1, 'Kibera', -1.3133, x'ffd8'), (2, 'Mathare', NULL, NULL);`);
  const statements = new SqliteStatements(sqlite, capacity);
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: statements }) });
  return { sqlite, statements, db };
}

test('rows come back as the same objects better-sqlite3 itself makes', async () => {
  const { sqlite, db } = openPlaces();
  const rows = await db.selectFrom('places').selectAll().orderBy('id').execute();
  assert.deepEqual(rows, sqlite.prepare('SELECT * FROM places ORDER BY id').all());
  assert.ok(Buffer.isBuffer(rows[0]?.photo));
  await db.destroy();
});

test('a query run again reuses its prepared statement', async () => {
  const { statements } = openPlaces();
  const text = 'SELECT name FROM places WHERE id = ?';
  assert.equal(statements.prepare(text), statements.prepare(text));
});

test('the least recently used statement is the one dropped when the cache is full', () => {
  const { statements } = openPlaces(2);
  const first = statements.prepare('SELECT 1');
  const second = statements.prepare('SELECT 2');
  statements.prepare('SELECT 1');
  statements.prepare('SELECT 3');
  assert.equal(statements.prepare('SELECT 1'), first);
  assert.notEqual(statements.prepare('SELECT 2'), second);
});

test('a table altered after a query was kept is read with its new columns', async () => {
  const { db } = openPlaces();
  await db.selectFrom('places').selectAll().execute();
  await db.schema.alterTable('places').addColumn('ward', 'text').execute();
  await sql`UPDATE places SET ward = 'Olympic' WHERE id = 1`.execute(db);
  const [row] = await db.selectFrom('places').selectAll().where('id', '=', 1).execute();
  assert.equal((row as Record<string, unknown>).ward, 'Olympic');
  await db.destroy();
});

test('a column renamed after a query was kept is read under its new name', async () => {
  const { db } = openPlaces();
  await db.selectFrom('places').selectAll().execute();
  await sql`ALTER TABLE places RENAME COLUMN name TO place_name`.execute(db);
  const [row] = (await db.selectFrom('places').selectAll().orderBy('id').execute()) as Record<
    string,
    unknown
  >[];
  assert.equal(row?.place_name, 'Kibera');
  assert.equal(Object.hasOwn(row ?? {}, 'name'), false);
  await db.destroy();
});

test('a query prepared again while its rows are still being read gets a statement of its own', () => {
  const { statements } = openPlaces();
  const text = 'SELECT id, name FROM places ORDER BY id';
  const seen: string[] = [];
  for (const row of statements.prepare(text).iterate([]) as Iterable<{ name: string }>) {
    seen.push(`${row.name}:${statements.prepare(text).all([]).length}`);
  }
  assert.deepEqual(seen, ['Kibera:2', 'Mathare:2']);
});

test('a column named __proto__ cannot change the prototype of a row', async () => {
  const { sqlite, db } = openPlaces();
  const text = `SELECT 'x' AS "__proto__", 1 AS one`;
  const { rows } = await sql.raw<Record<string, unknown>>(text).execute(db);
  assert.equal(Object.getPrototypeOf(rows[0]), Object.prototype);
  assert.deepEqual(rows[0], sqlite.prepare(text).get());
  await db.destroy();
});

test('column names that are not identifiers still become keys', async () => {
  const { db } = openPlaces();
  const { rows } = await sql<
    Record<string, unknown>
  >`SELECT count(*), 'a' AS "it's \\ ""odd""" FROM places`.execute(db);
  assert.deepEqual(rows[0], { 'count(*)': 2, 'it\'s \\ "odd"': 'a' });
  await db.destroy();
});

test('a write reports its changes and its new row id', async () => {
  const { db } = openPlaces();
  const result = await db
    .insertInto('places')
    .values({ id: 7, name: 'Korogocho', lat: null, photo: null })
    .executeTakeFirst();
  assert.equal(result.insertId, 7n);
  const updated = await db.updateTable('places').set({ lat: 0 }).executeTakeFirst();
  assert.equal(updated.numUpdatedRows, 3n);
  await db.destroy();
});
