/**
 * Kannel, the open-source SMS gateway run beside a modem or an operator's SMSC. Its smsbox calls Tally for
 * each inbound message through an `sms-service` whose URL template fills in the message, for example
 *
 *   group = sms-service
 *   keyword = default
 *   get-url = "https://HOST/api/v1/inbound/kannel/CHANNEL?secret=S&from=%p&to=%P&text=%a&ts=%t&smsc=%i&id=%I"
 *   max-messages = 1
 *   omit-empty = true
 *
 * (`%p` sender, `%P` receiver, `%a` text, `%t` time in UTC, `%i` the SMSC's id, `%I` the message's UUID).
 * Tally sends through smsbox's `sendsms` interface and hears back about delivery through the `dlr-url`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { TallyError } from '../../errors.js';
import { type FormFields, field, gatewayTime, type InboundMessage } from './inbound-message.js';
import type { DeliveryReport, DeliveryState } from './twilio.js';

/**
 * Whether the secret in Kannel's request is the channel's. Both are hashed first, so the comparison takes
 * the same time whatever the length of the guess. An empty secret on the channel matches nothing.
 */
export function isKannelSecret(expected: string, given: string | undefined): boolean {
  if (!expected || given === undefined) return false;
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(given, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/**
 * An inbound message as the `get-url` above passes it: `id` (`%I`, the UUID Kannel gives the message, which
 * a retry keeps, so it is what a message is known by), `from`, `to`, `text` and `ts`. The SMSC's id (`smsc`)
 * and the `secret` are for routing and checking, not part of the message. Kannel's `%a` squeezes runs of
 * spaces into one.
 */
export function parseKannelInbound(query: FormFields): InboundMessage {
  const providerId = field(query, 'id');
  const from = field(query, 'from');
  if (!providerId) {
    throw new TallyError('malformed_message', 'A Kannel message needs an id: add id=%I to the get-url');
  }
  if (!from) throw new TallyError('malformed_message', 'A Kannel message needs a from (%p)');
  const ts = field(query, 'ts');
  let sentAt: string | null = null;
  if (ts) {
    sentAt = gatewayTime(ts);
    if (sentAt === null)
      throw new TallyError('malformed_message', `"${ts}" is not a time as Kannel writes it`);
  }
  return {
    providerId,
    from,
    to: field(query, 'to') || null,
    text: field(query, 'text') ?? '',
    sentAt,
    media: [],
  };
}

/**
 * The `text/plain` body Tally answers Kannel with: the replies, one a line, or '' for none. Kannel sends the
 * whole body back to the sender as one SMS, squeezing blanks (line breaks included) and cutting what does
 * not fit, or splitting it when the service allows `max-messages` above 1. With `omit-empty = true` in the
 * `sms-service`, an empty body sends nothing; without it, Kannel sends its `reply-emptymessage` instead.
 */
export function kannelReply(replies: readonly string[]): string {
  return replies.join('\n');
}

/** GSM 03.38: the default alphabet and its extension table, the characters a 7-bit SMS can carry. */
const gsm7 = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿' +
    'abcdefghijklmnopqrstuvwxyzäöñüà' +
    '\f^{}\\[~]|€',
);

export interface KannelSend {
  /** smsbox's HTTP interface, such as `http://smsbox:13013`. */
  baseUrl: string;
  /** A `sendsms-user` of smsbox. */
  username: string;
  password: string;
  to: string;
  text: string;
  /** The sender number or name, when the SMSC lets it be chosen. */
  from?: string;
  /** Where Kannel reports delivery, built by `kannelDeliveryUrl`. */
  dlrUrl: string;
}

/**
 * The URL of `GET …/cgi-bin/sendsms` for one message, asking for every delivery report (`dlr-mask=31`).
 * The text goes as UTF-8; when it has a character that a 7-bit SMS cannot carry (Amharic, Arabic, an emoji)
 * Kannel is asked for UCS-2 (`coding=2`) rather than turning it into question marks.
 */
export function kannelSendUrl(send: KannelSend): string {
  const params: [string, string][] = [
    ['username', send.username],
    ['password', send.password],
    ['to', send.to],
    ['text', send.text],
  ];
  if (send.from) params.push(['from', send.from]);
  params.push(['charset', 'UTF-8']);
  if ([...send.text].some((character) => !gsm7.has(character))) params.push(['coding', '2']);
  params.push(['dlr-mask', '31'], ['dlr-url', send.dlrUrl]);
  const query = params.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
  return `${send.baseUrl.replace(/\/+$/, '')}/cgi-bin/sendsms?${query}`;
}

/**
 * The `dlr-url` for one outbound message: the callback URL with Tally's own id for the message, `type=%d`
 * and `reply=%A`, which Kannel fills in for each report. Kannel reads every `%` in it as the start of one of
 * its codes, so neither the callback URL nor the id may hold a percent-encoded character: the id must be
 * letters, digits and `-._~`, and so must any secret in the URL.
 */
export function kannelDeliveryUrl(callbackUrl: string, id: string): string {
  if (callbackUrl.includes('%')) {
    throw new TypeError(
      'The Kannel callback URL must not hold a "%": Kannel would take it for one of its codes',
    );
  }
  if (!/^[A-Za-z0-9._~-]+$/.test(id)) {
    throw new TypeError('The id in a Kannel dlr-url must be letters, digits and "-._~" only');
  }
  const separator = callbackUrl.includes('?') ? '&' : '?';
  return `${callbackUrl}${separator}id=${id}&type=%d&reply=%A`;
}

/** Kannel's delivery report types (`%d`), what they mean in its own words, and the four states. */
const kannelTypes: Record<string, { name: string; state: DeliveryState }> = {
  1: { name: 'delivery success', state: 'delivered' },
  2: { name: 'delivery failure', state: 'failed' },
  4: { name: 'message buffered', state: 'queued' },
  8: { name: 'smsc submit', state: 'sent' },
  16: { name: 'smsc reject', state: 'failed' },
};

/**
 * A delivery report as the `dlr-url` from `kannelDeliveryUrl` passes it: `id` (Tally's own), `type` (`%d`)
 * and `reply` (`%A`, the SMSC's own words, such as `id:… stat:DELIVRD err:000`).
 */
export function parseKannelDelivery(query: FormFields): DeliveryReport {
  const providerId = field(query, 'id');
  const type = field(query, 'type');
  if (!providerId || !type) {
    throw new TallyError('malformed_message', 'A Kannel delivery report needs an id and a type (%d)');
  }
  const known = Object.hasOwn(kannelTypes, type) ? kannelTypes[type] : undefined;
  if (!known) throw new TallyError('malformed_message', `"${type}" is not a Kannel delivery report type`);
  const reply = field(query, 'reply');
  return { providerId, state: known.state, detail: reply ? `${known.name}: ${reply}` : known.name };
}
