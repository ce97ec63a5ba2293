import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import type { App } from '../../src/app.js';
import { LedgerRepository } from '../../src/ledger/ledger.repository.js';
import { verifyLedger } from '../../src/ledger/verify.js';
import { projectRoot } from '../../src/paths.js';
import { buildTestApp } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { ledgerEntries } from '../helpers/ledger.js';
import { postReportForm, reportPageTemplate } from '../helpers/report-page.js';
import {
  listedTitles,
  listReports,
  publishedReport,
  type ReportJson,
  type ReportPayload,
} from '../helpers/reports.js';

const hiddenName = 'Exact house 12, Mukuru lane';

const shelter: ReportPayload = {
  title: 'Family sheltering after eviction',
  description: 'Two adults and four children; they fear being found.',
  location: { lat: -1.313345, lon: 36.787612 },
  location_name: hiddenName,
  sensitivity: 'coarse',
};

/** The raw text of every public way to see reports: the list, the item, the exports and the record. */
async function publicBodies(app: App, id: string): Promise<Record<string, string>> {
  const urls: Record<string, string> = {
    list: '/api/v1/reports',
    item: `/api/v1/reports/${id}`,
    csv: '/api/v1/exports/reports.csv?hxl=true',
    geojson: '/api/v1/exports/reports.geojson',
    kml: '/api/v1/exports/reports.kml',
    history: `/api/v1/reports/${id}/history`,
    revisions: `/api/v1/reports/${id}/revisions`,
  };
  const bodies: Record<string, string> = {};
  for (const [name, url] of Object.entries(urls)) bodies[name] = (await app.inject({ url })).body;
  bodies.record = JSON.stringify(
    (await ledgerEntries(app)).map((entry) =>
      entry.content ? Buffer.from(entry.content, 'base64').toString('utf8') : null,
    ),
  );
  return bodies;
}

function assertNowhere(bodies: Record<string, string>, secrets: readonly string[]): void {
  for (const [name, body] of Object.entries(bodies)) {
    for (const secret of secrets)
      assert.ok(!body.includes(secret), `"${secret}" appears in the public ${name}`);
  }
}

async function itemAs(app: App, id: string, headers: Record<string, string> = {}): Promise<ReportJson> {
  const response = await app.inject({ url: `/api/v1/reports/${id}`, headers });
  assert.equal(response.statusCode, 200, response.body);
  return response.json();
}

/** The test template with the sensitivity box the real report page has. */
function pageDirWithSensitivityBox(t: TestContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tally-coarse-form-'));
  const template = reportPageTemplate.replace(
    '<input id="lat"',
    '<input id="sensitivity" name="sensitivity" type="checkbox" value="coarse">\n      <input id="lat"',
  );
  writeFileSync(path.join(dir, 'report.html'), template);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

forEachDatabase('a coarse report’s place name', (open) => {
  test('appears in no public response, export, history or entry of the public record', async () => {
    const { app, as } = await buildTestApp(await open());
    const report = await publishedReport(app, await as('volunteer'), shelter);
    const bodies = await publicBodies(app, report.id);
    assert.match(bodies.item ?? '', /Family sheltering/);
    assert.match(bodies.kml ?? '', /Family sheltering/);
    assertNowhere(bodies, [hiddenName, 'Exact house', 'Mukuru lane']);
  });

  test('is null in the public item and list, which still show the coarse position', async () => {
    const { app, as } = await buildTestApp(await open());
    const report = await publishedReport(app, await as('volunteer'), shelter);
    const item = await itemAs(app, report.id);
    assert.equal(item.location_name, null);
    assert.equal(item.location?.accuracy_m, 1000);
    assert.deepEqual(
      (await listReports(app)).items.map((listed) => listed.location_name),
      [null],
    );
  });

  test('stays visible to volunteers in the item, the list and the revisions', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    const report = await publishedReport(app, volunteer, shelter);
    assert.equal((await itemAs(app, report.id, volunteer)).location_name, hiddenName);
    assert.equal((await listReports(app, '', volunteer)).items[0]?.location_name, hiddenName);
    const revisions = await app.inject({ url: `/api/v1/reports/${report.id}/revisions`, headers: volunteer });
    assert.equal(revisions.statusCode, 200, revisions.body);
    assert.ok(
      revisions
        .json<{ items: { report: ReportJson }[] }>()
        .items.every((revision) => revision.report.location_name === hiddenName),
    );
  });

  test('does not answer the public’s search, which still finds the report by its title', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    await publishedReport(app, volunteer, shelter);
    assert.deepEqual(await listedTitles(app, 'q=mukuru'), []);
    assert.deepEqual(await listedTitles(app, 'q=exact%20house'), []);
    assert.deepEqual(await listedTitles(app, 'q=sheltering'), [shelter.title]);
    assert.deepEqual(await listedTitles(app, 'q=mukuru', volunteer), [shelter.title]);
  });

  test('of an exact report stays public', async () => {
    const { app, as } = await buildTestApp(await open());
    const report = await publishedReport(app, await as('volunteer'), {
      ...shelter,
      title: 'Road flooded',
      location_name: 'Olympic estate',
      sensitivity: 'exact',
    });
    assert.equal((await itemAs(app, report.id)).location_name, 'Olympic estate');
    assert.deepEqual(await listedTitles(app, 'q=olympic'), ['Road flooded']);
  });

  test('is withdrawn from the public view when a published report is made coarse', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    const report = await publishedReport(app, volunteer, { ...shelter, sensitivity: 'exact' });
    const patched = await app.inject({
      method: 'PATCH',
      url: `/api/v1/reports/${report.id}`,
      headers: volunteer,
      payload: { sensitivity: 'coarse' },
    });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal((await itemAs(app, report.id)).location_name, null);
    const entries = await ledgerEntries(app);
    const latest = entries.at(-1)?.content;
    assert.ok(latest);
    assert.equal(JSON.parse(Buffer.from(latest, 'base64').toString('utf8')).location_name, null);
  });

  test('kept off the record leaves the record verifying against the database', async () => {
    const testApp = await buildTestApp(await open());
    const volunteer = await testApp.as('volunteer');
    const report = await publishedReport(testApp.app, volunteer, shelter);
    const edit = await testApp.app.inject({
      method: 'PATCH',
      url: `/api/v1/reports/${report.id}`,
      headers: volunteer,
      payload: { title: 'Family sheltering in a church' },
    });
    assert.equal(edit.statusCode, 200, edit.body);
    const result = await verifyLedger(testApp.db, testApp.services);
    assert.equal(result.ok, true, JSON.stringify(result.problems, null, 2));
  });

  test('recorded before names were withheld, with the name the report still has, still verifies', async () => {
    const testApp = await buildTestApp(await open());
    const report = await publishedReport(testApp.app, await testApp.as('volunteer'), shelter);
    const appendRecordedName = async (name: string) => {
      const latest = (await ledgerEntries(testApp.app)).findLast(
        (entry) => entry.subject === `report:${report.id}`,
      );
      assert.ok(latest?.content);
      const content = JSON.parse(Buffer.from(latest.content, 'base64').toString('utf8'));
      const change = testApp.services.record.change('report.edited', `report:${report.id}`, 'operator', {
        ...content,
        location_name: name,
      });
      const ledger = new LedgerRepository(testApp.db.kysely, testApp.db.dialect, testApp.db.sqlite);
      await testApp.db.kysely.transaction().execute((trx) => ledger.append(trx, [change]));
    };
    await appendRecordedName(hiddenName);
    const accepted = await verifyLedger(testApp.db, testApp.services);
    assert.equal(accepted.ok, true, JSON.stringify(accepted.problems, null, 2));
    await appendRecordedName('Somewhere else');
    assert.equal((await verifyLedger(testApp.db, testApp.services)).ok, false);
  });

  test('sent through the no-JavaScript form with the sensitive box ticked is kept from the public', async (t) => {
    const { app, as } = await buildTestApp(await open(), { webDir: pageDirWithSensitivityBox(t) });
    const response = await postReportForm(app, {
      title: 'Threats at the water point',
      location_name: hiddenName,
      lat: '-1.313345',
      lon: '36.787612',
      sensitivity: 'coarse',
    });
    assert.equal(response.statusCode, 201, response.body);
    const [sent] = (await listReports(app, '', await as('volunteer'))).items;
    assert.deepEqual([sent?.sensitivity, sent?.location_name], ['coarse', hiddenName]);
  });

  test('sent through the no-JavaScript form and refused keeps the sensitive box ticked', async (t) => {
    const { app } = await buildTestApp(await open(), { webDir: pageDirWithSensitivityBox(t) });
    const response = await postReportForm(app, { title: '', sensitivity: 'coarse' });
    assert.equal(response.statusCode, 422, response.body);
    assert.match(response.body, /<input id="sensitivity"[^>]*value="coarse"[^>]* checked>/);
  });
});

test('the report form warns, beside the sensitive box, that a sensitive report’s place name is not published', () => {
  const page = readFileSync(path.join(projectRoot, 'web', 'report.html'), 'utf8');
  const box = page.indexOf('id="sensitivity"');
  assert.ok(box > 0, 'the report page has a sensitive box');
  const hint = page.slice(box, page.indexOf('</div>', box));
  assert.match(hint, /place name you type is not published/);
});
