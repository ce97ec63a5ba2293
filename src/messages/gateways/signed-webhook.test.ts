import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TallyError } from '../../errors.js';
import { isSignedWebhook, parseWebhookMessage, webhookSignature } from './signed-webhook.js';

const secret = 'b1f0c3e9a7d24e6f8a5c2b9d0e1f3a4c';
const body = Buffer.from(
  '{"id":"wa-3EB0C767D26A1B2C","from":"+254722000111","to":"+254700000000","text":"Maji yamekatika Kibera tangu jana","sent_at":"2026-11-26T06:12:00+03:00"}',
);

test('the signature is sha256= and the hex HMAC-SHA256 of the raw body under the secret', () => {
  // The well-known HMAC-SHA256 example, as `openssl dgst -sha256 -hmac key` also gives it.
  assert.equal(
    webhookSignature('key', Buffer.from('The quick brown fox jumps over the lazy dog')),
    'sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
  );
});

test('a body with its signature is taken as signed, whatever the case of the hex', () => {
  assert.equal(isSignedWebhook(secret, body, webhookSignature(secret, body)), true);
  assert.equal(isSignedWebhook(secret, body, webhookSignature(secret, body).toUpperCase()), true);
});

test('a body changed by one byte after signing is refused', () => {
  const signature = webhookSignature(secret, body);
  const changed = Buffer.from(body.toString().replace('jana', 'juzi'));
  assert.equal(isSignedWebhook(secret, changed, signature), false);
});

test('a body signed with another secret, or not signed, is refused', () => {
  assert.equal(isSignedWebhook(secret, body, webhookSignature('another secret', body)), false);
  assert.equal(isSignedWebhook(secret, body, undefined), false);
});

test('a message gives its id, sender, receiver, text and sending time in UTC', () => {
  assert.deepEqual(parseWebhookMessage(JSON.parse(body.toString())), {
    providerId: 'wa-3EB0C767D26A1B2C',
    from: '+254722000111',
    to: '+254700000000',
    text: 'Maji yamekatika Kibera tangu jana',
    sentAt: '2026-11-26T03:12:00.000Z',
    media: [],
  });
});

test('a message without an id, or with a text that is not a string, is refused as malformed', () => {
  const malformed = (value: unknown) =>
    assert.throws(
      () => parseWebhookMessage(value),
      (error: unknown) => error instanceof TallyError && error.code === 'malformed_message',
    );
  malformed({ from: '+254722000111', text: 'hello' });
  malformed({ id: '1', from: '+254722000111', text: 42 });
  malformed({ id: '1', from: '+254722000111', text: 'hi', sent_at: 'yesterday' });
  malformed(['not', 'an', 'object']);
});
