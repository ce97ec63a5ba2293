import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { errorCatalog } from '../../src/errors.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { registerDevice } from '../helpers/sensors.js';

/**
 * Readings batches (CSV and JSON) and drive logs with random rows over HTTP: a batch is stored whole or
 * refused with a problem naming the bad reading, never stored in part, and nothing answers with a 5xx.
 */

const runs = { numRuns: 30, seed: 20261208 };

const cell = fc.oneof(
  fc.constantFrom(
    '2026-11-26T04:00:00Z',
    '2026-11-26T04:00:00+03:00',
    '2099-01-01T00:00:00Z',
    '2026-02-30T04:00:00Z',
    'radiation',
    'pm2_5',
    '40',
    '-5',
    '1e308',
    '35.1',
    '139.2',
    '91',
    '',
    '"',
  ),
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.constantFrom('\u0000', 'a\u0000b'),
);

const goodRow = fc
  .integer({ min: 0, max: 3_000 })
  .map((minute) => [new Date(Date.UTC(2026, 10, 1) + minute * 60_000).toISOString(), '40', '35.1', '139.2']);

const rows = fc.array(fc.oneof(goodRow, fc.array(cell, { minLength: 4, maxLength: 4 })), {
  minLength: 1,
  maxLength: 8,
});

async function readingCount(testApp: TestApp): Promise<number> {
  const row = await testApp.db.kysely
    .selectFrom('readings')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function assertNoServerError(response: LightMyRequestResponse): void {
  assert.ok(response.statusCode < 500, `${response.statusCode} ${response.body.slice(0, 300)}`);
  if (response.statusCode >= 400) {
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
    const code = (response.json() as { code: string }).code;
    assert.ok(Object.hasOwn(errorCatalog, code), code);
  }
}

/** Sends a batch and checks it was stored whole (less the duplicates it says) or not at all. */
async function wholeOrNothing(
  testApp: TestApp,
  size: number,
  send: () => Promise<LightMyRequestResponse>,
): Promise<void> {
  const before = await readingCount(testApp);
  const response = await send();
  assertNoServerError(response);
  const added = (await readingCount(testApp)) - before;
  if (response.statusCode >= 400) {
    assert.equal(added, 0, response.body);
    return;
  }
  const stored = response.json() as { stored?: number; accepted?: number; duplicates?: number };
  assert.ok(added <= size, `${added} of ${size}`);
  if (typeof stored.stored === 'number') assert.equal(added, stored.stored, response.body);
}

forEachDatabase('Readings batches fuzzed over HTTP', (open) => {
  test('CSV and JSON batches with random rows are stored whole or refused naming a reading', async () => {
    const testApp = await buildTestApp(await open());
    const owner = await testApp.as('reporter');
    const { token } = await registerDevice(testApp.app, owner);
    await fc.assert(
      fc.asyncProperty(rows, fc.boolean(), async (batch, asCsv) => {
        const columns = ['captured_at', 'cpm', 'lat', 'lon'];
        if (asCsv) {
          const text = [columns.join(','), ...batch.map((row) => row.join(','))].join('\n');
          await wholeOrNothing(testApp, batch.length, () =>
            testApp.app.inject({
              method: 'POST',
              url: '/api/v1/sensors/readings',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
              payload: text,
            }),
          );
          return;
        }
        // In JSON, numbers where they parse and the text otherwise: wrong types on purpose.
        const readings = batch.map((row) =>
          Object.fromEntries(
            row.map((text, i) => [
              columns[i],
              i > 0 && text !== '' && Number.isFinite(Number(text)) ? Number(text) : text,
            ]),
          ),
        );
        await wholeOrNothing(testApp, batch.length, () =>
          testApp.app.inject({
            method: 'POST',
            url: '/api/v1/sensors/readings',
            headers: { authorization: `Bearer ${token}` },
            payload: { readings },
          }),
        );
      }),
      runs,
    );
  });

  test('drive logs of random lines are imported with every bad line listed, or refused, never a 5xx', async () => {
    const testApp = await buildTestApp(await open());
    const owner = await testApp.as('reporter');
    const records = [
      '$BNRDD,2709,2016-09-20T04:09:27Z,47,5,3433,A,5148.0669,N,00010.5485,E,90.30,A,9,89*40',
      '$BNRDD,2709,2016-09-20T04:09:32Z,47,1,3434,A,5148.1327,N,00010.5587,E,92.00,A,9,89*4B',
    ];
    const line = fc.oneof(
      fc.constantFrom(...records, '# format=1.3.4nano', ''),
      fc.string({ unit: 'binary', maxLength: 60 }).map((text) => text.replace(/[\r\n]/g, ' ')),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 12 }), fc.boolean(), async (lines, multipart) => {
        const file = Buffer.from(lines.join('\r\n'), 'utf8');
        const boundary = '----tally-fuzz-7d1e';
        const response = multipart
          ? await testApp.app.inject({
              method: 'POST',
              url: '/api/v1/sensors/imports',
              headers: { ...owner, 'content-type': `multipart/form-data; boundary=${boundary}` },
              payload: Buffer.concat([
                Buffer.from(
                  `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="drive.log"\r\n` +
                    'Content-Type: application/octet-stream\r\n\r\n',
                ),
                file,
                Buffer.from(`\r\n--${boundary}--\r\n`),
              ]),
            })
          : await testApp.app.inject({
              method: 'POST',
              url: '/api/v1/sensors/imports?file_name=drive.log',
              headers: { ...owner, 'content-type': 'application/octet-stream' },
              payload: file,
            });
        assertNoServerError(response);
        if (response.statusCode !== 201) return;
        const imported = response.json() as {
          lines: number;
          accepted: number;
          duplicates: number;
          rejected: number;
          rejected_lines: { line: number; reason: string }[];
        };
        for (const rejected of imported.rejected_lines) {
          assert.ok(rejected.line >= 1 && rejected.line <= imported.lines, JSON.stringify(rejected));
          assert.ok(rejected.reason.length > 0);
        }
        // Duplicates of readings already stored are among the accepted lines.
        assert.ok(imported.accepted + imported.rejected <= imported.lines, JSON.stringify(imported));
        assert.ok(imported.duplicates <= imported.accepted);
      }),
      runs,
    );
  });
});
