import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TallyError } from '../../errors.js';
import { frontlineSendRequest, isFrontlineSecret, parseFrontlineInbound } from './frontlinesms.js';

const isMalformed = (error: unknown) => error instanceof TallyError && error.code === 'malformed_message';

/** A message forwarded by FrontlineSMS's "forward to URL" step, with a timestamp configured. */
const forwarded = {
  secret: 'kibera-channel-secret',
  from: '+254722000111',
  message: 'Moto sokoni Kibera',
  timestamp: '1795673520000',
};

// Computed apart from the code:
//   printf '%s' '["+254722000111","Moto sokoni Kibera","1795673520000"]' | sha256sum
//   printf '%s' '["+254722000111","Moto sokoni Kibera",null]' | sha256sum
const idWithTimestamp = 'd4e4d1547c3a45f68851e8d5972fc62277f08b166805261485833bf797424c81';
const idWithoutTimestamp = 'dc98ac8fedd4f92e6c061065b19b9ea88dccc405e77e7d4d9130aa665228fd8b';

test('a forwarded message gives a derived id, its sender, text and time', () => {
  assert.deepEqual(parseFrontlineInbound(forwarded), {
    providerId: idWithTimestamp,
    from: '+254722000111',
    to: null,
    text: 'Moto sokoni Kibera',
    sentAt: '2026-11-26T06:12:00.000Z',
    media: [],
  });
});

test('a message without a timestamp gets the id of its sender and text alone', () => {
  const { timestamp: _timestamp, ...withoutTimestamp } = forwarded;
  const message = parseFrontlineInbound(withoutTimestamp);
  assert.equal(message.providerId, idWithoutTimestamp);
  assert.equal(message.sentAt, null);
});

test('a retry of the same forward gets the same id', () => {
  assert.equal(
    parseFrontlineInbound(forwarded).providerId,
    parseFrontlineInbound({ ...forwarded }).providerId,
  );
});

test('the same text sent again later gets another id', () => {
  const later = parseFrontlineInbound({ ...forwarded, timestamp: '1795673580000' });
  assert.notEqual(later.providerId, idWithTimestamp);
});

test('a JSON body is read like a form, a numeric timestamp included', () => {
  const message = parseFrontlineInbound({ ...forwarded, timestamp: 1795673520000 });
  assert.equal(message.providerId, idWithTimestamp);
  assert.equal(message.sentAt, '2026-11-26T06:12:00.000Z');
});

test('a timestamp in seconds is read as seconds', () => {
  assert.equal(
    parseFrontlineInbound({ ...forwarded, timestamp: '1795673520' }).sentAt,
    '2026-11-26T06:12:00.000Z',
  );
});

test('an ISO timestamp with its zone gives the sent time in UTC', () => {
  const message = parseFrontlineInbound({ ...forwarded, timestamp: '2026-11-26T09:12:00+03:00' });
  assert.equal(message.sentAt, '2026-11-26T06:12:00.000Z');
});

test('a timestamp in another form still tells messages apart but gives no sent time', () => {
  const message = parseFrontlineInbound({ ...forwarded, timestamp: '26/11/2026 06:12' });
  assert.equal(message.sentAt, null);
  assert.notEqual(message.providerId, idWithoutTimestamp);
});

test('the secret is no part of the message', () => {
  const other = parseFrontlineInbound({ ...forwarded, secret: 'another' });
  assert.equal(other.providerId, idWithTimestamp);
});

test('a message without a sender is refused as malformed', () => {
  assert.throws(() => parseFrontlineInbound({ ...forwarded, from: '' }), isMalformed);
});

test('a message without a message field is refused as malformed', () => {
  const { message: _message, ...withoutMessage } = forwarded;
  assert.throws(() => parseFrontlineInbound(withoutMessage), isMalformed);
});

test('a JSON message whose text is not a string is refused as malformed', () => {
  assert.throws(() => parseFrontlineInbound({ ...forwarded, message: { text: 'Moto' } }), isMalformed);
});

test('a body that is not an object is refused as malformed', () => {
  assert.throws(() => parseFrontlineInbound(['+254722000111', 'Moto sokoni Kibera']), isMalformed);
});

test('the channel’s secret is recognised', () => {
  assert.equal(isFrontlineSecret('kibera-channel-secret', 'kibera-channel-secret'), true);
});

test('another secret, a missing one, or one of another length is refused', () => {
  assert.equal(isFrontlineSecret('kibera-channel-secret', 'kibera-channel-secreT'), false);
  assert.equal(isFrontlineSecret('kibera-channel-secret', undefined), false);
  assert.equal(isFrontlineSecret('kibera-channel-secret', 'k'), false);
});

test('an empty secret on the channel matches nothing, not even an empty one', () => {
  assert.equal(isFrontlineSecret('', ''), false);
});

test('the send request posts the API key and the recipients as JSON to the workspace’s URL', () => {
  const request = frontlineSendRequest({
    url: 'https://cloud.frontlinesms.com/api/1/webhook',
    apiKey: 'fc-0123456789abcdef',
    to: '+256772000111',
    message: 'Asante! Report #42 received.',
  });
  assert.equal(request.url, 'https://cloud.frontlinesms.com/api/1/webhook');
  assert.equal(request.headers['Content-Type'], 'application/json');
  assert.deepEqual(JSON.parse(request.body), {
    apiKey: 'fc-0123456789abcdef',
    payload: {
      message: 'Asante! Report #42 received.',
      recipients: [{ type: 'mobile', value: '+256772000111' }],
    },
  });
});

test('the send request to several numbers lists each as a mobile recipient', () => {
  const request = frontlineSendRequest({
    url: 'https://cloud.frontlinesms.com/api/1/webhook',
    apiKey: 'k',
    to: ['+254722000111', '+256772000111'],
    message: 'Fire at the market',
  });
  assert.deepEqual(JSON.parse(request.body).payload.recipients, [
    { type: 'mobile', value: '+254722000111' },
    { type: 'mobile', value: '+256772000111' },
  ]);
});
