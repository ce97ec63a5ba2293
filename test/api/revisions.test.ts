import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { App } from '../../src/app.js';
import { buildTestApp } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { assertProblem, type Headers, type ReportJson, submitReport } from '../helpers/reports.js';

interface RevisionsJson {
  items: { revision: number; actor_id: string | null; created_at: string; report: ReportJson }[];
}

function patch(app: App, headers: Headers, id: string, payload: Record<string, unknown>) {
  return app.inject({ method: 'PATCH', url: `/api/v1/reports/${id}`, headers, payload });
}

async function revisionsOf(app: App, headers: Headers, id: string): Promise<RevisionsJson> {
  const response = await app.inject({ url: `/api/v1/reports/${id}/revisions`, headers });
  assert.equal(response.statusCode, 200, response.body);
  return response.json<RevisionsJson>();
}

forEachDatabase('report revisions', (open) => {
  test('every edit adds a revision holding the report as it was then, oldest first', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    const report = await submitReport(app, { title: 'Burst pipe' });
    await patch(app, volunteer, report.id, { title: 'Burst water pipe on Ngong Road' });
    await patch(app, volunteer, report.id, { status: 'published' });
    const { items } = await revisionsOf(app, volunteer, report.id);
    assert.deepEqual(
      items.map((r) => [r.revision, r.report.title, r.report.status]),
      [
        [1, 'Burst pipe', 'pending'],
        [2, 'Burst water pipe on Ngong Road', 'pending'],
        [3, 'Burst water pipe on Ngong Road', 'published'],
      ],
    );
  });

  test('each revision names who made it: nobody for an anonymous submission, then the editor', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    const me = await app.inject({ url: '/api/v1/auth/me', headers: volunteer });
    const volunteerId = me.json<{ user: { id: string } }>().user.id;
    const report = await submitReport(app, { title: 'Burst pipe' });
    await patch(app, volunteer, report.id, { status: 'published' });
    const { items } = await revisionsOf(app, volunteer, report.id);
    assert.deepEqual(
      items.map((r) => r.actor_id),
      [null, volunteerId],
    );
  });

  test('a refused edit adds no revision', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    const report = await submitReport(app, { title: 'Burst pipe' });
    await patch(app, volunteer, report.id, { title: 'First edit' });
    const stale = await patch(app, volunteer, report.id, { title: 'Stale edit', expected_revision: 1 });
    assert.equal(stale.statusCode, 409);
    const { items } = await revisionsOf(app, volunteer, report.id);
    assert.deepEqual(
      items.map((r) => r.revision),
      [1, 2],
    );
  });

  test('a reporter may not read the edit history: 403 forbidden', async () => {
    const { app, as } = await buildTestApp(await open());
    const report = await submitReport(app, { title: 'Burst pipe' });
    const response = await app.inject({
      url: `/api/v1/reports/${report.id}/revisions`,
      headers: await as('reporter'),
    });
    assertProblem(response, 403, 'forbidden');
  });

  test('an anonymous caller may not read the edit history: 401 unauthenticated', async () => {
    const { app, as } = await buildTestApp(await open());
    const report = await submitReport(app, { title: 'Burst pipe' });
    await patch(app, await as('volunteer'), report.id, { status: 'published' });
    const response = await app.inject({ url: `/api/v1/reports/${report.id}/revisions` });
    assertProblem(response, 401, 'unauthenticated');
  });

  test('the history of a report that does not exist is 404 report_not_found', async () => {
    const { app, as } = await buildTestApp(await open());
    const response = await app.inject({
      url: '/api/v1/reports/no-such-report/revisions',
      headers: await as('volunteer'),
    });
    assertProblem(response, 404, 'report_not_found');
  });
});
