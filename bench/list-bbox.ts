// List by bbox with 1,000,000 reports in SQLite: the public list query (published only, newest first,
// 100 per page) for viewports from a city to the whole world. Target: p99 <= 20 ms.
import path from 'node:path';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { encodeCursor } from '../src/reports/report-filters.js';
import { createServices } from '../src/services.js';
import { ensureDataset } from './dataset.js';
import { machine, percentile } from './lib.js';

const count = Number(process.env.BENCH_REPORTS ?? 1_000_000);
const queries = Number(process.env.BENCH_QUERIES ?? 300);
const file = await ensureDataset(count);
const db = openDatabase({ sqlitePath: file });
const { reports } = await createServices(db, systemClock, loadConfig({ TALLY_DATA_DIR: path.dirname(file) }));

let seed = 7;
const next = () => {
  seed = (seed * 1664525 + 1013904223) % 4294967296;
  return seed / 4294967296;
};

console.log(`machine: ${machine()}; ${count} reports`);
const baseline: number[] = [];
for (let i = 0; i < queries; i++) {
  const started = performance.now();
  await reports.list({ kind: 'anonymous' }, { limit: 100 });
  baseline.push(performance.now() - started);
}
baseline.sort((a, b) => a - b);
console.log(
  `no filter (baseline):  p50 ${percentile(baseline, 50).toFixed(2)} ms  p99 ${percentile(baseline, 99).toFixed(2)} ms`,
);

for (const size of [0.05, 0.5, 5, 40, 360]) {
  const times: number[] = [];
  let found = 0;
  for (let i = 0; i < queries; i++) {
    // Viewports centred where people report (around a random existing report), as a map user looks.
    const [centre] = (
      await reports.list(
        { kind: 'anonymous' },
        { limit: 1, cursor: encodeCursor(1 + Math.floor(next() * count)) },
      )
    ).items;
    const lat = centre?.location?.lat ?? 0;
    const lon = centre?.location?.lon ?? 0;
    const west = Math.max(-180, lon - size / 2);
    const south = Math.max(-90, lat - size / 4);
    const east = Math.min(180, west + size);
    const north = Math.min(90, south + size / 2);
    const started = performance.now();
    const page = await reports.list(
      { kind: 'anonymous' },
      { bbox: `${west},${south},${east},${north}`, limit: 100 },
    );
    times.push(performance.now() - started);
    found += page.items.length;
  }
  times.sort((a, b) => a - b);
  console.log(
    `bbox ${String(size).padStart(5)}°: p50 ${percentile(times, 50).toFixed(2)} ms  p99 ${percentile(times, 99).toFixed(2)} ms` +
      `  (avg ${(found / queries).toFixed(0)} rows; target p99 <= 20 ms)`,
  );
}
await db.destroy();
