import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { test } from 'node:test';
import { isSignedWebhook } from '../../src/messages/gateways/signed-webhook.js';
import { twilioSignature } from '../../src/messages/gateways/twilio.js';
import { maxAttempts, retryDelayMs } from '../../src/messages/outbox.service.js';
import { buildTestApp, json, localTargets, type TestApp } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { outboundMessages, receiveOnPartnerWebhook } from '../helpers/webhook-channel.js';

const secret = 'partner-secret-5c3e';

interface Received {
  body: Buffer;
  signature: string | undefined;
}

/** The partner system the webhook channel answers to: it answers each request with the next status given. */
async function partner(statuses: number[]): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        body: Buffer.concat(chunks),
        signature: request.headers['x-tally-signature'] as string,
      });
      response.statusCode = statuses.shift() ?? 200;
      response.end(response.statusCode < 300 ? '{"ok":true}' : '{"error":"try later"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/sms/outbound`, received, server };
}

async function receiveOne(testApp: TestApp, replyUrl: string): Promise<void> {
  const coordinator = await testApp.as('coordinator');
  const added = await testApp.app.inject({
    method: 'POST',
    url: '/api/v1/channels',
    headers: coordinator,
    payload: { id: 'partner', kind: 'webhook', secrets: { secret }, settings: { replyUrl, language: 'sw' } },
  });
  assert.equal(added.statusCode, 201, added.body);
  await receiveOnPartnerWebhook(testApp, secret, {
    id: 'wa-1',
    from: '+256772000111',
    text: 'Daraja limevunjika Kasese',
  });
}

test('the wait before each retry doubles from 30 seconds and stops growing at 4 hours', () => {
  const middle = () => 0.5;
  assert.equal(retryDelayMs(1, middle), 30_000);
  assert.equal(retryDelayMs(2, middle), 60_000);
  assert.equal(retryDelayMs(maxAttempts, middle), 4 * 3600_000);
});

forEachDatabase('the outbox', (open) => {
  test('an acknowledgement for a gateway that takes no reply is queued, then sent signed to the partner', async (t) => {
    const { url, received, server } = await partner([]);
    t.after(() => server.close());
    const testApp = await buildTestApp(await open(), { outboundAllowedHosts: localTargets });
    await receiveOne(testApp, url);
    assert.equal((await outboundMessages(testApp))[0]?.status, 'queued');
    assert.equal(await testApp.services.outbox.runOnce(), 1);
    const [sent] = received;
    assert.ok(sent && isSignedWebhook(secret, sent.body, sent.signature));
    const payload = JSON.parse(sent.body.toString()) as { to: string; text: string };
    assert.equal(payload.to, '+256772000111');
    assert.match(payload.text, /^Asante\. Tumepokea ujumbe wako/);
    assert.equal((await outboundMessages(testApp))[0]?.status, 'sent');
    // Nothing is sent twice.
    assert.equal(await testApp.services.outbox.runOnce(), 0);
  });

  test('a gateway that fails for now leaves the message queued for a later attempt', async (t) => {
    const { url, server } = await partner([503]);
    t.after(() => server.close());
    const testApp = await buildTestApp(await open(), { outboundAllowedHosts: localTargets });
    await receiveOne(testApp, url);
    await testApp.services.outbox.runOnce();
    const [message] = await outboundMessages(testApp);
    assert.equal(message?.status, 'queued');
    assert.match(message?.status_detail ?? '', /503/);
    // Not due again yet.
    assert.equal(await testApp.services.outbox.runOnce(), 0);
  });

  test('a gateway that refuses the message itself marks it failed at once', async (t) => {
    const { url, server } = await partner([400]);
    t.after(() => server.close());
    const testApp = await buildTestApp(await open(), { outboundAllowedHosts: localTargets });
    await receiveOne(testApp, url);
    await testApp.services.outbox.runOnce();
    const [message] = await outboundMessages(testApp);
    assert.equal(message?.status, 'failed');
    assert.match(message?.status_detail ?? '', /refused the message \(400\)/);
  });

  test('publishing a report made from a message queues a notice to its sender with the report’s link', async (t) => {
    const { url, server } = await partner([]);
    t.after(() => server.close());
    const testApp = await buildTestApp(await open(), {
      publicUrl: 'https://reports.example.org',
      outboundAllowedHosts: localTargets,
    });
    await receiveOne(testApp, url);
    const volunteer = await testApp.as('volunteer');
    const inbox = await testApp.app.inject({ url: '/api/v1/messages?direction=inbound', headers: volunteer });
    const [message] = json<{ data: { id: string; number: number }[] }>(inbox).data;
    const made = await testApp.app.inject({
      method: 'POST',
      url: `/api/v1/messages/${message?.id}/report`,
      headers: volunteer,
      payload: {},
    });
    const reportId = json<{ report: { id: string } }>(made).report.id;
    const published = await testApp.app.inject({
      method: 'PATCH',
      url: `/api/v1/reports/${reportId}`,
      headers: volunteer,
      payload: { status: 'published' },
    });
    assert.equal(published.statusCode, 200, published.body);
    const notice = (await outboundMessages(testApp)).find((m) => m.text.includes('ramani'));
    assert.ok(notice, 'a notice was queued');
    assert.equal(
      notice.text,
      `Ujumbe wako nambari ${message?.number} sasa uko wazi kwenye ramani. https://reports.example.org/reports/${reportId}`,
    );
  });

  test('a Vonage channel sends through Vonage’s SMS API, and its delivery receipt marks the message delivered', async (t) => {
    const vonageApi = await partner([]);
    t.after(() => vonageApi.server.close());
    // The stand-in for rest.nexmo.com answers as Vonage does.
    vonageApi.server.removeAllListeners('request');
    vonageApi.server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        vonageApi.received.push({ body: Buffer.concat(chunks), signature: undefined });
        response.setHeader('content-type', 'application/json');
        response.end(
          JSON.stringify({
            'message-count': '1',
            messages: [{ to: '256772000111', 'message-id': '0A0000000123ABCD1', status: '0' }],
          }),
        );
      });
    });
    const testApp = await buildTestApp(await open(), { outboundAllowedHosts: localTargets });
    const coordinator = await testApp.as('coordinator');
    const added = await testApp.app.inject({
      method: 'POST',
      url: '/api/v1/channels',
      headers: coordinator,
      payload: {
        id: 'vonage',
        kind: 'vonage',
        secrets: { secret: 'vonage-url-secret', apiSecret: 'api-secret-1' },
        settings: { apiKey: 'a1b2c3d4', number: '+254700000000', apiBaseUrl: new URL(vonageApi.url).origin },
      },
    });
    assert.equal(added.statusCode, 201, added.body);
    const inbound = await testApp.app.inject({
      method: 'POST',
      url: '/api/v1/inbound/vonage/vonage?secret=vonage-url-secret',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        msisdn: '256772000111',
        to: '254700000000',
        messageId: '1600000012AB34CD',
        text: 'Fire at the market',
        type: 'text',
        'message-timestamp': '2026-11-26 06:12:00',
      }).toString(),
    });
    assert.equal(inbound.statusCode, 204, inbound.body);
    assert.equal(await testApp.services.outbox.runOnce(), 1);
    const form = new URLSearchParams(vonageApi.received[0]?.body.toString());
    assert.deepEqual(
      [form.get('to'), form.get('from'), form.get('api_key')],
      ['256772000111', '254700000000', 'a1b2c3d4'],
    );
    assert.equal((await outboundMessages(testApp))[0]?.status, 'sent');
    const receipt = await testApp.app.inject({
      method: 'POST',
      url: '/api/v1/inbound/vonage/vonage/delivery?secret=vonage-url-secret',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        messageId: '0A0000000123ABCD1',
        status: 'delivered',
        'err-code': '0',
      }).toString(),
    });
    assert.equal(receipt.statusCode, 204, receipt.body);
    assert.equal((await outboundMessages(testApp))[0]?.status, 'delivered');
  });

  test('a Twilio channel sends through Twilio’s API, and its signed status callback marks the message delivered', async (t) => {
    const twilioApi = await partner([]);
    t.after(() => twilioApi.server.close());
    twilioApi.server.removeAllListeners('request');
    const seen: { url: string; authorization: string | undefined; body: string }[] = [];
    twilioApi.server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        seen.push({
          url: request.url ?? '',
          authorization: request.headers.authorization,
          body: Buffer.concat(chunks).toString(),
        });
        response.statusCode = 201;
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ sid: 'SM0a1b2c3d4e5f60718293a4b5c6d7e8f9', status: 'queued' }));
      });
    });
    const authToken = 'f3b1c2d4e5a6978812345678abcdef01';
    const accountSid = 'AC0123456789abcdef0123456789abcdef';
    const testApp = await buildTestApp(await open(), {
      publicUrl: 'https://reports.example.org',
      outboundAllowedHosts: localTargets,
    });
    const coordinator = await testApp.as('coordinator');
    const added = await testApp.app.inject({
      method: 'POST',
      url: '/api/v1/channels',
      headers: coordinator,
      payload: {
        id: 'twilio-ke',
        kind: 'twilio',
        secrets: { authToken },
        settings: { accountSid, number: '+254700000000', apiBaseUrl: new URL(twilioApi.url).origin },
      },
    });
    assert.equal(added.statusCode, 201, added.body);
    const channel = (await testApp.services.channels.forSending('twilio-ke'))!.channel;
    const contact = await testApp.services.inbox.receive(
      channel,
      { providerId: 'SMin1', from: '+254722000111', to: null, text: 'Moto sokoni', sentAt: null, media: [] },
      {},
    );
    await testApp.services.outbox.enqueue(channel, contact.message.contactId!, 'Asante', contact.message.id);
    assert.equal(await testApp.services.outbox.runOnce(), 1);
    const [request] = seen;
    assert.equal(request?.url, `/2010-04-01/Accounts/${accountSid}/Messages.json`);
    assert.equal(
      request?.authorization,
      `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`,
    );
    const form = new URLSearchParams(request?.body);
    assert.deepEqual(
      [form.get('To'), form.get('From'), form.get('Body'), form.get('StatusCallback')],
      [
        '+254722000111',
        '+254700000000',
        'Asante',
        'https://reports.example.org/api/v1/inbound/twilio/twilio-ke/status',
      ],
    );
    const status = {
      MessageSid: 'SM0a1b2c3d4e5f60718293a4b5c6d7e8f9',
      MessageStatus: 'delivered',
      AccountSid: accountSid,
    };
    const callback = 'https://reports.example.org/api/v1/inbound/twilio/twilio-ke/status';
    const post = (signature: string) =>
      testApp.app.inject({
        method: 'POST',
        url: '/api/v1/inbound/twilio/twilio-ke/status',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        payload: new URLSearchParams(status).toString(),
      });
    assert.equal((await post('forged')).statusCode, 403);
    assert.equal((await post(twilioSignature(authToken, callback, status))).statusCode, 204);
    assert.equal((await outboundMessages(testApp))[0]?.status, 'delivered');
  });

  test('Africa’s Talking and FrontlineSMS channels send their acknowledgements through their APIs', async (t) => {
    const gateway = await partner([]);
    t.after(() => gateway.server.close());
    gateway.server.removeAllListeners('request');
    const seen: { url: string; headers: Record<string, unknown>; body: string }[] = [];
    gateway.server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        seen.push({
          url: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks).toString(),
        });
        response.setHeader('content-type', 'application/json');
        response.statusCode = 201;
        // Africa's Talking's answer; FrontlineSMS only needs a 2xx.
        response.end(
          JSON.stringify({
            SMSMessageData: {
              Recipients: [{ number: '+256772000111', status: 'Success', messageId: 'ATXid_1' }],
            },
          }),
        );
      });
    });
    const testApp = await buildTestApp(await open(), { outboundAllowedHosts: localTargets });
    const coordinator = await testApp.as('coordinator');
    const origin = new URL(gateway.url).origin;
    for (const payload of [
      {
        id: 'at',
        kind: 'africastalking',
        secrets: { secret: 'at-secret', apiKey: 'at-api-key' },
        settings: { username: 'tally-ug', number: '22141', apiBaseUrl: origin },
      },
      {
        id: 'frontline',
        kind: 'frontlinesms',
        secrets: { secret: 'fl-secret', apiKey: 'fl-api-key' },
        settings: { url: `${origin}/api/1/webhook` },
      },
    ]) {
      const added = await testApp.app.inject({
        method: 'POST',
        url: '/api/v1/channels',
        headers: coordinator,
        payload,
      });
      assert.equal(added.statusCode, 201, added.body);
    }
    const at = await testApp.app.inject({
      method: 'POST',
      url: '/api/v1/inbound/africastalking/at?secret=at-secret',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        from: '+256772000111',
        to: '22141',
        text: 'Mafuriko Kasese',
        id: 'ATXid_in1',
        date: '2026-11-26 06:12:00',
      }).toString(),
    });
    assert.equal(at.statusCode, 200, at.body);
    const frontline = await testApp.app.inject({
      method: 'POST',
      url: '/api/v1/inbound/frontlinesms/frontline',
      headers: { 'content-type': 'application/json' },
      payload: {
        secret: 'fl-secret',
        from: '+254733000222',
        message: 'Maji hakuna',
        timestamp: '1795241520000',
      },
    });
    assert.equal(frontline.statusCode, 200, frontline.body);
    assert.equal(await testApp.services.outbox.runOnce(), 2);
    const toAt = seen.find((request) => request.url === '/version1/messaging');
    assert.equal(toAt?.headers.apikey, 'at-api-key');
    assert.deepEqual(
      [...new URLSearchParams(toAt?.body).entries()].filter(([name]) => name !== 'message'),
      [
        ['username', 'tally-ug'],
        ['to', '+256772000111'],
        ['from', '22141'],
      ],
    );
    const toFrontline = seen.find((request) => request.url === '/api/1/webhook');
    const sent = JSON.parse(toFrontline?.body ?? '{}') as {
      apiKey: string;
      payload: { recipients: unknown[] };
    };
    assert.equal(sent.apiKey, 'fl-api-key');
    assert.deepEqual(sent.payload.recipients, [{ type: 'mobile', value: '+254733000222' }]);
    assert.deepEqual((await outboundMessages(testApp)).map((message) => message.status).sort(), [
      'sent',
      'sent',
    ]);
  });
});
