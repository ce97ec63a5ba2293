import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { errorCatalog } from '../../src/errors.js';
import { buildTestApp, kiberaReport } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';

/**
 * Query parameters of the public lists, exports and the sensor map, near-valid or random: never a 5xx, and a
 * refusal is problem+json with a code from the catalog.
 */

/** The string with each lone surrogate replaced by U+FFFD, as UTF-8 encoding does (String#toWellFormed). */
function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

const runs = { numRuns: 30, seed: 20261208 };

/** A parameter's value: plausible ones, their mutations, and any text (NUL and lone surrogates included). */
const value = fc.oneof(
  fc.constantFrom(
    '36.6,-1.4,37.0,-1.2',
    '-180,-90,180,90',
    '180,90,-180,-90',
    '1,2,3',
    '1,2,3,4,5',
    'NaN,0,1,1',
    '1e400,0,1,1',
    '2026-11-26',
    '2026-11-26T04:00:00Z',
    '2026-02-30',
    '+275760-09-13T00:00:00.001Z',
    '0',
    '-1',
    '1001',
    '9007199254740993',
    'radiation',
    'pm2_5',
    '__proto__',
    'constructor',
    'published',
    'eyJzIjoiMjAyNi0xMS0yNiJ9',
    '',
  ),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('\u0000', 'a\u0000b', '%', '\ud800'),
);

function queryOf(names: readonly string[]): fc.Arbitrary<string> {
  return fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 6 })), value), {
      maxLength: 5,
    })
    .map((pairs) =>
      pairs
        .map(
          ([name, text]) => `${encodeURIComponent(wellFormed(name))}=${encodeURIComponent(wellFormed(text))}`,
        )
        .join('&'),
    );
}

function assertNoServerError(response: LightMyRequestResponse, url: string): void {
  assert.ok(response.statusCode < 500, `${url} → ${response.statusCode} ${response.body.slice(0, 300)}`);
  if (response.statusCode >= 400) {
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/, url);
    const code = (response.json() as { code: string }).code;
    assert.ok(Object.hasOwn(errorCatalog, code), code);
  }
}

const reportFilters = [
  'bbox',
  'category',
  'status',
  'verification',
  'since',
  'until',
  'q',
  'limit',
  'cursor',
];

forEachDatabase('Query filters fuzzed over HTTP', (open) => {
  test('the reports list and its exports answer any filters without a 5xx', async () => {
    const testApp = await buildTestApp(await open());
    const submitted = await testApp.app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      payload: kiberaReport,
    });
    assert.equal(submitted.statusCode, 201, submitted.body);
    const volunteer = await testApp.as('volunteer');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/api/v1/reports',
          '/api/v1/exports/reports.csv',
          '/api/v1/exports/reports.geojson',
          '/api/v1/exports/reports.kml',
        ),
        queryOf(reportFilters),
        fc.boolean(),
        async (path, query, signedIn) => {
          const url = `${path}?${query}`;
          const response = await testApp.app.inject({ url, ...(signedIn ? { headers: volunteer } : {}) });
          assertNoServerError(response, url);
        },
      ),
      runs,
    );
  });

  test('the sensor map and the readings exports answer any parameters without a 5xx', async () => {
    const testApp = await buildTestApp(await open());
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/api/v1/sensors/cells',
          '/api/v1/sensors/quantities',
          '/api/v1/exports/readings.csv',
          '/api/v1/exports/readings.geojson',
          '/api/v1/exports/cells.csv',
        ),
        queryOf(['bbox', 'zoom', 'quantity', 'resolution', 'since', 'until', 'device', 'import', 'hxl']),
        async (path, query) => {
          const url = `${path}?${query}`;
          assertNoServerError(await testApp.app.inject({ url }), url);
        },
      ),
      runs,
    );
  });
});
