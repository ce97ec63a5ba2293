import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { App } from '../../src/app.js';
import { type SurveyField, SurveysRepository } from '../../src/surveys/surveys.repository.js';
import { buildTestApp } from '../helpers/app.js';
import { forEachDatabase, type TestDb } from '../helpers/databases.js';
import {
  assertProblem,
  listReports,
  publishedReport,
  type ReportJson,
  type ReportPayload,
  submitReport,
} from '../helpers/reports.js';

const exactPoint = { lat: -1.3133, lon: 36.7876 };

const shelterReport: ReportPayload = {
  title: 'Family sheltering in a church after eviction',
  description: 'Two adults and four children; they fear being found.',
  location: { ...exactPoint, name: 'Kibera' },
  author_name: 'Wanjiru',
  contact: 'wanjiru.private@example.org',
};

/** The raw text of every public way to see reports: the list, all exports, and the report itself if named. */
async function publicBodies(app: App, id?: string): Promise<Record<string, string>> {
  const urls: Record<string, string> = {
    list: '/api/v1/reports',
    csv: '/api/v1/exports/reports.csv?hxl=true',
    geojson: '/api/v1/exports/reports.geojson',
    kml: '/api/v1/exports/reports.kml',
  };
  if (id) urls.report = `/api/v1/reports/${id}`;
  const bodies: Record<string, string> = {};
  for (const [name, url] of Object.entries(urls)) bodies[name] = (await app.inject({ url })).body;
  return bodies;
}

function assertNowhere(bodies: Record<string, string>, secret: string): void {
  for (const [name, body] of Object.entries(bodies)) {
    assert.ok(!body.includes(secret), `"${secret}" appears in the public ${name}`);
  }
}

async function defineSurveyFields(db: TestDb, fields: SurveyField[]): Promise<void> {
  await new SurveysRepository(db.kysely).setFields('default', fields);
}

forEachDatabase('privacy of public responses', (open) => {
  test('the contact of a published report appears in no public response or export', async () => {
    const { app, as } = await buildTestApp(await open());
    const report = await publishedReport(app, await as('volunteer'), shelterReport);
    const bodies = await publicBodies(app, report.id);
    assert.match(bodies.report ?? '', /Family sheltering/);
    assertNowhere(bodies, 'wanjiru.private');
  });

  test('the answer to an anonymous submission does not echo the contact back', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({ method: 'POST', url: '/api/v1/reports', payload: shelterReport });
    assert.equal(response.statusCode, 201);
    assert.ok(!response.body.includes('wanjiru.private'));
  });

  test('who created a report appears in no public response or export', async () => {
    const { app, as } = await buildTestApp(await open());
    const reporter = await as('reporter');
    const me = await app.inject({ url: '/api/v1/auth/me', headers: reporter });
    const reporterId = me.json<{ user: { id: string } }>().user.id;
    const submitted = await submitReport(app, shelterReport, reporter);
    const volunteer = await as('volunteer');
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/reports/${submitted.id}`,
      headers: volunteer,
      payload: { status: 'published' },
    });
    const bodies = await publicBodies(app, submitted.id);
    assertNowhere(bodies, reporterId);
    assertNowhere(bodies, 'created_by');
  });

  test('a pending report appears in no public response or export', async () => {
    const { app, as } = await buildTestApp(await open());
    await publishedReport(app, await as('volunteer'), { title: 'Road washed away' });
    const pending = await submitReport(app, { ...shelterReport, title: 'Unchecked rumour of an attack' });
    assertProblem(await app.inject({ url: `/api/v1/reports/${pending.id}` }), 404, 'report_not_found');
    const bodies = await publicBodies(app);
    assertNowhere(bodies, 'Unchecked rumour');
    assertNowhere(bodies, pending.id);
  });

  test('a private survey field appears in no public response or export, while volunteers see it', async () => {
    const db = await open();
    const { app, as } = await buildTestApp(db);
    await defineSurveyFields(db, [
      { key: 'people_affected', label: 'People affected', type: 'number', required: false, private: false },
      { key: 'household_head', label: 'Head of household', type: 'text', required: false, private: true },
    ]);
    const volunteer = await as('volunteer');
    const report = await publishedReport(app, volunteer, {
      ...shelterReport,
      fields: { people_affected: 6, household_head: 'Joseph Otieno Mwangi' },
    });
    const publicReport = (await app.inject({ url: `/api/v1/reports/${report.id}` })).json<ReportJson>();
    assert.deepEqual(publicReport.fields, { people_affected: 6 });
    assertNowhere(await publicBodies(app, report.id), 'Otieno');
    const staffReport = (
      await app.inject({ url: `/api/v1/reports/${report.id}`, headers: volunteer })
    ).json<ReportJson>();
    assert.equal(staffReport.fields.household_head, 'Joseph Otieno Mwangi');
  });

  test('a field the survey no longer defines is kept from the public', async () => {
    const db = await open();
    const { app, as } = await buildTestApp(db);
    await defineSurveyFields(db, [
      { key: 'household_head', label: 'Head of household', type: 'text', required: false, private: false },
    ]);
    const report = await publishedReport(app, await as('volunteer'), {
      ...shelterReport,
      fields: { household_head: 'Joseph Otieno Mwangi' },
    });
    await defineSurveyFields(db, []);
    assertNowhere(await publicBodies(app, report.id), 'Otieno');
  });

  test('a coarse report shows the public coarsened coordinates, not the exact ones', async () => {
    const { app, as } = await buildTestApp(await open());
    const report = await publishedReport(app, await as('volunteer'), {
      ...shelterReport,
      sensitivity: 'coarse',
    });
    const shown = (await app.inject({ url: `/api/v1/reports/${report.id}` })).json<ReportJson>();
    assert.ok(shown.location);
    assert.notDeepEqual([shown.location.lat, shown.location.lon], [exactPoint.lat, exactPoint.lon]);
    assert.ok(Math.abs(shown.location.lat - exactPoint.lat) < 0.01);
    assert.ok(Math.abs(shown.location.lon - exactPoint.lon) < 0.01);
    assert.equal(shown.location.accuracy_m, 1000);
  });

  test('the exact coordinates of a coarse report appear in no public response or export', async () => {
    const { app, as } = await buildTestApp(await open());
    const report = await publishedReport(app, await as('volunteer'), {
      ...shelterReport,
      sensitivity: 'coarse',
    });
    const bodies = await publicBodies(app, report.id);
    assertNowhere(bodies, String(exactPoint.lat));
    assertNowhere(bodies, String(exactPoint.lon));
  });

  test('volunteers see the exact coordinates of a coarse report', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    const report = await publishedReport(app, volunteer, { ...shelterReport, sensitivity: 'coarse' });
    const shown = (
      await app.inject({ url: `/api/v1/reports/${report.id}`, headers: volunteer })
    ).json<ReportJson>();
    assert.deepEqual(shown.location, { ...exactPoint, accuracy_m: null });
  });

  test('a tiny bbox around the exact point does not find a coarse report publicly', async () => {
    const { app, as } = await buildTestApp(await open());
    await publishedReport(app, await as('volunteer'), { ...shelterReport, sensitivity: 'coarse' });
    const { lat, lon } = exactPoint;
    const box = [lon - 0.0005, lat - 0.0005, lon + 0.0005, lat + 0.0005].join(',');
    assert.deepEqual((await listReports(app, `bbox=${box}`)).items, []);
  });

  test('a bbox around the coarsened cell does find a coarse report publicly', async () => {
    const { app, as } = await buildTestApp(await open());
    await publishedReport(app, await as('volunteer'), { ...shelterReport, sensitivity: 'coarse' });
    const { items } = await listReports(app, 'bbox=36.77,-1.33,36.80,-1.30');
    assert.equal(items.length, 1);
  });

  test('making a report coarse after publishing it moves where the public can find it', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    const report = await publishedReport(app, volunteer, shelterReport);
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/reports/${report.id}`,
      headers: volunteer,
      payload: { sensitivity: 'coarse' },
    });
    const { lat, lon } = exactPoint;
    const box = [lon - 0.0005, lat - 0.0005, lon + 0.0005, lat + 0.0005].join(',');
    assert.deepEqual((await listReports(app, `bbox=${box}`)).items, []);
    assertNowhere(await publicBodies(app, report.id), String(exactPoint.lon));
  });
});
