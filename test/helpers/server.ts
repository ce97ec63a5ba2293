import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Role } from '../../src/accounts/roles.js';
import { buildApp } from '../../src/app.js';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { webDistDir } from '../../src/paths.js';
import { createServices, type Services } from '../../src/services.js';

export interface TestServer {
  url: string;
  services: Services;
  createUser(email: string, role: Role, password: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real Tally listening on a free loopback port, on its own SQLite file, serving the built web app
 * (`npm run build:web`), for browser tests.
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tally-e2e-'));
  const config = loadConfig(
    { TALLY_DATA_DIR: dataDir, TALLY_LOG_LEVEL: 'silent', TALLY_HOST: '127.0.0.1', TALLY_PORT: '0', ...env },
    { webDir: webDistDir },
  );
  const db = openDatabase({ sqlitePath: path.join(dataDir, 'tally.sqlite') });
  await migrateToLatest(db);
  const services = await createServices(db, systemClock, config);
  const app = await buildApp(config, { db, services, logger: false });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const { accounts } = services;
  return {
    url,
    services,
    async createUser(email, role, password) {
      await accounts.addUser({ email, role, password });
    },
    async close() {
      await app.close();
      await db.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const chromiumPath = process.env.TALLY_CHROMIUM ?? '/usr/bin/chromium';
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
];
/** Set by scripts/test.mjs when Chromium is missing outside CI; under CI that fails the run instead. */
export const browserSkipReason = process.env.TALLY_TEST_SKIP_BROWSER || undefined;
