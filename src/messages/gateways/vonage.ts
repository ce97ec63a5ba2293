/**
 * Vonage's (formerly Nexmo's) SMS API: an inbound message arrives as a GET query or a form post to the
 * number's inbound webhook. When the account has signed webhooks turned on, the request also carries
 * `timestamp`, `nonce` and `sig`, signed with the account's signature secret by the method chosen in the
 * dashboard.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { TallyError } from '../../errors.js';
import { type FormFields, field, gatewayTime, type InboundMessage } from './inbound-message.js';
import type { DeliveryReport, DeliveryState } from './twilio.js';

/** `md5hash` is Vonage's default (MD5 of the string followed by the secret); the rest are HMACs. */
export type VonageSignatureMethod = 'md5hash' | 'md5' | 'sha1' | 'sha256' | 'sha512';

/** How far the signed `timestamp` may be from now, either way, before the request is taken as replayed. */
export const vonageSignatureWindowSeconds = 5 * 60;

/**
 * The signed string is every parameter but `sig`, sorted by name, each written `&name=value` with any `&` or
 * `=` in the value replaced by `_`. `md5hash` is the hex MD5 of that string followed by the secret; the
 * others are the hex HMAC of that string keyed by the secret. The answer is lowercase hex; Vonage's own
 * libraries compare signatures without regard to case.
 */
export function vonageSignature(params: FormFields, secret: string, method: VonageSignatureMethod): string {
  let signed = '';
  for (const name of Object.keys(params).sort()) {
    if (name === 'sig') continue;
    // As sent, not as `field` cleans it: Vonage signed the very characters.
    const raw = params[name];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined) continue;
    signed += `&${name}=${value.replace(/[&=]/g, '_')}`;
  }
  if (method === 'md5hash')
    return createHash('md5')
      .update(signed + secret, 'utf8')
      .digest('hex');
  return createHmac(method, secret).update(signed, 'utf8').digest('hex');
}

/**
 * Whether `sig` is the one the secret gives and the signed `timestamp` (Unix seconds) is within five minutes
 * of `now`. A parameter sent more than once is refused: Vonage never does, and only one value could be signed.
 */
export function isSignedByVonage(
  params: FormFields,
  secret: string,
  method: VonageSignatureMethod,
  now: Date,
): boolean {
  if (!secret) return false;
  if (Object.values(params).some((value) => Array.isArray(value))) return false;
  const sig = field(params, 'sig');
  const timestamp = field(params, 'timestamp');
  if (!sig || !timestamp || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > vonageSignatureWindowSeconds) return false;
  const expected = Buffer.from(vonageSignature(params, secret, method), 'utf8');
  const given = Buffer.from(sig.toLowerCase(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * An inbound SMS: `messageId`, `msisdn` (the sender, digits without a `+`), `to`, `text`, `type` and
 * `message-timestamp`. A binary message (`type=binary`, a ringtone or a SIM update) carries no text and is
 * refused. A long message comes as several parts, each its own request with its own `messageId`, and each
 * is taken as its own message; `vonageMessagePart` says which part of which whole one it is.
 */
export function parseVonageInbound(form: FormFields): InboundMessage {
  const providerId = field(form, 'messageId');
  const from = field(form, 'msisdn');
  if (!providerId) throw new TallyError('malformed_message', 'A Vonage message needs a messageId');
  if (!from) throw new TallyError('malformed_message', 'A Vonage message needs an msisdn');
  const type = field(form, 'type');
  if (type === 'binary') {
    throw new TallyError('malformed_message', 'A binary Vonage message has no text to read');
  }
  const timestamp = field(form, 'message-timestamp');
  let sentAt: string | null = null;
  if (timestamp) {
    sentAt = gatewayTime(timestamp);
    if (sentAt === null) {
      throw new TallyError('malformed_message', `"${timestamp}" is not a time as Vonage writes it`);
    }
  }
  return {
    providerId,
    from,
    to: field(form, 'to') || null,
    text: field(form, 'text') ?? '',
    sentAt,
    media: [],
  };
}

export interface VonageMessagePart {
  /** The same for every part of one long message, from one sender. */
  ref: string;
  total: number;
  /** From 1 to `total`. */
  part: number;
}

/** Which part of a long message this request is (`concat`, `concat-ref`, …), or null for a whole message. */
export function vonageMessagePart(form: FormFields): VonageMessagePart | null {
  if (field(form, 'concat') !== 'true') return null;
  const ref = field(form, 'concat-ref');
  const total = Number(field(form, 'concat-total'));
  const part = Number(field(form, 'concat-part'));
  if (
    !ref ||
    !Number.isInteger(total) ||
    !Number.isInteger(part) ||
    part < 1 ||
    total < part ||
    total > 255
  ) {
    throw new TallyError(
      'malformed_message',
      'A part of a long Vonage message needs a concat-ref, and a concat-part from 1 to concat-total of at most 255',
    );
  }
  return { ref, total, part };
}

/** The form of Vonage's SMS API send (`POST https://rest.nexmo.com/sms/json`): numbers without their plus. */
export function vonageSendForm(send: {
  apiKey: string;
  apiSecret: string;
  from: string;
  to: string;
  text: string;
  callback: string;
}): string {
  const unicode = [...send.text].some((character) => character.charCodeAt(0) > 0x7f);
  return new URLSearchParams({
    api_key: send.apiKey,
    api_secret: send.apiSecret,
    from: send.from.replace(/^\+/, ''),
    to: send.to.replace(/^\+/, ''),
    text: send.text,
    ...(unicode ? { type: 'unicode' } : {}),
    callback: send.callback,
  }).toString();
}

/** Vonage's delivery receipt statuses as the four a volunteer needs to see. */
const vonageStates: Record<string, DeliveryState> = {
  accepted: 'sent',
  buffered: 'sent',
  delivered: 'delivered',
  expired: 'failed',
  failed: 'failed',
  rejected: 'failed',
  unknown: 'sent',
};

/** A delivery receipt: `messageId`, `status`, and `err-code` when it failed. */
export function parseVonageDelivery(form: FormFields): DeliveryReport {
  const providerId = field(form, 'messageId');
  const status = field(form, 'status');
  if (!providerId || !status) {
    throw new TallyError('malformed_message', 'A Vonage delivery receipt needs a messageId and a status');
  }
  const state = Object.hasOwn(vonageStates, status) ? vonageStates[status] : undefined;
  if (!state) throw new TallyError('malformed_message', `"${status}" is not a Vonage delivery status`);
  const code = field(form, 'err-code');
  return { providerId, state, detail: code && code !== '0' ? `${status} (error ${code})` : status };
}
