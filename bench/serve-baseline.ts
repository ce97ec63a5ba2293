// The baseline: a bare Fastify route that validates nothing and does one prepared better-sqlite3 insert.

import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { openSqlite } from '../src/db/database.js';

const sqlite = openSqlite(
  path.join(mkdtempSync(path.join(os.tmpdir(), 'tally-baseline-')), 'baseline.sqlite'),
);
sqlite.exec(`CREATE TABLE reports (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, title TEXT NOT NULL,
  description TEXT NOT NULL, lat REAL, lon REAL, received_at TEXT NOT NULL, status TEXT NOT NULL)`);
const insert = sqlite.prepare(
  'INSERT INTO reports (id, title, description, lat, lon, received_at, status) VALUES (?, ?, ?, ?, ?, ?, ?)',
);
const app = Fastify({ logger: false });
app.post('/reports', async (request, reply) => {
  const body = request.body as { title: string; description: string; location: { lat: number; lon: number } };
  const id = randomUUID();
  insert.run(
    id,
    body.title,
    body.description,
    body.location.lat,
    body.location.lon,
    new Date().toISOString(),
    'pending',
  );
  return reply.code(201).send({ id, status: 'pending' });
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`listening on ${url}`);
process.once('SIGTERM', async () => {
  await app.close();
  sqlite.close();
  process.exit(0);
});
