import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { errorCatalog, TallyError } from '../../errors.js';
import { parseAfricasTalkingDelivery, parseAfricasTalkingInbound } from './africas-talking.js';
import { parseFrontlineInbound } from './frontlinesms.js';
import { type FormFields, gatewayTime, type InboundMessage } from './inbound-message.js';
import { parseKannelDelivery, parseKannelInbound } from './kannel.js';
import { parseWebhookMessage } from './signed-webhook.js';
import { acceptSentUuids, parseSmsSyncInbound, parseSmsSyncResults } from './smssync.js';
import { parseTwilioInbound, parseTwilioStatus } from './twilio.js';
import { parseVonageDelivery, parseVonageInbound, vonageMessagePart } from './vonage.js';

const runs = { numRuns: 200, seed: 20261208 };

/** Text as gateways may send it: any Unicode, lone surrogates, control characters and NUL included. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom(
      '\u0000',
      '\ud800',
      '\udfff',
      '\u202e',
      '\ufeff',
      ' ',
      '0',
      '9',
      '-',
      ':',
      'T',
      'Z',
    ),
    maxLength: 25,
  }),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1e400',
    'NaN',
    '2026-02-30 10:00:00',
    '2026-11-26 06:12:00',
    '99999999999999999999',
  ),
);

/** A field's value as a parsed form gives it: one value, several (a name sent twice), or none. */
const formValue = fc.oneof(anyText, fc.array(anyText, { maxLength: 3 }), fc.constant(undefined));

/** A form holding the gateway's own field names (and others), each with any value. */
function formWith(names: readonly string[]): fc.Arbitrary<FormFields> {
  return fc.dictionary(fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 8 })), formValue, {
    maxKeys: 12,
  });
}

/** Either an answer or a TallyError from the catalog with a 4xx status: never anything else. */
function acceptedOrRefused<T>(parse: () => T, check: (value: T) => void = () => {}): void {
  let value: T;
  try {
    value = parse();
  } catch (error) {
    assert.ok(error instanceof TallyError, `threw ${String(error)}`);
    assert.ok(Object.hasOwn(errorCatalog, error.code));
    assert.ok(error.status >= 400 && error.status < 500, `${error.code} is ${error.status}`);
    return;
  }
  check(value);
}

function wellFormed(message: InboundMessage): void {
  assert.equal(typeof message.providerId, 'string');
  assert.ok(message.providerId.length > 0);
  assert.equal(typeof message.from, 'string');
  assert.ok(message.from.length > 0);
  assert.equal(typeof message.text, 'string');
  assert.ok(message.to === null || typeof message.to === 'string');
  if (message.sentAt !== null) assert.equal(new Date(message.sentAt).toISOString(), message.sentAt);
  assert.ok(message.media.every((url) => typeof url === 'string'));
}

const inboundForms: [string, readonly string[], (form: FormFields) => InboundMessage][] = [
  [
    'Twilio',
    ['MessageSid', 'SmsSid', 'From', 'To', 'Body', 'NumMedia', 'MediaUrl0', 'MediaUrl1'],
    parseTwilioInbound,
  ],
  ['SMSSync', ['message_id', 'from', 'message', 'sent_timestamp', 'sent_to', 'secret'], parseSmsSyncInbound],
  ["Africa's Talking", ['id', 'from', 'to', 'text', 'date', 'linkId'], parseAfricasTalkingInbound],
  [
    'Vonage',
    ['messageId', 'msisdn', 'to', 'text', 'type', 'message-timestamp', 'concat'],
    parseVonageInbound,
  ],
  ['Kannel', ['id', 'from', 'to', 'text', 'ts', 'secret'], parseKannelInbound],
];

describe('SMS gateways’ inbound forms with any fields', () => {
  for (const [name, fields, parse] of inboundForms) {
    it(`${name}: give a well-formed message or a malformed_message problem, never a crash`, () => {
      fc.assert(
        fc.property(formWith(fields), (form) => acceptedOrRefused(() => parse(form), wellFormed)),
        runs,
      );
    });
  }

  it('Vonage multipart headers never crash', () => {
    fc.assert(
      fc.property(formWith(['concat', 'concat-ref', 'concat-total', 'concat-part']), (form) =>
        acceptedOrRefused(() => vonageMessagePart(form)),
      ),
      runs,
    );
  });
});

describe('SMS gateways’ delivery reports with any fields', () => {
  const reports: [string, readonly string[], (form: FormFields) => unknown][] = [
    ['Twilio', ['MessageSid', 'MessageStatus', 'ErrorCode'], parseTwilioStatus],
    ['Kannel', ['id', 'type', 'reply'], parseKannelDelivery],
    ["Africa's Talking", ['id', 'status', 'failureReason'], parseAfricasTalkingDelivery],
    ['Vonage', ['messageId', 'status', 'err-code'], parseVonageDelivery],
  ];
  for (const [name, fields, parse] of reports) {
    it(`${name}: give a report or a malformed_message problem`, () => {
      fc.assert(
        fc.property(formWith(fields), (form) => acceptedOrRefused(() => parse(form))),
        runs,
      );
    });
  }
});

/** JSON as a gateway might post it: the right keys with values of any type, or anything at all. */
function jsonWith(keys: readonly string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.dictionary(
      fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 6 })),
      fc.oneof(anyText, fc.jsonValue()),
      {
        maxKeys: 8,
      },
    ),
    fc.jsonValue(),
    fc.anything(),
  );
}

describe('JSON gateway bodies of any shape', () => {
  it('the signed webhook gives a well-formed message or a malformed_message problem', () => {
    fc.assert(
      fc.property(jsonWith(['id', 'from', 'to', 'text', 'sent_at']), (body) =>
        acceptedOrRefused(() => parseWebhookMessage(body), wellFormed),
      ),
      runs,
    );
  });

  it('FrontlineSMS gives a well-formed message or a malformed_message problem', () => {
    fc.assert(
      fc.property(jsonWith(['from', 'message', 'timestamp', 'secret']), (body) =>
        acceptedOrRefused(() => parseFrontlineInbound(body), wellFormed),
      ),
      runs,
    );
  });

  it('SMSSync’s message results and sent lists never crash', () => {
    const results = fc.oneof(
      jsonWith(['message_result']),
      fc
        .array(jsonWith(['uuid', 'sent_result_code', 'sent_result_message', 'delivered_result_code']), {
          maxLength: 4,
        })
        .map((list) => ({ message_result: list })),
    );
    fc.assert(
      fc.property(results, (body) => acceptedOrRefused(() => parseSmsSyncResults(body))),
      runs,
    );
    fc.assert(
      fc.property(jsonWith(['queued_messages']), fc.array(fc.string(), { maxLength: 3 }), (body, ours) =>
        acceptedOrRefused(() => acceptSentUuids(body, new Set(ours))),
      ),
      runs,
    );
  });
});

describe('gateway times', () => {
  it('are an ISO 8601 instant or null for any text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const time = gatewayTime(text);
        if (time !== null) assert.equal(new Date(time).toISOString(), time);
      }),
      runs,
    );
  });
});
