// Drive logs stored under fixed devices before they were placed where the public sees the device: the upgrade
// moves them there, and the first start folds the map's cells again from the moved readings.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { cellToLatLng, latLngToCell } from 'h3-js';
import { systemClock } from '../../src/clock.js';
import { migrateToJustBefore } from '../../src/db/migrate.js';
import { LedgerRepository } from '../../src/ledger/ledger.repository.js';
import { parseBgeigieLog } from '../../src/sensors/decoders/bgeigie.js';
import { type Device, type Position, publicPosition } from '../../src/sensors/device.js';
import { DevicesRepository } from '../../src/sensors/devices.repository.js';
import { ImportsRepository } from '../../src/sensors/imports.repository.js';
import { doseRate, type NewReading, readingFlags } from '../../src/sensors/reading.js';
import { ReadingsRepository } from '../../src/sensors/readings.repository.js';
import { type SensorImport, summarize } from '../../src/sensors/sensor-import.js';
import { createServices } from '../../src/services.js';
import { buildTestApp, testConfig } from '../helpers/app.js';
import {
  type DatabaseKind,
  forEachDatabase,
  openTestDatabase,
  type TestDb,
  upgradeTestDatabase,
} from '../helpers/databases.js';

type App = Awaited<ReturnType<typeof buildTestApp>>['app'];

const repair = '2026-12-08T04-20-fixed-device-logs';
const world = '-180,-90,180,90';
const resolutions = [1, 3, 5, 7, 9];

/** Where the station stands: its owner's home in Kibera. */
const home: Position = { lat: -1.313312, lon: 36.787645 };

function logLine(body: string): string {
  let sum = 0;
  for (const char of body) sum ^= char.charCodeAt(0);
  return `$${body}*${sum.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** NMEA ddmm.mmmm and its hemisphere. */
function nmea(degrees: number, degreeDigits: number, hemispheres: [string, string]): string {
  const whole = Math.floor(Math.abs(degrees));
  const minutes = (Math.abs(degrees) - whole) * 60;
  const text = `${String(whole).padStart(degreeDigits, '0')}${minutes.toFixed(4).padStart(7, '0')}`;
  return `${text},${degrees < 0 ? hemispheres[1] : hemispheres[0]}`;
}

function record(at: Date, cpm: number, place: Position): string {
  const time = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const lat = nmea(place.lat, 2, ['N', 'S']);
  const lon = nmea(place.lon, 3, ['E', 'W']);
  return `BNRDD,204,${time},${cpm},${Math.round(cpm / 12)},${cpm * 3},A,${lat},${lon},1712.40,A,9,89`;
}

/** Forty lines of a station logging at home as its GPS wandered a few metres, and two broken ones. */
function stationLog(): string {
  const start = Date.parse('2026-11-20T10:00:00Z');
  const lines = ['# NEW LOG', '# format=1.3.4nano', '# deadtime=on'];
  for (let i = 0; i < 40; i++) {
    const place = { lat: home.lat + 0.00002 * (i % 7), lon: home.lon - 0.00003 * (i % 5) };
    lines.push(logLine(record(new Date(start + i * 5_000), 30 + (i % 9), place)));
  }
  // A checksum that does not match: the line is refused, its raw text with it.
  lines.push(`${logLine(record(new Date(start + 200_000), 33, home)).slice(0, -2)}00`);
  lines.push(`$${record(new Date(start + 205_000), 34, home)}`);
  return `${lines.join('\r\n')}\r\n`;
}

interface Seeded {
  deviceId: string;
  importId: string;
  /** Where the log's lines were, exactly. */
  places: Position[];
  /** How many of its readings reach the map. */
  mapped: number;
}

/**
 * What a deployment stored before the upgrade, written with the repositories as they store it: the lines'
 * own positions and altitude in the readings, their box in the summary, the raw text of rejected lines,
 * and the readings folded into their cells on approval.
 */
async function seedLegacyLog(db: TestDb, device: Omit<Device, 'id' | 'ownerId'>): Promise<Seeded> {
  const now = new Date();
  const ownerId = randomUUID();
  await db.kysely
    .insertInto('users')
    .values({
      id: ownerId,
      email: `${ownerId}@example.org`,
      display_name: null,
      role: 'reporter',
      password_hash: 'not used',
      created_at: now.toISOString(),
      disabled_at: null,
    })
    .execute();
  const ledger = new LedgerRepository(db.kysely, db.dialect, db.sqlite);
  const stored: Device = { ...device, id: randomUUID(), ownerId };
  assert.ok(await new DevicesRepository(db.kysely, ledger).insert(stored, randomUUID(), []));
  const log = parseBgeigieLog(stationLog());
  assert.ok(log.rejected.length >= 2);
  const importId = randomUUID();
  const readings: NewReading[] = log.lines.map((line) => ({
    deviceId: stored.id,
    quantity: 'radiation',
    capturedMs: line.capturedAt,
    value: doseRate(line.cpm, 334),
    cpm: line.cpm,
    lat: line.lat,
    lon: line.lon,
    altitude: line.altitude,
    flags: (line.gpsValid ? 0 : readingFlags.noGpsFix) | (line.cpmValid ? 0 : readingFlags.countsNotValid),
    importId,
    line: line.line,
    receivedMs: now.getTime(),
  }));
  const item: SensorImport = {
    id: importId,
    ownerId,
    deviceId: stored.id,
    kind: 'bgeigie',
    fileName: 'home.log',
    md5: randomUUID().replaceAll('-', ''),
    sizeBytes: 4_000,
    status: 'submitted',
    format: log.format,
    deadTime: log.deadTime,
    lineCount: log.lineCount,
    acceptedCount: readings.length,
    duplicateCount: 0,
    rejectedCount: log.rejected.length,
    rejectedLines: log.rejected,
    metadata: { name: 'At home' },
    summary: summarize(log.lines),
    createdAt: now.toISOString(),
    submittedAt: now.toISOString(),
    decidedAt: null,
    decidedBy: null,
    decisionReason: null,
  };
  const imports = new ImportsRepository(
    db.kysely,
    new ReadingsRepository(db.kysely, db.dialect, db.sqlite),
    ledger,
  );
  await imports.insert(item, readings);
  const approved = { ...item, status: 'approved' as const, decidedAt: now.toISOString(), decidedBy: ownerId };
  assert.ok(await imports.transition(approved, 'submitted', []));
  return {
    deviceId: stored.id,
    importId,
    places: log.lines.map((line) => ({ lat: line.lat, lon: line.lon })),
    mapped: readings.filter((reading) => reading.flags === 0).length,
  };
}

function deviceAt(mobility: 'fixed' | 'mobile', precision: 'coarse' | 'exact') {
  const now = new Date().toISOString();
  const location = mobility === 'fixed' ? home : null;
  return {
    name: mobility === 'fixed' ? 'Station at home' : 'Drive logger',
    model: 'bGeigie Nano',
    sensor: 'LND 7317',
    quantity: 'radiation',
    cpmPerUnit: 334,
    mobility,
    location,
    publicLocation: publicPosition(location, precision),
    locationPrecision: precision,
    network: null,
    externalId: null,
    hardwareId: null,
    serial: null,
    payloadFormat: null,
    createdAt: now,
    updatedAt: now,
    lastReadingAt: null,
  } satisfies Omit<Device, 'id' | 'ownerId'>;
}

/** Every way an exact place could be written out, but for what the public may see anyway. */
function tellTales(places: readonly Position[], centre: Position): string[] {
  const tales = new Set<string>(['0118.79', '3647.25']);
  for (const place of places) {
    for (const digits of [6, 5, 4]) {
      tales.add(place.lat.toFixed(digits));
      tales.add(place.lon.toFixed(digits));
    }
    tales.add(latLngToCell(place.lat, place.lon, 9));
  }
  const publicCells = resolutions.map((r) => latLngToCell(centre.lat, centre.lon, r));
  const publicText = JSON.stringify([centre, publicCells, publicCells.map((cell) => cellToLatLng(cell))]);
  return [...tales].filter((tale) => !publicText.includes(tale));
}

function assertNoExactPlace(label: string, body: string, tales: readonly string[]) {
  for (const tale of tales) assert.ok(!body.includes(tale), `${label} gives away ${tale}`);
}

async function publicBody(app: App, url: string): Promise<string> {
  const response = await app.inject({ url });
  assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
  return response.body;
}

async function cellTotals(db: TestDb): Promise<Map<number, number>> {
  const rows = await db.kysely
    .selectFrom('reading_cells')
    .select((eb) => ['resolution', eb.fn.sum<number>('count').as('count')])
    .groupBy('resolution')
    .execute();
  return new Map(rows.map((row) => [row.resolution, Number(row.count)]));
}

async function tableTotal(
  db: TestDb,
  table: 'reading_cell_days' | 'reading_cell_sources',
  resolution: number,
) {
  const row = await db.kysely
    .selectFrom(table)
    .select((eb) => eb.fn.sum<number>('count').as('count'))
    .where('resolution', '=', resolution)
    .executeTakeFirstOrThrow();
  return Number(row.count ?? 0);
}

forEachDatabase('drive logs stored under fixed devices before an upgrade', (_open, kind: DatabaseKind) => {
  const opened: TestDb[] = [];
  after(async () => {
    await Promise.all(opened.map((db) => db.destroy()));
  });

  /** A database as a deployment had it before the repair. */
  async function beforeRepair(): Promise<TestDb> {
    const db = await openTestDatabase(kind, ':memory:', (fresh) => migrateToJustBefore(fresh, repair));
    opened.push(db);
    return db;
  }

  test('a coarse station’s stored log is, after the upgrade, nowhere public but at its hexagon’s centre', async () => {
    const db = await beforeRepair();
    const station = await seedLegacyLog(db, deviceAt('fixed', 'coarse'));
    const centre = publicPosition(home, 'coarse') as Position;
    const tales = tellTales(station.places, centre);
    const before = await db.kysely.selectFrom('reading_cells').select('cell').execute();
    assert.ok(
      before.some((row) => row.cell === latLngToCell(home.lat, home.lon, 9)),
      'the legacy cells hold the home',
    );

    await upgradeTestDatabase(db);
    const { app } = await buildTestApp(db);

    for (const query of ['', `?device=${station.deviceId}`, `?import=${station.importId}`]) {
      const url = `/api/v1/exports/readings.csv${query}`;
      const body = await publicBody(app, url);
      assert.ok(body.includes(String(centre.lat)), `${url} has the readings at the centre`);
      assertNoExactPlace(url, body, tales);
    }
    for (const resolution of resolutions) {
      const url = `/api/v1/sensors/cells?bbox=${world}&resolution=${resolution}`;
      const body = await publicBody(app, url);
      assertNoExactPlace(url, body, tales);
      const cells = JSON.parse(body).features.map((f: { properties: { cell: string } }) => f.properties.cell);
      assert.deepEqual(cells, [latLngToCell(centre.lat, centre.lon, resolution)]);
      const detail = `/api/v1/sensors/cells/${cells[0]}`;
      assertNoExactPlace(detail, await publicBody(app, detail), tales);
    }
    const track = await publicBody(app, `/api/v1/sensors/imports/${station.importId}/track`);
    assertNoExactPlace('the track', track, tales);
    const points = JSON.parse(track).features.filter(
      (feature: { geometry: { type: string } }) => feature.geometry.type === 'Point',
    );
    assert.ok(points.length > 0);
    for (const point of points) assert.deepEqual(point.geometry.coordinates, [centre.lon, centre.lat]);
    for (const url of [`/api/v1/sensors/imports/${station.importId}`, '/api/v1/sensors/imports']) {
      assertNoExactPlace(url, await publicBody(app, url), tales);
    }
    const item = JSON.parse(await publicBody(app, `/api/v1/sensors/imports/${station.importId}`));
    assert.deepEqual(item.summary.bbox, [centre.lon, centre.lat, centre.lon, centre.lat]);
  });

  test('a coarse station’s stored log keeps what a new import of it would: no altitude, no raw rejected text', async () => {
    const db = await beforeRepair();
    const station = await seedLegacyLog(db, deviceAt('fixed', 'coarse'));
    await upgradeTestDatabase(db);
    await createServices(db, systemClock, testConfig());
    const centre = publicPosition(home, 'coarse') as Position;
    const readings = await db.kysely
      .selectFrom('readings')
      .select(['lat', 'lon', 'altitude'])
      .where('import_id', '=', station.importId)
      .execute();
    assert.ok(readings.length > 0);
    for (const reading of readings) assert.deepEqual(reading, { ...centre, altitude: null });
    const stored = await db.kysely
      .selectFrom('sensor_imports')
      .select(['rejected_lines', 'summary'])
      .where('id', '=', station.importId)
      .executeTakeFirstOrThrow();
    const rejected: { line: number; reason: string; text: string }[] = JSON.parse(stored.rejected_lines);
    assert.equal(rejected.length, 2);
    for (const line of rejected) {
      assert.equal(line.text, '');
      assert.ok(line.reason.length > 0 && line.line > 0);
    }
    assert.deepEqual(JSON.parse(stored.summary).bbox, [centre.lon, centre.lat, centre.lon, centre.lat]);
  });

  test('after the start that follows the upgrade, every hexagon counts each mapped reading once', async () => {
    const db = await beforeRepair();
    const station = await seedLegacyLog(db, deviceAt('fixed', 'coarse'));
    const logger = await seedLegacyLog(db, deviceAt('mobile', 'coarse'));
    await upgradeTestDatabase(db);
    const pending = await db.kysely.selectFrom('maintenance_tasks').select('name').execute();
    assert.deepEqual(pending, [{ name: 'rebuild-reading-cells' }]);
    await createServices(db, systemClock, testConfig());
    const mapped = station.mapped + logger.mapped;
    const totals = await cellTotals(db);
    for (const resolution of resolutions) {
      assert.equal(totals.get(resolution), mapped, `resolution ${resolution}`);
      assert.equal(await tableTotal(db, 'reading_cell_days', resolution), mapped);
      assert.equal(await tableTotal(db, 'reading_cell_sources', resolution), mapped);
    }
    assert.deepEqual(await db.kysely.selectFrom('maintenance_tasks').selectAll().execute(), []);
  });

  test('several processes starting at once after the upgrade rebuild the hexagons once', async () => {
    const db = await beforeRepair();
    const station = await seedLegacyLog(db, deviceAt('fixed', 'coarse'));
    await upgradeTestDatabase(db);
    await Promise.all([1, 2, 3].map(() => createServices(db, systemClock, testConfig())));
    const totals = await cellTotals(db);
    for (const resolution of resolutions) assert.equal(totals.get(resolution), station.mapped);
    await createServices(db, systemClock, testConfig());
    assert.equal((await cellTotals(db)).get(9), station.mapped);
  });

  test('a mobile logger’s stored drive is left as it was, on the map where it drove', async () => {
    const db = await beforeRepair();
    const logger = await seedLegacyLog(db, deviceAt('mobile', 'coarse'));
    const snapshot = async () => ({
      readings: await db.kysely
        .selectFrom('readings')
        .select(['id', 'lat', 'lon', 'altitude'])
        .where('import_id', '=', logger.importId)
        .orderBy('id')
        .execute(),
      item: await db.kysely
        .selectFrom('sensor_imports')
        .select(['summary', 'rejected_lines'])
        .where('id', '=', logger.importId)
        .executeTakeFirstOrThrow(),
      cells: await db.kysely
        .selectFrom('reading_cells')
        .selectAll()
        .orderBy('resolution')
        .orderBy('cell')
        .execute(),
    });
    const before = await snapshot();
    assert.ok(before.readings.some((reading) => reading.altitude !== null));
    await upgradeTestDatabase(db);
    const { app } = await buildTestApp(db);
    assert.deepEqual(await snapshot(), before);
    const exported = await publicBody(app, `/api/v1/exports/readings.csv?import=${logger.importId}`);
    const first = logger.places[0] as Position;
    assert.ok(exported.includes(`${first.lat}`), 'the drive is exported where it was logged');
  });

  test('a station shown at its exact place has its stored log moved there, its rejected lines kept', async () => {
    const db = await beforeRepair();
    const station = await seedLegacyLog(db, deviceAt('fixed', 'exact'));
    const rejectedBefore = await db.kysely
      .selectFrom('sensor_imports')
      .select('rejected_lines')
      .where('id', '=', station.importId)
      .executeTakeFirstOrThrow();
    await upgradeTestDatabase(db);
    const { app } = await buildTestApp(db);
    const item = JSON.parse(await publicBody(app, `/api/v1/sensors/imports/${station.importId}`));
    assert.deepEqual(item.summary.bbox, [home.lon, home.lat, home.lon, home.lat]);
    const track = JSON.parse(await publicBody(app, `/api/v1/sensors/imports/${station.importId}/track`));
    for (const feature of track.features.filter(
      (f: { geometry: { type: string } }) => f.geometry.type === 'Point',
    )) {
      assert.deepEqual(feature.geometry.coordinates, [home.lon, home.lat]);
    }
    const rejectedAfter = await db.kysely
      .selectFrom('sensor_imports')
      .select('rejected_lines')
      .where('id', '=', station.importId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(rejectedAfter, rejectedBefore);
  });
});

forEachDatabase('a new database', (open) => {
  test('leaves no rebuild for its first start', async () => {
    const db = await open();
    assert.deepEqual(await db.kysely.selectFrom('maintenance_tasks').selectAll().execute(), []);
  });
});
