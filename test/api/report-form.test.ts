import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { forEachDatabase, type TestDb } from '../helpers/databases.js';
import { postReportForm, reportPageDir } from '../helpers/report-page.js';
import { assertProblem, createCategory, listReports, type ReportJson } from '../helpers/reports.js';

function formApp(t: TestContext, db: TestDb, timeZone = 'UTC'): Promise<TestApp> {
  return buildTestApp(db, { webDir: reportPageDir(t), timeZone });
}

/** The one report stored so far, as a volunteer sees it. */
async function onlyStoredReport({ app, as }: TestApp): Promise<ReportJson> {
  const { items } = await listReports(app, '', await as('volunteer'));
  assert.equal(items.length, 1, `expected one stored report, found ${items.length}`);
  return items[0]!;
}

const floodForm = {
  title: 'Flooded road near the market',
  description: 'Water is knee deep; matatus are turning back.',
  lat: '-1.2921',
  lon: '36.8219',
  location_name: 'Gikomba market',
  author_name: 'Otieno',
  contact: '+254 711 000 222',
};

forEachDatabase('the no-JavaScript report form', (open) => {
  test('posting the form stores a pending report from the web source', async (t) => {
    const testApp = await formApp(t, await open());
    const response = await postReportForm(testApp.app, floodForm);
    assert.equal(response.statusCode, 201);
    const report = await onlyStoredReport(testApp);
    assert.deepEqual(
      {
        title: report.title,
        description: report.description,
        status: report.status,
        source: report.source,
        location: report.location,
        location_name: report.location_name,
        author_name: report.author_name,
        contact: report.contact,
      },
      {
        title: floodForm.title,
        description: floodForm.description,
        status: 'pending',
        source: 'web',
        location: { lat: -1.2921, lon: 36.8219, accuracy_m: null },
        location_name: 'Gikomba market',
        author_name: 'Otieno',
        contact: '+254 711 000 222',
      },
    );
  });

  test('the answer to the form is the report page thanking the reporter and giving the reference', async (t) => {
    const testApp = await formApp(t, await open());
    const response = await postReportForm(testApp.app, floodForm);
    assert.match(String(response.headers['content-type']), /^text\/html/);
    assert.match(response.body, /Thank you/);
    const report = await onlyStoredReport(testApp);
    assert.ok(response.body.includes(`<code>${report.id}</code>`));
    assert.match(response.body, /<form method="post" action="\/report"/);
  });

  test('a form without a title is shown again with 422, the reason, and everything typed kept', async (t) => {
    const testApp = await formApp(t, await open());
    const response = await postReportForm(testApp.app, { ...floodForm, title: '' });
    assert.equal(response.statusCode, 422);
    assert.match(String(response.headers['content-type']), /^text\/html/);
    assert.match(response.body, /role="alert"[\s\S]*Please give your report a title\./);
    assert.ok(
      response.body.includes(
        `<textarea id="description" name="description">${floodForm.description}</textarea>`,
      ),
    );
    for (const name of ['lat', 'lon', 'location_name', 'author_name', 'contact'] as const) {
      const value = floodForm[name].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      assert.match(
        response.body,
        new RegExp(`<input id="${name}" name="${name}"[^>]*value="${value}"`),
        name,
      );
    }
  });

  test('a refused form stores nothing', async (t) => {
    const testApp = await formApp(t, await open());
    await postReportForm(testApp.app, { ...floodForm, title: '   ' });
    assert.deepEqual((await listReports(testApp.app, '', await testApp.as('volunteer'))).items, []);
  });

  test('what was typed is escaped when the form is shown again', async (t) => {
    const testApp = await formApp(t, await open());
    const response = await postReportForm(testApp.app, {
      title: '',
      description: '</textarea><script>alert("x")</script>',
      location_name: '"><img src=x onerror=alert(1)>',
    });
    assert.equal(response.statusCode, 422);
    assert.ok(!response.body.includes('<script>alert'), 'a script tag came through');
    assert.ok(!response.body.includes('<img'), 'an img tag came through');
  });

  test('a place name without coordinates is placed by looking the name up', async (t) => {
    const testApp = await formApp(t, await open());
    await postReportForm(testApp.app, { title: 'Power cut', location_name: 'Nairobi' });
    const report = await onlyStoredReport(testApp);
    assert.ok(report.location, 'the report was not placed');
    assert.ok(Math.abs(report.location.lat - -1.28) < 0.05, `lat ${report.location.lat}`);
    assert.ok(Math.abs(report.location.lon - 36.82) < 0.05, `lon ${report.location.lon}`);
    assert.equal(report.location_name, 'Nairobi');
  });

  test('a place name that matches no known place is kept without coordinates', async (t) => {
    const testApp = await formApp(t, await open());
    const response = await postReportForm(testApp.app, {
      title: 'Power cut',
      location_name: 'Behind the blue kiosk',
    });
    assert.equal(response.statusCode, 201);
    const report = await onlyStoredReport(testApp);
    assert.deepEqual([report.location, report.location_name], [null, 'Behind the blue kiosk']);
  });

  test('coordinates typed with a decimal comma are understood', async (t) => {
    const testApp = await formApp(t, await open());
    await postReportForm(testApp.app, { title: 'Power cut', lat: '-1,2921', lon: '36,8219' });
    assert.deepEqual((await onlyStoredReport(testApp)).location, {
      lat: -1.2921,
      lon: 36.8219,
      accuracy_m: null,
    });
  });

  test('a latitude without a longitude is refused with 422 and a reason', async (t) => {
    const testApp = await formApp(t, await open());
    const response = await postReportForm(testApp.app, { title: 'Power cut', lat: '-1.2921' });
    assert.equal(response.statusCode, 422);
    assert.match(response.body, /Latitude must be between -90 and 90/);
  });

  test('a latitude out of range is refused with 422 and a reason', async (t) => {
    const testApp = await formApp(t, await open());
    const response = await postReportForm(testApp.app, { title: 'Power cut', lat: '123', lon: '36.8' });
    assert.equal(response.statusCode, 422);
    assert.match(response.body, /Latitude must be between -90 and 90/);
  });

  test('the time typed is read in the deployment time zone', async (t) => {
    const testApp = await formApp(t, await open(), 'Africa/Nairobi');
    const response = await postReportForm(testApp.app, {
      title: 'Power cut',
      occurred_at: '2026-11-20T14:30',
    });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal((await onlyStoredReport(testApp)).occurred_at, '2026-11-20T11:30:00.000Z');
  });

  test('a time that cannot be read is refused with 422 and a reason', async (t) => {
    const testApp = await formApp(t, await open());
    const response = await postReportForm(testApp.app, { title: 'Power cut', occurred_at: 'last Tuesday' });
    assert.equal(response.statusCode, 422);
    assert.match(response.body, /The date and time could not be read/);
  });

  test('the categories chosen in the list are stored with the report', async (t) => {
    const testApp = await formApp(t, await open());
    const coordinator = await testApp.as('coordinator');
    const water = await createCategory(testApp.app, coordinator, { name: 'Water' });
    const roads = await createCategory(testApp.app, coordinator, { name: 'Roads' });
    await createCategory(testApp.app, coordinator, { name: 'Health' });
    await postReportForm(testApp.app, { title: 'Flooded road', category: [water.id, roads.id] });
    assert.deepEqual((await onlyStoredReport(testApp)).categories.sort(), [water.id, roads.id].sort());
  });

  test('a category that does not exist is refused with 422 and the choices kept', async (t) => {
    const testApp = await formApp(t, await open());
    const water = await createCategory(testApp.app, await testApp.as('coordinator'), { name: 'Water' });
    const response = await postReportForm(testApp.app, {
      title: 'Flooded road',
      category: [water.id, 'gone'],
    });
    assert.equal(response.statusCode, 422);
    assert.match(response.body, /categories: unknown category gone/);
    assert.ok(response.body.includes(`<option value="${water.id}" selected>Water</option>`));
  });

  test('the report page lists the categories, subcategories indented under their parents', async (t) => {
    const testApp = await formApp(t, await open());
    const coordinator = await testApp.as('coordinator');
    const health = await createCategory(testApp.app, coordinator, { name: 'Health' });
    const cholera = await createCategory(testApp.app, coordinator, { name: 'Cholera', parent_id: health.id });
    const page = await testApp.app.inject({ url: '/report' });
    assert.equal(page.statusCode, 200);
    assert.ok(
      page.body.includes(
        `<option value="${health.id}">Health</option><option value="${cholera.id}">\u00a0\u00a0Cholera</option>`,
      ),
      page.body,
    );
    assert.ok(!page.body.includes('<!--tally:'), 'a marker was left in the page');
  });

  test('a category name with dollar signs is shown on the report page exactly as written', async (t) => {
    const testApp = await formApp(t, await open());
    await createCategory(testApp.app, await testApp.as('coordinator'), {
      name: "Prices in US$ & KSh, $' rates",
    });
    const page = await testApp.app.inject({ url: '/report' });
    assert.ok(page.body.includes('>Prices in US$ &amp; KSh, $&#39; rates</option>'), page.body);
  });

  test('the form posted as JSON is refused with 415', async (t) => {
    const testApp = await formApp(t, await open());
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/report',
      payload: { title: 'Power cut' },
    });
    assertProblem(response, 415, 'unsupported_media_type');
  });

  test('the form is held to the anonymous submission rate limit', async (t) => {
    const testApp = await buildTestApp(await open(), {
      webDir: reportPageDir(t),
      anonymousReportsPerMinute: 1,
    });
    assert.equal((await postReportForm(testApp.app, { title: 'Power cut' })).statusCode, 201);
    assertProblem(await postReportForm(testApp.app, { title: 'Power cut again' }), 429, 'rate_limited');
  });
});

forEachDatabase('the report page', (open) => {
  test('carries the deployment name in its title and header, escaped', async (t) => {
    const { app } = await buildTestApp(await open(), { webDir: reportPageDir(t), name: 'Tally <Nairobi>' });
    const page = await app.inject({ url: '/report' });
    assert.match(page.body, /<title>Send a report · Tally &lt;Nairobi&gt;<\/title>/);
    assert.match(page.body, /<a class="brand" href="\/">Tally &lt;Nairobi&gt;<\/a>/);
  });
});
