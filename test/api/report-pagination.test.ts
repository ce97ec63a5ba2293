import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestApp } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { assertProblem, listReports, publishedReport, type ReportPageJson } from '../helpers/reports.js';

forEachDatabase('report pagination', (open) => {
  test('following next_cursor walks every report once, newest first, and ends with a null cursor', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    const titles = ['One', 'Two', 'Three', 'Four', 'Five', 'Six', 'Seven'];
    for (const title of titles) await publishedReport(app, volunteer, { title });
    const seen: string[] = [];
    let page: ReportPageJson = await listReports(app, 'limit=3');
    seen.push(...page.items.map((report) => report.title));
    while (page.next_cursor) {
      page = await listReports(app, `limit=3&cursor=${page.next_cursor}`);
      seen.push(...page.items.map((report) => report.title));
    }
    assert.deepEqual(seen, [...titles].reverse());
  });

  test('the last full page has no next_cursor when nothing follows it', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    for (const title of ['One', 'Two', 'Three', 'Four']) await publishedReport(app, volunteer, { title });
    const first = await listReports(app, 'limit=2');
    const second = await listReports(app, `limit=2&cursor=${first.next_cursor}`);
    assert.deepEqual(
      second.items.map((report) => report.title),
      ['Two', 'One'],
    );
    assert.equal(second.next_cursor, null);
  });

  test('reports that arrive between pages do not appear on, or shift, the later pages', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    for (const title of ['One', 'Two', 'Three', 'Four', 'Five'])
      await publishedReport(app, volunteer, { title });
    const first = await listReports(app, 'limit=2');
    await publishedReport(app, volunteer, { title: 'Arrived later' });
    await publishedReport(app, volunteer, { title: 'Arrived even later' });
    const second = await listReports(app, `limit=2&cursor=${first.next_cursor}`);
    const third = await listReports(app, `limit=2&cursor=${second.next_cursor}`);
    assert.deepEqual(
      [first, second, third].map((page) => page.items.map((report) => report.title)),
      [['Five', 'Four'], ['Three', 'Two'], ['One']],
    );
    assert.equal(third.next_cursor, null);
  });

  test('a cursor that was altered is refused with 400 invalid_cursor', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    for (const title of ['One', 'Two', 'Three']) await publishedReport(app, volunteer, { title });
    const { next_cursor: cursor } = await listReports(app, 'limit=1');
    assert.ok(cursor);
    const response = await app.inject({ url: `/api/v1/reports?limit=1&cursor=${cursor.slice(1)}` });
    assertProblem(response, 400, 'invalid_cursor', 'query/cursor');
  });

  test('a hand-made cursor with an impossible position is refused with 400 invalid_cursor', async () => {
    const { app } = await buildTestApp(await open());
    const forged = Buffer.from(JSON.stringify({ s: -3 })).toString('base64url');
    const response = await app.inject({ url: `/api/v1/reports?cursor=${forged}` });
    assertProblem(response, 400, 'invalid_cursor', 'query/cursor');
  });
});
