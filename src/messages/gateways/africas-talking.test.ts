import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TallyError } from '../../errors.js';
import {
  africasTalkingSendRequest,
  parseAfricasTalkingDelivery,
  parseAfricasTalkingInbound,
} from './africas-talking.js';

/** An inbound SMS to a shortcode, as Africa's Talking posts it. */
const inboundSms = {
  date: '2026-11-26 06:12:00',
  from: '+254722000111',
  id: 'ATXid_5e9c1d2a7b3f4e6a8c0d1f2e3a4b5c6d',
  linkId: '28a92f3c-0b41-4c54-a3b6-1d2e7c9a0f55',
  text: 'Moto sokoni Kibera',
  to: '22384',
  networkCode: '63902',
};

const isMalformed = (error: unknown) => error instanceof TallyError && error.code === 'malformed_message';

test('an inbound SMS gives its id, sender, shortcode, text and time', () => {
  assert.deepEqual(parseAfricasTalkingInbound(inboundSms), {
    providerId: 'ATXid_5e9c1d2a7b3f4e6a8c0d1f2e3a4b5c6d',
    from: '+254722000111',
    to: '22384',
    text: 'Moto sokoni Kibera',
    sentAt: '2026-11-26T06:12:00.000Z',
    media: [],
  });
});

test('a date without a zone is read as UTC', () => {
  const message = parseAfricasTalkingInbound({ ...inboundSms, date: '2026-11-26T09:12:00' });
  assert.equal(message.sentAt, '2026-11-26T09:12:00.000Z');
});

test('a date with fractions of a second keeps its milliseconds', () => {
  const message = parseAfricasTalkingInbound({ ...inboundSms, date: '2026-11-26 06:12:00.069' });
  assert.equal(message.sentAt, '2026-11-26T06:12:00.069Z');
});

test('an ISO date with an offset is turned into UTC', () => {
  const message = parseAfricasTalkingInbound({ ...inboundSms, date: '2026-11-26T09:12:00+03:00' });
  assert.equal(message.sentAt, '2026-11-26T06:12:00.000Z');
});

test('a message without a date has no sent time', () => {
  const { date: _date, ...withoutDate } = inboundSms;
  assert.equal(parseAfricasTalkingInbound(withoutDate).sentAt, null);
});

test('a date that is no real day is refused as malformed', () => {
  assert.throws(
    () => parseAfricasTalkingInbound({ ...inboundSms, date: '2026-02-30 06:12:00' }),
    isMalformed,
  );
});

test('a date in a form Africa’s Talking does not write is refused as malformed', () => {
  assert.throws(() => parseAfricasTalkingInbound({ ...inboundSms, date: 'Thursday morning' }), isMalformed);
});

test('an inbound message without an id is refused as malformed', () => {
  const { id: _id, ...withoutId } = inboundSms;
  assert.throws(() => parseAfricasTalkingInbound(withoutId), isMalformed);
});

test('an inbound message without a sender is refused as malformed', () => {
  assert.throws(() => parseAfricasTalkingInbound({ ...inboundSms, from: '' }), isMalformed);
});

test('an inbound message without text has empty text', () => {
  const { text: _text, ...withoutText } = inboundSms;
  assert.equal(parseAfricasTalkingInbound(withoutText).text, '');
});

test('the send request posts the form to the messaging endpoint with the API key as a header', () => {
  const request = africasTalkingSendRequest({
    username: 'tally-nairobi',
    apiKey: 'atsk_0123456789abcdef',
    to: '+254722000111',
    message: 'Asante! Ripoti #42 imepokelewa.',
    from: '22384',
  });
  assert.equal(request.url, 'https://api.africastalking.com/version1/messaging');
  assert.deepEqual(request.headers, {
    apiKey: 'atsk_0123456789abcdef',
    Accept: 'application/json',
    'Content-Type': 'application/x-www-form-urlencoded',
  });
  assert.deepEqual(Object.fromEntries(new URLSearchParams(request.body)), {
    username: 'tally-nairobi',
    to: '+254722000111',
    message: 'Asante! Ripoti #42 imepokelewa.',
    from: '22384',
  });
});

test('the send request encodes the plus of an international number', () => {
  const request = africasTalkingSendRequest({
    username: 'u',
    apiKey: 'k',
    to: '+256772000111',
    message: 'Hi',
  });
  assert.match(request.body, /to=%2B256772000111/);
});

test('the send request without a sender leaves from out, so the account’s default is used', () => {
  const request = africasTalkingSendRequest({
    username: 'u',
    apiKey: 'k',
    to: '+254722000111',
    message: 'Hi',
  });
  assert.equal(new URLSearchParams(request.body).has('from'), false);
});

test('the send request to several numbers joins them with commas', () => {
  const request = africasTalkingSendRequest({
    username: 'u',
    apiKey: 'k',
    to: ['+254722000111', '+256772000111'],
    message: 'Fire at the market',
  });
  assert.equal(new URLSearchParams(request.body).get('to'), '+254722000111,+256772000111');
});

test('the sandbox account sends through the sandbox host', () => {
  const request = africasTalkingSendRequest({
    username: 'sandbox',
    apiKey: 'k',
    to: '+254722000111',
    message: 'Hi',
  });
  assert.equal(request.url, 'https://api.sandbox.africastalking.com/version1/messaging');
});

test('a delivery report maps Africa’s Talking’s statuses onto queued, sent, delivered and failed', () => {
  const state = (status: string) => parseAfricasTalkingDelivery({ id: 'ATXid_1', status }).state;
  assert.equal(state('Sent'), 'sent');
  assert.equal(state('Submitted'), 'sent');
  assert.equal(state('Buffered'), 'sent');
  assert.equal(state('Success'), 'delivered');
  assert.equal(state('Rejected'), 'failed');
  assert.equal(state('Failed'), 'failed');
});

test('a failed delivery report keeps the failure reason in its detail', () => {
  assert.deepEqual(
    parseAfricasTalkingDelivery({
      id: 'ATXid_5e9c1d2a7b3f4e6a8c0d1f2e3a4b5c6d',
      status: 'Failed',
      phoneNumber: '+254722000111',
      networkCode: '63902',
      failureReason: 'InsufficientCredit',
      retryCount: '0',
    }),
    {
      providerId: 'ATXid_5e9c1d2a7b3f4e6a8c0d1f2e3a4b5c6d',
      state: 'failed',
      detail: 'Failed (InsufficientCredit)',
    },
  );
});

test('a delivery report with an unknown status is refused as malformed', () => {
  assert.throws(() => parseAfricasTalkingDelivery({ id: 'ATXid_1', status: 'Teleported' }), isMalformed);
});

test('a delivery report whose status names an object property is refused as malformed', () => {
  assert.throws(() => parseAfricasTalkingDelivery({ id: 'ATXid_1', status: 'toString' }), isMalformed);
});

test('a delivery report without an id is refused as malformed', () => {
  assert.throws(() => parseAfricasTalkingDelivery({ status: 'Success' }), isMalformed);
});
