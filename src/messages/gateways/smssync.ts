/**
 * SMSSync, the Android app that turns a phone into an SMS gateway. The phone posts each SMS it receives as a
 * form (`secret`, `from`, `message`, `message_id`, `sent_timestamp`, `sent_to`, `device_id`) and is answered
 * with `{"payload":{"success":…,"error":…}}`. It polls `GET ?task=send&secret=…` for messages to send, reports
 * which of them it queued with `POST ?task=sent` (without the secret), asks which results are wanted with
 * `GET ?task=result` and posts them with `POST ?task=result`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { TallyError } from '../../errors.js';
import { type FormFields, field, type InboundMessage } from './inbound-message.js';

/** A message for the phone to send: `uuid` is the server's own id for it, which the phone reports back. */
export interface SmsSyncOutbound {
  to: string;
  message: string;
  uuid: string;
}

/** What the phone gets back for an inbound message. */
export interface SmsSyncAnswer {
  payload: {
    success: boolean;
    error: string | null;
    task?: 'send';
    secret?: string;
    messages?: SmsSyncOutbound[];
  };
}

/** The answer to a poll, `GET ?task=send`. */
export interface SmsSyncTask {
  payload: { task: 'send'; secret: string; messages: SmsSyncOutbound[] };
}

/** The answer to `POST ?task=sent` and to `GET ?task=result`. */
export interface SmsSyncUuids {
  message_uuids: string[];
}

/** What the phone reports about one message it was given to send. */
export interface SmsSyncResult {
  uuid: string;
  state: 'sent' | 'delivered' | 'failed';
  /** The phone's own words and codes, for the volunteer who looks closer. */
  detail: string;
  /** When the phone sent it (ISO 8601), when it says so in a form that gives the instant. */
  sentAt: string | null;
  /** When the delivery report came, for a delivered message only. */
  deliveredAt: string | null;
}

/** Both sides of a secret comparison are hashed under this key first, so they are always the same length. */
const comparisonKey = randomBytes(32);

function digest(value: string): Buffer {
  return createHmac('sha256', comparisonKey).update(value, 'utf8').digest();
}

/**
 * Whether the phone sent the channel's secret, compared in constant time whatever the lengths. A channel
 * without a secret accepts nothing.
 */
export function isSmsSyncSecret(expected: string, given: string | undefined): boolean {
  if (expected === '' || given === undefined) return false;
  return timingSafeEqual(digest(expected), digest(given));
}

/**
 * A time as SMSSync writes it: digits since the epoch. The app sends milliseconds, whatever its
 * documentation says; ten digits or fewer are taken as seconds, which reach to the year 2286.
 */
function epochDigits(digits: string): string | null {
  const count = Number(digits);
  if (!Number.isSafeInteger(count)) return null;
  const time = new Date(digits.length <= 10 ? count * 1000 : count);
  return Number.isNaN(time.getTime()) ? null : time.toISOString();
}

/** An inbound SMS. `sent_to` is empty when the phone does not know its own number, and is then null. */
export function parseSmsSyncInbound(form: FormFields): InboundMessage {
  const providerId = field(form, 'message_id')?.trim();
  const from = field(form, 'from')?.trim();
  const text = field(form, 'message');
  if (!providerId) throw new TallyError('malformed_message', 'An SMSSync message needs a message_id');
  if (!from) throw new TallyError('malformed_message', 'An SMSSync message needs a from');
  if (text === undefined) throw new TallyError('malformed_message', 'An SMSSync message needs a message');
  const timestamp = field(form, 'sent_timestamp')?.trim() ?? '';
  let sentAt: string | null = null;
  if (timestamp !== '') {
    sentAt = /^\d+$/.test(timestamp) ? epochDigits(timestamp) : null;
    if (sentAt === null) {
      throw new TallyError('malformed_message', 'sent_timestamp must be milliseconds since the epoch');
    }
  }
  return {
    providerId,
    from,
    to: field(form, 'sent_to')?.trim() || null,
    text,
    sentAt,
    media: [],
  };
}

/**
 * The answer to an inbound message. Replies ride along as a send task, which the phone carries out only
 * when the task's secret is its own, so replies need the secret.
 */
export function smsSyncAnswer(options: {
  success: boolean;
  error?: string;
  replies?: readonly SmsSyncOutbound[];
  secret?: string;
}): SmsSyncAnswer {
  if (!options.success) {
    return { payload: { success: false, error: options.error || 'The message was not accepted' } };
  }
  const replies = options.replies ?? [];
  if (replies.length === 0) return { payload: { success: true, error: null } };
  if (options.secret === undefined) throw new TypeError('Replies to SMSSync need the channel secret');
  return {
    payload: {
      success: true,
      error: null,
      task: 'send',
      secret: options.secret,
      messages: outbound(replies),
    },
  };
}

/** The answer to a poll: the messages waiting to be sent, perhaps none. */
export function smsSyncTask(messages: readonly SmsSyncOutbound[], secret: string): SmsSyncTask {
  return { payload: { task: 'send', secret, messages: outbound(messages) } };
}

/** The answer to `POST ?task=sent` (the uuids taken as sent) and to `GET ?task=result` (the uuids wanted). */
export function smsSyncUuids(uuids: readonly string[]): SmsSyncUuids {
  return { message_uuids: [...uuids] };
}

function outbound(messages: readonly SmsSyncOutbound[]): SmsSyncOutbound[] {
  return messages.map(({ to, message, uuid }) => ({ to, message, uuid }));
}

function jsonObject(body: unknown, what: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new TallyError('malformed_message', `${what} must be a JSON object`);
  }
  return body as Record<string, unknown>;
}

/**
 * `POST ?task=sent` with `{"queued_messages":[uuid…]}`: the uuids the phone has queued for sending, of which
 * only those the server itself queued are acknowledged. The phone does not send the secret with this request,
 * so the acknowledgement must not tell anyone which other uuids exist. Each uuid is answered once.
 */
export function acceptSentUuids(
  body: unknown,
  queued: ReadonlySet<string> | ((uuid: string) => boolean),
): string[] {
  const list = jsonObject(body, 'The queued messages').queued_messages;
  if (!Array.isArray(list)) throw new TallyError('malformed_message', '"queued_messages" must be an array');
  const isQueued = typeof queued === 'function' ? queued : (uuid: string) => queued.has(uuid);
  const accepted = new Set<string>();
  for (const uuid of list) {
    if (typeof uuid !== 'string') {
      throw new TallyError('malformed_message', '"queued_messages" must hold only uuids');
    }
    if (uuid !== '' && !accepted.has(uuid) && isQueued(uuid)) accepted.add(uuid);
  }
  return [...accepted];
}

function resultCode(entry: Record<string, unknown>, name: string, required: boolean): number | null {
  const value = entry[name];
  if (value === undefined || value === null) {
    if (required) throw new TallyError('malformed_message', `A message result needs "${name}"`);
    return null;
  }
  const code = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof code !== 'number' || !Number.isSafeInteger(code)) {
    throw new TallyError('malformed_message', `"${name}" must be a whole number`);
  }
  return code;
}

function resultText(entry: Record<string, unknown>, name: string): string {
  const value = entry[name];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new TallyError('malformed_message', `"${name}" must be a string`);
  return value.trim();
}

const isoWithZone = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

/**
 * A result time: digits since the epoch (as a number or a string) or ISO 8601 with a zone. The app's own
 * serializer writes dates in the phone's local time with no zone ("Mar 14, 2024 9:41:07 AM"), which cannot
 * be placed on the timeline, so such a time is left unknown rather than the whole report refused.
 */
function resultTime(entry: Record<string, unknown>, name: string): string | null {
  const value = entry[name];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value > 0 ? epochDigits(String(value)) : null;
  }
  if (typeof value !== 'string') throw new TallyError('malformed_message', `"${name}" must be a time`);
  const text = value.trim();
  if (/^\d+$/.test(text)) return epochDigits(text);
  if (!isoWithZone.test(text)) return null;
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

function describe(label: string, code: number, words: string): string {
  return words === '' ? `${label} code ${code}` : `${words} (${label} code ${code})`;
}

/*
 * What the result codes mean. SMSSync's documentation shows sent_result_code 0 for a sent message, and
 * delivered_result_code -1 with an empty delivered_result_message for a message with no delivery report yet
 * ("SMS Delivered" comes with 0). The app itself stores the codes Android hands its broadcast receivers, where
 * Activity.RESULT_OK is -1 and SmsManager's errors are positive (1 generic failure, 2 radio off, 3 no PDU,
 * 4 no service); until a delivery report arrives the delivered code is 0 with no message. So:
 *
 *   sent_result_code 0 or -1                          → sent: both mean OK
 *   sent_result_code anything else                    → failed, whatever the delivery fields say
 *   delivered_result_message empty or missing,
 *     or delivered_result_code missing                → no delivery report yet: stays sent
 *   delivered_result_code 0 or -1, with a message     → delivered
 *   any other delivered_result_code, with a message   → failed
 */
const okCodes = new Set([0, -1]);

function result(value: unknown, index: number): SmsSyncResult {
  const entry = jsonObject(value, `Message result ${index}`);
  const uuid = entry.uuid;
  if (typeof uuid !== 'string' || uuid.trim() === '') {
    throw new TallyError('malformed_message', `Message result ${index} needs a "uuid"`);
  }
  const sentCode = resultCode(entry, 'sent_result_code', true)!;
  const sentWords = resultText(entry, 'sent_result_message');
  const deliveredCode = resultCode(entry, 'delivered_result_code', false);
  const deliveredWords = resultText(entry, 'delivered_result_message');
  const sentAt = resultTime(entry, 'sent_timestamp');
  const deliveredAt = resultTime(entry, 'delivered_timestamp');

  const sent = describe('sent', sentCode, sentWords);
  if (!okCodes.has(sentCode)) return { uuid, state: 'failed', detail: sent, sentAt, deliveredAt: null };
  if (deliveredCode === null || deliveredWords === '') {
    return { uuid, state: 'sent', detail: sent, sentAt, deliveredAt: null };
  }
  const detail = `${sent}; ${describe('delivered', deliveredCode, deliveredWords)}`;
  return okCodes.has(deliveredCode)
    ? { uuid, state: 'delivered', detail, sentAt, deliveredAt }
    : { uuid, state: 'failed', detail, sentAt, deliveredAt: null };
}

/**
 * `POST ?task=result` with `{"message_result":[…]}`. The app writes the array already encoded as a JSON
 * string inside the object, so a string holding the array is read as the array.
 */
export function parseSmsSyncResults(body: unknown): SmsSyncResult[] {
  let list = jsonObject(body, 'The message results').message_result;
  if (typeof list === 'string') {
    try {
      list = JSON.parse(list);
    } catch {
      throw new TallyError('malformed_message', '"message_result" is a string that is not JSON');
    }
  }
  if (!Array.isArray(list)) throw new TallyError('malformed_message', '"message_result" must be an array');
  return list.map(result);
}
