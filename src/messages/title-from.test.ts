import assert from 'node:assert/strict';
import { test } from 'node:test';
import { titleFrom } from './inbox.service.js';

test('a short message is its own title, its white space tidied', () => {
  assert.equal(titleFrom('  Moto sokoni\nKibera  '), 'Moto sokoni Kibera');
});

test('a long message is cut at a word before 80 characters, marked with an ellipsis', () => {
  const text =
    'Fire at the market in Kibera near the Olympic gate, many stalls burning and people need water and help now';
  const title = titleFrom(text);
  assert.ok(title.length <= 81, title);
  assert.ok(title.endsWith('…'));
  assert.ok(text.startsWith(title.slice(0, -1)));
  assert.doesNotMatch(title, / …$/);
});

test('a message without text still gets a title', () => {
  assert.equal(titleFrom('   '), 'Message without text');
});

test('a long message is not cut between the two halves of an emoji', () => {
  const title = titleFrom(`${'a'.repeat(79)}😀😀`);
  assert.equal(title, `${'a'.repeat(79)}…`);
});
