// Builds (once) a SQLite database of N reports with Tally's own schema, for the list and export benchmarks.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { uuidv7 } from '../src/ids.js';
import { dataDir } from './lib.js';

const words = (
  'water flood fire road blocked clinic school market bridge power outage queue fuel food shortage ' +
  'violence protest police checkpoint ballot polling station injured shelter tents rain landslide ' +
  'cholera medicine doctors nurses ambulance radiation reading sensor dust smoke wind storm'
).split(' ');

/** A deterministic pseudo-random sequence, so every run builds the same data. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) % 4294967296;
    return state / 4294967296;
  };
}

export async function ensureDataset(count: number): Promise<string> {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, `reports-${count}.sqlite`);
  if (existsSync(file)) return file;
  const building = `${file}.building`;
  rmSync(building, { force: true });
  const db = openDatabase({ sqlitePath: building });
  await migrateToLatest(db);
  const sqlite = db.sqlite!;
  const next = random(42);
  const insert =
    sqlite.prepare(`INSERT INTO reports (id, survey_id, title, description, lat, lon, public_lat, public_lon,
    location_name, occurred_at, received_at, updated_at, published_at, status, verification, sensitivity, source, revision, fields)
    VALUES (?, 'default', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'unverified', 'exact', 'web', 1, '{}')`);
  // Reports cluster around a few hundred centres, as real deployments do.
  const centres = Array.from({ length: 300 }, () => [next() * 140 - 60, next() * 340 - 170] as const);
  const started = Date.now();
  const start = Date.parse('2024-01-01T00:00:00Z');
  const insertMany = sqlite.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const [clat, clon] = centres[Math.floor(next() * centres.length)]!;
      const lat = Math.max(-89.9, Math.min(89.9, clat + (next() - 0.5) * 4));
      const lon = Math.max(-179.9, Math.min(179.9, clon + (next() - 0.5) * 4));
      const title = Array.from({ length: 4 }, () => words[Math.floor(next() * words.length)]).join(' ');
      const description = Array.from({ length: 20 }, () => words[Math.floor(next() * words.length)]).join(
        ' ',
      );
      const time = new Date(start + i * 30_000).toISOString();
      const status = next() < 0.9 ? 'published' : 'pending';
      insert.run(
        uuidv7(start + i * 30_000),
        title,
        description,
        lat,
        lon,
        lat,
        lon,
        `Place ${i % 5000}`,
        time,
        time,
        time,
        status === 'published' ? time : null,
        status,
      );
    }
  });
  for (let from = 0; from < count; from += 50_000) {
    insertMany(from, Math.min(count, from + 50_000));
    process.stderr.write(`\rbuilding ${count} reports: ${Math.min(count, from + 50_000)}`);
  }
  sqlite.exec('ANALYZE');
  await db.destroy();
  renameSync(building, file);
  process.stderr.write(` in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  return file;
}
