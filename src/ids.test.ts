import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uuidv7 } from './ids.js';

test('ids are RFC 9562 version 7 UUIDs carrying the time they were made', () => {
  const id = uuidv7(Date.parse('2026-11-25T12:00:00Z'));
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16), Date.parse('2026-11-25T12:00:00Z'));
});

test('ids made later sort after ids made earlier', () => {
  assert.ok(uuidv7(1_000) < uuidv7(2_000));
});

test('ten thousand ids made in the same millisecond are all different', () => {
  const now = Date.now();
  assert.equal(new Set(Array.from({ length: 10_000 }, () => uuidv7(now))).size, 10_000);
});
