import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson, type JsonValue, sameJson } from './canonical-json.js';

// The sample of cyberphone/json-canonicalization (README.md), by the authors of RFC 8785.
const sampleInput =
  '{\n  "numbers": [1E30,4.50,6,2e-3,0.000000000000000000000000001],\n' +
  '  "escaping": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n  "other":  [null, true, false]\n}';
const sampleUtf8 = `7b 22 65 73 63 61 70 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30 30 66 5c 6e 41 27 42 5c 22 5c 5c
5c 5c 5c 22 2f 22 2c 22 6e 75 6d 62 65 72 73 22 3a 5b 31 65 2b 33 30 2c 34 2e 35 2c 36 2c 30 2e
30 30 32 2c 31 65 2d 32 37 5d 2c 22 6f 74 68 65 72 22 3a 5b 6e 75 6c 6c 2c 74 72 75 65 2c 66 61
6c 73 65 5d 7d`;

test("the RFC 8785 authors' sample canonicalises to exactly their bytes", () => {
  const canonical = canonicalJson(JSON.parse(sampleInput) as JsonValue);
  assert.equal(Buffer.from(canonical, 'utf8').toString('hex'), sampleUtf8.replace(/\s+/g, ''));
});

test('object keys are sorted by UTF-16 code units, not by locale', () => {
  assert.equal(
    canonicalJson({ b: 1, a: 2, é: 3, Z: 4, '\u{1F600}': 5, '\uFB33': 6 }),
    '{"Z":4,"a":2,"b":1,"é":3,"\u{1F600}":5,"\uFB33":6}',
  );
});

test('nested objects are sorted too and arrays keep their order', () => {
  assert.equal(canonicalJson({ z: [{ y: 1, x: 2 }, 3], a: {} }), '{"a":{},"z":[{"x":2,"y":1},3]}');
});

test('a value JSON cannot carry is refused', () => {
  assert.throws(() => canonicalJson(Number.NaN), /NaN/);
});

test('two values with the same canonical form are the same JSON, whatever their key order', () => {
  assert.equal(
    sameJson({ a: [1, { b: null, c: 'x' }], d: true }, { d: true, a: [1, { c: 'x', b: null }] }),
    true,
  );
});

test('values that differ anywhere, in length or in a missing member, are not the same JSON', () => {
  assert.equal(sameJson({ a: [1, 2] }, { a: [1, 2, 3] }), false);
  assert.equal(sameJson({ a: 1, b: 2 }, { a: 1 }), false);
  assert.equal(sameJson({ a: { b: 'x' } }, { a: { b: 'y' } }), false);
  assert.equal(sameJson({ a: null }, { a: {} }), false);
  assert.equal(sameJson([], {}), false);
});

test('keys that look like array indices are still sorted as text', () => {
  assert.equal(
    canonicalJson({ b: { 10: 'ten', 9: 'nine', a: 1 }, a: [{ 2: true, 1: false }] }),
    '{"a":[{"1":false,"2":true}],"b":{"10":"ten","9":"nine","a":1}}',
  );
});

test('members that are undefined are left out, as JSON leaves them out', () => {
  assert.equal(canonicalJson({ b: 1, a: undefined } as unknown as JsonValue), '{"b":1}');
});
