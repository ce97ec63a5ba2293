// Builds (once) a deployment whose public record holds N entries: N - 1 reports published on arrival, each
// stored with its leaf through the same repository code as a submission, plus the settings entry, with a
// signed checkpoint every 100,000 entries and at the end. Kept in bench/.data/ledger-N/ with its signing key.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { uuidv7 } from '../src/ids.js';
import { LedgerRepository } from '../src/ledger/ledger.repository.js';
import type { Report } from '../src/reports/report.js';
import { ReportsRepository } from '../src/reports/reports.repository.js';
import { reportRecordContent } from '../src/reports/reports.service.js';
import { createServices } from '../src/services.js';
import { SurveysRepository } from '../src/surveys/surveys.repository.js';
import { dataDir } from './lib.js';

export interface LedgerDataset {
  dataDir: string;
  sqlitePath: string;
}

export async function ensureLedgerDataset(count: number): Promise<LedgerDataset> {
  const dir = path.join(dataDir, `ledger-${count}`);
  const dataset = { dataDir: dir, sqlitePath: path.join(dir, 'tally.sqlite') };
  if (existsSync(dir)) return dataset;
  const building = `${dir}.building`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  const started = Date.now();
  const config = loadConfig({ TALLY_DATA_DIR: building, TALLY_LEDGER_ORIGIN: 'bench.example.org/tally' });
  const db = openDatabase({ sqlitePath: path.join(building, 'tally.sqlite') });
  await migrateToLatest(db);
  const services = await createServices(db, systemClock, config);
  await services.recordPublicSettings();
  const reports = new ReportsRepository(
    db.kysely,
    db.dialect,
    new LedgerRepository(db.kysely, db.dialect, db.sqlite),
    db.sqlite,
  );
  const survey = await new SurveysRepository(db.kysely).findById('default');
  const start = Date.parse('2024-01-01T00:00:00Z');
  const make = (i: number): Omit<Report, 'seq'> => {
    const time = new Date(start + i * 30_000).toISOString();
    return {
      id: uuidv7(start + i * 30_000),
      surveyId: 'default',
      title: `Water point ${i} is dry`,
      description: `Report ${i}: the queue at the tap stood for three hours and then the water stopped.`,
      location: { lat: -1.3 + (i % 1000) / 10_000, lon: 36.8 + Math.floor(i / 1000) / 10_000, accuracyM: 25 },
      locationName: `Place ${i % 5000}`,
      occurredAt: time,
      receivedAt: time,
      updatedAt: time,
      publishedAt: time,
      publishedBy: 'rule:auto-publish',
      status: 'published',
      verification: 'unverified',
      sensitivity: i % 10 === 0 ? 'coarse' : 'exact',
      authorName: null,
      contact: null,
      source: 'web',
      revision: 1,
      fields: {},
      createdBy: null,
      categories: [],
      idempotency: null,
    };
  };
  const chunk = 10_000;
  for (let from = 0; from < count - 1; from += chunk) {
    const to = Math.min(count - 1, from + chunk);
    const inserts: Promise<number>[] = [];
    for (let i = from; i < to; i++) {
      const report = make(i);
      const change = services.record.change(
        'report.published',
        `report:${report.id}`,
        'rule:auto-publish',
        reportRecordContent({ ...report, seq: 0 }, survey),
        report.updatedAt,
      );
      inserts.push(reports.insert(report, [change]));
    }
    await Promise.all(inserts);
    if (to % 100_000 === 0 || to === count - 1) await services.ledger.checkpoint();
    process.stderr.write(`\rbuilding a record of ${count} entries: ${to + 1}`);
  }
  db.sqlite?.exec('ANALYZE');
  await db.destroy();
  renameSync(building, dir);
  process.stderr.write(` in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  return dataset;
}
