import assert from 'node:assert/strict';
import { test } from 'node:test';
import { searchTerms, splitAtAntimeridian } from './dialect-sql.js';

test('search terms are the lower-case words of the query', () => {
  assert.deepEqual(searchTerms('  Burst   WATER pipe '), ['burst', 'water', 'pipe']);
});

test('search terms keep letters and digits of any script and drop query syntax', () => {
  assert.deepEqual(searchTerms('"Nairobi" OR kibera* -mathare (ward:7) Ελλάδα'), [
    'nairobi',
    'or',
    'kibera',
    'mathare',
    'ward7',
    'ελλάδα',
  ]);
});

test('search terms drop words that were only punctuation', () => {
  assert.deepEqual(searchTerms('water & | ! sanitation'), ['water', 'sanitation']);
});

test('search terms are capped at sixteen words', () => {
  assert.equal(searchTerms(Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ')).length, 16);
});

test('a box that does not cross the antimeridian stays one box', () => {
  const box = { west: 36.6, south: -1.45, east: 37.1, north: -1.15 };
  assert.deepEqual(splitAtAntimeridian(box), [box]);
});

test('a box crossing the antimeridian becomes the two boxes either side of it', () => {
  assert.deepEqual(splitAtAntimeridian({ west: 177, south: -20, east: -179, north: -15 }), [
    { west: 177, south: -20, east: 180, north: -15 },
    { west: -180, south: -20, east: -179, north: -15 },
  ]);
});
