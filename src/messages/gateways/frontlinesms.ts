/**
 * FrontlineSMS (the desktop app or FrontlineCloud) forwarding messages from its own phones: a "forward to
 * URL" step posts `secret`, `from` and `message` as a form or as JSON, and may add a `timestamp`. Replies go
 * out through FrontlineCloud's webhook API.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { TallyError } from '../../errors.js';
import type { InboundMessage } from './inbound-message.js';

/**
 * Whether the secret FrontlineSMS sent is the channel's. Both are hashed first, so the comparison takes the
 * same time whatever the length of the guess. An empty secret on the channel matches nothing.
 */
export function isFrontlineSecret(expected: string, given: string | undefined): boolean {
  if (!expected || given === undefined) return false;
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(given, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** One value of a field of a form (the first, when sent more than once) or of a JSON object. */
function value(body: Record<string, unknown>, name: string): string | undefined {
  const raw = Array.isArray(body[name]) ? (body[name] as unknown[])[0] : body[name];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' && name === 'timestamp' && Number.isFinite(raw)) return String(raw);
  throw new TallyError('malformed_message', `"${name}" must be a string`);
}

/**
 * The time in the optional `timestamp`: Unix milliseconds (as FrontlineSMS counts them) or seconds, or an
 * ISO 8601 time with its zone. Another form still tells messages apart (see `parseFrontlineInbound`), but
 * gives no sent time.
 */
function frontlineTime(timestamp: string): string | null {
  let millis: number;
  if (/^\d{1,15}$/.test(timestamp)) {
    millis = timestamp.length >= 12 ? Number(timestamp) : Number(timestamp) * 1000;
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(timestamp)) {
    millis = Date.parse(timestamp);
  } else {
    return null;
  }
  return Number.isFinite(millis) ? new Date(millis).toISOString() : null;
}

/**
 * An inbound message forwarded by FrontlineSMS, as a parsed form or JSON object. The `secret` is checked
 * apart, with `isFrontlineSecret`, and is not part of the message.
 *
 * FrontlineSMS sends no id for a message, so the id is derived: the hex SHA-256 of the JSON array
 * `[from, message, timestamp]` (`null` when there is no timestamp). A retry of the same forward gets the same
 * id and is stored once. Without a timestamp, the same text sent twice by the same phone also gets the same
 * id and is stored once; configure FrontlineSMS to send the `timestamp` so that it is not.
 */
export function parseFrontlineInbound(body: unknown): InboundMessage {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new TallyError('malformed_message', 'A FrontlineSMS message must be a form or a JSON object');
  }
  const fields = body as Record<string, unknown>;
  const from = value(fields, 'from');
  const message = value(fields, 'message');
  if (!from || from.trim() === '')
    throw new TallyError('malformed_message', 'A FrontlineSMS message needs a from');
  if (message === undefined)
    throw new TallyError('malformed_message', 'A FrontlineSMS message needs a message');
  const timestamp = value(fields, 'timestamp') || null;
  const providerId = createHash('sha256')
    .update(JSON.stringify([from, message, timestamp]), 'utf8')
    .digest('hex');
  return {
    providerId,
    from,
    to: null,
    text: message,
    sentAt: timestamp === null ? null : frontlineTime(timestamp),
    media: [],
  };
}

export interface FrontlineSend {
  /** The webhook URL of the FrontlineCloud workspace's API activity. */
  url: string;
  apiKey: string;
  /** One number, or several that get the same message. */
  to: string | readonly string[];
  message: string;
}

export interface FrontlineRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** The POST that asks FrontlineCloud to send a message from its phones. */
export function frontlineSendRequest(send: FrontlineSend): FrontlineRequest {
  const numbers = typeof send.to === 'string' ? [send.to] : send.to;
  return {
    url: send.url,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({
      apiKey: send.apiKey,
      payload: {
        message: send.message,
        recipients: numbers.map((number) => ({ type: 'mobile', value: number })),
      },
    }),
  };
}
