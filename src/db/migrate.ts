import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { Db, Dialect } from './database.js';
import * as initial from './migrations/2026-11-25T19-40-initial.js';
import * as reportIdempotencyKeys from './migrations/2026-11-25T21-00-report-idempotency-keys.js';
import * as publicRecord from './migrations/2026-11-25T22-00-public-record.js';
import * as messages from './migrations/2026-11-26T02-00-messages.js';
import * as categoryKeywords from './migrations/2026-11-26T03-00-category-keywords.js';
import * as localPlaces from './migrations/2026-11-26T04-00-local-places.js';
import * as sensors from './migrations/2026-11-26T05-00-sensors.js';
import * as channelDeletion from './migrations/2026-12-08T03-25-channel-deletion.js';
import * as fixedDeviceLogs from './migrations/2026-12-08T04-20-fixed-device-logs.js';

interface DialectMigration {
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}

/** Every migration, in order. Names never change once landed. */
const migrations: Record<string, DialectMigration> = {
  '2026-11-25T19-40-initial': initial,
  '2026-11-25T21-00-report-idempotency-keys': reportIdempotencyKeys,
  '2026-11-25T22-00-public-record': publicRecord,
  '2026-11-26T02-00-messages': messages,
  '2026-11-26T03-00-category-keywords': categoryKeywords,
  '2026-11-26T04-00-local-places': localPlaces,
  '2026-11-26T05-00-sensors': sensors,
  '2026-12-08T03-25-channel-deletion': channelDeletion,
  '2026-12-08T04-20-fixed-device-logs': fixedDeviceLogs,
};

class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(
      Object.entries(migrations).map(([name, migration]) => [
        name,
        { up: (db: Kysely<unknown>) => migration.up(db, this.dialect) },
      ]),
    );
  }
}

export interface MigrationOutcome {
  applied: string[];
}

function migratorOf(db: Db): Migrator {
  return new Migrator({
    db: db.kysely,
    provider: new StaticMigrationProvider(db.dialect),
    // Kysely looks for its bookkeeping tables by name across schemas unless told which schema is ours.
    ...(db.pgSchema ? { migrationTableSchema: db.pgSchema } : {}),
  });
}

/** Brings the schema up to date; safe to run at every start and from several processes at once. */
export async function migrateToLatest(db: Db): Promise<MigrationOutcome> {
  const { error, results } = await migratorOf(db).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/** Every migration before `name`: the schema as a deployment had it then, for tests of what `name` repairs. */
export async function migrateToJustBefore(db: Db, name: string): Promise<MigrationOutcome> {
  const names = Object.keys(migrations);
  const previous = names[names.indexOf(name) - 1];
  if (previous === undefined) throw new Error(`No migration comes before ${name}`);
  const { error, results } = await migratorOf(db).migrateTo(previous);
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
