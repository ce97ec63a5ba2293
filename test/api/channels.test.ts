import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { test } from 'node:test';
import { webhookSignature } from '../../src/messages/gateways/signed-webhook.js';
import { buildTestApp, json, localTargets, type TestApp } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { contentOf, ledgerEntries } from '../helpers/ledger.js';

const secret = 'partner-secret-81d4';
const kannelSecret = 'kannel-shared-secret-4b2f';

interface ChannelJson {
  id: string;
  kind: string;
  name: string;
  settings: Record<string, string>;
  secrets: string[];
  enabled: boolean;
  refused_requests: number;
}

/** The partner system a webhook channel answers to; it takes every message. */
async function partner(): Promise<{ url: string; received: Buffer[]; server: Server }> {
  const received: Buffer[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push(Buffer.concat(chunks));
      response.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/sms/outbound`, received, server };
}

async function addChannel(testApp: TestApp, payload: Record<string, unknown>): Promise<ChannelJson> {
  const response = await testApp.app.inject({
    method: 'POST',
    url: '/api/v1/channels',
    headers: await testApp.as('coordinator'),
    payload,
  });
  assert.equal(response.statusCode, 201, response.body);
  return json<ChannelJson>(response);
}

function addPartner(testApp: TestApp, replyUrl = 'https://partner.example.org/sms') {
  return addChannel(testApp, {
    id: 'partner',
    kind: 'webhook',
    name: 'Partner hotline',
    secrets: { secret },
    settings: { replyUrl, language: 'sw', number: '+254700000123' },
  });
}

async function switchChannel(testApp: TestApp, id: string, enabled: boolean) {
  return testApp.app.inject({
    method: 'PATCH',
    url: `/api/v1/channels/${id}`,
    headers: await testApp.as('coordinator'),
    payload: { enabled },
  });
}

async function deleteChannel(testApp: TestApp, id: string) {
  return testApp.app.inject({
    method: 'DELETE',
    url: `/api/v1/channels/${id}`,
    headers: await testApp.as('coordinator'),
  });
}

function deliver(testApp: TestApp, id: string, text = 'Daraja limevunjika Kasese') {
  const body = Buffer.from(JSON.stringify({ id, from: '+256772000111', text }));
  return testApp.app.inject({
    method: 'POST',
    url: '/api/v1/inbound/webhook/partner',
    headers: { 'content-type': 'application/json', 'x-tally-signature': webhookSignature(secret, body) },
    payload: body,
  });
}

async function messages(testApp: TestApp, direction: 'inbound' | 'outbound') {
  const response = await testApp.app.inject({
    url: `/api/v1/messages?direction=${direction}`,
    headers: await testApp.as('volunteer'),
  });
  assert.equal(response.statusCode, 200, response.body);
  return json<{ data: { text: string; status: string; status_detail: string | null; channel: string }[] }>(
    response,
  ).data;
}

async function listed(testApp: TestApp): Promise<ChannelJson[]> {
  const response = await testApp.app.inject({
    url: '/api/v1/channels',
    headers: await testApp.as('coordinator'),
  });
  assert.equal(response.statusCode, 200, response.body);
  return json<{ data: ChannelJson[] }>(response).data;
}

async function channelEntries(testApp: TestApp) {
  return (await ledgerEntries(testApp.app)).filter((entry) => entry.subject.startsWith('channel:'));
}

forEachDatabase('switching channels off and deleting them', (open) => {
  test('a coordinator switches a channel off and on again, and the list shows it', async () => {
    const testApp = await buildTestApp(await open());
    await addPartner(testApp);
    const off = await switchChannel(testApp, 'partner', false);
    assert.equal(off.statusCode, 200, off.body);
    assert.equal(json<ChannelJson>(off).enabled, false);
    assert.equal((await listed(testApp))[0]?.enabled, false);
    const on = await switchChannel(testApp, 'partner', true);
    assert.equal(on.statusCode, 200, on.body);
    assert.equal((await listed(testApp))[0]?.enabled, true);
  });

  test('a switched-off channel’s gateway is refused with channel_disabled and nothing is stored', async () => {
    const testApp = await buildTestApp(await open());
    await addPartner(testApp);
    await switchChannel(testApp, 'partner', false);
    const refused = await deliver(testApp, 'wa-1');
    assert.equal(refused.statusCode, 403);
    assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
    assert.equal(json(refused).code, 'channel_disabled');
    assert.equal((await messages(testApp, 'inbound')).length, 0);
    // Not a forgery: the refusals a channel counts stay those of wrong signatures and secrets.
    assert.equal((await listed(testApp))[0]?.refused_requests, 0);
  });

  test('a channel switched on again receives again', async () => {
    const testApp = await buildTestApp(await open());
    await addPartner(testApp);
    await switchChannel(testApp, 'partner', false);
    await switchChannel(testApp, 'partner', true);
    const accepted = await deliver(testApp, 'wa-2');
    assert.equal(accepted.statusCode, 200, accepted.body);
    assert.equal((await messages(testApp, 'inbound')).length, 1);
  });

  test('a switched-off channel’s queued replies wait without spending attempts, and go once it is on again', async (t) => {
    const { url, received, server } = await partner();
    t.after(() => server.close());
    const testApp = await buildTestApp(await open(), { outboundAllowedHosts: localTargets });
    await addPartner(testApp, url);
    assert.equal((await deliver(testApp, 'wa-3')).statusCode, 200);
    await switchChannel(testApp, 'partner', false);
    assert.equal(await testApp.services.outbox.runOnce(), 0);
    assert.equal(received.length, 0);
    assert.equal((await messages(testApp, 'outbound'))[0]?.status, 'queued');
    await switchChannel(testApp, 'partner', true);
    assert.equal(await testApp.services.outbox.runOnce(), 1);
    assert.equal(received.length, 1);
    assert.equal((await messages(testApp, 'outbound'))[0]?.status, 'sent');
  });

  test('a deleted channel leaves the list, and its gateway is told it is gone with a 410', async () => {
    const testApp = await buildTestApp(await open());
    await addPartner(testApp);
    const deleted = await deleteChannel(testApp, 'partner');
    assert.equal(deleted.statusCode, 204, deleted.body);
    assert.deepEqual(await listed(testApp), []);
    const refused = await deliver(testApp, 'wa-4');
    assert.equal(refused.statusCode, 410);
    assert.equal(json(refused).code, 'channel_deleted');
  });

  test('the messages a deleted channel brought stay readable in the inbox', async () => {
    const testApp = await buildTestApp(await open());
    await addPartner(testApp);
    assert.equal((await deliver(testApp, 'wa-5', 'Maji hakuna Mathare')).statusCode, 200);
    assert.equal((await deleteChannel(testApp, 'partner')).statusCode, 204);
    const [message] = await messages(testApp, 'inbound');
    assert.equal(message?.text, 'Maji hakuna Mathare');
    assert.equal(message?.channel, 'partner');
  });

  test('a deleted channel’s queued replies fail saying the channel was deleted', async (t) => {
    const { url, received, server } = await partner();
    t.after(() => server.close());
    const testApp = await buildTestApp(await open(), { outboundAllowedHosts: localTargets });
    await addPartner(testApp, url);
    assert.equal((await deliver(testApp, 'wa-6')).statusCode, 200);
    assert.equal((await deleteChannel(testApp, 'partner')).statusCode, 204);
    const [reply] = await messages(testApp, 'outbound');
    assert.equal(reply?.status, 'failed');
    assert.match(reply?.status_detail ?? '', /channel partner was deleted/);
    assert.equal(await testApp.services.outbox.runOnce(), 0);
    assert.equal(received.length, 0);
  });

  test('a deleted channel’s secrets and private settings are erased from its row', async () => {
    const db = await open();
    const testApp = await buildTestApp(db);
    await addPartner(testApp);
    await deleteChannel(testApp, 'partner');
    const row = await db.kysely
      .selectFrom('channels')
      .select(['secrets', 'settings', 'enabled', 'deleted_at'])
      .where('id', '=', 'partner')
      .executeTakeFirstOrThrow();
    assert.equal(row.secrets, '');
    assert.deepEqual(JSON.parse(row.settings), { values: { language: 'sw' }, secretNames: [] });
    assert.equal(row.enabled, 0);
    assert.ok(row.deleted_at);
  });

  test('a deleted channel’s id cannot be taken by a new channel', async () => {
    const testApp = await buildTestApp(await open());
    await addPartner(testApp);
    await deleteChannel(testApp, 'partner');
    const again = await testApp.app.inject({
      method: 'POST',
      url: '/api/v1/channels',
      headers: await testApp.as('coordinator'),
      payload: { id: 'partner', kind: 'webhook', secrets: { secret: 'another-secret-1234' } },
    });
    assert.equal(again.statusCode, 409);
    assert.equal(json(again).code, 'channel_exists');
    assert.match(json<{ detail: string }>(again).detail, /deleted/);
  });

  test('a deleted channel cannot be switched on or deleted again', async () => {
    const testApp = await buildTestApp(await open());
    await addPartner(testApp);
    await deleteChannel(testApp, 'partner');
    const on = await switchChannel(testApp, 'partner', true);
    assert.equal(on.statusCode, 410);
    assert.equal(json(on).code, 'channel_deleted');
    assert.equal((await deleteChannel(testApp, 'partner')).statusCode, 410);
  });

  test('switching or deleting a channel that never existed is a 404', async () => {
    const testApp = await buildTestApp(await open());
    const switched = await switchChannel(testApp, 'nowhere', false);
    assert.equal(switched.statusCode, 404);
    assert.equal(json(switched).code, 'channel_not_found');
    assert.equal((await deleteChannel(testApp, 'nowhere')).statusCode, 404);
  });

  test('only coordinators switch channels off and delete them', async () => {
    const testApp = await buildTestApp(await open());
    await addPartner(testApp);
    const volunteer = await testApp.as('volunteer');
    for (const request of [
      { method: 'PATCH' as const, url: '/api/v1/channels/partner', payload: { enabled: false } },
      { method: 'DELETE' as const, url: '/api/v1/channels/partner' },
    ]) {
      const response = await testApp.app.inject({ ...request, headers: volunteer });
      assert.equal(response.statusCode, 403, response.body);
      assert.equal(json(response).code, 'forbidden');
    }
    assert.equal((await listed(testApp))[0]?.enabled, true);
  });

  test('a change that is not {"enabled": true|false} is a 400 problem', async () => {
    const testApp = await buildTestApp(await open());
    await addPartner(testApp);
    const response = await testApp.app.inject({
      method: 'PATCH',
      url: '/api/v1/channels/partner',
      headers: await testApp.as('coordinator'),
      payload: { enabled: 'no', secrets: { secret: 'x' } },
    });
    assert.equal(response.statusCode, 400);
    assert.equal(json(response).code, 'validation_failed');
  });

  test('creating, switching off and on, and deleting a channel are each on the public record', async () => {
    const testApp = await buildTestApp(await open());
    await addPartner(testApp);
    await switchChannel(testApp, 'partner', false);
    await switchChannel(testApp, 'partner', true);
    await deleteChannel(testApp, 'partner');
    const entries = await channelEntries(testApp);
    assert.deepEqual(
      entries.map((entry) => [entry.action, entry.subject]),
      [
        ['channel.created', 'channel:partner'],
        ['channel.disabled', 'channel:partner'],
        ['channel.enabled', 'channel:partner'],
        ['channel.deleted', 'channel:partner'],
      ],
    );
    assert.deepEqual(
      entries.map((entry) => [contentOf(entry).enabled, contentOf(entry).deleted]),
      [
        [true, false],
        [false, false],
        [true, false],
        [false, true],
      ],
    );
    assert.match(entries[0]?.actor ?? '', /^p-[0-9a-f]{16}$/);
  });

  test('the record names a channel’s id, kind, name and language, never a secret or a private setting', async () => {
    const testApp = await buildTestApp(await open());
    await addPartner(testApp);
    const [created] = await channelEntries(testApp);
    assert.ok(created);
    assert.deepEqual(contentOf(created), {
      id: 'partner',
      kind: 'webhook',
      name: 'Partner hotline',
      language: 'sw',
      enabled: true,
      deleted: false,
    });
    const text = JSON.stringify(created);
    for (const hidden of [secret, '+254700000123', 'partner.example.org']) {
      assert.equal(text.includes(hidden), false);
      assert.equal(
        Buffer.from(created.content ?? '', 'base64')
          .toString()
          .includes(hidden),
        false,
      );
    }
  });

  test('switching a channel to the state it is in records nothing', async () => {
    const testApp = await buildTestApp(await open());
    await addPartner(testApp);
    const response = await switchChannel(testApp, 'partner', true);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal((await channelEntries(testApp)).length, 1);
  });

  test('a channel added before channels were recorded is put on the record at start', async () => {
    const db = await open();
    const testApp = await buildTestApp(db);
    await addPartner(testApp);
    await db.kysely.deleteFrom('ledger_entries').where('subject', '=', 'channel:partner').execute();
    assert.equal(await testApp.services.channels.recordUnrecorded(), true);
    const entries = await channelEntries(testApp);
    assert.deepEqual(
      entries.map((entry) => [entry.action, entry.actor]),
      [['channel.created', 'operator']],
    );
    assert.equal(await testApp.services.channels.recordUnrecorded(), false);
  });

  test('mail polling and Kannel’s get-url skip a switched-off channel', async () => {
    const testApp = await buildTestApp(await open());
    await addChannel(testApp, { id: 'kannel', kind: 'kannel', secrets: { secret: kannelSecret } });
    await addChannel(testApp, {
      id: 'mail',
      kind: 'email',
      secrets: { password: 'imap-password-1' },
      settings: { imapHost: 'mail.example.org', user: 'reports@example.org' },
    });
    await switchChannel(testApp, 'kannel', false);
    await switchChannel(testApp, 'mail', false);
    const query = new URLSearchParams({ secret: kannelSecret, from: '+254722000111', text: 'hi', id: 'k-1' });
    const refused = await testApp.app.inject({ url: `/api/v1/inbound/kannel/kannel?${query}` });
    assert.equal(refused.statusCode, 403);
    assert.equal(json(refused).code, 'channel_disabled');
    assert.deepEqual(await testApp.services.channels.withSecretsOfKind('email'), []);
  });
});
