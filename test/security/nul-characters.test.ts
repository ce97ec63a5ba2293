import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestApp, json, kiberaReport } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { assertProblem } from '../helpers/reports.js';

/**
 * PostgreSQL's text cannot hold the NUL character (U+0000), SQLite's can: both answer alike, and neither
 * with a 500.
 */
forEachDatabase('NUL characters from outside', (open) => {
  test('a JSON body with a NUL character in a string is refused, naming the field', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      payload: { ...kiberaReport, title: 'Burst pipe\u0000' },
    });
    assertProblem(response, 400, 'validation_failed', '/title');
  });

  test('an SMS with a NUL character is stored with a replacement character in its place', async () => {
    const testApp = await buildTestApp(await open());
    const coordinator = await testApp.as('coordinator');
    const channel = await testApp.app.inject({
      method: 'POST',
      url: '/api/v1/channels',
      headers: coordinator,
      payload: { id: 'at', kind: 'africastalking', secrets: { secret: 'at-secret-93c1' } },
    });
    assert.equal(channel.statusCode, 201, channel.body);
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/api/v1/inbound/africastalking/at?secret=at-secret-93c1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'id=ATXid_0%00&from=%2B254722000111&text=Moto%00sokoni',
    });
    assert.equal(response.statusCode, 200, response.body);
    const inbox = await testApp.app.inject({
      url: '/api/v1/messages?direction=inbound',
      headers: await testApp.as('volunteer'),
    });
    assert.deepEqual(
      json<{ data: { text: string }[] }>(inbox).data.map((message) => message.text),
      ['Moto\ufffdsokoni'],
    );
  });

  test('delivery reports and SMSSync’s lists whose ids hold a NUL character match nothing, without a 5xx', async () => {
    const testApp = await buildTestApp(await open());
    const coordinator = await testApp.as('coordinator');
    for (const channel of [
      { id: 'kannel', kind: 'kannel', secrets: { secret: 'kannel-secret-7d1e' } },
      { id: 'phone', kind: 'smssync', secrets: { secret: 'smssync-secret-51e2' } },
    ]) {
      const made = await testApp.app.inject({
        method: 'POST',
        url: '/api/v1/channels',
        headers: coordinator,
        payload: channel,
      });
      assert.equal(made.statusCode, 201, made.body);
    }
    const delivery = await testApp.app.inject({
      url: '/api/v1/inbound/kannel/kannel/delivery?secret=kannel-secret-7d1e&id=a%00b&type=1',
    });
    assert.equal(delivery.statusCode, 204, delivery.body);
    for (const [task, body] of [
      ['sent', { queued_messages: ['a\u0000b'] }],
      ['result', { message_result: [{ uuid: 'a\u0000b', sent_result_code: 0 }] }],
    ] as const) {
      const response = await testApp.app.inject({
        method: 'POST',
        url: `/api/v1/inbound/smssync/phone?task=${task}`,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(json<{ message_uuids: string[] }>(response).message_uuids, []);
    }
  });
});
