import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeChange } from '../ledger/entry.js';
import type { RemoteEntry } from './mirror-client.js';
import { toLedgerChange } from './mirrored-entry.js';

function served(): RemoteEntry {
  const change = makeChange(
    {
      action: 'report.published',
      actor: 'p-0123456789abcdef',
      subject: 'report:r-1',
      time: '2026-11-25T12:00:00.000Z',
    },
    { id: 'r-1', title: 'Road blocked' },
  );
  return {
    index: 7,
    time: change.time,
    action: change.action,
    subject: change.subject,
    actor: change.actor,
    leaf: change.leaf.toString('base64'),
    content: change.content!.toString('base64'),
    redacted: false,
  };
}

test('an entry as the origin serves it becomes the same change for the mirror to append', () => {
  const change = toLedgerChange(served(), 7);
  assert.equal(change.leaf.toString('base64'), served().leaf);
  assert.equal(change.content?.toString('base64'), served().content);
});

test('a leaf with the right members but not in canonical form is refused', () => {
  const entry = served();
  const spaced = JSON.stringify(JSON.parse(Buffer.from(entry.leaf, 'base64').toString('utf8')), null, 1);
  assert.throws(
    () => toLedgerChange({ ...entry, leaf: Buffer.from(spaced).toString('base64') }, 7),
    /not JSON in RFC 8785 canonical form/,
  );
});

test('content that does not hash to what the leaf names is refused', () => {
  const entry = { ...served(), content: Buffer.from('{"id":"r-1","title":"Rewritten"}').toString('base64') };
  assert.throws(() => toLedgerChange(entry, 7), /does not hash to the leaf's content_sha256/);
});
