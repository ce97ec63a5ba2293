import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestApp, json } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';

forEachDatabase('content types the API takes', (open) => {
  test('a form-encoded body sent to the JSON API is refused with 415 and stores nothing', async () => {
    const { app, as } = await buildTestApp(await open());
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'title=Smoke+over+the+hill',
    });
    assert.equal(response.statusCode, 415);
    assert.equal(json(response).code, 'unsupported_media_type');
    const all = await app.inject({ url: '/api/v1/reports', headers: await as('volunteer') });
    assert.deepEqual(json(all).items, []);
  });
});
