import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { App } from '../../src/app.js';
import { buildTestApp } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { assertProblem, type Headers } from '../helpers/reports.js';

function submit(app: App, n: number, headers: Headers = {}) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers,
    payload: { title: `Water point ${n} not working`, location: { lat: -1.2921, lon: 36.8219 } },
  });
}

async function submitTimes(app: App, count: number, headers: Headers = {}): Promise<number[]> {
  const statuses: number[] = [];
  for (let n = 1; n <= count; n++) statuses.push((await submit(app, n, headers)).statusCode);
  return statuses;
}

const limits = { anonymousReportsPerMinute: 2, authenticatedReportsPerMinute: 4 };

forEachDatabase('rate limits on report submission', (open) => {
  test('the third anonymous report within a minute is refused with 429 rate_limited', async () => {
    const { app } = await buildTestApp(await open(), limits);
    assert.deepEqual(await submitTimes(app, 2), [201, 201]);
    const third = await submit(app, 3);
    assertProblem(third, 429, 'rate_limited');
    assert.ok(third.headers['retry-after'], 'a 429 says when to retry');
  });

  test('a report refused by the rate limit is not stored', async () => {
    const { app, as } = await buildTestApp(await open(), limits);
    await submitTimes(app, 3);
    const listed = await app.inject({ url: '/api/v1/reports', headers: await as('volunteer') });
    assert.equal(listed.json<{ items: unknown[] }>().items.length, 2);
  });

  test('a signed-in reporter is not held back by the anonymous limit', async () => {
    const { app, as } = await buildTestApp(await open(), limits);
    await submitTimes(app, 3);
    assert.deepEqual(await submitTimes(app, 3, await as('reporter')), [201, 201, 201]);
  });

  test('a signed-in reporter has the authenticated limit of its own', async () => {
    const { app, as } = await buildTestApp(await open(), limits);
    const reporter = await as('reporter');
    assert.deepEqual(await submitTimes(app, 4, reporter), [201, 201, 201, 201]);
    assertProblem(await submit(app, 5, reporter), 429, 'rate_limited');
  });

  test('each signed-in account is counted separately', async () => {
    const { app, as } = await buildTestApp(await open(), limits);
    await submitTimes(app, 5, await as('reporter'));
    assert.deepEqual(await submitTimes(app, 4, await as('reporter')), [201, 201, 201, 201]);
  });

  test('reading reports is not limited by the submission limit', async () => {
    const { app } = await buildTestApp(await open(), limits);
    await submitTimes(app, 3);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await app.inject({ url: '/api/v1/reports' })).statusCode);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200]);
  });
});
