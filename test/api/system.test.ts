import assert from 'node:assert/strict';
import { test } from 'node:test';
import { version } from '../../src/version.js';
import { buildTestApp, kiberaReport } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import type { ProblemJson } from '../helpers/reports.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

forEachDatabase('health and request ids', (open, kind) => {
  test(`GET /api/v1/health reports ok, the database in use (${kind}) and the version`, async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({ url: '/api/v1/health' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'ok', database: kind, version });
  });

  test('every kind of response carries an x-request-id', async () => {
    const { app } = await buildTestApp(await open(), { bodyLimitBytes: 2048 });
    const responses = {
      health: await app.inject({ url: '/api/v1/health' }),
      created: await app.inject({ method: 'POST', url: '/api/v1/reports', payload: kiberaReport }),
      export: await app.inject({ url: '/api/v1/exports/reports.csv' }),
      notFound: await app.inject({ url: '/api/v1/nothing-here' }),
      invalid: await app.inject({ url: '/api/v1/reports?limit=0' }),
      unauthenticated: await app.inject({ url: '/api/v1/auth/me' }),
      tooLarge: await app.inject({
        method: 'POST',
        url: '/api/v1/reports',
        payload: { title: 'x'.repeat(3000) },
      }),
      badPath: await app.inject({ url: '/api/v1/reports/%E0%A4%A' }),
    };
    for (const [name, response] of Object.entries(responses)) {
      assert.match(String(response.headers['x-request-id']), uuid, name);
    }
  });

  test('each request gets an id of its own', async () => {
    const { app } = await buildTestApp(await open());
    const first = await app.inject({ url: '/api/v1/health' });
    const second = await app.inject({ url: '/api/v1/health' });
    assert.notEqual(first.headers['x-request-id'], second.headers['x-request-id']);
  });

  test('a sane x-request-id sent by the client is echoed back', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({
      url: '/api/v1/health',
      headers: { 'x-request-id': 'edge-7f3a:42.1' },
    });
    assert.equal(response.headers['x-request-id'], 'edge-7f3a:42.1');
  });

  test('an x-request-id that is not a sane token is replaced by one of our own', async () => {
    const { app } = await buildTestApp(await open());
    for (const given of ['<script>alert(1)</script>', 'a'.repeat(101), 'two words']) {
      const response = await app.inject({ url: '/api/v1/health', headers: { 'x-request-id': given } });
      assert.match(String(response.headers['x-request-id']), uuid, given);
    }
  });

  test('a problem body carries the request id of its response', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({ url: '/api/v1/reports/no-such-report' });
    assert.equal(response.json<ProblemJson>().request_id, response.headers['x-request-id']);
  });

  test('a problem body carries the request id the client sent', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { 'x-request-id': 'client-req-0001' },
      payload: { ...kiberaReport, location: { lat: 100, lon: 0 } },
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json<ProblemJson>().request_id, 'client-req-0001');
  });
});

forEachDatabase('protective headers', (open) => {
  test('every answer tells browsers not to guess its content type', async () => {
    const { app } = await buildTestApp(await open());
    for (const url of ['/api/v1/health', '/api/v1/exports/reports.csv', '/api/v1/nothing-here']) {
      assert.equal((await app.inject({ url })).headers['x-content-type-options'], 'nosniff', url);
    }
  });
});
