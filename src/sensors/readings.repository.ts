import type SqliteDatabase from 'better-sqlite3';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Dialect } from '../db/database.js';
import type { BoundingBox } from '../db/dialect-sql.js';
import { splitAtAntimeridian } from '../db/dialect-sql.js';
import type { Database } from '../db/schema.js';
import { type CellDeltas, cellDeltas } from './cells.js';
import type { NewReading } from './reading.js';

export interface StoreOutcome {
  inserted: number;
  /** Already stored: the same device, quantity and instant. */
  duplicates: number;
}

export interface CellAggregate {
  cell: string;
  resolution: number;
  lat: number;
  lon: number;
  count: number;
  mean: number;
  min: number;
  max: number;
  latestMs: number;
  latestValue: number;
}

export interface SeriesPoint {
  /** Start of the bucket, ms. */
  t: number;
  count: number;
  mean: number;
  max: number;
}

export interface CellSource {
  deviceId: string;
  importId: string | null;
  count: number;
  latestMs: number;
}

export interface PublicReading {
  id: number;
  deviceId: string;
  deviceName: string;
  quantity: string;
  capturedMs: number;
  value: number;
  cpm: number | null;
  lat: number;
  lon: number;
  altitude: number | null;
  importId: string | null;
  md5: string | null;
  receivedMs: number;
}

export interface TrackPoint {
  capturedMs: number;
  lat: number;
  lon: number;
  value: number;
}

export interface PublicReadingFilter {
  quantity?: string;
  deviceId?: string;
  importId?: string;
  box?: BoundingBox;
  fromMs?: number;
  toMs?: number;
}

/** The columns a stored reading is written with, in the order of the values of the prepared INSERT. */
export const insertColumns = [
  'device_id',
  'quantity',
  'captured_ms',
  'value',
  'cpm',
  'lat',
  'lon',
  'altitude',
  'flags',
  'public',
  'import_id',
  'line',
  'received_ms',
] as const;

const pgInsertChunk = 1_000;
const aggregateChunk = 500;
const rebuildChunk = 10_000;

/**
 * Left by a migration that moved stored readings (src/db/migrations/2026-12-08T04-20-fixed-device-logs.ts):
 * the cells are folded again from the readings at the next start.
 */
export const rebuildCellsTask = 'rebuild-reading-cells';

function readingKey(deviceId: string, quantity: string, capturedMs: number): string {
  return `${deviceId}|${quantity}|${capturedMs}`;
}

/**
 * Readings and the cell aggregates made of them. Storing is the hot path (a drive log is tens of thousands of
 * lines; a busy network thousands of readings a second): on SQLite the rows go through one prepared
 * statement inside the query builder's transaction, which holds the connection; on PostgreSQL through
 * multi-row inserts. Only readings that are public and flawless reach the aggregates.
 */
export class ReadingsRepository {
  private insertStatement: SqliteDatabase.Statement | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly sqlite: SqliteDatabase.Database | null,
  ) {}

  transaction<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  /** Stores the readings, skipping those already stored; published ones join their cells at once. */
  async insert(
    trx: Transaction<Database>,
    readings: readonly NewReading[],
    published: boolean,
  ): Promise<StoreOutcome> {
    const stored = this.sqlite
      ? this.insertOnSqlite(this.sqlite, readings, published)
      : await this.insertOnPostgres(trx, readings, published);
    if (published)
      await this.aggregate(
        trx,
        stored.filter((reading) => reading.flags === 0),
      );
    return { inserted: stored.length, duplicates: readings.length - stored.length };
  }

  private insertOnSqlite(
    sqlite: SqliteDatabase.Database,
    readings: readonly NewReading[],
    published: boolean,
  ): NewReading[] {
    // Runs inside the query builder's open transaction on this same connection.
    this.insertStatement ??= sqlite.prepare(
      `INSERT INTO readings (${insertColumns.join(', ')}) VALUES (${insertColumns.map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`,
    );
    const statement = this.insertStatement;
    const isPublic = published ? 1 : 0;
    const stored: NewReading[] = [];
    for (const r of readings) {
      const { changes } = statement.run(
        r.deviceId,
        r.quantity,
        r.capturedMs,
        r.value,
        r.cpm,
        r.lat,
        r.lon,
        r.altitude,
        r.flags,
        isPublic,
        r.importId,
        r.line,
        r.receivedMs,
      );
      if (changes > 0) stored.push(r);
    }
    return stored;
  }

  private async insertOnPostgres(
    trx: Transaction<Database>,
    readings: readonly NewReading[],
    published: boolean,
  ): Promise<NewReading[]> {
    const stored: NewReading[] = [];
    for (let start = 0; start < readings.length; start += pgInsertChunk) {
      const chunk = readings.slice(start, start + pgInsertChunk);
      const rows = await trx
        .insertInto('readings')
        .values(
          chunk.map((r) => ({
            device_id: r.deviceId,
            quantity: r.quantity,
            captured_ms: r.capturedMs,
            value: r.value,
            cpm: r.cpm,
            lat: r.lat,
            lon: r.lon,
            altitude: r.altitude,
            flags: r.flags,
            public: published ? 1 : 0,
            import_id: r.importId,
            line: r.line,
            received_ms: r.receivedMs,
          })),
        )
        .onConflict((conflict) => conflict.columns(['device_id', 'quantity', 'captured_ms']).doNothing())
        .returning(['device_id', 'quantity', 'captured_ms'])
        .execute();
      const inserted = new Set(
        rows.map((row) => readingKey(row.device_id, row.quantity, Number(row.captured_ms))),
      );
      for (const reading of chunk) {
        const key = readingKey(reading.deviceId, reading.quantity, reading.capturedMs);
        // The first of two equal readings in one batch is the one stored.
        if (inserted.delete(key)) stored.push(reading);
      }
    }
    return stored;
  }

  /** Makes an import's readings public and adds them to their cells; returns how many. */
  async publishImport(trx: Transaction<Database>, importId: string): Promise<number> {
    const rows = await trx
      .selectFrom('readings')
      .select(['device_id', 'quantity', 'captured_ms', 'value', 'lat', 'lon'])
      .where('import_id', '=', importId)
      .where('public', '=', 0)
      .where('flags', '=', 0)
      .execute();
    await trx.updateTable('readings').set({ public: 1 }).where('import_id', '=', importId).execute();
    await this.applyDeltas(trx, cellDeltas(rows.map((row) => foldable({ ...row, import_id: importId }))));
    return rows.length;
  }

  /**
   * When a migration asked for it, empties the cell aggregates and folds every public, flawless reading into
   * them again, chunk by chunk in one transaction: a crash leaves the old aggregates and the task still
   * asked for. Returns how many readings were folded, or null when there was nothing to do.
   */
  async rebuildCellsIfAsked(): Promise<number | null> {
    const asked = await this.db
      .selectFrom('maintenance_tasks')
      .select('name')
      .where('name', '=', rebuildCellsTask)
      .executeTakeFirst();
    if (!asked) return null;
    return this.transaction(async (trx) => {
      // Deleting the task first takes SQLite's write lock at once, and on PostgreSQL locks its row: a second
      // process starting at the same moment waits here, then finds it gone.
      const claimed = await trx
        .deleteFrom('maintenance_tasks')
        .where('name', '=', rebuildCellsTask)
        .executeTakeFirst();
      if (Number(claimed.numDeletedRows) === 0) return null;
      // Writers store readings, then add them to the cells. With the cells held, the readings read below
      // include every batch that already reached the cells; batches still on their way add to the rebuilt
      // cells once this commits.
      if (this.dialect === 'postgres') {
        await sql`LOCK TABLE reading_cells, reading_cell_days, reading_cell_sources IN EXCLUSIVE MODE`.execute(
          trx,
        );
      }
      await trx.deleteFrom('reading_cells').execute();
      await trx.deleteFrom('reading_cell_days').execute();
      await trx.deleteFrom('reading_cell_sources').execute();
      let folded = 0;
      let afterId = 0;
      for (;;) {
        const rows = await trx
          .selectFrom('readings')
          .select(['id', 'device_id', 'quantity', 'captured_ms', 'value', 'lat', 'lon', 'import_id'])
          .where('id', '>', afterId)
          .where('public', '=', 1)
          .where('flags', '=', 0)
          .orderBy('id')
          .limit(rebuildChunk)
          .execute();
        const last = rows[rows.length - 1];
        if (!last) return folded;
        await this.applyDeltas(trx, cellDeltas(rows.map(foldable)));
        folded += rows.filter((row) => row.lat !== null && row.lon !== null).length;
        afterId = Number(last.id);
      }
    });
  }

  private async aggregate(trx: Transaction<Database>, readings: readonly NewReading[]): Promise<void> {
    if (readings.length === 0) return;
    await this.applyDeltas(
      trx,
      cellDeltas(
        readings.map((r) => ({
          quantity: r.quantity,
          value: r.value,
          capturedMs: r.capturedMs,
          lat: r.lat,
          lon: r.lon,
          deviceId: r.deviceId,
          importId: r.importId,
        })),
      ),
    );
  }

  private async applyDeltas(trx: Transaction<Database>, deltas: CellDeltas): Promise<void> {
    const least = sql.raw(this.dialect === 'postgres' ? 'LEAST' : 'MIN');
    const greatest = sql.raw(this.dialect === 'postgres' ? 'GREATEST' : 'MAX');
    for (let start = 0; start < deltas.cells.length; start += aggregateChunk) {
      await trx
        .insertInto('reading_cells')
        .values(
          deltas.cells.slice(start, start + aggregateChunk).map((d) => ({
            quantity: d.quantity,
            resolution: d.resolution,
            cell: d.cell,
            lat: d.lat,
            lon: d.lon,
            count: d.count,
            sum: d.sum,
            min: d.min,
            max: d.max,
            latest_ms: d.latestMs,
            latest_value: d.latestValue,
          })),
        )
        .onConflict((conflict) =>
          conflict.columns(['quantity', 'resolution', 'cell']).doUpdateSet({
            count: sql`${sql.ref('reading_cells.count')} + ${sql.ref('excluded.count')}`,
            sum: sql`${sql.ref('reading_cells.sum')} + ${sql.ref('excluded.sum')}`,
            min: sql`${least}(${sql.ref('reading_cells.min')}, ${sql.ref('excluded.min')})`,
            max: sql`${greatest}(${sql.ref('reading_cells.max')}, ${sql.ref('excluded.max')})`,
            latest_value: sql`CASE WHEN ${sql.ref('excluded.latest_ms')} >= ${sql.ref('reading_cells.latest_ms')} THEN ${sql.ref('excluded.latest_value')} ELSE ${sql.ref('reading_cells.latest_value')} END`,
            latest_ms: sql`${greatest}(${sql.ref('reading_cells.latest_ms')}, ${sql.ref('excluded.latest_ms')})`,
          }),
        )
        .execute();
    }
    for (let start = 0; start < deltas.days.length; start += aggregateChunk) {
      await trx
        .insertInto('reading_cell_days')
        .values(
          deltas.days.slice(start, start + aggregateChunk).map((d) => ({
            quantity: d.quantity,
            resolution: d.resolution,
            cell: d.cell,
            day: d.day,
            count: d.count,
            sum: d.sum,
            max: d.max,
          })),
        )
        .onConflict((conflict) =>
          conflict.columns(['quantity', 'resolution', 'cell', 'day']).doUpdateSet({
            count: sql`${sql.ref('reading_cell_days.count')} + ${sql.ref('excluded.count')}`,
            sum: sql`${sql.ref('reading_cell_days.sum')} + ${sql.ref('excluded.sum')}`,
            max: sql`${greatest}(${sql.ref('reading_cell_days.max')}, ${sql.ref('excluded.max')})`,
          }),
        )
        .execute();
    }
    for (let start = 0; start < deltas.sources.length; start += aggregateChunk) {
      await trx
        .insertInto('reading_cell_sources')
        .values(
          deltas.sources.slice(start, start + aggregateChunk).map((d) => ({
            quantity: d.quantity,
            resolution: d.resolution,
            cell: d.cell,
            device_id: d.deviceId,
            import_id: d.importId,
            count: d.count,
            latest_ms: d.latestMs,
          })),
        )
        .onConflict((conflict) =>
          conflict.columns(['quantity', 'resolution', 'cell', 'device_id', 'import_id']).doUpdateSet({
            count: sql`${sql.ref('reading_cell_sources.count')} + ${sql.ref('excluded.count')}`,
            latest_ms: sql`${greatest}(${sql.ref('reading_cell_sources.latest_ms')}, ${sql.ref('excluded.latest_ms')})`,
          }),
        )
        .execute();
    }
  }

  /** How many mapped readings each quantity has, from its coarsest hexagons (a few hundred rows at most). */
  async mappedCounts(quantities: readonly string[], coarsest: number): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('reading_cells')
      .select((eb) => ['quantity', eb.fn.sum<number>('count').as('count')])
      .where('quantity', 'in', quantities)
      .where('resolution', '=', coarsest)
      .groupBy('quantity')
      .execute();
    return new Map(rows.map((row) => [row.quantity, Number(row.count)]));
  }

  /** The cells whose centres lie in the box (widened by `margin` degrees so edge hexagons are not cut off). */
  async cellsInBox(
    quantity: string,
    resolution: number,
    box: BoundingBox,
    margin: number,
    limit: number,
  ): Promise<CellAggregate[]> {
    const south = Math.max(-90, box.south - margin);
    const north = Math.min(90, box.north + margin);
    // A box that, widened, goes all the way round takes every longitude: wrapping both of its ends would
    // turn the whole world into a sliver at the antimeridian.
    const width = box.west > box.east ? box.east + 360 - box.west : box.east - box.west;
    const parts =
      width + 2 * margin >= 360
        ? [{ west: -180, east: 180, south, north }]
        : splitAtAntimeridian({
            west: box.west - margin < -180 ? box.west - margin + 360 : box.west - margin,
            east: box.east + margin > 180 ? box.east + margin - 360 : box.east + margin,
            south,
            north,
          });
    const rows = await this.db
      .selectFrom('reading_cells')
      .selectAll()
      .where('quantity', '=', quantity)
      .where('resolution', '=', resolution)
      .where('lat', '>=', south)
      .where('lat', '<=', north)
      .where((eb) =>
        eb.or(parts.map((part) => eb.and([eb('lon', '>=', part.west), eb('lon', '<=', part.east)]))),
      )
      .limit(limit)
      .execute();
    return rows.map(toAggregate);
  }

  async cell(quantity: string, resolution: number, cell: string): Promise<CellAggregate | undefined> {
    const row = await this.db
      .selectFrom('reading_cells')
      .selectAll()
      .where('quantity', '=', quantity)
      .where('resolution', '=', resolution)
      .where('cell', '=', cell)
      .executeTakeFirst();
    return row ? toAggregate(row) : undefined;
  }

  async cellDays(quantity: string, resolution: number, cell: string, limit: number): Promise<SeriesPoint[]> {
    const rows = await this.db
      .selectFrom('reading_cell_days')
      .select(['day', 'count', 'sum', 'max'])
      .where('quantity', '=', quantity)
      .where('resolution', '=', resolution)
      .where('cell', '=', cell)
      .orderBy('day', 'desc')
      .limit(limit)
      .execute();
    return rows
      .map((row) => ({
        t: row.day * 86_400_000,
        count: Number(row.count),
        mean: roundMean(row.sum / Number(row.count)),
        max: row.max,
      }))
      .reverse();
  }

  async cellSources(
    quantity: string,
    resolution: number,
    cell: string,
    limit: number,
  ): Promise<CellSource[]> {
    const rows = await this.db
      .selectFrom('reading_cell_sources')
      .select(['device_id', 'import_id', 'count', 'latest_ms'])
      .where('quantity', '=', quantity)
      .where('resolution', '=', resolution)
      .where('cell', '=', cell)
      .orderBy('latest_ms', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      deviceId: row.device_id,
      importId: row.import_id || null,
      count: Number(row.count),
      latestMs: Number(row.latest_ms),
    }));
  }

  /** A device's public readings in buckets of `bucketMs`, oldest first. */
  async deviceSeries(
    deviceId: string,
    quantity: string,
    fromMs: number,
    toMs: number,
    bucketMs: number,
  ): Promise<SeriesPoint[]> {
    // A literal, not a parameter: PostgreSQL must see the grouped expression and the selected one as equal.
    const width = sql.lit(Math.trunc(bucketMs));
    const bucket = sql<number>`(${sql.ref('captured_ms')} / ${width}) * ${width}`;
    const rows = await this.publicReadingsOf(deviceId, quantity, { fromMs, toMs })
      .select((eb) => [
        bucket.as('t'),
        eb.fn.countAll<number>().as('count'),
        eb.fn.avg<number>('value').as('mean'),
        eb.fn.max('value').as('max'),
      ])
      .groupBy(bucket)
      .orderBy(bucket)
      .execute();
    return rows.map((row) => ({
      t: Number(row.t),
      count: Number(row.count),
      mean: roundMean(Number(row.mean)),
      max: Number(row.max),
    }));
  }

  /** When a device's public readings of a quantity begin and end. */
  async deviceSpan(deviceId: string, quantity: string): Promise<{ first: number; last: number } | null> {
    const row = await this.publicReadingsOf(deviceId, quantity)
      .select((eb) => [eb.fn.min('captured_ms').as('first'), eb.fn.max('captured_ms').as('last')])
      .executeTakeFirst();
    return row?.first === null || row?.first === undefined
      ? null
      : { first: Number(row.first), last: Number(row.last) };
  }

  /** How many public readings a device has in the span, counting no further than `limit`. */
  async deviceCountUpTo(
    deviceId: string,
    quantity: string,
    fromMs: number,
    toMs: number,
    limit: number,
  ): Promise<number> {
    const rows = await this.publicReadingsOf(deviceId, quantity, { fromMs, toMs })
      .select('id')
      .limit(limit)
      .execute();
    return rows.length;
  }

  /** A device's readings of a quantity that the public sees (approved, flawless), in the span when given. */
  private publicReadingsOf(deviceId: string, quantity: string, span?: { fromMs: number; toMs: number }) {
    let query = this.db
      .selectFrom('readings')
      .where('device_id', '=', deviceId)
      .where('quantity', '=', quantity)
      .where('public', '=', 1)
      .where('flags', '=', 0);
    if (span) query = query.where('captured_ms', '>=', span.fromMs).where('captured_ms', '<', span.toMs);
    return query;
  }

  /** An import's positioned readings in time order, every `step`-th one, for drawing its track. */
  async track(importId: string, onlyPublic: boolean, step: number): Promise<TrackPoint[]> {
    let query = this.db
      .selectFrom('readings')
      .select(['captured_ms', 'lat', 'lon', 'value', 'flags'])
      .where('import_id', '=', importId)
      .where('flags', '=', 0);
    if (onlyPublic) query = query.where('public', '=', 1);
    const rows = await query.orderBy('captured_ms').execute();
    const points: TrackPoint[] = [];
    rows.forEach((row, index) => {
      if (row.lat === null || row.lon === null) return;
      if (index % step !== 0 && index !== rows.length - 1) return;
      points.push({ capturedMs: Number(row.captured_ms), lat: row.lat, lon: row.lon, value: row.value });
    });
    return points;
  }

  /** How many positioned, flawless readings an import has: how finely its track is drawn. */
  async trackLength(importId: string): Promise<number> {
    const row = await this.db
      .selectFrom('readings')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('import_id', '=', importId)
      .where('flags', '=', 0)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Public, flawless readings in id order after `afterId`: the open-data exports page through these. */
  async publicPage(filter: PublicReadingFilter, afterId: number, limit: number): Promise<PublicReading[]> {
    let query = this.db
      .selectFrom('readings')
      .innerJoin('devices', 'devices.id', 'readings.device_id')
      .leftJoin('sensor_imports', 'sensor_imports.id', 'readings.import_id')
      .select([
        'readings.id',
        'readings.device_id',
        'devices.name as device_name',
        'readings.quantity',
        'readings.captured_ms',
        'readings.value',
        'readings.cpm',
        'readings.lat',
        'readings.lon',
        'readings.altitude',
        'readings.import_id',
        'sensor_imports.md5',
        'readings.received_ms',
      ])
      .where('readings.id', '>', afterId)
      .where('readings.public', '=', 1)
      .where('readings.flags', '=', 0)
      .where('readings.lat', 'is not', null);
    if (filter.quantity) query = query.where('readings.quantity', '=', filter.quantity);
    if (filter.deviceId) query = query.where('readings.device_id', '=', filter.deviceId);
    if (filter.importId) query = query.where('readings.import_id', '=', filter.importId);
    if (filter.fromMs !== undefined) query = query.where('readings.captured_ms', '>=', filter.fromMs);
    if (filter.toMs !== undefined) query = query.where('readings.captured_ms', '<', filter.toMs);
    if (filter.box) {
      const parts = splitAtAntimeridian(filter.box);
      const { south, north } = filter.box;
      query = query
        .where('readings.lat', '>=', south)
        .where('readings.lat', '<=', north)
        .where((eb) =>
          eb.or(
            parts.map((part) =>
              eb.and([eb('readings.lon', '>=', part.west), eb('readings.lon', '<=', part.east)]),
            ),
          ),
        );
    }
    const rows = await query.orderBy('readings.id').limit(limit).execute();
    return rows.map((row) => ({
      id: Number(row.id),
      deviceId: row.device_id,
      deviceName: row.device_name,
      quantity: row.quantity,
      capturedMs: Number(row.captured_ms),
      value: row.value,
      cpm: row.cpm,
      lat: row.lat as number,
      lon: row.lon as number,
      altitude: row.altitude,
      importId: row.import_id,
      md5: row.md5,
      receivedMs: Number(row.received_ms),
    }));
  }

  /** Every public cell aggregate of a quantity and resolution in cell order, for the aggregates download. */
  async cellPage(
    quantity: string,
    resolution: number,
    afterCell: string,
    limit: number,
  ): Promise<CellAggregate[]> {
    const rows = await this.db
      .selectFrom('reading_cells')
      .selectAll()
      .where('quantity', '=', quantity)
      .where('resolution', '=', resolution)
      .where('cell', '>', afterCell)
      .orderBy('cell')
      .limit(limit)
      .execute();
    return rows.map(toAggregate);
  }
}

/** Means to a millionth: sums of decimals leave float noise (0.15000000000000002) nobody should read. */
function roundMean(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** A stored reading as the cells fold it. */
function foldable(row: {
  device_id: string;
  quantity: string;
  captured_ms: number | string | bigint;
  value: number;
  lat: number | null;
  lon: number | null;
  import_id: string | null;
}) {
  return {
    quantity: row.quantity,
    value: row.value,
    capturedMs: Number(row.captured_ms),
    lat: row.lat,
    lon: row.lon,
    deviceId: row.device_id,
    importId: row.import_id,
  };
}

function toAggregate(row: Database['reading_cells']): CellAggregate {
  const count = Number(row.count);
  return {
    cell: row.cell,
    resolution: row.resolution,
    lat: row.lat,
    lon: row.lon,
    count,
    mean: roundMean(row.sum / count),
    min: row.min,
    max: row.max,
    latestMs: Number(row.latest_ms),
    latestValue: row.latest_value,
  };
}
