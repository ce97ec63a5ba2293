// Export of 1,000,000 reports as GeoJSON (and CSV) over HTTP, against a raw SELECT of the same rows
// streamed to /dev/null in this run. Targets: <= 10 s, server peak RSS <= 250 MB.

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import { openSqlite } from '../src/db/database.js';
import { ensureDataset } from './dataset.js';
import { buildServer, machine, peakRssMb, startProcess } from './lib.js';

const count = Number(process.env.BENCH_REPORTS ?? 1_000_000);
buildServer();
const file = await ensureDataset(count);

async function rawSelect(): Promise<number> {
  const sqlite = openSqlite(file);
  const out = createWriteStream('/dev/null');
  const started = performance.now();
  // The same rows and columns an export reads, as JSON lines, written in chunks of 1,000.
  const select = sqlite.prepare(
    `SELECT seq, id, title, description, public_lat, public_lon, location_name, occurred_at, received_at,
       published_at, verification, author_name, source FROM reports WHERE status = 'published' ORDER BY seq DESC`,
  );
  let chunk = '';
  let rows = 0;
  for (const row of select.iterate()) {
    chunk += `${JSON.stringify(row)}\n`;
    rows += 1;
    if (rows % 1000 === 0) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.write(chunk);
  out.end();
  sqlite.close();
  return (performance.now() - started) / 1000;
}

function download(url: string): Promise<{ seconds: number; bytes: number; status: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, (response) => {
        let bytes = 0;
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        response.on('end', () =>
          resolve({ seconds: (performance.now() - started) / 1000, bytes, status: response.statusCode ?? 0 }),
        );
      })
      .on('error', reject);
  });
}

console.log(`machine: ${machine()}; ${count} reports (90 % published)`);
const baseline = await rawSelect();
console.log(
  `baseline (raw SELECT of the same rows and columns as JSON lines to /dev/null): ${baseline.toFixed(2)} s`,
);
for (const format of ['geojson', 'csv']) {
  const server = await startProcess('serve-tally.mjs', { BENCH_SQLITE: file });
  const pid = server.child.pid!;
  const idleRss = peakRssMb(pid);
  const result = await download(`${server.url}/api/v1/exports/reports.${format}`);
  const peak = peakRssMb(pid);
  await server.stop();
  console.log(
    `tally ${format.padEnd(7)}: ${result.seconds.toFixed(2)} s (target <= 10 s), ${(result.bytes / 1e6).toFixed(0)} MB, ` +
      `HTTP ${result.status}, server peak RSS ${peak.toFixed(0)} MB (idle ${idleRss.toFixed(0)} MB; target <= 250 MB), ` +
      `${(result.seconds / baseline).toFixed(2)} × baseline`,
  );
}
