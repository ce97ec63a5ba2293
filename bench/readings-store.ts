// Storing drive-log readings in SQLite: 1,000,000 readings of bGeigie drives (imports of 10,000–50,000
// lines), stored as `ImportsRepository` stores an import, `ReadingsRepository.insert(trx, readings, false)`
// in one query-builder transaction per import. Target: >= 250,000 readings/s. Baseline in the same run: one
// raw prepared better-sqlite3 INSERT of the same rows into the same table, all in one transaction; and the
// same INSERT committed import by import, as Tally commits.
//
// Also measured, on the same rows: storing them published at once (`insert(…, true)`, which folds them into
// the cell aggregates in the same transaction, as live readings are), and approving each import
// (`publishImport`: marks its readings public and folds them into the cells). Each run gets a fresh migrated
// database file with the pragmas the server uses; the runs alternate and medians are reported.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { openDatabase, openSqlite } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { cellDeltas } from '../src/sensors/cells.js';
import type { NewReading } from '../src/sensors/reading.js';
import { ReadingsRepository } from '../src/sensors/readings.repository.js';
import { dataDir, machine } from './lib.js';
import { driveReadings, pickCity, random, rawReadingInsert, uuidLike } from './sensor-dataset.js';

const total = Number(process.env.BENCH_READINGS ?? 1_000_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const dir = path.join(dataDir, 'readings-store');
mkdirSync(dir, { recursive: true });

// Twenty loggers, each driving one import after another (never two at once: a device's instants are unique).
const next = random(3);
const devices = Array.from({ length: 20 }, () => ({
  id: uuidLike(next),
  city: pickCity(next),
  nextStart: Date.UTC(2024, 0, 1) + Math.floor(next() * 86_400) * 1000,
}));
const imports: { id: string; readings: NewReading[] }[] = [];
for (let left = total, n = 0; left > 0; n++) {
  const device = devices[n % devices.length]!;
  const lines = Math.min(left, 10_000 + Math.floor(next() * 40_001));
  const id = uuidLike(next);
  const readings = driveReadings(next, {
    deviceId: device.id,
    importId: id,
    startMs: device.nextStart,
    lat: device.city[0],
    lon: device.city[1],
    radiusDeg: 0.35,
    lines,
    cpm: 20 + next() * 40,
    receivedMs: Date.UTC(2026, 10, 26),
  });
  device.nextStart += lines * 5_000 + 86_400_000;
  imports.push({ id, readings });
  left -= lines;
}
const everyReading = imports.flatMap(({ readings }) => readings);
const flawlessByImport = imports.map(({ readings }) => readings.filter((r) => r.flags === 0));
const flawless = flawlessByImport.reduce((n, readings) => n + readings.length, 0);

let runs = 0;
async function freshDatabase(): Promise<string> {
  const file = path.join(dir, `run-${runs++}.sqlite`);
  removeDatabase(file);
  const db = openDatabase({ sqlitePath: file });
  await migrateToLatest(db);
  await db.destroy();
  return file;
}

function removeDatabase(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
}

/**
 * The baseline: the same rows through one raw prepared INSERT, all in one transaction; with `perImport`, in
 * one transaction per import, as Tally commits them (which shows what the query builder's transaction and
 * the repository add, and what a single huge transaction costs).
 */
async function baseline(perImport: boolean): Promise<number> {
  const file = await freshDatabase();
  const sqlite = openSqlite(file);
  const insert = rawReadingInsert(sqlite, false);
  const store = sqlite.transaction((readings: readonly NewReading[]) => {
    for (const r of readings) insert(r);
  });
  const started = performance.now();
  if (perImport) for (const { readings } of imports) store(readings);
  else store(everyReading);
  const seconds = (performance.now() - started) / 1000;
  sqlite.close();
  removeDatabase(file);
  return total / seconds;
}

/** Tally: each import in its own transaction, as `ImportsRepository.insert` stores it; then approving each. */
async function tally(published: boolean): Promise<{ stored: number; approved: number | null }> {
  const file = await freshDatabase();
  const db = openDatabase({ sqlitePath: file });
  const repository = new ReadingsRepository(db.kysely, db.dialect, db.sqlite);
  let inserted = 0;
  const started = performance.now();
  for (const { readings } of imports) {
    const outcome = await db.kysely
      .transaction()
      .execute((trx) => repository.insert(trx, readings, published));
    inserted += outcome.inserted;
  }
  const stored = total / ((performance.now() - started) / 1000);
  if (inserted !== total) throw new Error(`stored ${inserted} of ${total} readings`);
  let approved: number | null = null;
  if (!published) {
    const approving = performance.now();
    let folded = 0;
    for (const item of imports) {
      folded += await db.kysely.transaction().execute((trx) => repository.publishImport(trx, item.id));
    }
    approved = total / ((performance.now() - approving) / 1000);
    if (folded !== flawless) throw new Error(`approved ${folded} flawless readings, not ${flawless}`);
  }
  await db.destroy();
  removeDatabase(file);
  return { stored, approved };
}

/** The part of publishing no database does: folding the readings into their cells in memory. */
function folding(): number {
  const started = performance.now();
  for (const readings of flawlessByImport) cellDeltas(readings);
  return total / ((performance.now() - started) / 1000);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const rate = (value: number) => `${Math.round(value).toLocaleString('en')}/s`.padStart(10);
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

console.log(
  `machine: ${machine()}; ${total.toLocaleString('en')} readings in ${imports.length} imports ` +
    `(${((flawless / total) * 100).toFixed(1)} % flawless), ${rounds} rounds; load average ${load()}`,
);
const results = {
  baseline: [] as number[],
  perImport: [] as number[],
  tally: [] as number[],
  approved: [] as number[],
  published: [] as number[],
  folding: [] as number[],
};
for (let round = 1; round <= rounds; round++) {
  const base = await baseline(false);
  const stored = await tally(false);
  const perImport = await baseline(true);
  const published = await tally(true);
  const fold = folding();
  results.baseline.push(base);
  results.perImport.push(perImport);
  results.tally.push(stored.stored);
  results.approved.push(stored.approved ?? Number.NaN);
  results.published.push(published.stored);
  results.folding.push(fold);
  console.log(
    `round ${round}: baseline ${rate(base)}, import ${rate(stored.stored)} (${((stored.stored / base) * 100).toFixed(0)} %), ` +
      `baseline per import ${rate(perImport)}, approval ${rate(stored.approved ?? Number.NaN)}, ` +
      `published ${rate(published.stored)}, cellDeltas ${rate(fold)}`,
  );
}
const base = median(results.baseline);
const line = (name: string, values: number[]) =>
  console.log(
    `${name.padEnd(62)} ${rate(median(values))}  ${((median(values) / base) * 100).toFixed(0).padStart(3)} %`,
  );
console.log(`medians of ${rounds}, readings/s and % of the baseline:`);
line('baseline: raw prepared INSERT, all in one transaction', results.baseline);
line('import: insert(trx, readings, false), a transaction per import', results.tally);
line('raw prepared INSERT, a transaction per import', results.perImport);
line('approval: publishImport(trx, importId), a transaction per import', results.approved);
line('published at once: insert(trx, readings, true), per import', results.published);
line('cellDeltas alone, in memory (flawless readings of each import)', results.folding);
console.log(`target: import >= 250,000 readings/s; load average now ${load()}`);
