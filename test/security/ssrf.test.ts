/**
 * Server-side request forgery: a signed-in account must not make Tally connect inside its own network. For
 * each client that connects to a host someone typed (a webhook or gateway over HTTP, a sensor feed's MQTT
 * broker, a mailbox over IMAP and SMTP, a mirrored origin), a listener on this machine counts connections:
 * every notation of its address, and a name resolving to it, reach nothing and get the one fixed answer;
 * the operator's allowlist (TALLY_OUTBOUND_ALLOWED_HOSTS) opens the same target again.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { describe, type TestContext, test } from 'node:test';
import { send } from '../../src/messages/outbound-senders.js';
import { MirrorError } from '../../src/mirror/mirror-error.js';
import { OutboundPolicy } from '../../src/outbound/policy.js';
import { refusedText } from '../../src/outbound/refused.js';
import { buildTestApp, json, localTargets, type TestApp } from '../helpers/app.js';
import { forEachDatabase, type TestDb } from '../helpers/databases.js';
import { assertProblem } from '../helpers/reports.js';
import { outboundMessages, receiveOnPartnerWebhook } from '../helpers/webhook-channel.js';
import { mirrorService } from '../mirror/origin.js';
import { eventually, listeningWithMqtt } from '../sensors/mqtt-helpers.js';

interface Listener {
  port: number;
  /** Connections accepted so far. */
  connections(): number;
}

/** A TCP listener on 127.0.0.1 that counts each connection and drops it at once. */
async function countingListener(t: TestContext): Promise<Listener> {
  let count = 0;
  const server: Server = createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as { port: number }).port, connections: () => count };
}

/** Hosts that are 127.0.0.1, written every way URL parsers accept, and ways they read differently. */
const loopbackHosts = [
  '127.0.0.1',
  '127.1',
  '0x7f.0.0.1',
  '0177.0.0.1',
  '2130706433',
  '0x7f000001',
  '[::1]',
  '[::ffff:127.0.0.1]',
  '[::ffff:7f00:1]',
  '[::127.0.0.1]',
  '[64:ff9b::7f00:1]',
  '127.0.0.1;.example.org',
  'example.org@127.0.0.1',
  '127.0.0.1#.example.org',
];
const urlsTo = (protocol: string, port: number) =>
  loopbackHosts.map((host) => `${protocol}://${host}:${port}/`);

/** Host settings (IMAP, SMTP) that are 127.0.0.1. */
const loopbackHostSettings = [
  '127.0.0.1',
  '127.1',
  '0x7f.0.0.1',
  '2130706433',
  '::1',
  '::ffff:7f00:1',
  '[::1]',
];

const secret = 'ssrf-test-secret';

function addChannel(testApp: TestApp, body: Record<string, unknown>) {
  return testApp
    .as('coordinator')
    .then((headers) =>
      testApp.app.inject({ method: 'POST', url: '/api/v1/channels', headers, payload: body }),
    );
}

/** A partner's message arrives on the webhook channel; Tally queues its acknowledgement to `replyUrl`. */
async function webhookWithReply(testApp: TestApp, replyUrl: string): Promise<void> {
  const added = await addChannel(testApp, {
    id: 'partner',
    kind: 'webhook',
    secrets: { secret },
    settings: { replyUrl },
  });
  assert.equal(added.statusCode, 201, added.body);
  await receiveOnWebhook(testApp);
}

async function receiveOnWebhook(testApp: TestApp): Promise<void> {
  await receiveOnPartnerWebhook(testApp, secret, {
    id: randomUUID(),
    from: '+256772000111',
    text: 'Daraja limevunjika',
  });
}

function assertRefused(response: Awaited<ReturnType<TestApp['app']['inject']>>): void {
  const problem = assertProblem(response, 422, 'outbound_target_refused');
  assert.equal(problem.detail, refusedText);
}

forEachDatabase('outbound connections to hosts someone typed', (open) => {
  describe('a sensor feed’s MQTT broker', () => {
    test('the probe’s request, a host a legacy parser cuts at ";", is refused', async () => {
      const { app, as } = await buildTestApp(await open());
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/sensors/feeds',
        headers: await as('reporter'),
        payload: {
          kind: 'ttn-v3',
          url: 'mqtts://127.0.0.1;.thethings.network',
          topic: 'v3/a@ttn/devices/+/up',
          username: 'a@ttn',
          password: 'x',
        },
      });
      assertRefused(response);
    });

    test('a broker on this machine, in any notation, is refused when the feed is added', async (t) => {
      const listener = await countingListener(t);
      const { app, as } = await buildTestApp(await open(), { feedBrokerHosts: ['*'] });
      const headers = await as('reporter');
      // With "user@" in it the URL is refused sooner, for holding credentials.
      for (const url of urlsTo('mqtt', listener.port).filter((each) => !each.includes('@'))) {
        const response = await app.inject({
          method: 'POST',
          url: '/api/v1/sensors/feeds',
          headers,
          payload: { kind: 'ttn-v3', url, topic: 'v3/a@ttn/devices/+/up' },
        });
        assertRefused(response);
      }
      assert.equal(listener.connections(), 0);
    });

    test('a broker name resolving to this machine is never connected to, and the feed says only the fixed text', async (t) => {
      const listener = await countingListener(t);
      const testApp = await listeningWithMqtt(t, await open(), {
        brokerUrl: null,
        feedBrokerHosts: ['*'],
        outboundAllowedHosts: [],
        waitUntilSubscribed: false,
      });
      const headers = await testApp.as('reporter');
      const added = await testApp.app.inject({
        method: 'POST',
        url: '/api/v1/sensors/feeds',
        headers,
        payload: { kind: 'ttn-v3', url: `mqtt://localhost:${listener.port}`, topic: 'v3/a@ttn/devices/+/up' },
      });
      assert.equal(added.statusCode, 201, added.body);
      const lastError = await eventually('the feed’s problem', async () => {
        const listed = await testApp.app.inject({ url: '/api/v1/sensors/feeds', headers });
        return json<{ data: { last_error: string | null }[] }>(listed).data[0]?.last_error ?? undefined;
      });
      assert.equal(lastError, refusedText);
      assert.equal(listener.connections(), 0);
    });

    test('a broker on this machine the operator allowed is connected to', async (t) => {
      const listener = await countingListener(t);
      const testApp = await listeningWithMqtt(t, await open(), {
        brokerUrl: null,
        feedBrokerHosts: ['*'],
        outboundAllowedHosts: ['localhost'],
        waitUntilSubscribed: false,
      });
      const added = await testApp.app.inject({
        method: 'POST',
        url: '/api/v1/sensors/feeds',
        headers: await testApp.as('reporter'),
        payload: { kind: 'ttn-v3', url: `mqtt://localhost:${listener.port}`, topic: 'v3/a@ttn/devices/+/up' },
      });
      assert.equal(added.statusCode, 201, added.body);
      await eventually(
        'a connection to the allowed broker',
        async () => listener.connections() > 0 || undefined,
      );
    });
  });

  describe('a gateway over HTTP', () => {
    test('a reply URL, Kannel, FrontlineSMS or API base URL on this machine, in any notation, is refused', async (t) => {
      const listener = await countingListener(t);
      const testApp = await buildTestApp(await open());
      for (const url of urlsTo('http', listener.port)) {
        const bodies = [
          { kind: 'webhook', secrets: { secret }, settings: { replyUrl: url } },
          {
            kind: 'kannel',
            secrets: { secret, password: 'p' },
            settings: { sendsmsUrl: url, username: 'u' },
          },
          { kind: 'frontlinesms', secrets: { secret, apiKey: 'k' }, settings: { url } },
          { kind: 'twilio', secrets: { authToken: 't' }, settings: { accountSid: 'AC1', apiBaseUrl: url } },
          { kind: 'vonage', secrets: { secret }, settings: { apiKey: 'k', apiBaseUrl: url } },
          {
            kind: 'africastalking',
            secrets: { secret, apiKey: 'k' },
            settings: { username: 'u', apiBaseUrl: url },
          },
        ];
        for (const body of bodies) {
          assertRefused(await addChannel(testApp, { id: `c-${randomUUID().slice(0, 8)}`, ...body }));
        }
      }
      assert.equal(listener.connections(), 0);
    });

    test('a reply URL whose name resolves to this machine is never requested, and the message fails with the fixed text', async (t) => {
      const listener = await countingListener(t);
      const testApp = await buildTestApp(await open());
      await webhookWithReply(testApp, `http://localhost:${listener.port}/sms`);
      await testApp.services.outbox.runOnce();
      const [message] = await outboundMessages(testApp);
      assert.equal(message?.status, 'failed');
      assert.equal(message?.status_detail, refusedText);
      assert.equal(listener.connections(), 0);
    });

    test('an IP address allowed when the channel was added is not requested once the operator no longer allows it', async (t) => {
      const listener = await countingListener(t);
      const db: TestDb = await open();
      const before = await buildTestApp(db, { outboundAllowedHosts: ['127.0.0.1'] });
      await webhookWithReply(before, `http://127.0.0.1:${listener.port}/sms`);
      const after = await buildTestApp(db);
      await after.services.outbox.runOnce();
      const [message] = await outboundMessages(after);
      assert.equal(message?.status_detail, refusedText);
      assert.equal(listener.connections(), 0);
    });

    test('a reply URL on this machine the operator allowed is requested', async (t) => {
      const listener = await countingListener(t);
      const testApp = await buildTestApp(await open(), { outboundAllowedHosts: localTargets });
      await webhookWithReply(testApp, `http://localhost:${listener.port}/sms`);
      await testApp.services.outbox.runOnce();
      assert.ok(listener.connections() > 0);
      const [message] = await outboundMessages(testApp);
      // Dropped without an answer: worth another try, and how the connection failed is not told.
      assert.equal(message?.status, 'queued');
      assert.doesNotMatch(message?.status_detail ?? '', /ECONN|127\.0\.0\.1/);
    });
  });

  describe('a mailbox over IMAP and SMTP', () => {
    const mailChannel = (imapHost: string, imapPort: number, smtpHost: string, smtpPort: number) => ({
      id: 'mail',
      kind: 'email',
      secrets: { password: 'p' },
      settings: {
        address: 'reports@example.org',
        imapHost,
        imapPort: String(imapPort),
        smtpHost,
        smtpPort: String(smtpPort),
      },
    });

    test('an IMAP or SMTP server on this machine, in any notation, is refused', async (t) => {
      const listener = await countingListener(t);
      const testApp = await buildTestApp(await open());
      for (const host of loopbackHostSettings) {
        assertRefused(await addChannel(testApp, mailChannel(host, listener.port, 'smtp.example.org', 25)));
        assertRefused(await addChannel(testApp, mailChannel('imap.example.org', 143, host, listener.port)));
      }
      assert.equal(listener.connections(), 0);
    });

    test('mail servers whose name resolves to this machine are never connected to', async (t) => {
      const listener = await countingListener(t);
      const testApp = await buildTestApp(await open());
      const added = await addChannel(
        testApp,
        mailChannel('localhost', listener.port, 'localhost', listener.port),
      );
      assert.equal(added.statusCode, 201, added.body);
      assert.equal(await testApp.services.mail.pollOnce(), 0);
      const channel = await testApp.services.channels.forSending('mail');
      assert.ok(channel);
      await assert.rejects(
        send(
          { id: randomUUID(), to: 'reporter@example.org', text: 'Asante' },
          { ...channel, publicBase: 'https://tally.example.org', outbound: new OutboundPolicy() },
        ),
        { message: refusedText, retryable: false },
      );
      assert.equal(listener.connections(), 0);
    });

    test('mail servers on this machine the operator allowed are connected to', async (t) => {
      const listener = await countingListener(t);
      const testApp = await buildTestApp(await open(), { outboundAllowedHosts: ['localhost'] });
      const added = await addChannel(
        testApp,
        mailChannel('localhost', listener.port, 'localhost', listener.port),
      );
      assert.equal(added.statusCode, 201, added.body);
      await testApp.services.mail.pollOnce();
      assert.equal(listener.connections(), 1);
      const channel = await testApp.services.channels.forSending('mail');
      assert.ok(channel);
      const outbound = new OutboundPolicy(['localhost']);
      await assert.rejects(
        send(
          { id: randomUUID(), to: 'reporter@example.org', text: 'Asante' },
          { ...channel, publicBase: 'https://tally.example.org', outbound },
        ),
      );
      assert.equal(listener.connections(), 2);
    });
  });

  describe('a mirrored origin', () => {
    test('an origin on this machine, in any notation or by a name resolving to it, is never requested', async (t) => {
      const listener = await countingListener(t);
      const mirror = mirrorService(await open(), new OutboundPolicy());
      for (const url of [...urlsTo('http', listener.port), `http://localhost:${listener.port}`]) {
        await assert.rejects(mirror.sync({ url, key: null }), (error: unknown) => {
          assert.ok(error instanceof MirrorError);
          assert.ok(
            error.message.endsWith(refusedText) || error.message.includes('is not a URL'),
            error.message,
          );
          return true;
        });
      }
      assert.equal(listener.connections(), 0);
    });

    test('an origin on this machine the operator allowed is requested', async (t) => {
      const listener = await countingListener(t);
      const mirror = mirrorService(await open(), new OutboundPolicy(['localhost']));
      await assert.rejects(mirror.sync({ url: `http://localhost:${listener.port}`, key: null }), MirrorError);
      assert.ok(listener.connections() > 0);
    });
  });
});
