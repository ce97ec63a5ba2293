import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TallyError } from '../../errors.js';
import { isSignedByTwilio, parseTwilioInbound, parseTwilioStatus, twilioSignature, twiml } from './twilio.js';

// The example from Twilio's own documentation of request validation.
const documented = {
  authToken: '12345',
  url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
  form: {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+14158675309',
    Digits: '1234',
    From: '+14158675309',
    To: '+18005551212',
  },
  signature: 'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
};

/** An inbound SMS with one picture, as Twilio posts it. */
const inboundSms = {
  ToCountry: 'KE',
  ToState: '',
  SmsMessageSid: 'SM5f1d6d0e8c2a4b7f9e3a1c0d2b4f6a8e',
  NumMedia: '1',
  ToCity: '',
  FromZip: '',
  SmsSid: 'SM5f1d6d0e8c2a4b7f9e3a1c0d2b4f6a8e',
  FromState: '',
  SmsStatus: 'received',
  FromCity: '',
  Body: 'Fire at the market in Kibera, near the Olympic gate',
  FromCountry: 'KE',
  To: '+254700000000',
  ToZip: '',
  NumSegments: '1',
  MessageSid: 'SM5f1d6d0e8c2a4b7f9e3a1c0d2b4f6a8e',
  AccountSid: 'AC0123456789abcdef0123456789abcdef',
  From: '+254722000111',
  MediaContentType0: 'image/jpeg',
  MediaUrl0:
    'https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages/MM1/Media/ME1',
  ApiVersion: '2010-04-01',
};

test('the signature of Twilio’s documented example is the documented one', () => {
  assert.equal(twilioSignature(documented.authToken, documented.url, documented.form), documented.signature);
});

test('a request carrying the documented signature is taken as signed by Twilio', () => {
  const { authToken, url, form, signature } = documented;
  assert.equal(isSignedByTwilio(authToken, url, form, signature), true);
});

test('a request with one field changed after signing is refused', () => {
  const { authToken, url, form, signature } = documented;
  assert.equal(isSignedByTwilio(authToken, url, { ...form, Digits: '1235' }, signature), false);
});

test('a request signed for another URL is refused', () => {
  const { authToken, form, signature } = documented;
  assert.equal(isSignedByTwilio(authToken, 'https://mycompany.com/myapp.php?foo=1', form, signature), false);
});

test('a request without a signature, or with one of another length, is refused', () => {
  const { authToken, url, form } = documented;
  assert.equal(isSignedByTwilio(authToken, url, form, undefined), false);
  assert.equal(isSignedByTwilio(authToken, url, form, 'short'), false);
});

test('an inbound SMS gives its sid, sender, receiver, text and picture', () => {
  assert.deepEqual(parseTwilioInbound(inboundSms), {
    providerId: 'SM5f1d6d0e8c2a4b7f9e3a1c0d2b4f6a8e',
    from: '+254722000111',
    to: '+254700000000',
    text: 'Fire at the market in Kibera, near the Olympic gate',
    sentAt: null,
    media: [inboundSms.MediaUrl0],
  });
});

test('an inbound message without a MessageSid is refused as malformed', () => {
  const { MessageSid: _sid, SmsSid: _smsSid, ...withoutSid } = inboundSms;
  assert.throws(
    () => parseTwilioInbound(withoutSid),
    (error: unknown) => error instanceof TallyError && error.code === 'malformed_message',
  );
});

test('a NumMedia that is not a small whole number is refused as malformed', () => {
  assert.throws(() => parseTwilioInbound({ ...inboundSms, NumMedia: '1e9' }), TallyError);
});

test('a status callback maps Twilio’s statuses onto queued, sent, delivered and failed', () => {
  const status = (MessageStatus: string, extra = {}) =>
    parseTwilioStatus({ MessageSid: 'SM1', MessageStatus, ...extra });
  assert.equal(status('sending').state, 'queued');
  assert.equal(status('sent').state, 'sent');
  assert.equal(status('delivered').state, 'delivered');
  assert.deepEqual(status('undelivered', { ErrorCode: '30003' }), {
    providerId: 'SM1',
    state: 'failed',
    detail: 'undelivered (error 30003)',
  });
});

test('a status callback with an unknown status is refused as malformed', () => {
  assert.throws(() => parseTwilioStatus({ MessageSid: 'SM1', MessageStatus: 'teleported' }), TallyError);
});

test('a status named like a property every object has is refused as malformed too', () => {
  assert.throws(() => parseTwilioStatus({ MessageSid: 'SM1', MessageStatus: 'toString' }), TallyError);
});

test('TwiML answers with each reply as a Message, its text escaped', () => {
  assert.equal(
    twiml(['Asante! Report #42 received.', 'Reply STOP & <we forget you>']),
    '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Asante! Report #42 received.</Message>' +
      '<Message>Reply STOP &#38; &#60;we forget you&#62;</Message></Response>',
  );
});

test('TwiML with no reply is an empty Response, which sends nothing', () => {
  assert.equal(twiml([]), '<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
});
