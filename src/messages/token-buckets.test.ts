import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TokenBuckets } from './token-buckets.js';

test('a key may spend its whole minute’s tokens at once, and not one more', () => {
  const buckets = new TokenBuckets(3);
  assert.deepEqual(
    [1, 2, 3, 4].map(() => buckets.take('+254722000111', 0)),
    [true, true, true, false],
  );
});

test('tokens come back over the minute', () => {
  const buckets = new TokenBuckets(60);
  for (let i = 0; i < 60; i++) buckets.take('a', 0);
  assert.equal(buckets.take('a', 500), false);
  assert.equal(buckets.take('a', 1000), true);
});

test('one key’s flood leaves the others their tokens', () => {
  const buckets = new TokenBuckets(2);
  for (let i = 0; i < 100; i++) buckets.take('flooder', 0);
  assert.equal(buckets.take('someone else', 0), true);
});

test('the least recently seen key is forgotten when there are too many', () => {
  const buckets = new TokenBuckets(1, 2);
  buckets.take('a', 0);
  buckets.take('b', 0);
  buckets.take('c', 0);
  // "a" was forgotten, so it starts with a full bucket again; "c" was not.
  assert.equal(buckets.take('a', 0), true);
  assert.equal(buckets.take('c', 0), false);
});
