import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TallyError } from '../errors.js';
import { decodeCursor, encodeCursor, parseBbox, parseFilters, parseTime } from './report-filters.js';

function fieldOf(error: unknown): string | undefined {
  return error instanceof TallyError ? error.errors?.[0]?.field : undefined;
}

/** Asserts `run` throws a TallyError with the code given, naming the field given. */
function assertRefused(run: () => unknown, code: string, field: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof TallyError, String(error));
    assert.equal(error.code, code);
    assert.equal(fieldOf(error), field);
    return true;
  });
}

test('parseBbox reads west,south,east,north', () => {
  assert.deepEqual(parseBbox('36.6,-1.45,37.1,-1.15'), {
    west: 36.6,
    south: -1.45,
    east: 37.1,
    north: -1.15,
  });
});

test('parseBbox allows spaces around the numbers', () => {
  assert.deepEqual(parseBbox(' 36.6 , -1.45 , 37.1 , -1.15 '), {
    west: 36.6,
    south: -1.45,
    east: 37.1,
    north: -1.15,
  });
});

test('parseBbox keeps a west edge east of the east edge, for boxes across the antimeridian', () => {
  assert.deepEqual(parseBbox('177,-20,-179,-15'), { west: 177, south: -20, east: -179, north: -15 });
});

test('parseBbox refuses anything but four finite numbers in range, naming query/bbox', () => {
  for (const raw of [
    '',
    '1,2,3',
    '1,2,3,4,5',
    'a,b,c,d',
    '1,,3,4',
    'Infinity,0,1,1',
    '-181,0,0,1',
    '0,-91,1,0',
    '0,1,1,0',
  ]) {
    assertRefused(() => parseBbox(raw), 'validation_failed', 'query/bbox');
  }
});

test('parseTime reads a bare date as midnight UTC', () => {
  assert.equal(parseTime('2026-11-25', 'query/since'), '2026-11-25T00:00:00.000Z');
});

test('parseTime turns an offset into UTC', () => {
  assert.equal(parseTime('2026-11-25T14:30:00+03:00', 'query/since'), '2026-11-25T11:30:00.000Z');
});

test('parseTime refuses a time without a zone, naming the field', () => {
  assertRefused(() => parseTime('2026-11-25T14:30:00', 'query/until'), 'validation_failed', 'query/until');
});

test('parseTime refuses words and local date formats, naming the field', () => {
  for (const raw of ['today', '25/11/2026', '2026-11-25T14:30Z+1', '20261125']) {
    assertRefused(() => parseTime(raw, 'query/since'), 'validation_failed', 'query/since');
  }
});

test('parseFilters with nothing given filters nothing', () => {
  assert.deepEqual(parseFilters({}), {
    bbox: null,
    categoryIds: null,
    status: null,
    verification: null,
    since: null,
    until: null,
    searchTerms: null,
  });
});

test('parseFilters splits and trims a comma-separated category list', () => {
  assert.deepEqual(parseFilters({ category: ' water , roads,,' }).categoryIds, ['water', 'roads']);
});

test('parseFilters refuses a category list with no ids in it', () => {
  assertRefused(() => parseFilters({ category: ' , ' }), 'validation_failed', 'query/category');
});

test('parseFilters refuses a status that does not exist', () => {
  assertRefused(() => parseFilters({ status: 'deleted' }), 'validation_failed', 'query/status');
});

test('parseFilters refuses a verification state that does not exist', () => {
  assertRefused(() => parseFilters({ verification: 'confirmed' }), 'validation_failed', 'query/verification');
});

test('parseFilters refuses until before since, naming until', () => {
  assertRefused(
    () => parseFilters({ since: '2026-03-01', until: '2026-02-01' }),
    'validation_failed',
    'query/until',
  );
});

test('parseFilters reduces q to lower-case words of letters and digits', () => {
  assert.deepEqual(parseFilters({ q: 'Burst "pipe" OR water* -Kibera' }).searchTerms, [
    'burst',
    'pipe',
    'or',
    'water',
    'kibera',
  ]);
});

test('parseFilters refuses a q with no letters or digits', () => {
  assertRefused(() => parseFilters({ q: '*** ::' }), 'validation_failed', 'query/q');
});

test('a cursor decodes to the position it was made from', () => {
  assert.equal(decodeCursor(encodeCursor(1234)), 1234);
});

test('a cursor that is not one this server made is refused with invalid_cursor', () => {
  const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  for (const cursor of [
    '',
    'garbage',
    forged({ s: 0 }),
    forged({ s: -1 }),
    forged({ s: 1.5 }),
    forged({ s: '12' }),
    forged([12]),
  ]) {
    assertRefused(() => decodeCursor(cursor), 'invalid_cursor', 'query/cursor');
  }
});

test('parseTime refuses a day the month does not have instead of rolling into the next month', () => {
  for (const raw of ['2026-02-29', '2026-02-30', '2026-04-31T10:00:00Z']) {
    assertRefused(() => parseTime(raw, 'query/since'), 'validation_failed', 'query/since');
  }
});

test('parseTime accepts 29 February in a leap year', () => {
  assert.equal(parseTime('2028-02-29', 'query/since'), '2028-02-29T00:00:00.000Z');
});

test('until with a bare date includes the whole of that day', () => {
  assert.equal(parseFilters({ until: '2026-11-25' }).until, '2026-11-25T23:59:59.999Z');
});

test('since and until with the same bare date cover exactly that day', () => {
  const filters = parseFilters({ since: '2026-11-25', until: '2026-11-25' });
  assert.deepEqual([filters.since, filters.until], ['2026-11-25T00:00:00.000Z', '2026-11-25T23:59:59.999Z']);
});
