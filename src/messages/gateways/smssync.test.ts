import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TallyError } from '../../errors.js';
import {
  acceptSentUuids,
  isSmsSyncSecret,
  parseSmsSyncInbound,
  parseSmsSyncResults,
  smsSyncAnswer,
  smsSyncTask,
  smsSyncUuids,
} from './smssync.js';

const malformed = (error: unknown) => error instanceof TallyError && error.code === 'malformed_message';

/** An inbound SMS as SMSSync posts it, form-encoded. */
const inboundSms = {
  secret: 'kibera-2024',
  from: '+254722000111',
  message: 'Maji yamejaa barabarani karibu na soko la Toi, magari hayapiti',
  message_id: '6f1c2b9e-4d3a-4e8f-9b0a-7c5d1e2f3a4b',
  sent_timestamp: '1710405667000',
  sent_to: '+254700123456',
  device_id: '358240051111110',
};

const reply = {
  to: '+254722000111',
  message: 'Asante! Ripoti yako #42 imepokelewa. Thank you, report #42 received.',
  uuid: '0b8e7f52-1c9d-4a6e-b3f0-5d2c8a9e1f47',
};

const queuedByServer = new Set([
  '0b8e7f52-1c9d-4a6e-b3f0-5d2c8a9e1f47',
  'c3d9a1e0-7b42-4f8d-a6c5-2e1b0f9d8c73',
]);

/** One row of a `POST ?task=result` body, as SMSSync's documentation writes it. */
const sentRow = {
  uuid: '0b8e7f52-1c9d-4a6e-b3f0-5d2c8a9e1f47',
  sent_result_code: 0,
  sent_result_message: 'SMSSync Message Sent',
  delivered_result_code: -1,
  delivered_result_message: '',
  sent_timestamp: 1710405700000,
};

test('the channel’s secret, sent by the phone, is accepted', () => {
  assert.equal(isSmsSyncSecret('kibera-2024', 'kibera-2024'), true);
});

test('a wrong secret of the same length is refused', () => {
  assert.equal(isSmsSyncSecret('kibera-2024', 'kibera-2025'), false);
});

test('a secret of another length is refused without throwing', () => {
  assert.equal(isSmsSyncSecret('kibera-2024', 'kibera'), false);
  assert.equal(isSmsSyncSecret('kibera-2024', 'kibera-2024-and-more'), false);
});

test('a request without a secret is refused', () => {
  assert.equal(isSmsSyncSecret('kibera-2024', undefined), false);
  assert.equal(isSmsSyncSecret('kibera-2024', ''), false);
});

test('a channel without a secret accepts nothing, not even an empty secret', () => {
  assert.equal(isSmsSyncSecret('', ''), false);
});

test('an inbound SMS gives its message id, sender, receiving number, text and time', () => {
  assert.deepEqual(parseSmsSyncInbound(inboundSms), {
    providerId: '6f1c2b9e-4d3a-4e8f-9b0a-7c5d1e2f3a4b',
    from: '+254722000111',
    to: '+254700123456',
    text: 'Maji yamejaa barabarani karibu na soko la Toi, magari hayapiti',
    sentAt: '2024-03-14T08:41:07.000Z',
    media: [],
  });
});

test('a sent timestamp of ten digits or fewer is read as seconds', () => {
  assert.equal(
    parseSmsSyncInbound({ ...inboundSms, sent_timestamp: '1710405667' }).sentAt,
    '2024-03-14T08:41:07.000Z',
  );
});

test('an inbound SMS without a sent timestamp has no time', () => {
  const { sent_timestamp: _timestamp, ...withoutTimestamp } = inboundSms;
  assert.equal(parseSmsSyncInbound(withoutTimestamp).sentAt, null);
});

test('an empty sent_to, from a phone that does not know its own number, gives no receiving number', () => {
  assert.equal(parseSmsSyncInbound({ ...inboundSms, sent_to: '' }).to, null);
});

test('an inbound SMS without a message_id is refused as malformed', () => {
  const { message_id: _id, ...withoutId } = inboundSms;
  assert.throws(() => parseSmsSyncInbound(withoutId), malformed);
});

test('an inbound SMS without a sender is refused as malformed', () => {
  assert.throws(() => parseSmsSyncInbound({ ...inboundSms, from: ' ' }), malformed);
});

test('an inbound SMS without a message field is refused as malformed', () => {
  const { message: _message, ...withoutMessage } = inboundSms;
  assert.throws(() => parseSmsSyncInbound(withoutMessage), malformed);
});

test('a sent timestamp that is not a number is refused as malformed', () => {
  assert.throws(() => parseSmsSyncInbound({ ...inboundSms, sent_timestamp: '14/03/2024 11:41' }), malformed);
  assert.throws(() => parseSmsSyncInbound({ ...inboundSms, sent_timestamp: '-1710405667000' }), malformed);
});

test('a sent timestamp too large to be a time is refused as malformed', () => {
  assert.throws(() => parseSmsSyncInbound({ ...inboundSms, sent_timestamp: '9'.repeat(20) }), malformed);
});

test('an accepted message is answered with success and a null error, exactly as SMSSync reads it', () => {
  assert.equal(JSON.stringify(smsSyncAnswer({ success: true })), '{"payload":{"success":true,"error":null}}');
});

test('a refused message is answered with success false and the reason', () => {
  assert.equal(
    JSON.stringify(smsSyncAnswer({ success: false, error: 'Secret si sahihi / wrong secret' })),
    '{"payload":{"success":false,"error":"Secret si sahihi / wrong secret"}}',
  );
});

test('a refusal without a reason still carries an error text', () => {
  const answer = smsSyncAnswer({ success: false });
  assert.equal(answer.payload.success, false);
  assert.equal(typeof answer.payload.error, 'string');
});

test('replies ride along with the success answer as a send task carrying the secret', () => {
  assert.deepEqual(smsSyncAnswer({ success: true, replies: [reply], secret: 'kibera-2024' }), {
    payload: { success: true, error: null, task: 'send', secret: 'kibera-2024', messages: [reply] },
  });
});

test('an empty list of replies gives the plain success answer', () => {
  assert.deepEqual(smsSyncAnswer({ success: true, replies: [], secret: 'kibera-2024' }), {
    payload: { success: true, error: null },
  });
});

test('replies without the secret are a programming error, not an answer the phone would ignore', () => {
  assert.throws(() => smsSyncAnswer({ success: true, replies: [reply] }), TypeError);
});

test('a poll is answered with a send task, the secret and the waiting messages', () => {
  const second = {
    to: '+254733444555',
    message: 'Timu yetu itafika Mathare kesho asubuhi. Our team reaches Mathare tomorrow morning.',
    uuid: 'c3d9a1e0-7b42-4f8d-a6c5-2e1b0f9d8c73',
  };
  assert.equal(
    JSON.stringify(smsSyncTask([reply, second], 'kibera-2024')),
    JSON.stringify({ payload: { task: 'send', secret: 'kibera-2024', messages: [reply, second] } }),
  );
});

test('a poll with nothing waiting is answered with an empty list of messages', () => {
  assert.deepEqual(smsSyncTask([], 'kibera-2024'), {
    payload: { task: 'send', secret: 'kibera-2024', messages: [] },
  });
});

test('only the to, message and uuid of an outbound message are sent to the phone', () => {
  const stored = { ...reply, reportId: 42, createdBy: 'volunteer@example.org' };
  assert.deepEqual(smsSyncTask([stored], 'kibera-2024').payload.messages, [reply]);
});

test('a uuid list answer is the object SMSSync expects', () => {
  assert.equal(JSON.stringify(smsSyncUuids([reply.uuid])), `{"message_uuids":["${reply.uuid}"]}`);
});

test('the uuids the server queued are acknowledged as sent', () => {
  const body = { queued_messages: [...queuedByServer] };
  assert.deepEqual(acceptSentUuids(body, queuedByServer), [...queuedByServer]);
});

test('uuids the server did not queue are not acknowledged', () => {
  const body = {
    queued_messages: ['0b8e7f52-1c9d-4a6e-b3f0-5d2c8a9e1f47', 'ffffffff-0000-4000-8000-000000000000'],
  };
  assert.deepEqual(acceptSentUuids(body, queuedByServer), ['0b8e7f52-1c9d-4a6e-b3f0-5d2c8a9e1f47']);
});

test('the server’s queue may be given as a predicate', () => {
  const body = { queued_messages: ['c3d9a1e0-7b42-4f8d-a6c5-2e1b0f9d8c73', 'not-ours'] };
  assert.deepEqual(
    acceptSentUuids(body, (uuid) => queuedByServer.has(uuid)),
    ['c3d9a1e0-7b42-4f8d-a6c5-2e1b0f9d8c73'],
  );
});

test('a uuid reported twice is acknowledged once', () => {
  const uuid = '0b8e7f52-1c9d-4a6e-b3f0-5d2c8a9e1f47';
  assert.deepEqual(acceptSentUuids({ queued_messages: [uuid, uuid] }, queuedByServer), [uuid]);
});

test('a queued-messages body that is not an object holding an array is refused as malformed', () => {
  assert.throws(() => acceptSentUuids([...queuedByServer], queuedByServer), malformed);
  assert.throws(() => acceptSentUuids({ queued_messages: 'c3d9a1e0' }, queuedByServer), malformed);
  assert.throws(() => acceptSentUuids(null, queuedByServer), malformed);
});

test('a queued-messages list holding something other than uuids is refused as malformed', () => {
  assert.throws(() => acceptSentUuids({ queued_messages: [42] }, queuedByServer), malformed);
});

test('a message sent with code 0 and no delivery report yet is sent', () => {
  assert.deepEqual(parseSmsSyncResults({ message_result: [sentRow] }), [
    {
      uuid: '0b8e7f52-1c9d-4a6e-b3f0-5d2c8a9e1f47',
      state: 'sent',
      detail: 'SMSSync Message Sent (sent code 0)',
      sentAt: '2024-03-14T08:41:40.000Z',
      deliveredAt: null,
    },
  ]);
});

test('a message with delivered code 0 and a delivery message is delivered, with its delivery time', () => {
  const row = {
    ...sentRow,
    delivered_result_code: 0,
    delivered_result_message: 'SMS Delivered',
    delivered_timestamp: 1710405712000,
  };
  assert.deepEqual(parseSmsSyncResults({ message_result: [row] }), [
    {
      uuid: '0b8e7f52-1c9d-4a6e-b3f0-5d2c8a9e1f47',
      state: 'delivered',
      detail: 'SMSSync Message Sent (sent code 0); SMS Delivered (delivered code 0)',
      sentAt: '2024-03-14T08:41:40.000Z',
      deliveredAt: '2024-03-14T08:41:52.000Z',
    },
  ]);
});

test('a message whose delivered code is missing has no delivery report yet', () => {
  const { delivered_result_code: _code, ...row } = { ...sentRow, delivered_result_message: 'SMS Delivered' };
  assert.equal(parseSmsSyncResults({ message_result: [row] })[0]?.state, 'sent');
});

test('Android’s RESULT_OK, -1, which the app itself reports, counts as sent and, with a message, delivered', () => {
  const row = {
    ...sentRow,
    sent_result_code: -1,
    sent_result_message: 'Message sent successfully',
    delivered_result_code: -1,
    delivered_result_message: 'SMS delivered',
  };
  assert.equal(parseSmsSyncResults({ message_result: [row] })[0]?.state, 'delivered');
});

test('a message with a non-zero sent code failed, and says why', () => {
  const row = {
    uuid: 'c3d9a1e0-7b42-4f8d-a6c5-2e1b0f9d8c73',
    sent_result_code: 1,
    sent_result_message: 'Failed to send SMS - Maybe insufficient air time on the phone.',
    delivered_result_code: -1,
    delivered_result_message: '',
  };
  assert.deepEqual(parseSmsSyncResults({ message_result: [row] }), [
    {
      uuid: 'c3d9a1e0-7b42-4f8d-a6c5-2e1b0f9d8c73',
      state: 'failed',
      detail: 'Failed to send SMS - Maybe insufficient air time on the phone. (sent code 1)',
      sentAt: null,
      deliveredAt: null,
    },
  ]);
});

test('a delivery report with a code other than 0 or -1 means the message was not delivered', () => {
  const row = { ...sentRow, delivered_result_code: 2, delivered_result_message: 'SMS not delivered' };
  assert.equal(parseSmsSyncResults({ message_result: [row] })[0]?.state, 'failed');
});

test('results the app sends as a JSON string inside the object are read like an array', () => {
  const body = { message_result: JSON.stringify([sentRow]) };
  assert.deepEqual(parseSmsSyncResults(body), parseSmsSyncResults({ message_result: [sentRow] }));
});

test('result times in seconds, in milliseconds as text, and in ISO 8601 with a zone are all read', () => {
  const time = (sent_timestamp: unknown) =>
    parseSmsSyncResults({ message_result: [{ ...sentRow, sent_timestamp }] })[0]?.sentAt;
  assert.equal(time(1710405700), '2024-03-14T08:41:40.000Z');
  assert.equal(time('1710405700000'), '2024-03-14T08:41:40.000Z');
  assert.equal(time('2024-03-14T11:41:40+03:00'), '2024-03-14T08:41:40.000Z');
});

test('a result time in the phone’s local format, which has no zone, is left unknown', () => {
  const row = { ...sentRow, sent_timestamp: 'Mar 14, 2024 11:41:40 AM' };
  assert.equal(parseSmsSyncResults({ message_result: [row] })[0]?.sentAt, null);
});

test('an empty list of results gives no results', () => {
  assert.deepEqual(parseSmsSyncResults({ message_result: [] }), []);
});

test('a results body whose message_result is not an array is refused as malformed', () => {
  assert.throws(() => parseSmsSyncResults({ message_result: { uuid: sentRow.uuid } }), malformed);
  assert.throws(() => parseSmsSyncResults({ message_result: '{"uuid":"0b8e7f52"}' }), malformed);
});

test('a results body that is not an object is refused as malformed', () => {
  assert.throws(() => parseSmsSyncResults([sentRow]), malformed);
});

test('a results string that is not JSON is refused as malformed', () => {
  assert.throws(() => parseSmsSyncResults({ message_result: '[{"uuid":' }), malformed);
});

test('a result without a uuid is refused as malformed', () => {
  const { uuid: _uuid, ...row } = sentRow;
  assert.throws(() => parseSmsSyncResults({ message_result: [row] }), malformed);
});

test('a result without a sent code, or with one that is not a whole number, is refused as malformed', () => {
  const { sent_result_code: _code, ...row } = sentRow;
  assert.throws(() => parseSmsSyncResults({ message_result: [row] }), malformed);
  assert.throws(
    () => parseSmsSyncResults({ message_result: [{ ...sentRow, sent_result_code: 'OK' }] }),
    malformed,
  );
});
