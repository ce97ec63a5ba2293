// The sensor map over HTTP with 10,000,000 public readings: `GET /api/v1/sensors/cells` for the viewport of a
// 1280 × 900 px map at zooms 2, 5, 8, 11 and 14 around a random place with readings, and
// `GET /api/v1/sensors/cells/:cell` for hexagons those answers showed (what a click on the map asks). Target:
// p99 <= 50 ms at every zoom.
//
// The server is `tally serve`'s code (compiled, SQLite, logging at warn) in its own process; one keep-alive
// client asks one question at a time, as gzip (what a browser accepts) and as plain JSON (a script). Beside
// it, in the same run: the smallest sensor answer over the same connection (`GET /api/v1/sensors/quantities`,
// the HTTP round trip alone), and each viewport's database query alone (`ReadingsRepository.cellsInBox` in
// this process), so what a request costs beyond them shows.
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { getHexagonEdgeLengthAvg, getResolution, UNITS } from 'h3-js';
import { openDatabase } from '../src/db/database.js';
import { resolutionForZoom } from '../src/sensors/cells.js';
import { ReadingsRepository } from '../src/sensors/readings.repository.js';
import { buildServer, machine, percentile, startProcess } from './lib.js';
import { ensureSensorDataset, random } from './sensor-dataset.js';

const total = Number(process.env.BENCH_READINGS ?? 10_000_000);
const queries = Number(process.env.BENCH_QUERIES ?? 300);
const zooms = [2, 5, 8, 11, 14];
const width = 1280;
const height = 900;

buildServer();
const file = await ensureSensorDataset(total);
const db = openDatabase({ sqlitePath: file });
const repository = new ReadingsRepository(db.kysely, db.dialect, db.sqlite);
const next = random(23);

// Places with data: random flawless radiation readings (what the map shows by default).
const maxId = Number((db.sqlite!.prepare('SELECT max(id) AS id FROM readings').get() as { id: number }).id);
const readingAt = db.sqlite!.prepare('SELECT lat, lon, flags, quantity FROM readings WHERE id = ?');
function randomPlace(): { lat: number; lon: number } {
  for (;;) {
    const row = readingAt.get(1 + Math.floor(next() * maxId)) as
      | { lat: number | null; lon: number | null; flags: number; quantity: string }
      | undefined;
    if (row && row.flags === 0 && row.quantity === 'radiation' && row.lat !== null && row.lon !== null) {
      return { lat: row.lat, lon: row.lon };
    }
  }
}

const maxMercatorLat = 85.0511;
const wrap = (lon: number) => ((((lon + 180) % 360) + 360) % 360) - 180;

/** What a 1280 × 900 px web-mercator map at `zoom` centred on the place shows, as west,south,east,north. */
function viewport(lat: number, lon: number, zoom: number): string {
  const worldPx = 256 * 2 ** zoom;
  const y = ((1 - Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360)) / Math.PI) / 2) * worldPx;
  const latAt = (py: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * py) / worldPx))) * 180) / Math.PI;
  const north = Math.min(maxMercatorLat, latAt(y - height / 2));
  const south = Math.max(-maxMercatorLat, latAt(y + height / 2));
  const span = (width / worldPx) * 360;
  if (span >= 360) return `-180,${south},180,${north}`;
  // Across the antimeridian west > east, which the API accepts.
  return `${wrap(lon - span / 2)},${south},${wrap(lon + span / 2)},${north}`;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function get(
  url: string,
  gzip: boolean,
): Promise<{ ms: number; status: number; bytes: number; body: Buffer; encoding: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers: gzip ? { 'accept-encoding': 'gzip' } : {} }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            ms: performance.now() - started,
            status: response.statusCode ?? 0,
            bytes: body.length,
            body,
            encoding: String(response.headers['content-encoding'] ?? ''),
          });
        });
      })
      .on('error', reject);
  });
}
const json = (answer: { body: Buffer; encoding: string }) =>
  JSON.parse((answer.encoding === 'gzip' ? gunzipSync(answer.body) : answer.body).toString('utf8'));

interface Series {
  ms: number[];
  bytes: number[];
  hexagons: number[];
}
const series = (): Series => ({ ms: [], bytes: [], hexagons: [] });

const server = await startProcess('serve-tally.mjs', { BENCH_SQLITE: file });
const base = `${server.url}/api/v1/sensors`;
console.log(`machine: ${machine()}; ${total.toLocaleString('en')} readings; ${queries} queries per zoom`);

const places = zooms.map(() => Array.from({ length: queries }, () => randomPlace()));
const boxes = zooms.map((zoom, z) => places[z]!.map(({ lat, lon }) => viewport(lat, lon, zoom)));

// Warm-up: the server's code paths and the pages the queries read.
for (let i = 0; i < 50; i++) {
  await get(`${base}/cells?bbox=${boxes[i % zooms.length]![i]}&zoom=${zooms[i % zooms.length]}`, true);
}

const roundTrip = series();
const gzipped = zooms.map(series);
const plain = zooms.map(series);
const clicked: string[] = [];
let failures = 0;
// The zooms interleaved, so a noisy moment of the machine spreads over all of them.
for (let i = 0; i < queries; i++) {
  roundTrip.ms.push((await get(`${base}/quantities`, true)).ms);
  for (const [z, zoom] of zooms.entries()) {
    const url = `${base}/cells?bbox=${boxes[z]![i]}&zoom=${zoom}`;
    for (const [gzip, into] of [
      [true, gzipped[z]!],
      [false, plain[z]!],
    ] as const) {
      const answer = await get(url, gzip);
      if (answer.status !== 200) failures += 1;
      into.ms.push(answer.ms);
      into.bytes.push(answer.bytes);
      const features = (json(answer) as { features: { id: string }[] }).features;
      into.hexagons.push(features.length);
      if (gzip && features.length > 0) clicked.push(features[Math.floor(next() * features.length)]!.id);
    }
  }
}

// A click on one of the hexagons shown: its aggregate, daily values and sources.
const cellTimes = new Map<number, number[]>();
const allCells: number[] = [];
for (const cell of clicked) {
  const answer = await get(`${base}/cells/${cell}`, true);
  if (answer.status !== 200) failures += 1;
  const resolution = getResolution(cell);
  cellTimes.set(resolution, [...(cellTimes.get(resolution) ?? []), answer.ms]);
  allCells.push(answer.ms);
}

// The database query alone, in this process, for the same boxes.
const queryAlone = zooms.map(() => [] as number[]);
for (let i = 0; i < queries; i++) {
  for (const [z, zoom] of zooms.entries()) {
    const [west, south, east, north] = boxes[z]![i]!.split(',').map(Number) as [
      number,
      number,
      number,
      number,
    ];
    const resolution = resolutionForZoom(zoom);
    const margin = (getHexagonEdgeLengthAvg(resolution, UNITS.km) / 111) * 1.2;
    const started = performance.now();
    await repository.cellsInBox('radiation', resolution, { west, south, east, north }, margin, 20_001);
    queryAlone[z]!.push(performance.now() - started);
  }
}
await server.stop();
await db.destroy();

const ms = (values: number[], p: number) =>
  percentile(
    [...values].sort((a, b) => a - b),
    p,
  )
    .toFixed(1)
    .padStart(6);
const p3 = (values: number[]) => `${ms(values, 50)} ${ms(values, 95)} ${ms(values, 99)}`;
const med = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
console.log(`HTTP round trip (GET /api/v1/sensors/quantities): p50/p95/p99 ${p3(roundTrip.ms)} ms`);
console.log(
  'zoom res  hexagons (median / max)   gzip: p50    p95    p99 ms   KB | plain: p50    p95    p99 ms    KB | query alone p50 p99',
);
for (const [z, zoom] of zooms.entries()) {
  const g = gzipped[z]!;
  const p = plain[z]!;
  console.log(
    `${String(zoom).padStart(4)} ${String(resolutionForZoom(zoom)).padStart(3)}  ` +
      `${String(med(g.hexagons)).padStart(8)} / ${String(Math.max(...g.hexagons)).padEnd(6)}       ` +
      `${p3(g.ms)}  ${(med(g.bytes) / 1024).toFixed(0).padStart(5)} |       ${p3(p.ms)}  ${(med(p.bytes) / 1024).toFixed(0).padStart(5)} |` +
      `   ${ms(queryAlone[z]!, 50)} ${ms(queryAlone[z]!, 99)}`,
  );
}
console.log(`cell detail, all ${allCells.length}: p50/p95/p99 ${p3(allCells)} ms`);
for (const [resolution, times] of [...cellTimes.entries()].sort(([a], [b]) => a - b)) {
  console.log(`  resolution ${resolution} (${times.length}): p50/p95/p99 ${p3(times)} ms`);
}
console.log(`failures (non-200): ${failures}; target: p99 <= 50 ms at every zoom and for cells`);
