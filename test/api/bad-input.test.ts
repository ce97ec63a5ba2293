import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestApp, kiberaReport, type TestApp } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { assertProblem, listReports, submitReport } from '../helpers/reports.js';

/** After a refused request: nothing was stored and the server still answers. */
async function assertNothingWrittenAndStillServing({ app, as }: TestApp): Promise<void> {
  assert.deepEqual((await listReports(app, 'limit=10', await as('volunteer'))).items, []);
  const health = await app.inject({ url: '/api/v1/health' });
  assert.equal(health.statusCode, 200);
}

function postJson(testApp: TestApp, payload: unknown) {
  return testApp.app.inject({ method: 'POST', url: '/api/v1/reports', payload: payload as object });
}

function postRaw(testApp: TestApp, contentType: string, body: string | Buffer) {
  return testApp.app.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers: { 'content-type': contentType },
    payload: body,
  });
}

const inTwoDays = () => new Date(Date.now() + 2 * 24 * 60 * 60 * 1000).toISOString();

forEachDatabase('bad input is refused cleanly', (open) => {
  test('a latitude above 90 is refused, naming /location/lat', async () => {
    const testApp = await buildTestApp(await open());
    const response = await postJson(testApp, { ...kiberaReport, location: { lat: 91, lon: 36.8 } });
    assertProblem(response, 400, 'validation_failed', '/location/lat');
    await assertNothingWrittenAndStillServing(testApp);
  });

  test('a longitude below -180 is refused, naming /location/lon', async () => {
    const testApp = await buildTestApp(await open());
    const response = await postJson(testApp, { ...kiberaReport, location: { lat: -1.3, lon: -180.5 } });
    assertProblem(response, 400, 'validation_failed', '/location/lon');
    await assertNothingWrittenAndStillServing(testApp);
  });

  test('a latitude sent as a string is refused, naming /location/lat', async () => {
    const testApp = await buildTestApp(await open());
    const response = await postJson(testApp, { ...kiberaReport, location: { lat: '-1.3133', lon: 36.7876 } });
    assertProblem(response, 400, 'validation_failed', '/location/lat');
    await assertNothingWrittenAndStillServing(testApp);
  });

  test('a title sent as a number is refused, naming /title', async () => {
    const testApp = await buildTestApp(await open());
    const response = await postJson(testApp, { ...kiberaReport, title: 42 });
    assertProblem(response, 400, 'validation_failed', '/title');
    await assertNothingWrittenAndStillServing(testApp);
  });

  test('a report without a title is refused, naming /title', async () => {
    const testApp = await buildTestApp(await open());
    const { title: _title, ...untitled } = kiberaReport;
    const response = await postJson(testApp, untitled);
    assertProblem(response, 400, 'validation_failed', '/title');
    await assertNothingWrittenAndStillServing(testApp);
  });

  test('a title of only spaces is refused, naming /title', async () => {
    const testApp = await buildTestApp(await open());
    const response = await postJson(testApp, { ...kiberaReport, title: '   ' });
    assertProblem(response, 400, 'validation_failed', '/title');
    await assertNothingWrittenAndStillServing(testApp);
  });

  test('an unknown property in the body is refused, naming it', async () => {
    const testApp = await buildTestApp(await open());
    const response = await postJson(testApp, { ...kiberaReport, priority: 'urgent' });
    assertProblem(response, 400, 'validation_failed', '/priority');
    await assertNothingWrittenAndStillServing(testApp);
  });

  test('an unknown property inside the location is refused, naming it', async () => {
    const testApp = await buildTestApp(await open());
    const response = await postJson(testApp, {
      ...kiberaReport,
      location: { lat: -1.3, lon: 36.8, altitude: 1700 },
    });
    assertProblem(response, 400, 'validation_failed', '/location/altitude');
    await assertNothingWrittenAndStillServing(testApp);
  });

  test('an unknown query filter is refused, naming it', async () => {
    const testApp = await buildTestApp(await open());
    const response = await testApp.app.inject({ url: '/api/v1/reports?sort=oldest' });
    assertProblem(response, 400, 'validation_failed', 'query/sort');
    await assertNothingWrittenAndStillServing(testApp);
  });

  test('malformed JSON is refused with malformed_json', async () => {
    const testApp = await buildTestApp(await open());
    const response = await postRaw(testApp, 'application/json', '{"title": "Burst pipe",');
    assertProblem(response, 400, 'malformed_json');
    await assertNothingWrittenAndStillServing(testApp);
  });

  test('an empty JSON body is refused with malformed_json', async () => {
    const testApp = await buildTestApp(await open());
    const response = await postRaw(testApp, 'application/json', '');
    assertProblem(response, 400, 'malformed_json');
    await assertNothingWrittenAndStillServing(testApp);
  });

  test('a JSON body that is not an object is refused, naming the body', async () => {
    const testApp = await buildTestApp(await open());
    const response = await postRaw(testApp, 'application/json', '["Burst pipe"]');
    assertProblem(response, 400, 'validation_failed', '/');
    await assertNothingWrittenAndStillServing(testApp);
  });

  test('bytes that are not UTF-8 are refused with invalid_encoding', async () => {
    const testApp = await buildTestApp(await open());
    const latin1 = Buffer.from('{"title":"Caf\u00e9 flooded"}', 'latin1');
    const response = await postRaw(testApp, 'application/json; charset=utf-8', latin1);
    assertProblem(response, 400, 'invalid_encoding');
    await assertNothingWrittenAndStillServing(testApp);
  });

  test('a body over the size limit is refused with 413 body_too_large', async () => {
    const testApp = await buildTestApp(await open(), { bodyLimitBytes: 2048 });
    const response = await postJson(testApp, {
      ...kiberaReport,
      description: 'Water everywhere. '.repeat(200),
    });
    assertProblem(response, 413, 'body_too_large');
    await assertNothingWrittenAndStillServing(testApp);
  });

  test('a body just under the size limit is accepted', async () => {
    const testApp = await buildTestApp(await open(), { bodyLimitBytes: 2048 });
    const body = JSON.stringify({ title: 'Burst pipe', description: 'x'.repeat(1900) });
    assert.ok(Buffer.byteLength(body) < 2048);
    const response = await postRaw(testApp, 'application/json', body);
    assert.equal(response.statusCode, 201);
  });

  test('an XML body is refused with 415 unsupported_media_type', async () => {
    const testApp = await buildTestApp(await open());
    const response = await postRaw(testApp, 'application/xml', '<report><title>Burst pipe</title></report>');
    assertProblem(response, 415, 'unsupported_media_type');
    await assertNothingWrittenAndStillServing(testApp);
  });

  test('JSON sent as text/plain is refused with 415 unsupported_media_type', async () => {
    const testApp = await buildTestApp(await open());
    const response = await postRaw(testApp, 'text/plain', JSON.stringify(kiberaReport));
    assertProblem(response, 415, 'unsupported_media_type');
    await assertNothingWrittenAndStillServing(testApp);
  });

  for (const [why, bbox] of [
    ['a bbox that is not numbers', 'west,south,east,north'],
    ['a bbox with three numbers', '36.6,-1.45,37.1'],
    ['a bbox with five numbers', '36.6,-1.45,37.1,-1.15,0'],
    ['a bbox with an empty part', '36.6,,37.1,-1.15'],
    ['a bbox with a longitude beyond 180', '36.6,-1.45,181,-1.15'],
    ['a bbox with a latitude beyond 90', '36.6,-91,37.1,-1.15'],
    ['a bbox whose south is north of its north', '36.6,-1.15,37.1,-1.45'],
  ]) {
    test(`${why} is refused, naming query/bbox`, async () => {
      const testApp = await buildTestApp(await open());
      const response = await testApp.app.inject({
        url: `/api/v1/reports?bbox=${encodeURIComponent(bbox ?? '')}`,
      });
      assertProblem(response, 400, 'validation_failed', 'query/bbox');
      await assertNothingWrittenAndStillServing(testApp);
    });
  }

  for (const [parameter, value] of [
    ['since', 'yesterday'],
    ['since', '25/11/2026'],
    ['since', '2026-13-01'],
    ['since', '2026-11-25T14:30'],
    ['until', 'next week'],
    ['until', '2026-11-25T25:00:00Z'],
  ]) {
    test(`${parameter}=${value} is refused, naming query/${parameter}`, async () => {
      const testApp = await buildTestApp(await open());
      const response = await testApp.app.inject({
        url: `/api/v1/reports?${parameter}=${encodeURIComponent(value ?? '')}`,
      });
      assertProblem(response, 400, 'validation_failed', `query/${parameter}`);
      await assertNothingWrittenAndStillServing(testApp);
    });
  }

  test('until before since is refused, naming query/until', async () => {
    const testApp = await buildTestApp(await open());
    const response = await testApp.app.inject({ url: '/api/v1/reports?since=2026-03-01&until=2026-02-01' });
    assertProblem(response, 400, 'validation_failed', 'query/until');
    await assertNothingWrittenAndStillServing(testApp);
  });

  for (const limit of ['0', '1001', '-5', '2.5', 'ten']) {
    test(`limit=${limit} is refused, naming query/limit`, async () => {
      const testApp = await buildTestApp(await open());
      const response = await testApp.app.inject({ url: `/api/v1/reports?limit=${limit}` });
      assertProblem(response, 400, 'validation_failed', 'query/limit');
      await assertNothingWrittenAndStillServing(testApp);
    });
  }

  test('limit=1000 is accepted', async () => {
    const { app } = await buildTestApp(await open());
    assert.equal((await app.inject({ url: '/api/v1/reports?limit=1000' })).statusCode, 200);
  });

  test('an unknown status value is refused, naming query/status', async () => {
    const testApp = await buildTestApp(await open());
    const response = await testApp.app.inject({
      url: '/api/v1/reports?status=deleted',
      headers: await testApp.as('volunteer'),
    });
    assertProblem(response, 400, 'validation_failed', 'query/status');
    await assertNothingWrittenAndStillServing(testApp);
  });

  test('a search with no letters or digits is refused, naming query/q', async () => {
    const testApp = await buildTestApp(await open());
    const response = await testApp.app.inject({ url: `/api/v1/reports?q=${encodeURIComponent('*:&|')}` });
    assertProblem(response, 400, 'validation_failed', 'query/q');
    await assertNothingWrittenAndStillServing(testApp);
  });

  test('a cursor this server did not issue is refused with invalid_cursor, naming query/cursor', async () => {
    const testApp = await buildTestApp(await open());
    const response = await testApp.app.inject({ url: '/api/v1/reports?cursor=not-a-cursor' });
    assertProblem(response, 400, 'invalid_cursor', 'query/cursor');
    await assertNothingWrittenAndStillServing(testApp);
  });

  test('occurred_at more than a day in the future is refused, naming /occurred_at', async () => {
    const testApp = await buildTestApp(await open());
    const response = await postJson(testApp, { ...kiberaReport, occurred_at: inTwoDays() });
    assertProblem(response, 400, 'validation_failed', '/occurred_at');
    await assertNothingWrittenAndStillServing(testApp);
  });

  test('occurred_at that is not an RFC 3339 date-time is refused, naming /occurred_at', async () => {
    const testApp = await buildTestApp(await open());
    const response = await postJson(testApp, { ...kiberaReport, occurred_at: '25/11/2026 14:30' });
    assertProblem(response, 400, 'validation_failed', '/occurred_at');
    await assertNothingWrittenAndStillServing(testApp);
  });

  test('an edit that would move a report into the future is refused, naming /occurred_at', async () => {
    const testApp = await buildTestApp(await open());
    const volunteer = await testApp.as('volunteer');
    const report = await submitReport(testApp.app, kiberaReport);
    const response = await testApp.app.inject({
      method: 'PATCH',
      url: `/api/v1/reports/${report.id}`,
      headers: volunteer,
      payload: { occurred_at: inTwoDays() },
    });
    assertProblem(response, 400, 'validation_failed', '/occurred_at');
    const stored = await testApp.app.inject({ url: `/api/v1/reports/${report.id}`, headers: volunteer });
    assert.equal(stored.json<{ revision: number }>().revision, 1);
  });

  test('an edit with nothing in it is refused', async () => {
    const testApp = await buildTestApp(await open());
    const volunteer = await testApp.as('volunteer');
    const report = await submitReport(testApp.app, kiberaReport);
    const response = await testApp.app.inject({
      method: 'PATCH',
      url: `/api/v1/reports/${report.id}`,
      headers: volunteer,
      payload: {},
    });
    assertProblem(response, 400, 'validation_failed', '/');
  });

  test('an edit may not set a report back to pending, naming /status', async () => {
    const testApp = await buildTestApp(await open());
    const volunteer = await testApp.as('volunteer');
    const report = await submitReport(testApp.app, kiberaReport);
    const response = await testApp.app.inject({
      method: 'PATCH',
      url: `/api/v1/reports/${report.id}`,
      headers: volunteer,
      payload: { status: 'pending' },
    });
    assertProblem(response, 400, 'validation_failed', '/status');
  });

  test('a path with a broken percent-escape is refused as problem+json', async () => {
    const testApp = await buildTestApp(await open());
    const response = await testApp.app.inject({ url: '/api/v1/reports/%E0%A4%A' });
    assertProblem(response, 400, 'validation_failed');
    await assertNothingWrittenAndStillServing(testApp);
  });
});
