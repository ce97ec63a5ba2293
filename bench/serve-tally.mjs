// Tally itself, as `npm start` runs it (the compiled code, no TypeScript loader), on a fresh SQLite file or on
// BENCH_SQLITE, with limits raised so the benchmark measures work, not refusals. Needs `npm run build:server`.
// BENCH_AUTO_PUBLISH=1 publishes every report on arrival (a public-record leaf each); BENCH_DATA_DIR serves an
// existing data directory (its tally.sqlite and sealing key).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../dist/server/app.js';
import { loadConfig } from '../dist/server/config.js';
import { openDatabase } from '../dist/server/db/database.js';
import { migrateToLatest } from '../dist/server/db/migrate.js';

const dataDir = process.env.BENCH_DATA_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'tally-bench-'));
const config = loadConfig({
  TALLY_DATA_DIR: dataDir,
  TALLY_LOG_LEVEL: 'warn',
  TALLY_RATE_LIMIT_ANONYMOUS: '10000000',
  TALLY_PORT: '0',
  TALLY_HOST: '127.0.0.1',
  // Inbound message limits (per sender, per channel), raised by the benchmarks that post messages.
  TALLY_SENDER_MESSAGES_PER_MINUTE: process.env.TALLY_SENDER_MESSAGES_PER_MINUTE,
  TALLY_CHANNEL_MESSAGES_PER_MINUTE: process.env.TALLY_CHANNEL_MESSAGES_PER_MINUTE,
});
const db = openDatabase({ sqlitePath: process.env.BENCH_SQLITE ?? path.join(dataDir, 'tally.sqlite') });
await migrateToLatest(db);
// With BENCH_AUTO_PUBLISH=1 every report is published on arrival, so each one also appends a public-record leaf.
if (process.env.BENCH_AUTO_PUBLISH === '1') {
  await db.kysely.updateTable('surveys').set({ auto_publish: 1 }).where('id', '=', 'default').execute();
}
const app = await buildApp(config, { db });
const url = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`listening on ${url}`);
process.once('SIGTERM', async () => {
  await app.close();
  await db.destroy();
  process.exit(0);
});
