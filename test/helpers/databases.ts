import { randomBytes } from 'node:crypto';
import { after, describe } from 'node:test';
import pg from 'pg';
import { type Db, openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';

export type DatabaseKind = 'sqlite' | 'postgres';

export const postgresUrl = process.env.TALLY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Set by scripts/test.mjs when PostgreSQL is unreachable outside CI; under CI that is a failure instead. */
const postgresSkipReason = process.env.TALLY_TEST_SKIP_POSTGRES || undefined;

export interface TestDb extends Db {
  kind: DatabaseKind;
}

/**
 * A fresh, migrated database: SQLite in memory, or a PostgreSQL schema of its own that is dropped when
 * the test file ends. Nothing is shared between tests. `migrate` stops earlier for tests of an upgrade.
 */
export async function openTestDatabase(
  kind: DatabaseKind,
  sqlitePath = ':memory:',
  migrate: (db: Db) => Promise<unknown> = migrateToLatest,
): Promise<TestDb> {
  if (kind === 'sqlite') {
    const db = openDatabase({ sqlitePath });
    await migrate(db);
    return { ...db, kind };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const db = await withSchemaLock('shared', async (admin) => {
    await admin.query(`CREATE SCHEMA ${schema}`);
    const opened = openDatabase({ databaseUrl: postgresUrl, pgSchema: schema, pgPoolSize: 4 });
    await migrate(opened);
    return opened;
  });
  return {
    ...db,
    kind,
    async destroy() {
      await db.destroy();
      await withSchemaLock('exclusive', (admin) => admin.query(`DROP SCHEMA ${schema} CASCADE`));
    },
  };
}

const schemaLockKey = 7_240_611;

/** Brings a database opened by `openTestDatabase` with fewer migrations up to date, as an upgrade does. */
export async function upgradeTestDatabase(db: TestDb): Promise<void> {
  if (db.kind === 'sqlite') await migrateToLatest(db);
  else await withSchemaLock('shared', () => migrateToLatest(db));
}

/**
 * Migrating reads the catalog of every schema in the database, by name, and fails with "schema does not
 * exist" when another test file drops its schema at that moment. Migrations hold this lock shared, drops
 * hold it alone. The lock lives as long as the admin connection.
 */
async function withSchemaLock<T>(
  mode: 'shared' | 'exclusive',
  work: (admin: pg.Client) => Promise<T>,
): Promise<T> {
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    await admin.query(
      mode === 'shared' ? 'SELECT pg_advisory_lock_shared($1)' : 'SELECT pg_advisory_lock($1)',
      [schemaLockKey],
    );
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/**
 * Runs the same suite against SQLite and PostgreSQL, so both dialects keep the same behaviour.
 * `open` gives each test its own database, closed automatically after the suite.
 */
export function forEachDatabase(
  name: string,
  suite: (open: () => Promise<TestDb>, kind: DatabaseKind) => void,
): void {
  for (const kind of ['sqlite', 'postgres'] as const) {
    const skip = kind === 'postgres' ? postgresSkipReason : undefined;
    describe(`${name} (${kind})`, { skip }, () => {
      const opened: TestDb[] = [];
      after(async () => {
        await Promise.all(opened.map((db) => db.destroy()));
      });
      suite(async () => {
        const db = await openTestDatabase(kind);
        opened.push(db);
        return db;
      }, kind);
    });
  }
}
