import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestApp, json } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import {
  assertProblem,
  createCategory,
  listedTitles,
  listReports,
  publishedReport,
  setStatus,
  submitReport,
} from '../helpers/reports.js';

const nairobi = { lat: -1.2864, lon: 36.8172, name: 'Nairobi CBD' };
const mombasa = { lat: -4.0435, lon: 39.6682, name: 'Mombasa Old Town' };
const suva = { lat: -18.1416, lon: 178.4419, name: 'Suva, Fiji' };
const taveuni = { lat: -16.85, lon: -179.95, name: 'Taveuni, Fiji' };
const apia = { lat: -13.8333, lon: -171.7667, name: 'Apia, Samoa' };

forEachDatabase('report listing and filters', (open) => {
  test('the public list shows published reports and leaves pending ones out', async () => {
    const { app, as } = await buildTestApp(await open());
    await publishedReport(app, await as('volunteer'), { title: 'Road washed away' });
    await submitReport(app, { title: 'Market fire, not yet checked' });
    assert.deepEqual(await listedTitles(app), ['Road washed away']);
  });

  test('a volunteer lists reports of every status', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    await publishedReport(app, volunteer, { title: 'Road washed away' });
    const rejected = await submitReport(app, { title: 'Spam' });
    await setStatus(app, volunteer, rejected.id, 'rejected');
    await submitReport(app, { title: 'Market fire, not yet checked' });
    assert.deepEqual(await listedTitles(app, '', volunteer), [
      'Market fire, not yet checked',
      'Spam',
      'Road washed away',
    ]);
  });

  test('a volunteer lists only pending reports with status=pending', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    await publishedReport(app, volunteer, { title: 'Road washed away' });
    await submitReport(app, { title: 'Market fire, not yet checked' });
    const page = await listReports(app, 'status=pending', volunteer);
    assert.deepEqual(
      page.items.map((report) => [report.title, report.status]),
      [['Market fire, not yet checked', 'pending']],
    );
  });

  test('an anonymous caller asking for pending reports is refused with 403 forbidden', async () => {
    const { app } = await buildTestApp(await open());
    await submitReport(app, { title: 'Market fire, not yet checked' });
    const response = await app.inject({ url: '/api/v1/reports?status=pending' });
    assertProblem(response, 403, 'forbidden', 'query/status');
  });

  test('an anonymous caller may ask for published reports explicitly', async () => {
    const { app, as } = await buildTestApp(await open());
    await publishedReport(app, await as('volunteer'), { title: 'Road washed away' });
    await submitReport(app, { title: 'Market fire, not yet checked' });
    assert.deepEqual(await listedTitles(app, 'status=published'), ['Road washed away']);
  });

  test('bbox finds reports inside the box and not those outside it', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    await publishedReport(app, volunteer, { title: 'Flooded street in Nairobi', location: nairobi });
    await publishedReport(app, volunteer, { title: 'Flooded street in Mombasa', location: mombasa });
    await publishedReport(app, volunteer, { title: 'Flooding, place unknown' });
    assert.deepEqual(await listedTitles(app, 'bbox=36.6,-1.45,37.1,-1.15'), ['Flooded street in Nairobi']);
  });

  test('a bbox whose west edge is east of its east edge crosses the antimeridian', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    await publishedReport(app, volunteer, { title: 'Cyclone damage in Suva', location: suva });
    await publishedReport(app, volunteer, { title: 'Cyclone damage on Taveuni', location: taveuni });
    await publishedReport(app, volunteer, { title: 'Cyclone damage in Apia', location: apia });
    await publishedReport(app, volunteer, { title: 'Flooded street in Nairobi', location: nairobi });
    assert.deepEqual(await listedTitles(app, 'bbox=177,-20,-179,-15'), [
      'Cyclone damage on Taveuni',
      'Cyclone damage in Suva',
    ]);
  });

  test('category finds the reports filed under that category only', async () => {
    const { app, as } = await buildTestApp(await open());
    const [coordinator, volunteer] = [await as('coordinator'), await as('volunteer')];
    const water = await createCategory(app, coordinator, { name: 'Water' });
    const roads = await createCategory(app, coordinator, { name: 'Roads' });
    await publishedReport(app, volunteer, { title: 'Borehole dry', categories: [water.id] });
    await publishedReport(app, volunteer, { title: 'Bridge collapsed', categories: [roads.id] });
    await publishedReport(app, volunteer, { title: 'Uncategorised' });
    assert.deepEqual(await listedTitles(app, `category=${water.id}`), ['Borehole dry']);
  });

  test('category takes several ids separated by commas and finds reports in any of them', async () => {
    const { app, as } = await buildTestApp(await open());
    const [coordinator, volunteer] = [await as('coordinator'), await as('volunteer')];
    const water = await createCategory(app, coordinator, { name: 'Water' });
    const roads = await createCategory(app, coordinator, { name: 'Roads' });
    const health = await createCategory(app, coordinator, { name: 'Health' });
    await publishedReport(app, volunteer, { title: 'Borehole dry', categories: [water.id] });
    await publishedReport(app, volunteer, { title: 'Bridge collapsed', categories: [roads.id] });
    await publishedReport(app, volunteer, { title: 'Clinic closed', categories: [health.id] });
    assert.deepEqual(await listedTitles(app, `category=${water.id},${roads.id}`), [
      'Bridge collapsed',
      'Borehole dry',
    ]);
  });

  test('a report in several matching categories is listed once', async () => {
    const { app, as } = await buildTestApp(await open());
    const [coordinator, volunteer] = [await as('coordinator'), await as('volunteer')];
    const health = await createCategory(app, coordinator, { name: 'Health' });
    const cholera = await createCategory(app, coordinator, { name: 'Cholera', parent_id: health.id });
    await publishedReport(app, volunteer, {
      title: 'Cholera clinic full',
      categories: [health.id, cholera.id],
    });
    assert.deepEqual(await listedTitles(app, `category=${health.id}`), ['Cholera clinic full']);
  });

  test('filtering by a parent category also finds reports in its subcategories', async () => {
    const { app, as } = await buildTestApp(await open());
    const [coordinator, volunteer] = [await as('coordinator'), await as('volunteer')];
    const health = await createCategory(app, coordinator, { name: 'Health' });
    const cholera = await createCategory(app, coordinator, { name: 'Cholera', parent_id: health.id });
    const ward = await createCategory(app, coordinator, { name: 'Treatment centres', parent_id: cholera.id });
    const roads = await createCategory(app, coordinator, { name: 'Roads' });
    await publishedReport(app, volunteer, { title: 'Clinic out of medicine', categories: [health.id] });
    await publishedReport(app, volunteer, { title: 'Cholera cases in Mathare', categories: [cholera.id] });
    await publishedReport(app, volunteer, { title: 'Treatment centre full', categories: [ward.id] });
    await publishedReport(app, volunteer, { title: 'Bridge collapsed', categories: [roads.id] });
    assert.deepEqual(await listedTitles(app, `category=${health.id}`), [
      'Treatment centre full',
      'Cholera cases in Mathare',
      'Clinic out of medicine',
    ]);
  });

  test('since keeps reports that occurred at or after the given time', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    await publishedReport(app, volunteer, { title: 'January', occurred_at: '2026-01-10T08:00:00Z' });
    await publishedReport(app, volunteer, { title: 'February', occurred_at: '2026-02-10T08:00:00Z' });
    await publishedReport(app, volunteer, { title: 'March', occurred_at: '2026-03-10T08:00:00Z' });
    assert.deepEqual(await listedTitles(app, 'since=2026-02-10T08:00:00Z'), ['March', 'February']);
  });

  test('until keeps reports that occurred at or before the given time', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    await publishedReport(app, volunteer, { title: 'January', occurred_at: '2026-01-10T08:00:00Z' });
    await publishedReport(app, volunteer, { title: 'February', occurred_at: '2026-02-10T08:00:00Z' });
    await publishedReport(app, volunteer, { title: 'March', occurred_at: '2026-03-10T08:00:00Z' });
    assert.deepEqual(await listedTitles(app, 'until=2026-02-10T11:00:00%2B03:00'), ['February', 'January']);
  });

  test('since and until filter on when the report occurred, not when it arrived', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    await publishedReport(app, volunteer, {
      title: 'Old news sent today',
      occurred_at: '2025-06-01T12:00:00Z',
    });
    await publishedReport(app, volunteer, { title: 'Happening now' });
    assert.deepEqual(await listedTitles(app, 'since=2025-05-01&until=2025-07-01'), ['Old news sent today']);
  });

  test('q matches the start of a word in the title', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    await publishedReport(app, volunteer, { title: 'Flooding on Moi Avenue' });
    await publishedReport(app, volunteer, { title: 'Fire in Gikomba market' });
    assert.deepEqual(await listedTitles(app, 'q=flood'), ['Flooding on Moi Avenue']);
  });

  test('q does not match letters in the middle of a word', async () => {
    const { app, as } = await buildTestApp(await open());
    await publishedReport(app, await as('volunteer'), { title: 'Flooding on Moi Avenue' });
    assert.deepEqual(await listedTitles(app, 'q=ooding'), []);
  });

  test('q matches words in the description', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    await publishedReport(app, volunteer, {
      title: 'Road blocked',
      description: 'A lorry overturned near the roundabout',
    });
    await publishedReport(app, volunteer, { title: 'Road blocked', description: 'Protest at the junction' });
    const page = await listReports(app, 'q=lorry');
    assert.deepEqual(
      page.items.map((report) => report.description),
      ['A lorry overturned near the roundabout'],
    );
  });

  test('q matches words in the location name', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    await publishedReport(app, volunteer, { title: 'Water shortage', location: mombasa });
    await publishedReport(app, volunteer, { title: 'Water shortage', location_name: 'Kisumu' });
    const page = await listReports(app, 'q=mombasa');
    assert.deepEqual(
      page.items.map((report) => report.location_name),
      ['Mombasa Old Town'],
    );
  });

  test('q with several words finds reports containing all of them, in any case', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    await publishedReport(app, volunteer, { title: 'Burst water pipe', location_name: 'Kibera' });
    await publishedReport(app, volunteer, { title: 'Burst water pipe', location_name: 'Kawangware' });
    await publishedReport(app, volunteer, { title: 'Dirty water', location_name: 'Kibera' });
    const page = await listReports(app, 'q=BURST%20kib');
    assert.deepEqual(
      page.items.map((report) => [report.title, report.location_name]),
      [['Burst water pipe', 'Kibera']],
    );
  });

  test('limit caps the number of reports on a page and offers the next page', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    for (const title of ['First', 'Second', 'Third']) await publishedReport(app, volunteer, { title });
    const page = await listReports(app, 'limit=2');
    assert.deepEqual(
      page.items.map((report) => report.title),
      ['Third', 'Second'],
    );
    assert.equal(typeof page.next_cursor, 'string');
  });
});

forEachDatabase('full-text search and accents', (open) => {
  test('q finds words whatever their accents, in either direction', async () => {
    const { app, as } = await buildTestApp(await open());
    const headers = await as('volunteer');
    await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      payload: { title: 'Café près de la gare inondé' },
    });
    const plain = await app.inject({ url: '/api/v1/reports?q=cafe%20inonde', headers });
    const accented = await app.inject({
      url: `/api/v1/reports?q=${encodeURIComponent('CAFÉ prés')}`,
      headers,
    });
    assert.equal(json<{ items: unknown[] }>(plain).items.length, 1);
    assert.equal(json<{ items: unknown[] }>(accented).items.length, 1);
  });
});
