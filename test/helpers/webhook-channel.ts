import assert from 'node:assert/strict';
import { webhookSignature } from '../../src/messages/gateways/signed-webhook.js';
import { json, type TestApp } from './app.js';

/** A partner's signed message arrives on the webhook channel `partner`, which must already exist. */
export async function receiveOnPartnerWebhook(
  testApp: TestApp,
  secret: string,
  message: { id: string; from: string; text: string },
): Promise<void> {
  const body = Buffer.from(JSON.stringify(message));
  const response = await testApp.app.inject({
    method: 'POST',
    url: '/api/v1/inbound/webhook/partner',
    headers: { 'content-type': 'application/json', 'x-tally-signature': webhookSignature(secret, body) },
    payload: body,
  });
  assert.equal(response.statusCode, 200, response.body);
}

export interface OutboundMessage {
  status: string;
  status_detail: string | null;
  text: string;
  contact: string;
}

/** What Tally sent or is sending, as the volunteers' inbox lists it. */
export async function outboundMessages(testApp: TestApp): Promise<OutboundMessage[]> {
  const response = await testApp.app.inject({
    url: '/api/v1/messages?direction=outbound',
    headers: await testApp.as('volunteer'),
  });
  return json<{ data: OutboundMessage[] }>(response).data;
}
