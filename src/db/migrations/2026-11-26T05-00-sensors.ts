import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

// Frozen once landed: later changes go in a new migration.

/**
 * Sensor networks (src/sensors/README.md): devices and their owners, drive-log imports with the fate of
 * each line, readings, and the H3 cell aggregates the map reads. Readings are the one table that grows to
 * tens of millions of rows, so its times are integer milliseconds rather than the RFC 3339 text used
 * elsewhere: half the bytes, and the same order.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer';

  await db.schema
    .createTable('devices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    // The tube or sensor, e.g. LND 7317, PMS5003.
    .addColumn('sensor', 'text', (c) => c.notNull())
    // What it mostly measures; the map's default layer for it.
    .addColumn('quantity', 'text', (c) => c.notNull())
    // Counts per minute per µSv/h for this device's tube; radiation in CPM is converted with it.
    .addColumn('cpm_per_unit', 'double precision')
    .addColumn('mobility', 'text', (c) => c.notNull())
    // Where a fixed device stands, exactly: private to its owner.
    .addColumn('lat', 'double precision')
    .addColumn('lon', 'double precision')
    // Where the public sees it and its readings: exact, or coarsened for a device at someone's home.
    .addColumn('public_lat', 'double precision')
    .addColumn('public_lon', 'double precision')
    .addColumn('location_precision', 'text', (c) => c.notNull())
    // On another network (The Things Network `app/device`, Sensor.Community `esp8266-…`), its id there.
    .addColumn('network', 'text')
    .addColumn('external_id', 'text')
    .addColumn('hardware_id', 'text')
    // The serial a drive logger writes on every line (bGeigie `204`).
    .addColumn('serial', 'text')
    // How raw LoRaWAN bytes are decoded when the network sends no decoded payload.
    .addColumn('payload_format', 'text')
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('last_reading_at', 'text')
    .execute();
  await db.schema.createIndex('devices_owner').on('devices').columns(['owner_id']).execute();
  await db.schema
    .createIndex('devices_external_id')
    .on('devices')
    .columns(['network', 'external_id'])
    .unique()
    .execute();

  await db.schema
    .createTable('sensor_imports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('md5', 'text', (c) => c.notNull())
    .addColumn('size_bytes', bigint, (c) => c.notNull())
    // processed → submitted → approved | rejected
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('format', 'text')
    .addColumn('dead_time', 'integer', (c) => c.notNull())
    .addColumn('line_count', 'integer', (c) => c.notNull())
    .addColumn('accepted_count', 'integer', (c) => c.notNull())
    .addColumn('duplicate_count', 'integer', (c) => c.notNull())
    .addColumn('rejected_count', 'integer', (c) => c.notNull())
    // JSON [{line, reason, text}], the first few thousand; rejected_count has them all.
    .addColumn('rejected_lines', 'text', (c) => c.notNull())
    // JSON: what the owner says about the drive when submitting (name, description, cities, credits, …).
    .addColumn('metadata', 'text', (c) => c.notNull())
    // JSON: minimum and maximum CPM, share of lines with a GPS fix, first and last time, bounding box.
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'text')
    .addColumn('decided_at', 'text')
    // A volunteer's user id, or `rule:auto-approve`.
    .addColumn('decided_by', 'text')
    .addColumn('decision_reason', 'text')
    .execute();
  await db.schema.createIndex('sensor_imports_owner').on('sensor_imports').columns(['owner_id']).execute();
  await db.schema
    .createIndex('sensor_imports_status')
    .on('sensor_imports')
    .columns(['status', 'created_at'])
    .execute();
  await db.schema
    .createIndex('sensor_imports_md5')
    .on('sensor_imports')
    .columns(['owner_id', 'md5'])
    .unique()
    .execute();

  await db.schema
    .createTable('readings')
    .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('quantity', 'text', (c) => c.notNull())
    .addColumn('captured_ms', bigint, (c) => c.notNull())
    // In the quantity's unit (µSv/h for radiation).
    .addColumn('value', 'double precision', (c) => c.notNull())
    // Counts per minute as the tube gave them (dead-time corrected), for radiation.
    .addColumn('cpm', 'double precision')
    .addColumn('lat', 'double precision')
    .addColumn('lon', 'double precision')
    .addColumn('altitude', 'double precision')
    // Bits: 1 no GPS fix, 2 counter not yet valid (see src/sensors/reading.ts).
    .addColumn('flags', 'integer', (c) => c.notNull())
    // 1 once the public may see it: live readings at once, a drive log's when it is approved.
    .addColumn('public', 'integer', (c) => c.notNull())
    .addColumn('import_id', 'text')
    // The line of the import's file it came from.
    .addColumn('line', 'integer')
    .addColumn('received_ms', bigint, (c) => c.notNull())
    .execute();
  // One value per device, quantity and instant: a log uploaded twice or a retried batch adds nothing.
  await db.schema
    .createIndex('readings_device_time')
    .on('readings')
    .columns(['device_id', 'quantity', 'captured_ms'])
    .unique()
    .execute();
  await db.schema
    .createIndex('readings_import')
    .on('readings')
    .columns(['import_id', 'captured_ms'])
    .execute();

  // The map's hexagons: one row per quantity, H3 resolution and cell, kept up to date as readings become
  // public. `lat`/`lon` are the cell's centre, for the viewport query.
  await db.schema
    .createTable('reading_cells')
    .addColumn('quantity', 'text', (c) => c.notNull())
    .addColumn('resolution', 'integer', (c) => c.notNull())
    .addColumn('cell', 'text', (c) => c.notNull())
    .addColumn('lat', 'double precision', (c) => c.notNull())
    .addColumn('lon', 'double precision', (c) => c.notNull())
    .addColumn('count', bigint, (c) => c.notNull())
    .addColumn('sum', 'double precision', (c) => c.notNull())
    .addColumn('min', 'double precision', (c) => c.notNull())
    .addColumn('max', 'double precision', (c) => c.notNull())
    .addColumn('latest_ms', bigint, (c) => c.notNull())
    .addColumn('latest_value', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('reading_cells_pk', ['quantity', 'resolution', 'cell'])
    .execute();
  await db.schema
    .createIndex('reading_cells_position')
    .on('reading_cells')
    .columns(['quantity', 'resolution', 'lat', 'lon'])
    .execute();

  // A cell's daily values: its time series without reading its readings.
  await db.schema
    .createTable('reading_cell_days')
    .addColumn('quantity', 'text', (c) => c.notNull())
    .addColumn('resolution', 'integer', (c) => c.notNull())
    .addColumn('cell', 'text', (c) => c.notNull())
    // Days since 1970-01-01, UTC.
    .addColumn('day', 'integer', (c) => c.notNull())
    .addColumn('count', bigint, (c) => c.notNull())
    .addColumn('sum', 'double precision', (c) => c.notNull())
    .addColumn('max', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('reading_cell_days_pk', ['quantity', 'resolution', 'cell', 'day'])
    .execute();

  // Which devices and drives passed through a cell: the tracks drawn when it is clicked.
  await db.schema
    .createTable('reading_cell_sources')
    .addColumn('quantity', 'text', (c) => c.notNull())
    .addColumn('resolution', 'integer', (c) => c.notNull())
    .addColumn('cell', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    // '' for live readings, which belong to no import.
    .addColumn('import_id', 'text', (c) => c.notNull())
    .addColumn('count', bigint, (c) => c.notNull())
    .addColumn('latest_ms', bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('reading_cell_sources_pk', [
      'quantity',
      'resolution',
      'cell',
      'device_id',
      'import_id',
    ])
    .execute();

  // Brokers Tally subscribes to for a sensor owner (The Things Network's MQTT, say).
  await db.schema
    .createTable('sensor_feeds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('username', 'text')
    // Sealed like a channel's secrets; never shown again.
    .addColumn('password', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('last_message_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
