import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { errorCatalog, problemOf, TallyError } from './errors.js';
import { projectRoot } from './paths.js';

const documented = readFileSync(path.join(projectRoot, 'docs', 'errors.md'), 'utf8');
const rows = [...documented.matchAll(/^\| `(\w+)` \| (\d{3}) \| ([^|]+) \|/gm)].map((m) => ({
  code: m[1],
  status: Number(m[2]),
  title: m[3]?.trim(),
}));

test('every error code in the catalog is documented with its status and title', () => {
  for (const [code, { status, title }] of Object.entries(errorCatalog)) {
    assert.deepEqual(
      rows.find((row) => row.code === code),
      { code, status, title },
      `docs/errors.md must list ${code}`,
    );
  }
});

test('the documentation lists no code that the catalog does not have', () => {
  assert.deepEqual(
    rows.map((row) => row.code).filter((code) => !(code! in errorCatalog)),
    [],
  );
});

test('a problem carries the stable code, the status and the field errors', () => {
  const problem = problemOf(
    new TallyError('validation_failed', 'bad lat', [{ field: '/location/lat', message: 'must be <= 90' }]),
    'req-1',
  );
  assert.deepEqual(problem, {
    type: 'urn:tally:problem:validation_failed',
    title: 'The request is not valid',
    status: 400,
    detail: 'bad lat',
    code: 'validation_failed',
    request_id: 'req-1',
    errors: [{ field: '/location/lat', message: 'must be <= 90' }],
  });
});
