// Sensor readings for the benchmarks: drive logs (a bGeigie's 5-second track along a random walk) and fixed
// stations, and (once) a SQLite database of 10,000,000 public readings with their cell aggregates, built
// into bench/.data/ for bench/sensor-map.ts.
//
// The database is built the fast way: readings through one raw prepared INSERT, aggregates folded by Tally's
// own `cellDeltas` a million readings at a time and applied with the same upserts `ReadingsRepository` runs.
// Before building, the same code builds a small sample that is also stored through
// `ReadingsRepository.insert(…, true)` one drive or station at a time, as Tally would have, and the two sets
// of aggregates are compared row by row: the big database holds what Tally would have built incrementally.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type SqliteDatabase from 'better-sqlite3';
import { openDatabase, openSqlite } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { cellDeltas } from '../src/sensors/cells.js';
import { doseRate, type NewReading, readingFlags } from '../src/sensors/reading.js';
import { insertColumns, ReadingsRepository } from '../src/sensors/readings.repository.js';
import { dataDir } from './lib.js';

/** A deterministic pseudo-random sequence, so every run builds the same data. */
export function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) % 4294967296;
    return state / 4294967296;
  };
}

/** An id shaped like the UUIDs Tally gives devices and imports (same length in every index), but repeatable. */
export function uuidLike(next: () => number): string {
  let hex = '';
  for (let i = 0; i < 4; i++)
    hex += Math.floor(next() * 4294967296)
      .toString(16)
      .padStart(8, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Where Safecast-style volunteers drive and put up stations: [lat, lon, weight]. */
export const cities: readonly (readonly [number, number, number])[] = [
  // Japan, Fukushima prefecture above all.
  [35.68, 139.69, 5], // Tokyo
  [37.76, 140.47, 6], // Fukushima
  [37.4, 140.38, 4], // Kōriyama
  [37.05, 140.89, 3], // Iwaki
  [37.64, 140.96, 3], // Minamisōma
  [38.27, 140.87, 3], // Sendai
  [35.44, 139.64, 2], // Yokohama
  [34.69, 135.5, 2], // Osaka
  [35.18, 136.91, 1], // Nagoya
  [43.06, 141.35, 1], // Sapporo
  [33.59, 130.4, 1], // Fukuoka
  [37.92, 139.04, 1], // Niigata
  // Europe.
  [51.51, -0.13, 2], // London
  [48.86, 2.35, 2], // Paris
  [52.52, 13.4, 2], // Berlin
  [48.14, 11.58, 1], // Munich
  [52.37, 4.9, 1], // Amsterdam
  [50.85, 4.35, 1], // Brussels
  [40.42, -3.7, 1], // Madrid
  [41.39, 2.17, 1], // Barcelona
  [41.9, 12.5, 1], // Rome
  [45.46, 9.19, 1], // Milan
  [48.21, 16.37, 1], // Vienna
  [50.08, 14.44, 1], // Prague
  [50.45, 30.52, 1], // Kyiv
  [51.27, 30.22, 1], // Chornobyl
  [52.23, 21.01, 1], // Warsaw
  [59.33, 18.07, 1], // Stockholm
  // United States.
  [34.05, -118.24, 2], // Los Angeles
  [37.77, -122.42, 2], // San Francisco
  [47.61, -122.33, 1], // Seattle
  [45.52, -122.68, 1], // Portland
  [39.74, -104.99, 1], // Denver
  [41.88, -87.63, 1], // Chicago
  [40.71, -74.01, 2], // New York
  [42.36, -71.06, 1], // Boston
  [38.91, -77.04, 1], // Washington
  [33.75, -84.39, 1], // Atlanta
  [30.27, -97.74, 1], // Austin
  [40.76, -111.89, 1], // Salt Lake City
];

const totalWeight = cities.reduce((sum, [, , weight]) => sum + weight, 0);

export function pickCity(next: () => number): readonly [number, number, number] {
  let at = next() * totalWeight;
  for (const city of cities) {
    at -= city[2];
    if (at < 0) return city;
  }
  return cities[0]!;
}

/** bGeigie Nano's LND 7317 tube. */
export const cpmPerMicrosievert = 334;
const metresPerDegree = 111_320;

export interface Drive {
  deviceId: string;
  /** The import it arrives in; null for readings sent live. */
  importId: string | null;
  startMs: number;
  /** Where the drive begins, and the centre it wanders around (it turns back beyond `radiusDeg`). */
  lat: number;
  lon: number;
  radiusDeg: number;
  lines: number;
  /** The background the counter sees, in CPM. */
  cpm: number;
  receivedMs: number;
}

/**
 * A drive log's readings, as `ImportsService` makes them from a bGeigie file: one every 5 s, a car's speed and
 * heading changing a little each time, stops included; no GPS fix for the first 20 lines and now and then
 * for a while (tunnels), when the logger repeats its last position; the first minute's counts not yet valid.
 */
export function driveReadings(next: () => number, drive: Drive): NewReading[] {
  const readings: NewReading[] = new Array(drive.lines);
  let lat = drive.lat;
  let lon = drive.lon;
  let shownLat = lat;
  let shownLon = lon;
  let heading = next() * 2 * Math.PI;
  let speed = 0;
  let noFix = 20;
  const spread = 2 * Math.sqrt(drive.cpm);
  for (let i = 0; i < drive.lines; i++) {
    speed = Math.min(30, Math.max(0, speed + (next() - 0.5) * 6));
    heading += (next() - 0.5) * 0.6;
    const north = lat - drive.lat;
    const east = (lon - drive.lon) * Math.cos((lat * Math.PI) / 180);
    if (north * north + east * east > drive.radiusDeg * drive.radiusDeg) {
      heading = Math.atan2(-east, -north) + (next() - 0.5);
    }
    const metres = speed * 5;
    lat += (metres * Math.cos(heading)) / metresPerDegree;
    lon += (metres * Math.sin(heading)) / (metresPerDegree * Math.cos((lat * Math.PI) / 180));
    if (noFix === 0 && next() < 0.002) noFix = 10 + Math.floor(next() * 50);
    const fix = noFix === 0;
    if (fix) {
      shownLat = Math.round(lat * 1e6) / 1e6;
      shownLon = Math.round(lon * 1e6) / 1e6;
    } else noFix -= 1;
    const cpm = Math.max(0, Math.round(drive.cpm + (next() + next() + next() - 1.5) * spread));
    readings[i] = {
      deviceId: drive.deviceId,
      quantity: 'radiation',
      capturedMs: drive.startMs + i * 5_000,
      value: doseRate(cpm, cpmPerMicrosievert),
      cpm,
      lat: shownLat,
      lon: shownLon,
      altitude: Math.round(40 + next() * 10),
      flags: (fix ? 0 : readingFlags.noGpsFix) | (i < 12 ? readingFlags.countsNotValid : 0),
      importId: drive.importId,
      line: drive.importId ? i + 3 : null,
      receivedMs: drive.receivedMs,
    };
  }
  return readings;
}

/** A fixed station's readings, placed where the public sees it: radiation in CPM, or PM2.5. */
function stationReadings(
  next: () => number,
  station: { deviceId: string; quantity: 'radiation' | 'pm2_5'; lat: number; lon: number },
  startMs: number,
  count: number,
  stepMs: number,
): NewReading[] {
  const readings: NewReading[] = new Array(count);
  const base = station.quantity === 'radiation' ? 20 + next() * 40 : 3 + next() * 30;
  for (let i = 0; i < count; i++) {
    const noise = next() + next() + next() - 1.5;
    const cpm = station.quantity === 'radiation' ? Math.max(0, Math.round(base + noise * 12)) : null;
    readings[i] = {
      deviceId: station.deviceId,
      quantity: station.quantity,
      capturedMs: startMs + i * stepMs,
      value: cpm === null ? Math.max(0, Math.round((base + noise * base) * 10) / 10) : doseRate(cpm, 334),
      cpm,
      lat: station.lat,
      lon: station.lon,
      altitude: null,
      flags: 0,
      importId: null,
      line: null,
      receivedMs: startMs + i * stepMs + 2_000,
    };
  }
  return readings;
}

export interface DatasetShape {
  total: number;
  mobileDevices: number;
  stations: number;
  /** The share of readings from drives; the rest from stations. */
  mobileShare: number;
  /** Lines per drive, from `minLines` to ten times that. */
  minLines: number;
}

export const mapShape = (total: number): DatasetShape => ({
  total,
  mobileDevices: 300,
  stations: 3_000,
  mobileShare: 0.85,
  minLines: 2_000,
});

/**
 * Every reading of the dataset, one drive or one station at a time, `total` in all: a few hundred devices
 * driving around the cities since 2011 (each drive an import of 2,000–20,000 lines), and a few thousand
 * stations near them reporting hourly (two in three radiation, the others PM2.5).
 */
export function* datasetReadings(shape: DatasetShape, seed = 11): Generator<NewReading[]> {
  const next = random(seed);
  const firstDrive = Date.UTC(2011, 2, 12);
  const lastDrive = Date.UTC(2026, 10, 1);
  const devices = Array.from({ length: shape.mobileDevices }, () => ({
    id: uuidLike(next),
    city: pickCity(next),
  }));
  let left = shape.total;
  let mobileLeft = Math.round(shape.total * shape.mobileShare);
  for (let n = 0; mobileLeft > 0; n++) {
    const device = devices[n % devices.length]!;
    const [lat, lon] = device.city;
    const lines = Math.min(mobileLeft, Math.round(shape.minLines * 10 ** next()));
    const startMs = firstDrive + Math.floor((next() * (lastDrive - firstDrive)) / 1000) * 1000;
    const drive = driveReadings(next, {
      deviceId: device.id,
      importId: uuidLike(next),
      startMs,
      lat: lat + (next() - 0.5) * 0.3,
      lon: lon + (next() - 0.5) * 0.3,
      radiusDeg: 0.35,
      lines,
      cpm: 20 + next() * 40,
      receivedMs: startMs + lines * 5_000 + 86_400_000,
    });
    mobileLeft -= lines;
    left -= lines;
    yield drive;
  }
  const perStation = Math.max(1, Math.floor(left / shape.stations));
  for (let s = 0; s < shape.stations && left > 0; s++) {
    const [lat, lon] = pickCity(next);
    const count = s === shape.stations - 1 ? left : Math.min(left, perStation);
    // Coarsened to about 100 m, as a station at someone's home is shown.
    const station = {
      deviceId: uuidLike(next),
      quantity: next() < 2 / 3 ? ('radiation' as const) : ('pm2_5' as const),
      lat: Math.round((lat + (next() - 0.5)) * 1e3) / 1e3,
      lon: Math.round((lon + (next() - 0.5)) * 1e3) / 1e3,
    };
    const startMs = Date.UTC(2019, 0, 1) + Math.floor(next() * 6 * 365) * 86_400_000;
    left -= count;
    yield stationReadings(next, station, startMs, count, 3_600_000);
  }
}

/**
 * One raw prepared INSERT per reading, with the columns Tally writes and nothing else: the readings all
 * public or all not.
 */
export function rawReadingInsert(
  sqlite: SqliteDatabase.Database,
  isPublic: boolean,
): (reading: NewReading) => void {
  const statement = sqlite.prepare(
    `INSERT INTO readings (${insertColumns.join(', ')}) VALUES (${insertColumns.map(() => '?').join(', ')})`,
  );
  const publicValue = isPublic ? 1 : 0;
  return (r) => {
    statement.run(
      r.deviceId,
      r.quantity,
      r.capturedMs,
      r.value,
      r.cpm,
      r.lat,
      r.lon,
      r.altitude,
      r.flags,
      publicValue,
      r.importId,
      r.line,
      r.receivedMs,
    );
  };
}

/**
 * The upserts `ReadingsRepository` applies a batch's deltas with, one row at a time: on a conflict counts and
 * sums add up, minimum and maximum widen, and the latest value is the one with the latest time (the newer
 * batch's on a tie). SQLite evaluates every SET expression against the row as it was.
 */
function aggregateStatements(sqlite: SqliteDatabase.Database) {
  return {
    cells:
      sqlite.prepare(`INSERT INTO reading_cells (quantity, resolution, cell, lat, lon, count, sum, min, max, latest_ms, latest_value)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (quantity, resolution, cell) DO UPDATE SET
        count = reading_cells.count + excluded.count,
        sum = reading_cells.sum + excluded.sum,
        min = MIN(reading_cells.min, excluded.min),
        max = MAX(reading_cells.max, excluded.max),
        latest_value = CASE WHEN excluded.latest_ms >= reading_cells.latest_ms THEN excluded.latest_value ELSE reading_cells.latest_value END,
        latest_ms = MAX(reading_cells.latest_ms, excluded.latest_ms)`),
    days: sqlite.prepare(`INSERT INTO reading_cell_days (quantity, resolution, cell, day, count, sum, max)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (quantity, resolution, cell, day) DO UPDATE SET
        count = reading_cell_days.count + excluded.count,
        sum = reading_cell_days.sum + excluded.sum,
        max = MAX(reading_cell_days.max, excluded.max)`),
    sources:
      sqlite.prepare(`INSERT INTO reading_cell_sources (quantity, resolution, cell, device_id, import_id, count, latest_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (quantity, resolution, cell, device_id, import_id) DO UPDATE SET
        count = reading_cell_sources.count + excluded.count,
        latest_ms = MAX(reading_cell_sources.latest_ms, excluded.latest_ms)`),
  };
}

/**
 * Stores the readings as public with one prepared INSERT and folds the flawless ones into their cells,
 * `batch` readings to a transaction. Returns how many readings were stored.
 */
async function buildFast(
  file: string,
  drives: Iterable<NewReading[]>,
  batch: number,
  progress?: (stored: number) => void,
): Promise<number> {
  const db = openDatabase({ sqlitePath: file });
  await migrateToLatest(db);
  await db.destroy();
  const sqlite = openSqlite(file);
  // For the build only: a large page cache (the aggregates' indexes are written all over), and no fsync at
  // each checkpoint (a build that dies is thrown away). A million readings go in one transaction: committing
  // drive by drive spent a third of the build waiting for the disk.
  sqlite.pragma('cache_size = -1048576');
  sqlite.pragma('synchronous = OFF');
  const insert = rawReadingInsert(sqlite, true);
  const upsert = aggregateStatements(sqlite);
  const flush = sqlite.transaction((readings: NewReading[]) => {
    for (const r of readings) insert(r);
    const deltas = cellDeltas(readings.filter((r) => r.flags === 0));
    for (const d of deltas.cells) {
      upsert.cells.run(
        d.quantity,
        d.resolution,
        d.cell,
        d.lat,
        d.lon,
        d.count,
        d.sum,
        d.min,
        d.max,
        d.latestMs,
        d.latestValue,
      );
    }
    for (const d of deltas.days)
      upsert.days.run(d.quantity, d.resolution, d.cell, d.day, d.count, d.sum, d.max);
    for (const d of deltas.sources) {
      upsert.sources.run(d.quantity, d.resolution, d.cell, d.deviceId, d.importId, d.count, d.latestMs);
    }
  });
  let pending: NewReading[] = [];
  let stored = 0;
  for (const readings of drives) {
    for (const r of readings) pending.push(r);
    if (pending.length >= batch) {
      flush(pending);
      stored += pending.length;
      pending = [];
      progress?.(stored);
    }
  }
  flush(pending);
  stored += pending.length;
  progress?.(stored);
  sqlite.close();
  return stored;
}

/** Stores the readings as Tally does: `insert(…, true)` for each drive or station, in its own transaction. */
async function buildAsTally(file: string, drives: Iterable<NewReading[]>): Promise<void> {
  const db = openDatabase({ sqlitePath: file });
  await migrateToLatest(db);
  const repository = new ReadingsRepository(db.kysely, db.dialect, db.sqlite);
  for (const readings of drives) {
    await db.kysely.transaction().execute((trx) => repository.insert(trx, readings, true));
  }
  await db.destroy();
}

function removeDatabase(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
}

/** Builds a small sample both ways and throws unless the aggregates agree (sums to rounding). */
export async function checkAggregates(): Promise<string> {
  const dir = path.join(dataDir, 'sensor-check');
  mkdirSync(dir, { recursive: true });
  const fast = path.join(dir, 'fast.sqlite');
  const tally = path.join(dir, 'tally.sqlite');
  removeDatabase(fast);
  removeDatabase(tally);
  const shape: DatasetShape = {
    total: 120_000,
    mobileDevices: 6,
    stations: 60,
    mobileShare: 0.8,
    minLines: 500,
  };
  // Small batches, so the sample crosses several of them and each aggregate row is upserted many times.
  await buildFast(fast, datasetReadings(shape, 5), 20_000);
  await buildAsTally(tally, datasetReadings(shape, 5));
  const a = openSqlite(fast);
  const b = openSqlite(tally);
  const tables = {
    reading_cells: 'quantity, resolution, cell',
    reading_cell_days: 'quantity, resolution, cell, day',
    reading_cell_sources: 'quantity, resolution, cell, device_id, import_id',
    readings: 'device_id, quantity, captured_ms',
  } as const;
  const counts: string[] = [];
  for (const [table, key] of Object.entries(tables)) {
    const select = (sqlite: SqliteDatabase.Database) =>
      sqlite.prepare(`SELECT * FROM ${table} ORDER BY ${key}`).raw().all() as unknown[][];
    const left = select(a);
    const right = select(b);
    if (left.length !== right.length)
      throw new Error(`${table}: ${left.length} rows built, ${right.length} by Tally`);
    const columns = a
      .prepare(`SELECT * FROM ${table}`)
      .columns()
      .map((column) => column.name);
    left.forEach((row, i) => {
      row.forEach((value, c) => {
        const other = right[i]![c];
        const same =
          columns[c] === 'sum'
            ? Math.abs((value as number) - (other as number)) <= 1e-9 * Math.abs(other as number)
            : value === other;
        if (!same) throw new Error(`${table} row ${i} ${columns[c]}: built ${value}, Tally ${other}`);
      });
    });
    counts.push(`${left.length} ${table}`);
  }
  a.close();
  b.close();
  removeDatabase(fast);
  removeDatabase(tally);
  return counts.join(', ');
}

/** The database of `total` public readings and their aggregates; built once (several minutes). */
export async function ensureSensorDataset(total: number): Promise<string> {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, `readings-${total}.sqlite`);
  if (existsSync(file)) return file;
  const checked = await checkAggregates();
  process.stderr.write(`aggregates built the fast way match Tally's own on a sample (${checked})\n`);
  const building = `${file}.building`;
  removeDatabase(building);
  const started = performance.now();
  let shown = 0;
  const stored = await buildFast(building, datasetReadings(mapShape(total)), 1_000_000, (n) => {
    if (n - shown >= 1_000_000 || n === total) {
      shown = n;
      const seconds = (performance.now() - started) / 1000;
      process.stderr.write(`\rbuilding ${total} readings: ${n} in ${seconds.toFixed(0)} s`);
    }
  });
  if (stored !== total) throw new Error(`built ${stored} readings, not ${total}`);
  renameSync(building, file);
  for (const suffix of ['-wal', '-shm']) rmSync(`${building}${suffix}`, { force: true });
  process.stderr.write(`\nbuilt ${file} in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  return file;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await ensureSensorDataset(Number(process.env.BENCH_READINGS ?? 10_000_000)));
}
