import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { Role } from '../../src/accounts/roles.js';
import { type App, buildApp } from '../../src/app.js';
import { systemClock } from '../../src/clock.js';
import { type Config, loadConfig } from '../../src/config.js';
import { type Db, openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { LedgerRepository } from '../../src/ledger/ledger.repository.js';
import { MirrorRepository } from '../../src/mirror/mirror.repository.js';
import { MirrorService, type SyncResult } from '../../src/mirror/mirror.service.js';
import { OutboundPolicy } from '../../src/outbound/policy.js';
import { createServices, type Services } from '../../src/services.js';
import { SurveysRepository } from '../../src/surveys/surveys.repository.js';
import { localTargets, testConfig, testPassword } from '../helpers/app.js';
import type { TestDb } from '../helpers/databases.js';

export const originName = 'water.example.org/tally';

/** A real Tally listening on loopback, with its own SQLite file and signing key, for a mirror to pull from. */
export interface Origin {
  url: string;
  port: number;
  app: App;
  services: Services;
  db: Db;
  config: Config;
  /** Where its signing key lives. */
  dataDir: string;
  dbFile: string;
  /** Every path requested of it, in order. */
  requests: string[];
  as(role: Role): Promise<{ authorization: string }>;
  /** Stops listening and closes the database, keeping the files (to start it again). */
  stop(): Promise<void>;
}

/**
 * Starts an origin; everything is removed when the test ends. `dbFile` reopens an earlier origin's
 * database, and a new data directory then means a new signing key: the same log under another key.
 */
export async function startOrigin(
  t: TestContext,
  options: { dbFile?: string; port?: number } = {},
): Promise<Origin> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tally-origin-'));
  const dbFile = options.dbFile ?? path.join(dataDir, 'tally.sqlite');
  const config = loadConfig(
    {
      TALLY_DATA_DIR: dataDir,
      TALLY_LOG_LEVEL: 'silent',
      TALLY_NAME: 'Kibera Water Watch',
      TALLY_REPORTS_LICENSE: 'CC-BY-SA-4.0',
      TALLY_LEDGER_ORIGIN: originName,
    },
    { webDir: null },
  );
  const db = openDatabase({ sqlitePath: dbFile });
  await migrateToLatest(db);
  // A public field and a private one: the private one must never reach the record, or a mirror.
  await new SurveysRepository(db.kysely).setFields('default', [
    {
      key: 'water_source',
      label: 'Water source',
      type: 'select',
      required: false,
      private: false,
      options: ['pipe', 'well'],
    },
    { key: 'household_phone', label: 'Household phone', type: 'text', required: false, private: true },
  ]);
  const services = await createServices(db, systemClock, config);
  const app = await buildApp(config, { db, services, logger: false });
  const requests: string[] = [];
  app.addHook('onRequest', async (request) => {
    requests.push(request.url);
  });
  const url = await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      await app.close();
      await db.destroy();
    })();
    return stopped;
  };
  t.after(async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    url,
    port: Number(new URL(url).port),
    app,
    services,
    db,
    config,
    dataDir,
    dbFile,
    requests,
    async as(role) {
      const email = `${role}-${randomUUID()}@example.org`;
      await services.accounts.addUser({ email, password: testPassword, role });
      return { authorization: `Bearer ${(await services.accounts.login(email, testPassword)).token}` };
    },
    stop,
  };
}

/** GETs a path of a listening Tally and returns the body as text, failing on anything but 200. */
export async function fetchText(baseUrl: string, pathname: string): Promise<string> {
  const response = await fetch(`${baseUrl}${pathname}`);
  if (!response.ok) throw new Error(`${pathname} answered ${response.status}: ${await response.text()}`);
  return response.text();
}

export function mirrorService(db: TestDb | Db, outbound = new OutboundPolicy(localTargets)): MirrorService {
  return new MirrorService(
    db.kysely,
    new LedgerRepository(db.kysely, db.dialect),
    new MirrorRepository(db.kysely),
    systemClock,
    // The test origins listen on this machine, which only the operator's allowlist opens.
    outbound,
  );
}

export function sync(db: TestDb | Db, url: string, key?: string): Promise<SyncResult> {
  return mirrorService(db).sync({ url, key: key ?? null });
}

/** The mirror's HTTP app over its database, as `tally serve` would build it. */
export async function mirrorApp(db: TestDb): Promise<App> {
  const config = testConfig();
  return buildApp(config, { db, services: await createServices(db, systemClock, config), logger: false });
}
