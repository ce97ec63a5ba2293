import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SurveysRepository } from '../../src/surveys/surveys.repository.js';
import { buildTestApp, json, kiberaReport } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';

interface ReportJson {
  id: string;
  status: string;
  revision: number;
  title: string;
  contact?: string | null;
  location: { lat: number; lon: number } | null;
  categories: string[];
}

forEachDatabase('reports API', (open) => {
  test('an anonymous reporter submits a report and it starts pending', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({ method: 'POST', url: '/api/v1/reports', payload: kiberaReport });
    assert.equal(response.statusCode, 201);
    const report = json<ReportJson>(response);
    assert.equal(report.status, 'pending');
    assert.equal(report.title, kiberaReport.title);
    assert.deepEqual(report.location, { lat: -1.3133, lon: 36.7876, accuracy_m: null });
    assert.equal(response.headers.location, `/api/v1/reports/${report.id}`);
  });

  test('the public cannot see a pending report, a volunteer can, with its contact', async () => {
    const { app, as } = await buildTestApp(await open());
    const created = json<ReportJson>(
      await app.inject({ method: 'POST', url: '/api/v1/reports', payload: kiberaReport }),
    );
    const publicView = await app.inject({ url: `/api/v1/reports/${created.id}` });
    assert.equal(publicView.statusCode, 404);
    assert.equal(json(publicView).code, 'report_not_found');
    const staffView = await app.inject({
      url: `/api/v1/reports/${created.id}`,
      headers: await as('volunteer'),
    });
    assert.equal(staffView.statusCode, 200);
    assert.equal(json<ReportJson>(staffView).contact, kiberaReport.contact);
  });

  test('a volunteer publishes a report; the public then sees it without its contact', async () => {
    const { app, as } = await buildTestApp(await open());
    const created = json<ReportJson>(
      await app.inject({ method: 'POST', url: '/api/v1/reports', payload: kiberaReport }),
    );
    const published = await app.inject({
      method: 'PATCH',
      url: `/api/v1/reports/${created.id}`,
      headers: await as('volunteer'),
      payload: { status: 'published', expected_revision: 1 },
    });
    assert.equal(published.statusCode, 200);
    assert.equal(json<ReportJson>(published).revision, 2);
    const publicView = await app.inject({ url: `/api/v1/reports/${created.id}` });
    assert.equal(publicView.statusCode, 200);
    assert.equal(json<ReportJson>(publicView).status, 'published');
    assert.equal('contact' in json(publicView), false);
    assert.doesNotMatch(publicView.body, /254722000111/);
  });

  test('an edit based on an old revision is refused with revision_conflict', async () => {
    const { app, as } = await buildTestApp(await open());
    const headers = await as('volunteer');
    const created = json<ReportJson>(
      await app.inject({ method: 'POST', url: '/api/v1/reports', payload: kiberaReport }),
    );
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/reports/${created.id}`,
      headers,
      payload: { title: 'First edit' },
    });
    const stale = await app.inject({
      method: 'PATCH',
      url: `/api/v1/reports/${created.id}`,
      headers,
      payload: { title: 'Second edit', expected_revision: 1 },
    });
    assert.equal(stale.statusCode, 409);
    assert.equal(json(stale).code, 'revision_conflict');
  });
});

forEachDatabase('editing a report', (open) => {
  test('an edit that blanks the title is refused and makes no revision', async () => {
    const { app, as } = await buildTestApp(await open());
    const headers = await as('volunteer');
    const created = json<ReportJson>(
      await app.inject({ method: 'POST', url: '/api/v1/reports', payload: kiberaReport }),
    );
    const blank = await app.inject({
      method: 'PATCH',
      url: `/api/v1/reports/${created.id}`,
      headers,
      payload: { title: '   ' },
    });
    assert.equal(blank.statusCode, 400);
    assert.equal(json<{ errors: { field: string }[] }>(blank).errors[0]?.field, '/title');
    const revisions = await app.inject({ url: `/api/v1/reports/${created.id}/revisions`, headers });
    assert.equal(json<{ items: unknown[] }>(revisions).items.length, 1);
  });
});

forEachDatabase('a survey that publishes on arrival', (open) => {
  test('a report to a survey set to auto-publish is public at once', async () => {
    const db = await open();
    await new SurveysRepository(db.kysely).setAutoPublish('default', true);
    const { app } = await buildTestApp(db);
    const created = json<ReportJson>(
      await app.inject({ method: 'POST', url: '/api/v1/reports', payload: kiberaReport }),
    );
    assert.equal(created.status, 'published');
    const publicView = await app.inject({ url: `/api/v1/reports/${created.id}` });
    assert.equal(publicView.statusCode, 200);
    assert.equal('contact' in json(publicView), false);
  });
});
