import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson } from './canonical-json.js';
import { leafBytes, leafText, sha256Hex } from './leaf.js';

const published = {
  action: 'report.published',
  actor: 'v-7k2q9m',
  subject: 'report:019ab1c2-0000-7000-8000-000000000001',
  time: '2026-11-25T12:00:00.000Z',
};

test('a leaf is the canonical JSON of its fields and the content hash', () => {
  const content = Buffer.from('{"title":"Road blocked"}');
  assert.equal(
    leafBytes(published, content).toString('utf8'),
    `{"action":"report.published","actor":"v-7k2q9m","content_sha256":"${sha256Hex(content)}",` +
      '"subject":"report:019ab1c2-0000-7000-8000-000000000001","time":"2026-11-25T12:00:00.000Z"}',
  );
});

test('the content hash is the hex SHA-256 of the content bytes', () => {
  assert.equal(
    sha256Hex(Buffer.from('')),
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  );
});

test('two leaves differing only in content differ', () => {
  assert.notDeepEqual(leafBytes(published, Buffer.from('a')), leafBytes(published, Buffer.from('b')));
});

test('the leaf text is exactly the canonical JSON of its members, escapes included', () => {
  const awkward = { ...published, actor: 'p-"quoted"\u2028', subject: 'report:é\u0001' };
  const hash = sha256Hex(Buffer.from('x'));
  assert.equal(leafText(awkward, hash), canonicalJson({ ...awkward, content_sha256: hash }));
});
