import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReportView } from '../reports/report-view.js';
import { csvFormat, type ExportContext, geojsonFormat, kmlFormat } from './report-formats.js';

const context: ExportContext = {
  deploymentName: 'Tally Nairobi',
  license: {
    id: 'CC-BY-4.0',
    name: 'Creative Commons Attribution 4.0 International',
    url: 'https://creativecommons.org/licenses/by/4.0/',
  },
  baseUrl: 'https://tally.example.org',
  categoryNames: new Map([['c-water', 'Water']]),
  generatedAt: '2026-11-25T12:00:00.000Z',
};

function report(overrides: Partial<ReportView> = {}): ReportView {
  return {
    id: 'r-1',
    survey_id: 'default',
    title: 'Burst pipe',
    description: 'Water everywhere',
    location: { lat: -1.3133, lon: 36.7876, accuracy_m: null },
    location_name: 'Kibera',
    occurred_at: '2026-11-24T06:00:00.000Z',
    received_at: '2026-11-24T06:05:00.000Z',
    updated_at: '2026-11-24T07:00:00.000Z',
    published_at: '2026-11-24T07:00:00.000Z',
    published_by: 'p-0123456789abcdef',
    status: 'published',
    verification: 'unverified',
    sensitivity: 'exact',
    author_name: null,
    source: 'api',
    revision: 2,
    categories: ['c-water'],
    fields: {},
    votes: [],
    ...overrides,
  };
}

/** The CSV cells of one report's row, split naively: use only with values free of commas and quotes. */
function csvCells(view: ReportView): string[] {
  return csvFormat(false).row(view, context, true).replace(/\r\n$/, '').split(',');
}

const headers = csvFormat(false).begin(context).replace(/\r\n$/, '').split(',');
const cell = (view: ReportView, header: string) => csvCells(view)[headers.indexOf(header)];

test('the CSV header names each column once, the licence among them', () => {
  assert.equal(new Set(headers).size, headers.length);
  assert.ok(headers.includes('license'));
});

test('a CSV row has a cell for every column and ends with CRLF', () => {
  const row = csvFormat(false).row(report(), context, true);
  assert.ok(row.endsWith('\r\n'));
  assert.equal(csvCells(report()).length, headers.length);
});

test('a CSV row names categories by name and links to the report', () => {
  assert.equal(cell(report(), 'categories'), 'Water');
  assert.equal(cell(report(), 'url'), 'https://tally.example.org/api/v1/reports/r-1');
});

test('an unlocated report has empty latitude and longitude cells', () => {
  const view = report({ location: null });
  assert.deepEqual([cell(view, 'latitude'), cell(view, 'longitude')], ['', '']);
});

test('negative coordinates stay numbers in CSV, not text', () => {
  assert.deepEqual([cell(report(), 'latitude'), cell(report(), 'longitude')], ['-1.3133', '36.7876']);
});

test('a CSV cell with a comma, quote or line break is quoted, quotes doubled', () => {
  const row = csvFormat(false).row(
    report({ title: 'Flood, "bad"', description: 'line one\nline two' }),
    context,
    true,
  );
  assert.ok(row.includes('"Flood, ""bad"""'));
  assert.ok(row.includes('"line one\nline two"'));
});

for (const [start, title] of [
  ['=', '=1+1'],
  ['+', '+254722000111 called'],
  ['-', "-2+3+cmd|' /C calc'!A0"],
  ['@', '@SUM(A1:A9)'],
  ['a tab', '\t=1+1'],
  ['a carriage return', '\r=1+1'],
]) {
  test(`a CSV cell starting with ${start} is kept as text with a leading apostrophe`, () => {
    const row = csvFormat(false).row(report({ title: title ?? '' }), context, true);
    const titleStart = row.indexOf(',') + 1;
    const text = row.slice(titleStart).replace(/^"/, '');
    assert.ok(text.startsWith(`'${title}`), JSON.stringify(row));
  });
}

test('a CSV cell with an apostrophe or a sign inside it is left alone', () => {
  assert.equal(cell(report({ title: "Otieno's shop - closed" }), 'title'), "Otieno's shop - closed");
});

test('the HXL row has a hashtag for every column', () => {
  const [header, hxl] = csvFormat(true).begin(context).split('\r\n');
  assert.equal(hxl?.split(',').length, header?.split(',').length);
  assert.ok(hxl?.split(',').every((tag) => tag.startsWith('#')));
});

test('a GeoJSON feature puts longitude before latitude', () => {
  const feature = JSON.parse(geojsonFormat.row(report(), context, true)) as {
    geometry: { type: string; coordinates: number[] };
  };
  assert.deepEqual(feature.geometry, { type: 'Point', coordinates: [36.7876, -1.3133] });
});

test('GeoJSON features after the first are separated by commas and the whole parses', () => {
  const text =
    geojsonFormat.begin(context) +
    geojsonFormat.row(report(), context, true) +
    geojsonFormat.row(report({ id: 'r-2', location: null }), context, false) +
    geojsonFormat.end(context);
  const collection = JSON.parse(text) as { type: string; features: { id: string; geometry: unknown }[] };
  assert.equal(collection.type, 'FeatureCollection');
  assert.deepEqual(
    collection.features.map((f) => [f.id, f.geometry === null]),
    [
      ['r-1', false],
      ['r-2', true],
    ],
  );
});

test('a GeoJSON feature carries no contact, private fields or creator', () => {
  const staffView: ReportView = { ...report(), contact: '+254700', created_by: 'u-1' };
  const text = geojsonFormat.row(staffView, context, true);
  const { properties } = JSON.parse(text) as { properties: Record<string, unknown> };
  assert.ok(!('contact' in properties) && !('created_by' in properties) && !('fields' in properties));
});

test('a KML placemark escapes markup and drops characters XML forbids', () => {
  const row = kmlFormat.row(
    report({ title: 'Water & <sanitation>', description: 'bell\u0007 "quoted"' }),
    context,
    true,
  );
  assert.ok(row.includes('<name>Water &amp; &lt;sanitation&gt;</name>'));
  assert.ok(row.includes('<description>bell &quot;quoted&quot;</description>'));
});

test('a KML placemark writes longitude,latitude', () => {
  assert.ok(kmlFormat.row(report(), context, true).includes('<coordinates>36.7876,-1.3133</coordinates>'));
});

test('an unlocated report has no KML placemark', () => {
  assert.equal(kmlFormat.row(report({ location: null }), context, true), '');
});

test('a KML placemark id is a valid XML id even when the report id starts with a digit', () => {
  const row = kmlFormat.row(report({ id: '019ab1c2-0000-7000-8000-000000000001' }), context, true);
  assert.match(row, /<Placemark id="report-019ab1c2-0000-7000-8000-000000000001">/);
});
