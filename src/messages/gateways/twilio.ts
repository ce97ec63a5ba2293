/**
 * Twilio's Programmable Messaging webhooks: inbound messages and status callbacks arrive as form posts
 * signed with `X-Twilio-Signature`, and the answer to an inbound message is TwiML.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { TallyError } from '../../errors.js';
import { type FormFields, field, type InboundMessage } from './inbound-message.js';

/**
 * base64(HMAC-SHA1(auth token, the full URL Twilio called, then each POST field's name and value with the
 * names sorted)). A name sent more than once contributes each of its values, in the order sent.
 */
export function twilioSignature(authToken: string, url: string, form: FormFields): string {
  let signed = url;
  for (const name of Object.keys(form).sort()) {
    const value = form[name];
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) signed += name + one;
  }
  return createHmac('sha1', authToken).update(signed, 'utf8').digest('base64');
}

/** Whether the signature header is the one the auth token gives, compared in constant time. */
export function isSignedByTwilio(
  authToken: string,
  url: string,
  form: FormFields,
  header: string | undefined,
): boolean {
  if (!header) return false;
  const expected = Buffer.from(twilioSignature(authToken, url, form), 'utf8');
  const given = Buffer.from(header, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** An inbound SMS or MMS: `MessageSid`, `From`, `To`, `Body`, and `NumMedia` links `MediaUrl0…`. */
export function parseTwilioInbound(form: FormFields): InboundMessage {
  const providerId = field(form, 'MessageSid') ?? field(form, 'SmsSid');
  const from = field(form, 'From');
  if (!providerId) throw new TallyError('malformed_message', 'A Twilio message needs a MessageSid');
  if (!from) throw new TallyError('malformed_message', 'A Twilio message needs a From');
  const count = Number(field(form, 'NumMedia') ?? 0);
  if (!Number.isInteger(count) || count < 0 || count > 10) {
    throw new TallyError('malformed_message', 'NumMedia must be a whole number from 0 to 10');
  }
  const media: string[] = [];
  for (let i = 0; i < count; i++) {
    const url = field(form, `MediaUrl${i}`);
    if (url) media.push(url);
  }
  return {
    providerId,
    from,
    to: field(form, 'To') ?? null,
    text: field(form, 'Body') ?? '',
    sentAt: null,
    media,
  };
}

export type DeliveryState = 'queued' | 'sent' | 'delivered' | 'failed';

/** Twilio's statuses as the four a volunteer needs to see. */
const twilioStates: Record<string, DeliveryState> = {
  accepted: 'queued',
  scheduled: 'queued',
  queued: 'queued',
  sending: 'queued',
  sent: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  undelivered: 'failed',
  failed: 'failed',
  canceled: 'failed',
};

export interface DeliveryReport {
  providerId: string;
  state: DeliveryState;
  /** The provider's own words for it: its status and error code, for the volunteer who looks closer. */
  detail: string;
}

/** A status callback for an outbound message: `MessageSid`, `MessageStatus`, `ErrorCode`. */
export function parseTwilioStatus(form: FormFields): DeliveryReport {
  const providerId = field(form, 'MessageSid');
  const status = field(form, 'MessageStatus');
  if (!providerId || !status) {
    throw new TallyError(
      'malformed_message',
      'A Twilio status callback needs a MessageSid and a MessageStatus',
    );
  }
  const state = Object.hasOwn(twilioStates, status) ? twilioStates[status] : undefined;
  if (!state) throw new TallyError('malformed_message', `"${status}" is not a Twilio message status`);
  const errorCode = field(form, 'ErrorCode');
  return { providerId, state, detail: errorCode ? `${status} (error ${errorCode})` : status };
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The TwiML answer: each reply a `<Message>`, or an empty `<Response/>` for none. */
export function twiml(replies: readonly string[]): string {
  const messages = replies.map((reply) => `<Message>${escapeXml(reply)}</Message>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${messages}</Response>`;
}
