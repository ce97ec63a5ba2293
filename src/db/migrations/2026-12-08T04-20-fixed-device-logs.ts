import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.js';

// Frozen once landed: later changes go in a new migration.

/** What the start asks the readings for; the same name is in src/sensors/readings.repository.ts. */
const rebuildCellsTask = 'rebuild-reading-cells';

interface FixedDeviceImport {
  id: string;
  public_lat: number | null;
  public_lon: number | null;
  location_precision: string;
}

interface StoredImport {
  summary: string;
  rejected_lines: string;
}

/**
 * A drive log filed under a fixed device is placed where the public sees the device, but logs stored before
 * that kept every line's GPS position: a coarse station's home, in its readings, track, summary and
 * rejected lines. This places them as a new import of the same log would be placed. The map's cells were
 * folded from those positions; folding needs code a frozen migration must not import, so the first start
 * after it rebuilds them (the task row left here), before anything is served.
 *
 * Every statement can run again: on SQLite, where migrations run without a transaction, a crash part way
 * leaves this migration unrecorded and the next start does it all once more.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('maintenance_tasks')
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  const { rows: imports } = await sql<FixedDeviceImport>`
    SELECT sensor_imports.id, devices.public_lat, devices.public_lon, devices.location_precision
    FROM sensor_imports JOIN devices ON devices.id = sensor_imports.device_id
    WHERE devices.mobility = 'fixed'`.execute(db);
  if (imports.length === 0) return;
  for (const item of imports) {
    const at =
      item.public_lat === null || item.public_lon === null
        ? null
        : { lat: item.public_lat, lon: item.public_lon };
    await sql`UPDATE readings SET lat = ${at?.lat ?? null}, lon = ${at?.lon ?? null}, altitude = NULL WHERE import_id = ${item.id}`.execute(
      db,
    );
    const { rows } = await sql<StoredImport>`
      SELECT summary, rejected_lines FROM sensor_imports WHERE id = ${item.id}`.execute(db);
    const stored = rows[0];
    if (!stored) continue;
    const summary = JSON.parse(stored.summary) as { bbox: number[] | null };
    // No fix in the log, or no public position: no box, as for a new import.
    summary.bbox = summary.bbox === null || at === null ? null : [at.lon, at.lat, at.lon, at.lat];
    let rejected = stored.rejected_lines;
    if (item.location_precision === 'coarse') {
      const lines = JSON.parse(rejected) as { text: string }[];
      rejected = JSON.stringify(lines.map((line) => ({ ...line, text: '' })));
    }
    await sql`UPDATE sensor_imports SET summary = ${JSON.stringify(summary)}, rejected_lines = ${rejected} WHERE id = ${item.id}`.execute(
      db,
    );
  }
  await sql`INSERT INTO maintenance_tasks (name, created_at) VALUES (${rebuildCellsTask}, ${new Date().toISOString()}) ON CONFLICT DO NOTHING`.execute(
    db,
  );
}
