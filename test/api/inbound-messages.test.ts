import assert from 'node:assert/strict';
import { test } from 'node:test';
import { webhookSignature } from '../../src/messages/gateways/signed-webhook.js';
import { twilioSignature } from '../../src/messages/gateways/twilio.js';
import { vonageSignature } from '../../src/messages/gateways/vonage.js';
import { buildTestApp, json, type TestApp } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { createCategory } from '../helpers/reports.js';

const authToken = 'f3b1c2d4e5a6978812345678abcdef01';
const kannelSecret = 'kannel-shared-secret-7d1e';
const webhookSecret = 'webhook-secret-0a9b8c7d';
const smsSyncSecret = 'smssync-secret-51e2';
const atSecret = 'at-secret-93c1';
const vonageSecret = 'vonage-signature-secret-2f8a';

/** An inbound SMS as Twilio posts it. */
const twilioSms = {
  MessageSid: 'SM5f1d6d0e8c2a4b7f9e3a1c0d2b4f6a8e',
  AccountSid: 'AC0123456789abcdef0123456789abcdef',
  From: '+254722000111',
  To: '+254700000000',
  Body: 'Moto sokoni Kibera, karibu na lango la Olympic',
  NumMedia: '0',
  ApiVersion: '2010-04-01',
};

async function withChannels(testApp: TestApp): Promise<void> {
  const coordinator = await testApp.as('coordinator');
  for (const channel of [
    { id: 'twilio-ke', kind: 'twilio', secrets: { authToken }, settings: { language: 'sw' } },
    { id: 'kannel', kind: 'kannel', secrets: { secret: kannelSecret } },
    { id: 'partner', kind: 'webhook', secrets: { secret: webhookSecret } },
    { id: 'phone', kind: 'smssync', secrets: { secret: smsSyncSecret } },
    { id: 'at', kind: 'africastalking', secrets: { secret: atSecret } },
    {
      id: 'vonage',
      kind: 'vonage',
      secrets: { signatureSecret: vonageSecret },
      settings: { signatureMethod: 'sha256' },
    },
  ]) {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/api/v1/channels',
      headers: coordinator,
      payload: channel,
    });
    assert.equal(response.statusCode, 201, response.body);
  }
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

async function postTwilio(testApp: TestApp, fields: Record<string, string>, signature?: string) {
  const url = '/api/v1/inbound/twilio/twilio-ke';
  return testApp.app.inject({
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      host: 'tally.example.org',
      'x-twilio-signature': signature ?? twilioSignature(authToken, `http://tally.example.org${url}`, fields),
    },
    payload: form(fields),
  });
}

async function inbox(testApp: TestApp) {
  const response = await testApp.app.inject({
    url: '/api/v1/messages?direction=inbound',
    headers: await testApp.as('volunteer'),
  });
  assert.equal(response.statusCode, 200, response.body);
  return json<{ data: { id: string; number: number; text: string; channel: string; status: string }[] }>(
    response,
  ).data;
}

forEachDatabase('messages from gateways', (open) => {
  test('a signed Twilio SMS is stored and answered with TwiML acknowledging its number', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    const response = await postTwilio(testApp, twilioSms);
    assert.equal(response.statusCode, 200, response.body);
    assert.match(String(response.headers['content-type']), /^text\/xml/);
    const [message] = await inbox(testApp);
    assert.equal(message?.text, twilioSms.Body);
    assert.equal(message?.status, 'received');
    // The channel answers in Swahili, as its settings say.
    assert.equal(
      response.body,
      `<?xml version="1.0" encoding="UTF-8"?><Response><Message>Asante. Tumepokea ujumbe wako, nambari ${message?.number}. Wajitolea wataisoma.</Message></Response>`,
    );
  });

  test('Twilio retrying the same MessageSid stores the message once', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    for (let attempt = 0; attempt < 3; attempt++) {
      assert.equal((await postTwilio(testApp, twilioSms)).statusCode, 200);
    }
    assert.equal((await inbox(testApp)).length, 1);
  });

  test('a forged Twilio request is refused, counted on its channel, and stores nothing', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    const forged = await postTwilio(testApp, twilioSms, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    assert.equal(forged.statusCode, 403);
    assert.match(String(forged.headers['content-type']), /^application\/problem\+json/);
    assert.equal(json(forged).code, 'invalid_signature');
    assert.equal((await inbox(testApp)).length, 0);
    const channels = await testApp.app.inject({
      url: '/api/v1/channels',
      headers: await testApp.as('coordinator'),
    });
    const twilio = json<{ data: { id: string; refused_requests: number; secrets: string[] }[] }>(
      channels,
    ).data.find((channel) => channel.id === 'twilio-ke');
    assert.equal(twilio?.refused_requests, 1);
    assert.deepEqual(twilio?.secrets, ['authToken']);
    assert.doesNotMatch(channels.body, new RegExp(authToken));
  });

  test('a Twilio message without a MessageSid is refused as malformed and stores nothing', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    const { MessageSid: _sid, ...withoutSid } = twilioSms;
    const response = await postTwilio(testApp, withoutSid);
    assert.equal(response.statusCode, 400);
    assert.equal(json(response).code, 'malformed_message');
    assert.equal((await inbox(testApp)).length, 0);
  });

  test('Kannel’s get-url with the channel’s secret is stored and answered in a text body', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    const query = new URLSearchParams({
      secret: kannelSecret,
      from: '+254722000111',
      to: '+254700000000',
      text: 'Fire at the market',
      ts: '2026-11-26 06:12:00',
      smsc: 'fake',
      id: '0b4f3c2a-9d8e-4f1a-b2c3-d4e5f6a7b8c9',
    });
    const response = await testApp.app.inject({ url: `/api/v1/inbound/kannel/kannel?${query}` });
    assert.equal(response.statusCode, 200, response.body);
    assert.match(String(response.headers['content-type']), /^text\/plain/);
    const [message] = await inbox(testApp);
    assert.equal(
      response.body,
      `Thank you. We received your message, number ${message?.number}. Volunteers will read it.`,
    );
  });

  test('Kannel without the secret is refused', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    const response = await testApp.app.inject({
      url: '/api/v1/inbound/kannel/kannel?from=%2B254722000111&text=hi&id=0b4f3c2a-9d8e-4f1a-b2c3-d4e5f6a7b8c9',
    });
    assert.equal(response.statusCode, 403);
  });

  test('the sender’s number is stored nowhere in the clear', async () => {
    const db = await open();
    const testApp = await buildTestApp(db);
    await withChannels(testApp);
    await postTwilio(testApp, twilioSms);
    const rows = [
      ...(await db.kysely.selectFrom('messages').selectAll().execute()),
      ...(await db.kysely.selectFrom('contacts').selectAll().execute()),
    ];
    assert.equal(rows.length, 2);
    assert.doesNotMatch(JSON.stringify(rows), /254722000111/);
    assert.doesNotMatch(JSON.stringify(await inbox(testApp)), /254722000111/);
  });

  test('a generic webhook message signed over its raw body is stored; the same body unsigned is refused', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    const body = Buffer.from(
      JSON.stringify({ id: 'wa-3EB0C767D26A1B2C', from: '+256772000111', text: 'Daraja limevunjika Kasese' }),
    );
    const post = (headers: Record<string, string>) =>
      testApp.app.inject({
        method: 'POST',
        url: '/api/v1/inbound/webhook/partner',
        headers: { 'content-type': 'application/json', ...headers },
        payload: body,
      });
    assert.equal((await post({})).statusCode, 403);
    const signed = await post({ 'x-tally-signature': webhookSignature(webhookSecret, body) });
    assert.equal(signed.statusCode, 200, signed.body);
    assert.deepEqual(
      (await inbox(testApp)).map((message) => [message.channel, message.text]),
      [['partner', 'Daraja limevunjika Kasese']],
    );
  });

  test('an SMSSync phone posting with the channel’s secret gets SMSSync’s success answer', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    const post = (secret: string) =>
      testApp.app.inject({
        method: 'POST',
        url: '/api/v1/inbound/smssync/phone',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: form({
          secret,
          from: '+254722000111',
          message: 'Maji hakuna Mathare tangu jana',
          message_id: '9b2f3a1c-6d4e-4c8b-a1f0-2e3d4c5b6a79',
          sent_timestamp: '1795241520000',
          sent_to: '+254700000000',
          device_id: 'tecno-spark-01',
        }),
      });
    assert.equal((await post('wrong')).statusCode, 403);
    const accepted = await post(smsSyncSecret);
    assert.equal(accepted.statusCode, 200, accepted.body);
    const [message] = await inbox(testApp);
    assert.equal(message?.text, 'Maji hakuna Mathare tangu jana');
    // The phone sends the acknowledgement itself, as the task in SMSSync's answer.
    const answer = json<{
      payload: {
        success: boolean;
        task: string;
        secret: string;
        messages: { to: string; message: string; uuid: string }[];
      };
    }>(accepted).payload;
    assert.deepEqual(
      [answer.success, answer.task, answer.secret, answer.messages.map((m) => [m.to, m.message])],
      [
        true,
        'send',
        smsSyncSecret,
        [
          [
            '+254722000111',
            `Thank you. We received your message, number ${message?.number}. Volunteers will read it.`,
          ],
        ],
      ],
    );
    assert.match(answer.messages[0]?.uuid ?? '', /^[0-9a-f-]{36}$/);
  });

  test('an SMSSync phone fetches the notice of a published report, says it sent it, then that it was delivered', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    const { app } = testApp;
    const smsSync = (url: string, payload?: unknown) =>
      app.inject({
        method: payload === undefined ? 'GET' : 'POST',
        url: `/api/v1/inbound/smssync/phone${url}`,
        ...(payload === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) }),
      });
    const inbound = await app.inject({
      method: 'POST',
      url: '/api/v1/inbound/smssync/phone',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({
        secret: smsSyncSecret,
        from: '+254722000111',
        message: 'Maji hakuna',
        message_id: '9b2f3a1c-6d4e-4c8b-a1f0-2e3d4c5b6a79',
      }),
    });
    assert.equal(inbound.statusCode, 200);
    const [message] = await inbox(testApp);
    const volunteer = await testApp.as('volunteer');
    const made = await app.inject({
      method: 'POST',
      url: `/api/v1/messages/${message?.id}/report`,
      headers: volunteer,
      payload: {},
    });
    const reportId = json<{ report: { id: string } }>(made).report.id;
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/reports/${reportId}`,
      headers: volunteer,
      payload: { status: 'published' },
    });
    // Nothing is pushed: the phone comes for it.
    assert.equal(await testApp.services.outbox.runOnce(), 0);
    assert.equal((await smsSync('?task=send&secret=wrong')).statusCode, 403);
    const fetched = json<{
      payload: { task: string; messages: { to: string; message: string; uuid: string }[] };
    }>(await smsSync(`?task=send&secret=${smsSyncSecret}`)).payload;
    assert.equal(fetched.task, 'send');
    assert.deepEqual(
      fetched.messages.map((m) => [m.to, m.message]),
      [['+254722000111', `Your message number ${message?.number} is now public on the map.`]],
    );
    const uuid = fetched.messages[0]!.uuid;
    // Fetched once: a second poll gets nothing more.
    assert.deepEqual(
      json<{ payload: { messages: unknown[] } }>(await smsSync(`?task=send&secret=${smsSyncSecret}`)).payload
        .messages,
      [],
    );
    const sent = await smsSync('?task=sent', {
      queued_messages: [uuid, '00000000-0000-4000-8000-000000000000'],
    });
    assert.deepEqual(json(sent), { message_uuids: [uuid] });
    assert.deepEqual(json(await smsSync('?task=result')), { message_uuids: [uuid] });
    const result = await smsSync('?task=result', {
      message_result: [
        {
          uuid,
          sent_result_code: 0,
          sent_result_message: 'SMSSync Message Sent',
          delivered_result_code: -1,
          delivered_result_message: 'SMS Delivered',
          sent_timestamp: '1795241520000',
          delivered_timestamp: '1795241525000',
        },
      ],
    });
    assert.equal(result.statusCode, 200, result.body);
    const outbound = await app.inject({ url: '/api/v1/messages?direction=outbound', headers: volunteer });
    assert.equal(json<{ data: { status: string }[] }>(outbound).data[0]?.status, 'delivered');
  });

  test('Africa’s Talking delivering to its callback URL with the secret is stored', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    const response = await testApp.app.inject({
      method: 'POST',
      url: `/api/v1/inbound/africastalking/at?secret=${atSecret}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({
        from: '+256772000111',
        to: '22141',
        text: 'Mafuriko Kasese, barabara imefungwa',
        date: '2026-11-26 06:12:00',
        id: 'ATXid_6d1c7f1e2a3b4c5d6e7f8a9b0c1d2e3f',
        linkId: 'SampleLinkId123',
      }),
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal((await inbox(testApp))[0]?.text, 'Mafuriko Kasese, barabara imefungwa');
  });

  test('a Vonage message signed with the channel’s signature secret is stored; a stale one is refused', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    const message = (timestamp: number) => {
      const fields: Record<string, string> = {
        msisdn: '254722000111',
        to: '254700000000',
        messageId: '1600000012AB34CD',
        text: 'Fire at the market',
        type: 'text',
        keyword: 'FIRE',
        'message-timestamp': '2026-11-26 06:12:00',
        timestamp: String(timestamp),
        nonce: 'a7f1c2d3-1111-4e5f-9a8b-7c6d5e4f3a2b',
      };
      return form({ ...fields, sig: vonageSignature(fields, vonageSecret, 'sha256') });
    };
    const post = (payload: string) =>
      testApp.app.inject({
        method: 'POST',
        url: '/api/v1/inbound/vonage/vonage',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload,
      });
    const now = Math.floor(Date.now() / 1000);
    assert.equal((await post(message(now - 3600))).statusCode, 403);
    assert.equal((await post(message(now))).statusCode, 204);
    assert.equal((await inbox(testApp))[0]?.text, 'Fire at the market');
  });

  test('a volunteer makes a report of an SMS: pre-filled from its text, its source sms, the message linked', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    await postTwilio(testApp, twilioSms);
    const [message] = await inbox(testApp);
    const volunteer = await testApp.as('volunteer');
    const response = await testApp.app.inject({
      method: 'POST',
      url: `/api/v1/messages/${message?.id}/report`,
      headers: volunteer,
      payload: { location: { lat: -1.3133, lon: 36.7876, name: 'Kibera, Nairobi' } },
    });
    assert.equal(response.statusCode, 201, response.body);
    const made = json<{
      message: { status: string; report_id: string };
      report: {
        id: string;
        title: string;
        description: string;
        source: string;
        status: string;
        created_by: unknown;
      };
    }>(response);
    assert.equal(made.report.title, twilioSms.Body);
    assert.equal(made.report.description, twilioSms.Body);
    assert.equal(made.report.source, 'sms');
    assert.equal(made.report.status, 'pending');
    assert.equal(made.report.created_by, null);
    assert.deepEqual([made.message.status, made.message.report_id], ['processed', made.report.id]);
    // The sender's number does not travel into the report.
    assert.doesNotMatch(response.body, /254722000111/);
  });

  test('the inbox proposes the place a message names, in its sender’s country, and the report made of it starts there', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    await postTwilio(testApp, {
      ...twilioSms,
      From: '+256772000111',
      Body: 'Mafuriko Kasese, barabara imefungwa',
    });
    const volunteer = await testApp.as('volunteer');
    const listed = await testApp.app.inject({
      url: '/api/v1/messages?direction=inbound',
      headers: volunteer,
    });
    const [message] = json<{
      data: { id: string; suggested_location: { name: string; source: string; confidence: number } | null }[];
    }>(listed).data;
    assert.equal(message?.suggested_location?.name, 'Kasese, UG', listed.body);
    assert.equal(message?.suggested_location?.source, 'gazetteer');
    const made = await testApp.app.inject({
      method: 'POST',
      url: `/api/v1/messages/${message?.id}/report`,
      headers: volunteer,
      payload: {},
    });
    const report = json<{ report: { location: { lat: number } | null; location_name: string | null } }>(
      made,
    ).report;
    assert.equal(report.location_name, 'Kasese, UG');
    assert.ok(Math.abs((report.location?.lat ?? 0) - 0.18) < 0.1);
  });

  test('keywords in any language route a message to their category, and the report made of it has it', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    const coordinator = await testApp.as('coordinator');
    const fire = await createCategory(testApp.app, coordinator, { name: 'Fire' });
    await createCategory(testApp.app, coordinator, { name: 'Water' });
    const set = await testApp.app.inject({
      method: 'PUT',
      url: `/api/v1/categories/${fire.id}/keywords`,
      headers: coordinator,
      payload: { keywords: ['Moto', 'fire', 'Incendie', 'moto'] },
    });
    assert.equal(set.statusCode, 200, set.body);
    assert.deepEqual(json(set), { keywords: ['fire', 'incendie', 'moto'] });
    await postTwilio(testApp, twilioSms);
    const volunteer = await testApp.as('volunteer');
    const listed = await testApp.app.inject({
      url: '/api/v1/messages?direction=inbound',
      headers: volunteer,
    });
    const [message] = json<{ data: { id: string; suggested_categories: string[] }[] }>(listed).data;
    assert.deepEqual(message?.suggested_categories, [fire.id]);
    const made = await testApp.app.inject({
      method: 'POST',
      url: `/api/v1/messages/${message?.id}/report`,
      headers: volunteer,
      payload: {},
    });
    assert.deepEqual(json<{ report: { categories: string[] } }>(made).report.categories, [fire.id]);
  });

  test('a keyword of more than three words is refused, and only coordinators set keywords', async () => {
    const testApp = await buildTestApp(await open());
    const coordinator = await testApp.as('coordinator');
    const fire = await createCategory(testApp.app, coordinator, { name: 'Fire' });
    const put = (headers: Record<string, string>, keywords: string[]) =>
      testApp.app.inject({
        method: 'PUT',
        url: `/api/v1/categories/${fire.id}/keywords`,
        headers,
        payload: { keywords },
      });
    assert.equal((await put(coordinator, ['the market is burning'])).statusCode, 400);
    assert.equal((await put(await testApp.as('volunteer'), ['moto'])).statusCode, 403);
  });

  test('a sender a volunteer trusts makes pending reports directly, and the trust is on the public record', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    await postTwilio(testApp, twilioSms);
    const volunteer = await testApp.as('volunteer');
    const [first] = json<{ data: { contact: string }[] }>(
      await testApp.app.inject({ url: '/api/v1/messages?direction=inbound', headers: volunteer }),
    ).data;
    const trusted = await testApp.app.inject({
      method: 'POST',
      url: `/api/v1/contacts/${first?.contact}/trust`,
      headers: volunteer,
      payload: { trust: 'trusted' },
    });
    assert.equal(trusted.statusCode, 204, trusted.body);
    await postTwilio(testApp, {
      ...twilioSms,
      MessageSid: 'SMtrusted1',
      Body: 'Daraja la Mathare limevunjika',
    });
    const [latest] = await inbox(testApp);
    assert.equal(latest?.status, 'processed');
    const report = await testApp.app.inject({
      url: `/api/v1/reports/${(latest as unknown as { report_id: string }).report_id}`,
      headers: volunteer,
    });
    assert.equal(json(report).status, 'pending');
    assert.equal(json(report).title, 'Daraja la Mathare limevunjika');
    const entries = await testApp.app.inject({ url: '/api/v1/ledger/entries?start=0&end=1000' });
    const trust = json<{ entries: { action: string; subject: string }[] }>(entries).entries.find(
      (entry) => entry.action === 'contact.trust',
    );
    assert.equal(trust?.subject, `contact:${first?.contact}`);
    assert.doesNotMatch(entries.body, /254722000111/);
  });

  test('a blocked sender’s messages are kept out of the inbox and unanswered', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    await postTwilio(testApp, twilioSms);
    const volunteer = await testApp.as('volunteer');
    const [first] = await inbox(testApp);
    await testApp.app.inject({
      method: 'POST',
      url: `/api/v1/contacts/${(first as unknown as { contact: string }).contact}/trust`,
      headers: volunteer,
      payload: { trust: 'blocked' },
    });
    const answer = await postTwilio(testApp, { ...twilioSms, MessageSid: 'SMblocked1', Body: 'spam spam' });
    assert.doesNotMatch(answer.body, /<Message>/);
    assert.equal((await inbox(testApp))[0]?.status, 'archived');
  });

  test('a place coordinators added to the deployment’s list is proposed for a message that names it', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    const coordinator = await testApp.as('coordinator');
    const added = await testApp.app.inject({
      method: 'POST',
      url: '/api/v1/geo/local-places',
      headers: coordinator,
      payload: { name: 'Toi Market', lat: -1.3105, lon: 36.7868 },
    });
    assert.equal(added.statusCode, 201, added.body);
    const volunteerAdds = await testApp.app.inject({
      method: 'POST',
      url: '/api/v1/geo/local-places',
      headers: await testApp.as('volunteer'),
      payload: { name: 'Olympic', lat: -1.31, lon: 36.78 },
    });
    assert.equal(volunteerAdds.statusCode, 403);
    await postTwilio(testApp, { ...twilioSms, Body: 'Moto kwenye Toi market sasa hivi' });
    const listed = await testApp.app.inject({
      url: '/api/v1/messages?direction=inbound',
      headers: await testApp.as('volunteer'),
    });
    const [message] = json<{ data: { suggested_location: { name: string; source: string } | null }[] }>(
      listed,
    ).data;
    assert.deepEqual(
      [message?.suggested_location?.name, message?.suggested_location?.source],
      ['Toi Market', 'places'],
    );
  });

  test('a message already made into a report cannot be made into a second one', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    await postTwilio(testApp, twilioSms);
    const [message] = await inbox(testApp);
    const volunteer = await testApp.as('volunteer');
    const make = () =>
      testApp.app.inject({
        method: 'POST',
        url: `/api/v1/messages/${message?.id}/report`,
        headers: volunteer,
        payload: {},
      });
    assert.equal((await make()).statusCode, 201);
    const again = await make();
    assert.equal(again.statusCode, 409);
    assert.equal(json(again).code, 'message_already_linked');
  });

  test('a second message about the same event is attached to the report the first became', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    await postTwilio(testApp, twilioSms);
    await postTwilio(testApp, {
      ...twilioSms,
      MessageSid: 'SM0000000000000000000000000000beef',
      Body: 'Moto bado unawaka',
    });
    const [second, first] = await inbox(testApp);
    const volunteer = await testApp.as('volunteer');
    const made = await testApp.app.inject({
      method: 'POST',
      url: `/api/v1/messages/${first?.id}/report`,
      headers: volunteer,
      payload: {},
    });
    const reportId = json<{ report: { id: string } }>(made).report.id;
    const attached = await testApp.app.inject({
      method: 'POST',
      url: `/api/v1/messages/${second?.id}/attach`,
      headers: volunteer,
      payload: { report_id: reportId },
    });
    assert.equal(attached.statusCode, 200, attached.body);
    assert.deepEqual([json(attached).report_id, json(attached).status], [reportId, 'processed']);
  });

  test('a message archived as noise leaves the received ones and stays stored', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    await postTwilio(testApp, { ...twilioSms, Body: 'Win a free phone!!! Reply YES' });
    const [message] = await inbox(testApp);
    const archived = await testApp.app.inject({
      method: 'POST',
      url: `/api/v1/messages/${message?.id}/archive`,
      headers: await testApp.as('volunteer'),
    });
    assert.equal(archived.statusCode, 200, archived.body);
    const received = await testApp.app.inject({
      url: '/api/v1/messages?status=received',
      headers: await testApp.as('volunteer'),
    });
    assert.deepEqual(json<{ data: unknown[] }>(received).data, []);
    assert.equal((await inbox(testApp))[0]?.status, 'archived');
  });

  test('triaging a message that does not exist is a 404', async () => {
    const testApp = await buildTestApp(await open());
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/api/v1/messages/0190a1b2-0000-7000-8000-000000000000/archive',
      headers: await testApp.as('volunteer'),
    });
    assert.equal(response.statusCode, 404);
    assert.equal(json(response).code, 'message_not_found');
  });

  test('a sender who writes STOP is forgotten: number and raw requests gone, told so in their language', async () => {
    const db = await open();
    const testApp = await buildTestApp(db);
    await withChannels(testApp);
    await postTwilio(testApp, twilioSms);
    const stop = await postTwilio(testApp, {
      ...twilioSms,
      MessageSid: 'SM00000000000000000000000000000stop',
      Body: 'STOP',
    });
    assert.equal(stop.statusCode, 200);
    assert.match(stop.body, /Nambari yako imesahaulika/);
    const contact = await db.kysely.selectFrom('contacts').selectAll().executeTakeFirstOrThrow();
    assert.equal(contact.sealed, null);
    assert.ok(contact.forgotten_at);
    const raws = await db.kysely.selectFrom('messages').select('raw').execute();
    assert.deepEqual(raws, [{ raw: null }, { raw: null }]);
  });

  test('a forgotten sender who writes again is heard again', async () => {
    const db = await open();
    const testApp = await buildTestApp(db);
    await withChannels(testApp);
    await postTwilio(testApp, { ...twilioSms, Body: 'stop' });
    const again = await postTwilio(testApp, {
      ...twilioSms,
      MessageSid: 'SM000000000000000000000000000again',
      Body: 'Moto tena',
    });
    assert.match(again.body, /Asante/);
    const contact = await db.kysely.selectFrom('contacts').selectAll().executeTakeFirstOrThrow();
    assert.ok(contact.sealed);
    assert.equal(contact.forgotten_at, null);
  });

  test('a flood from one number is stored but kept out of the inbox unanswered, and others are still answered', async () => {
    const testApp = await buildTestApp(await open(), { senderMessagesPerMinute: 3 });
    await withChannels(testApp);
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await postTwilio(testApp, {
        ...twilioSms,
        MessageSid: `SMflood${i}`,
        Body: `flood ${i}`,
      });
      assert.equal(response.statusCode, 200);
      answers.push(response.body);
    }
    assert.equal(answers.filter((answer) => answer.includes('<Message>')).length, 3);
    const other = await postTwilio(testApp, {
      ...twilioSms,
      MessageSid: 'SMother',
      From: '+254733000222',
      Body: 'Moto',
    });
    assert.match(other.body, /<Message>/);
    const statuses = (await inbox(testApp)).map((message) => message.status);
    assert.deepEqual(
      [statuses.filter((s) => s === 'received').length, statuses.filter((s) => s === 'archived').length],
      [4, 2],
    );
  });

  test('a channel delivering faster than its limit is told to slow down with a 429 and nothing is stored', async () => {
    const testApp = await buildTestApp(await open(), { channelMessagesPerMinute: 2 });
    await withChannels(testApp);
    for (let i = 0; i < 2; i++) {
      assert.equal((await postTwilio(testApp, { ...twilioSms, MessageSid: `SMfast${i}` })).statusCode, 200);
    }
    const refused = await postTwilio(testApp, { ...twilioSms, MessageSid: 'SMfast2' });
    assert.equal(refused.statusCode, 429);
    assert.equal(json(refused).code, 'rate_limited');
    assert.equal((await inbox(testApp)).length, 2);
  });

  test('an oversized gateway request is refused with a 413 problem', async () => {
    const testApp = await buildTestApp(await open(), { bodyLimitBytes: 4096 });
    await withChannels(testApp);
    const response = await postTwilio(testApp, { ...twilioSms, Body: 'x'.repeat(10_000) });
    assert.equal(response.statusCode, 413);
    assert.equal(json(response).code, 'body_too_large');
  });

  test('a gateway request with a body that is not UTF-8 is refused with a 400 problem', async () => {
    const testApp = await buildTestApp(await open());
    await withChannels(testApp);
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/api/v1/inbound/twilio/twilio-ke',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'x' },
      payload: Buffer.from([0x42, 0x6f, 0x64, 0x79, 0x3d, 0xff, 0xfe]),
    });
    assert.equal(response.statusCode, 400);
    assert.equal(json(response).code, 'invalid_encoding');
  });

  test('a gateway calling a channel that does not exist gets a 404', async () => {
    const testApp = await buildTestApp(await open());
    const response = await postTwilio(testApp, twilioSms);
    assert.equal(response.statusCode, 404);
    assert.equal(json(response).code, 'channel_not_found');
  });

  test('the inbox is for volunteers: the public gets a 401', async () => {
    const testApp = await buildTestApp(await open());
    const response = await testApp.app.inject({ url: '/api/v1/messages' });
    assert.equal(response.statusCode, 401);
  });

  test('a volunteer cannot add a channel', async () => {
    const testApp = await buildTestApp(await open());
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/api/v1/channels',
      headers: await testApp.as('volunteer'),
      payload: { id: 'twilio-ke', kind: 'twilio', secrets: { authToken } },
    });
    assert.equal(response.statusCode, 403);
  });
});
