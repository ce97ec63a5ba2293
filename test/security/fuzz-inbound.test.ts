import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { errorCatalog } from '../../src/errors.js';
import { webhookSignature } from '../../src/messages/gateways/signed-webhook.js';
import { twilioSignature } from '../../src/messages/gateways/twilio.js';
import { vonageSignature } from '../../src/messages/gateways/vonage.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { createCategory } from '../helpers/reports.js';

/**
 * Gateways' requests, correctly authenticated but with random fields, reach each parser and the inbox over
 * HTTP: the answer is never a 5xx, a refusal is problem+json with a code from the catalog, and the messages
 * table gains one whole row or nothing.
 */

/** The string with each lone surrogate replaced by U+FFFD, as UTF-8 encoding does (String#toWellFormed). */
function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

const runs = { numRuns: 30, seed: 20261208 };

const secrets = {
  twilio: 'f3b1c2d4e5a6978812345678abcdef01',
  kannel: 'kannel-shared-secret-7d1e',
  webhook: 'webhook-secret-0a9b8c7d',
  smssync: 'smssync-secret-51e2',
  africastalking: 'at-secret-93c1',
  vonage: 'vonage-signature-secret-2f8a',
  frontlinesms: 'frontline-secret-6c4d',
};

async function withChannels(testApp: TestApp): Promise<void> {
  const coordinator = await testApp.as('coordinator');
  for (const channel of [
    { id: 'twilio', kind: 'twilio', secrets: { authToken: secrets.twilio }, settings: { language: 'sw' } },
    { id: 'kannel', kind: 'kannel', secrets: { secret: secrets.kannel } },
    { id: 'webhook', kind: 'webhook', secrets: { secret: secrets.webhook } },
    { id: 'smssync', kind: 'smssync', secrets: { secret: secrets.smssync } },
    { id: 'africastalking', kind: 'africastalking', secrets: { secret: secrets.africastalking } },
    {
      id: 'vonage',
      kind: 'vonage',
      secrets: { signatureSecret: secrets.vonage },
      settings: { signatureMethod: 'sha256' },
    },
    { id: 'frontlinesms', kind: 'frontlinesms', secrets: { secret: secrets.frontlinesms } },
  ]) {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/api/v1/channels',
      headers: coordinator,
      payload: channel,
    });
    assert.equal(response.statusCode, 201, response.body);
  }
  // Keyword routing runs on every stored message.
  const fire = await createCategory(testApp.app, coordinator, { name: 'Fire' });
  const keywords = await testApp.app.inject({
    method: 'PUT',
    url: `/api/v1/categories/${fire.id}/keywords`,
    headers: coordinator,
    payload: { keywords: ['moto', 'fire', 'incendie', 'ḟïŕé'] },
  });
  assert.equal(keywords.statusCode, 200, keywords.body);
}

/** Text as a sender or a broken gateway may send it: any Unicode, NUL and lone surrogates included. */
const anyText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom('', ' ', 'STOP', 'moto sokoni Kibera', '-1.3133, 36.7876', '\u0000', 'a\u0000b', '\ud800'),
  fc.constantFrom('2026-11-26 06:12:00', '2026-02-30 06:12:00', '1764137520000', '99999999999999999999'),
);

/** A gateway's fields: its own names (each maybe missing) with any values, and some strangers. */
function fieldsWith(names: readonly string[]): fc.Arbitrary<Record<string, string>> {
  return fc.dictionary(
    fc.oneof(fc.constantFrom(...names), fc.string({ minLength: 1, maxLength: 6 })),
    anyText,
    {
      maxKeys: names.length + 2,
    },
  );
}

/** Sends `\ud800` as UTF-8 would: encodeURIComponent refuses a lone surrogate. */
function form(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(
      ([name, value]) => `${encodeURIComponent(wellFormed(name))}=${encodeURIComponent(wellFormed(value))}`,
    )
    .join('&');
}

/** The fields as the server will read them back from the form. */
function wellFormedFields(fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fields).map(([name, value]) => [wellFormed(name), wellFormed(value)]),
  );
}

async function inboundCount(testApp: TestApp, channel: string): Promise<number> {
  const row = await testApp.db.kysely
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('channel_id', '=', channel)
    .where('direction', '=', 'inbound')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function assertNoServerError(response: LightMyRequestResponse): void {
  assert.ok(response.statusCode < 500, `${response.statusCode} ${response.body}`);
  if (response.statusCode >= 400) {
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
    const code = (response.json() as { code: string }).code;
    assert.ok(Object.hasOwn(errorCatalog, code), code);
  }
}

/** Posts once and checks the answer and that at most one whole message was stored, none when refused. */
async function oneRowOrNone(
  testApp: TestApp,
  channel: string,
  send: () => Promise<LightMyRequestResponse>,
): Promise<void> {
  const before = await inboundCount(testApp, channel);
  const response = await send();
  assertNoServerError(response);
  const added = (await inboundCount(testApp, channel)) - before;
  if (response.statusCode >= 400) assert.equal(added, 0, response.body);
  else assert.ok(added === 0 || added === 1, `${added} rows`);
  if (added === 1) {
    const row = await testApp.db.kysely
      .selectFrom('messages')
      .selectAll()
      .where('channel_id', '=', channel)
      .where('direction', '=', 'inbound')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(typeof row.text, 'string');
    assert.ok((row.received_at && row.status === 'received') || row.status === 'processed', row.status);
  }
}

const formPost = (testApp: TestApp, url: string, payload: string, headers: Record<string, string> = {}) =>
  testApp.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload,
  });

forEachDatabase('Inbound gateways fuzzed over HTTP', (open) => {
  test('Twilio posts with any fields, signed, never get a 5xx or leave half a message', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    const url = '/api/v1/inbound/twilio/twilio';
    await fc.assert(
      fc.asyncProperty(
        fieldsWith(['MessageSid', 'From', 'To', 'Body', 'NumMedia', 'MediaUrl0']),
        async (raw) => {
          const fields = wellFormedFields(raw);
          const signature = twilioSignature(secrets.twilio, `http://tally.example.org${url}`, fields);
          await oneRowOrNone(testApp, 'twilio', () =>
            formPost(testApp, url, form(fields), {
              host: 'tally.example.org',
              'x-twilio-signature': signature,
            }),
          );
        },
      ),
      runs,
    );
  });

  test('SMSSync, Africa’s Talking and Kannel deliveries with any fields never get a 5xx or leave half a message', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    await fc.assert(
      fc.asyncProperty(
        fieldsWith(['message_id', 'from', 'message', 'sent_timestamp', 'sent_to']),
        fieldsWith(['id', 'from', 'to', 'text', 'date']),
        fieldsWith(['id', 'from', 'to', 'text', 'ts']),
        async (smsSync, africasTalking, kannel) => {
          await oneRowOrNone(testApp, 'smssync', () =>
            formPost(
              testApp,
              '/api/v1/inbound/smssync/smssync',
              form({ ...smsSync, secret: secrets.smssync }),
            ),
          );
          await oneRowOrNone(testApp, 'africastalking', () =>
            formPost(
              testApp,
              `/api/v1/inbound/africastalking/africastalking?secret=${secrets.africastalking}`,
              form(africasTalking),
            ),
          );
          await oneRowOrNone(testApp, 'kannel', () =>
            testApp.app.inject({
              url: `/api/v1/inbound/kannel/kannel?${form({ ...kannel, secret: secrets.kannel })}`,
            }),
          );
        },
      ),
      runs,
    );
  });

  test('Vonage posts with any fields, signed, never get a 5xx or leave half a message', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    await fc.assert(
      fc.asyncProperty(
        fieldsWith(['messageId', 'msisdn', 'to', 'text', 'type', 'message-timestamp']),
        async (raw) => {
          const { sig: _sig, timestamp: _timestamp, ...rest } = wellFormedFields(raw);
          const fields = { ...rest, timestamp: String(Math.floor(Date.now() / 1000)) };
          const signed = { ...fields, sig: vonageSignature(fields, secrets.vonage, 'sha256') };
          await oneRowOrNone(testApp, 'vonage', () =>
            formPost(testApp, '/api/v1/inbound/vonage/vonage', form(signed)),
          );
        },
      ),
      runs,
    );
  });

  test('signed webhook and FrontlineSMS JSON of any shape never gets a 5xx or leaves half a message', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    const jsonBody = (names: readonly string[]) =>
      fc.oneof(
        fc.dictionary(fc.constantFrom(...names), fc.oneof(anyText, fc.jsonValue()), {
          maxKeys: names.length,
        }),
        fc.jsonValue(),
      );
    await fc.assert(
      fc.asyncProperty(
        jsonBody(['id', 'from', 'to', 'text', 'sent_at']),
        jsonBody(['from', 'message', 'timestamp']),
        async (webhook, frontline) => {
          const raw = Buffer.from(JSON.stringify(webhook) ?? 'null', 'utf8');
          await oneRowOrNone(testApp, 'webhook', () =>
            testApp.app.inject({
              method: 'POST',
              url: '/api/v1/inbound/webhook/webhook',
              headers: {
                'content-type': 'application/json',
                'x-tally-signature': webhookSignature(secrets.webhook, raw),
              },
              payload: raw,
            }),
          );
          const withSecret =
            frontline && typeof frontline === 'object' && !Array.isArray(frontline)
              ? { ...frontline, secret: secrets.frontlinesms }
              : frontline;
          await oneRowOrNone(testApp, 'frontlinesms', () =>
            testApp.app.inject({
              method: 'POST',
              url: '/api/v1/inbound/frontlinesms/frontlinesms',
              headers: { 'content-type': 'application/json' },
              payload: JSON.stringify(withSecret) ?? 'null',
            }),
          );
        },
      ),
      runs,
    );
  });

  test('delivery reports and SMSSync’s task lists with any fields never get a 5xx', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    const ids = fc.oneof(anyText, fc.jsonValue());
    await fc.assert(
      fc.asyncProperty(
        fieldsWith(['id', 'type', 'reply']),
        fieldsWith(['id', 'status', 'failureReason']),
        fc.oneof(fc.record({ queued_messages: fc.array(ids, { maxLength: 3 }) }), fc.jsonValue()),
        fc.oneof(
          fc.record({
            message_result: fc.array(
              fc.dictionary(fc.constantFrom('uuid', 'sent_result_code', 'delivered_result_code'), ids),
              { maxLength: 3 },
            ),
          }),
          fc.jsonValue(),
        ),
        async (kannel, africasTalking, sent, results) => {
          assertNoServerError(
            await testApp.app.inject({
              url: `/api/v1/inbound/kannel/kannel/delivery?${form({ ...kannel, secret: secrets.kannel })}`,
            }),
          );
          assertNoServerError(
            await formPost(
              testApp,
              `/api/v1/inbound/africastalking/africastalking/delivery?secret=${secrets.africastalking}`,
              form(africasTalking),
            ),
          );
          for (const [task, body] of [
            ['sent', sent],
            ['result', results],
          ] as const) {
            assertNoServerError(
              await testApp.app.inject({
                method: 'POST',
                url: `/api/v1/inbound/smssync/smssync?task=${task}`,
                headers: { 'content-type': 'application/json' },
                payload: JSON.stringify(body) ?? 'null',
              }),
            );
          }
        },
      ),
      runs,
    );
  });

  test('any bytes to any gateway, unsigned, are refused with a problem and store nothing', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('twilio', 'kannel', 'webhook', 'smssync', 'africastalking', 'vonage', 'frontlinesms'),
        fc.constantFrom(
          'application/x-www-form-urlencoded',
          'application/json',
          'text/plain',
          'multipart/form-data',
        ),
        fc.uint8Array({ maxLength: 300 }),
        async (kind, type, bytes) => {
          await oneRowOrNone(testApp, kind, () =>
            testApp.app.inject({
              method: 'POST',
              url: `/api/v1/inbound/${kind}/${kind}`,
              headers: { 'content-type': type },
              payload: Buffer.from(bytes),
            }),
          );
        },
      ),
      runs,
    );
  });
});
