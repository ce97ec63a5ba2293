import assert from 'node:assert/strict';
import { test } from 'node:test';
import { field, gatewayTime } from './inbound-message.js';

test('a gateway time without a zone is UTC', () => {
  assert.equal(gatewayTime('2026-11-26 06:12:00'), '2026-11-26T06:12:00.000Z');
});

test('a gateway time with a zone is moved to UTC', () => {
  assert.equal(gatewayTime('2026-11-26T09:12:00.25+03:00'), '2026-11-26T06:12:00.250Z');
});

test('a gateway time from a URL, with a plus for the space and no seconds, is read too', () => {
  assert.equal(gatewayTime('2026-11-26+06:12'), '2026-11-26T06:12:00.000Z');
});

test('a day or hour that does not exist is no time', () => {
  assert.equal(gatewayTime('2026-02-30 06:12:00'), null);
  assert.equal(gatewayTime('2026-11-26 24:00:00'), null);
  assert.equal(gatewayTime('yesterday'), null);
});

test('a field sent twice gives its first value', () => {
  assert.equal(field({ text: ['first', 'second'] }, 'text'), 'first');
  assert.equal(field({}, 'text'), undefined);
});
