import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TallyError } from '../../errors.js';
import {
  isSignedByVonage,
  parseVonageDelivery,
  parseVonageInbound,
  type VonageSignatureMethod,
  vonageMessagePart,
  vonageSendForm,
  vonageSignature,
} from './vonage.js';

const isMalformed = (error: unknown) => error instanceof TallyError && error.code === 'malformed_message';

// The example in the tests of Vonage's Python library: md5hash with the secret "secret".
const libraryExample = {
  params: { a: '1', b: '2', timestamp: '1461605396' },
  secret: 'secret',
  sig: '6af838ef94998832dbfc29020b564830',
};

/** A signed inbound SMS, as Vonage sends it to the number's webhook. */
const signedInbound = {
  msisdn: '254722000111',
  to: '254700000000',
  messageId: '1000000FFFB3D8A1',
  text: 'Moto sokoni Kibera & watu 2=majeruhi',
  type: 'text',
  keyword: 'MOTO',
  'api-key': 'abcd1234',
  'message-timestamp': '2026-11-26 06:12:00',
  timestamp: '1795673525',
  nonce: '8a3e7c1f-5b2d-4e9a-9f61-0c4d2b7e8a90',
};
const secret = 'Tally-signing-secret-2026';
const signedAt = new Date('2026-11-26T06:12:05Z');

/*
 * Computed apart from the code, with OpenSSL over the exact signed string:
 *   S='&api-key=abcd1234&keyword=MOTO&message-timestamp=2026-11-26 06:12:00&messageId=1000000FFFB3D8A1'\
 *     '&msisdn=254722000111&nonce=8a3e7c1f-5b2d-4e9a-9f61-0c4d2b7e8a90&text=Moto sokoni Kibera _ watu 2_majeruhi'\
 *     '&timestamp=1795673525&to=254700000000&type=text'
 *   printf '%s' "$S$K" | openssl dgst -md5              (md5hash)
 *   printf '%s' "$S" | openssl dgst -sha256 -hmac "$K"  (and -md5, -sha1, -sha512)
 */
const vectors: Record<VonageSignatureMethod, string> = {
  md5hash: '57aa172ab165010535b2a02cfc75933c',
  md5: 'db36ce4d6d0d160bc938586dc0572169',
  sha1: 'ebd9712300e39f9f28f334c4d711f8dc611e0d5d',
  sha256: '4dd5a0673dddb850b8abf7a2107fef3caebc43b14049fbb5f1d0d6312fef9411',
  sha512:
    '1a25dacdb1537bca2e129b59061034f17be1005a0c9aac4b942c0b4c24d19e7d' +
    'd62629a09049fdbebe8db09cbbc6a4bd09e3b39f588d1866a195032d35735341',
};

test('the md5hash signature of the example in Vonage’s library tests is the one they give', () => {
  assert.equal(vonageSignature(libraryExample.params, libraryExample.secret, 'md5hash'), libraryExample.sig);
});

for (const method of Object.keys(vectors) as VonageSignatureMethod[]) {
  test(`the ${method} signature of an inbound SMS is the one OpenSSL computes over the same string`, () => {
    assert.equal(vonageSignature(signedInbound, secret, method), vectors[method]);
  });
}

test('the sig parameter itself is left out of the signed string', () => {
  assert.equal(vonageSignature({ ...signedInbound, sig: 'anything' }, secret, 'sha256'), vectors.sha256);
});

test('a request carrying the right sig within five minutes is taken as signed by Vonage', () => {
  const params = { ...signedInbound, sig: vectors.sha256 };
  assert.equal(isSignedByVonage(params, secret, 'sha256', signedAt), true);
});

test('a sig in uppercase hex is taken as the same signature', () => {
  const params = { ...signedInbound, sig: vectors.sha512.toUpperCase() };
  assert.equal(isSignedByVonage(params, secret, 'sha512', signedAt), true);
});

test('a request whose text was changed after signing is refused', () => {
  const params = { ...signedInbound, text: 'Moto sokoni Kibera & watu 3=majeruhi', sig: vectors.md5hash };
  assert.equal(isSignedByVonage(params, secret, 'md5hash', signedAt), false);
});

test('a request signed by another method than the one configured is refused', () => {
  const params = { ...signedInbound, sig: vectors.md5 };
  assert.equal(isSignedByVonage(params, secret, 'md5hash', signedAt), false);
});

test('a request signed with another secret is refused', () => {
  const params = { ...signedInbound, sig: vectors.sha1 };
  assert.equal(isSignedByVonage(params, 'another-secret', 'sha1', signedAt), false);
});

test('a request whose timestamp is more than five minutes old is refused as a replay', () => {
  const params = { ...signedInbound, sig: vectors.sha256 };
  const later = new Date(signedAt.getTime() + 5 * 60_000 + 1_000);
  assert.equal(isSignedByVonage(params, secret, 'sha256', later), false);
});

test('a request whose timestamp is more than five minutes ahead is refused', () => {
  const params = { ...signedInbound, sig: vectors.sha256 };
  const earlier = new Date(signedAt.getTime() - 5 * 60_000 - 1_000);
  assert.equal(isSignedByVonage(params, secret, 'sha256', earlier), false);
});

test('a request without a timestamp is refused', () => {
  const { timestamp: _timestamp, ...withoutTimestamp } = signedInbound;
  const params = { ...withoutTimestamp, sig: vonageSignature(withoutTimestamp, secret, 'sha256') };
  assert.equal(isSignedByVonage(params, secret, 'sha256', signedAt), false);
});

test('a request without a sig, or with one of another length, is refused', () => {
  assert.equal(isSignedByVonage(signedInbound, secret, 'sha256', signedAt), false);
  assert.equal(isSignedByVonage({ ...signedInbound, sig: 'abc' }, secret, 'sha256', signedAt), false);
});

test('a request with a parameter sent twice is refused', () => {
  const params = { ...signedInbound, text: [signedInbound.text, 'Fire at the market'], sig: vectors.sha256 };
  assert.equal(isSignedByVonage(params, secret, 'sha256', signedAt), false);
});

test('an empty secret signs nothing', () => {
  const params = { ...signedInbound, sig: vonageSignature(signedInbound, '', 'sha256') };
  assert.equal(isSignedByVonage(params, '', 'sha256', signedAt), false);
});

test('an inbound SMS gives its message id, sender, number, text and time', () => {
  assert.deepEqual(parseVonageInbound(signedInbound), {
    providerId: '1000000FFFB3D8A1',
    from: '254722000111',
    to: '254700000000',
    text: 'Moto sokoni Kibera & watu 2=majeruhi',
    sentAt: '2026-11-26T06:12:00.000Z',
    media: [],
  });
});

test('a unicode message is read like a text one', () => {
  const message = parseVonageInbound({ ...signedInbound, type: 'unicode', text: 'Moto sokoni Kibera 🔥' });
  assert.equal(message.text, 'Moto sokoni Kibera 🔥');
});

test('a binary message is refused as malformed', () => {
  assert.throws(
    () => parseVonageInbound({ ...signedInbound, type: 'binary', text: undefined, data: '0605040B8423F0' }),
    isMalformed,
  );
});

test('an inbound message without a messageId is refused as malformed', () => {
  const { messageId: _id, ...withoutId } = signedInbound;
  assert.throws(() => parseVonageInbound(withoutId), isMalformed);
});

test('an inbound message without an msisdn is refused as malformed', () => {
  const { msisdn: _msisdn, ...withoutSender } = signedInbound;
  assert.throws(() => parseVonageInbound(withoutSender), isMalformed);
});

test('a message-timestamp not written as Vonage writes it is refused as malformed', () => {
  assert.throws(
    () => parseVonageInbound({ ...signedInbound, 'message-timestamp': '26/11/2026 06:12' }),
    isMalformed,
  );
});

test('a message without a message-timestamp has no sent time', () => {
  assert.equal(parseVonageInbound({ ...signedInbound, 'message-timestamp': undefined }).sentAt, null);
});

test('a whole message is no part of a long one', () => {
  assert.equal(vonageMessagePart(signedInbound), null);
});

test('a part of a long message says its reference, its place and the number of parts', () => {
  const part = {
    ...signedInbound,
    concat: 'true',
    'concat-ref': '108',
    'concat-total': '3',
    'concat-part': '2',
  };
  assert.deepEqual(vonageMessagePart(part), { ref: '108', total: 3, part: 2 });
});

test('a part numbered past the number of parts is refused as malformed', () => {
  const part = {
    ...signedInbound,
    concat: 'true',
    'concat-ref': '108',
    'concat-total': '2',
    'concat-part': '3',
  };
  assert.throws(() => vonageMessagePart(part), isMalformed);
});

test('the send form carries the numbers without their plus and marks text beyond ASCII as unicode', () => {
  const form = new URLSearchParams(
    vonageSendForm({
      apiKey: 'a1b2c3d4',
      apiSecret: 'secretsecret',
      from: '+254700000000',
      to: '+254722000111',
      text: 'Ujumbe wako umepokelewa — asante',
      callback: 'https://reports.example.org/api/v1/inbound/vonage/ke/delivery?secret=s3',
    }),
  );
  assert.deepEqual(
    [form.get('from'), form.get('to'), form.get('type'), form.get('callback')],
    [
      '254700000000',
      '254722000111',
      'unicode',
      'https://reports.example.org/api/v1/inbound/vonage/ke/delivery?secret=s3',
    ],
  );
});

test('a delivery receipt maps Vonage’s statuses and keeps its error code', () => {
  assert.deepEqual(
    parseVonageDelivery({ messageId: '0A0000000123ABCD1', status: 'delivered', 'err-code': '0' }),
    {
      providerId: '0A0000000123ABCD1',
      state: 'delivered',
      detail: 'delivered',
    },
  );
  assert.equal(
    parseVonageDelivery({ messageId: '0A1', status: 'failed', 'err-code': '6' }).detail,
    'failed (error 6)',
  );
  assert.throws(() => parseVonageDelivery({ messageId: '0A1', status: 'constructor' }), TallyError);
});
