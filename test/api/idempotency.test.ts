import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestApp, json, kiberaReport } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';

const key = '0f5a2c1e-7b7d-4c55-9d0e-5f2f8b9a1c33';

forEachDatabase('report submission with an Idempotency-Key', (open) => {
  test('a retried submission with the same key returns the first report instead of a copy', async () => {
    const { app, as } = await buildTestApp(await open());
    const first = await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { 'idempotency-key': key },
      payload: kiberaReport,
    });
    const retry = await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { 'idempotency-key': key },
      payload: kiberaReport,
    });
    assert.equal(first.statusCode, 201);
    assert.equal(retry.statusCode, 200);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.equal(json(retry).id, json(first).id);
    const all = await app.inject({ url: '/api/v1/reports', headers: await as('volunteer') });
    assert.equal(json<{ items: unknown[] }>(all).items.length, 1);
  });

  test('retries racing each other still store one report', async () => {
    const { app, as } = await buildTestApp(await open());
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        app.inject({
          method: 'POST',
          url: '/api/v1/reports',
          headers: { 'idempotency-key': key },
          payload: kiberaReport,
        }),
      ),
    );
    assert.deepEqual(new Set(responses.map((r) => json(r).id)).size, 1);
    const all = await app.inject({ url: '/api/v1/reports', headers: await as('volunteer') });
    assert.equal(json<{ items: unknown[] }>(all).items.length, 1);
  });

  test('an idempotency key with spaces or control characters is refused', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { 'idempotency-key': 'not a key' },
      payload: kiberaReport,
    });
    assert.equal(response.statusCode, 400);
    assert.equal(json(response).code, 'validation_failed');
    assert.deepEqual(
      json<{ errors: { field: string }[] }>(response).errors[0]?.field,
      'header/idempotency-key',
    );
  });
});

forEachDatabase('an Idempotency-Key reused for another report', (open) => {
  test('is refused with idempotency_key_reused and does not reveal the first report', async () => {
    const { app } = await buildTestApp(await open());
    await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { 'idempotency-key': key },
      payload: kiberaReport,
    });
    const reused = await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { 'idempotency-key': key },
      payload: { title: 'A different report' },
    });
    assert.equal(reused.statusCode, 422);
    assert.equal(json(reused).code, 'idempotency_key_reused');
    assert.doesNotMatch(reused.body, /Burst water pipe/);
  });
});
