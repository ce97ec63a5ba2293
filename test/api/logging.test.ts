import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { buildApp } from '../../src/app.js';
import { kiberaReport, testConfig } from '../helpers/app.js';
import { openTestDatabase } from '../helpers/databases.js';

function captureLogs(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

test('every log line about a request carries its request id, and no contact reaches the log', async () => {
  const db = await openTestDatabase('sqlite');
  const logs = captureLogs();
  const app = await buildApp(testConfig(), { db, logger: { level: 'info', stream: logs.stream } });
  try {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { 'x-request-id': 'req-report-1' },
      payload: kiberaReport,
    });
    const refused = await app.inject({
      url: '/api/v1/reports?limit=0',
      headers: { 'x-request-id': 'req-bad-1' },
    });
    assert.equal(created.statusCode, 201);
    assert.equal(refused.statusCode, 400);
    const requestLines = logs.lines().filter((line) => 'req' in line || 'res' in line || 'code' in line);
    assert.ok(requestLines.length >= 4, 'each request logs at least its arrival and its answer');
    for (const line of requestLines) assert.match(String(line.reqId), /^req-(report|bad)-1$/);
    assert.doesNotMatch(JSON.stringify(logs.lines()), /254722000111/);
  } finally {
    await app.close();
    await db.destroy();
  }
});

test('a gateway’s request is logged without its query, which holds the sender and the shared secret', async () => {
  const db = await openTestDatabase('sqlite');
  const logs = captureLogs();
  const app = await buildApp(testConfig(), { db, logger: { level: 'info', stream: logs.stream } });
  try {
    const query = new URLSearchParams({
      secret: 'kannel-shared-secret-7d1e',
      from: '+254722000111',
      text: 'Fire at the market',
      id: '0b4f3c2a-9d8e-4f1a-b2c3-d4e5f6a7b8c9',
    });
    const response = await app.inject({ url: `/api/v1/inbound/kannel/nowhere?${query}` });
    assert.equal(response.statusCode, 404);
    const logged = JSON.stringify(logs.lines());
    assert.match(logged, /\/api\/v1\/inbound\/kannel\/nowhere/);
    assert.doesNotMatch(logged, /254722000111|kannel-shared-secret|Fire at the market/);
  } finally {
    await app.close();
    await db.destroy();
  }
});
