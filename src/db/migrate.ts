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

/** Brings the schema up to date; safe to run at every start and from several processes at once. */
export async function migrateToLatest(db: Db): Promise<MigrationOutcome> {
  const migrator = new Migrator({
    db: db.kysely,
    provider: new StaticMigrationProvider(db.dialect),
    // Kysely looks for its bookkeeping tables by name across schemas unless told which schema is ours.
    ...(db.pgSchema ? { migrationTableSchema: db.pgSchema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
