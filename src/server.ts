import path from 'node:path';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';

/** Opens the database, applies migrations, listens, and shuts down cleanly on SIGINT/SIGTERM. */
export async function startServer(config: Config): Promise<{ close(): Promise<void>; url: string }> {
  const db = openDatabase({
    databaseUrl: config.databaseUrl,
    sqlitePath: path.join(config.dataDir, 'tally.sqlite'),
  });
  await migrateToLatest(db);
  const app = await buildApp(config, {
    db,
    checkpointIntervalMs: 60_000,
    outboxIntervalMs: 5000,
    mqtt: config.mqttIngest,
  });
  const url = await app.listen({ port: config.port, host: config.host });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await app.close();
      await db.destroy();
    })();
    return closing;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      app.log.info({ signal }, 'shutting down');
      close().then(
        () => process.exit(0),
        (error: unknown) => {
          app.log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
  return { close, url };
}
