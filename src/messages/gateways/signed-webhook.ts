/**
 * The generic gateway: any system that can POST JSON `{ id, from, to?, text, sent_at? }` and sign the raw
 * body with HMAC-SHA256 under the channel's secret, sent as `X-Tally-Signature: sha256=<hex>`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { TallyError } from '../../errors.js';
import type { InboundMessage } from './inbound-message.js';

export const signatureHeader = 'x-tally-signature';

export function webhookSignature(secret: string, rawBody: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/** Whether the header is the signature of exactly these bytes, compared in constant time. */
export function isSignedWebhook(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(webhookSignature(secret, rawBody), 'utf8');
  const given = Buffer.from(header.trim().toLowerCase(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function text(body: Record<string, unknown>, name: string, required: boolean): string | null {
  const value = body[name];
  if (value === undefined || value === null) {
    if (required) throw new TallyError('malformed_message', `The message needs "${name}"`);
    return null;
  }
  if (typeof value !== 'string') throw new TallyError('malformed_message', `"${name}" must be a string`);
  return value;
}

export function parseWebhookMessage(body: unknown): InboundMessage {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new TallyError('malformed_message', 'The message must be a JSON object');
  }
  const fields = body as Record<string, unknown>;
  const id = text(fields, 'id', true)!;
  const from = text(fields, 'from', true)!;
  if (id.trim() === '' || from.trim() === '') {
    throw new TallyError('malformed_message', '"id" and "from" must not be empty');
  }
  const sentAt = text(fields, 'sent_at', false);
  if (sentAt !== null && Number.isNaN(Date.parse(sentAt))) {
    throw new TallyError('malformed_message', '"sent_at" must be an ISO 8601 time');
  }
  return {
    providerId: id,
    from,
    to: text(fields, 'to', false),
    text: text(fields, 'text', true)!,
    sentAt: sentAt === null ? null : new Date(sentAt).toISOString(),
    media: [],
  };
}
