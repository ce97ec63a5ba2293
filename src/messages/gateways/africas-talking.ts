/**
 * Africa's Talking's SMS API: inbound messages and delivery reports arrive as form posts to the callback
 * URLs set on the account, and replies go out through the bulk messaging endpoint.
 */
import { TallyError } from '../../errors.js';
import { type FormFields, field, gatewayTime, type InboundMessage } from './inbound-message.js';
import type { DeliveryReport, DeliveryState } from './twilio.js';

/**
 * An inbound SMS: `id`, `from`, `to` (the shortcode or long number), `text`, `date`, and `linkId`. The
 * `linkId` matters only for replies on premium (subscription) shortcodes, which Tally does not send.
 */
export function parseAfricasTalkingInbound(form: FormFields): InboundMessage {
  const providerId = field(form, 'id');
  const from = field(form, 'from');
  if (!providerId) throw new TallyError('malformed_message', "An Africa's Talking message needs an id");
  if (!from) throw new TallyError('malformed_message', "An Africa's Talking message needs a from");
  const date = field(form, 'date');
  let sentAt: string | null = null;
  if (date) {
    sentAt = gatewayTime(date);
    if (sentAt === null) {
      throw new TallyError('malformed_message', `"${date}" is not a time Africa's Talking writes`);
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

export interface AfricasTalkingSend {
  username: string;
  apiKey: string;
  /** One number, or several that get the same message. */
  to: string | readonly string[];
  message: string;
  /** A shortcode or sender id registered on the account; the account's default when absent. */
  from?: string;
}

export interface AfricasTalkingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * The POST that sends a message. The account named `sandbox` lives on Africa's Talking's sandbox host, as
 * their own libraries have it; every other account on the live one.
 */
export function africasTalkingSendRequest(send: AfricasTalkingSend): AfricasTalkingRequest {
  const host = send.username === 'sandbox' ? 'api.sandbox.africastalking.com' : 'api.africastalking.com';
  const to = typeof send.to === 'string' ? send.to : send.to.join(',');
  const body = new URLSearchParams({ username: send.username, to, message: send.message });
  if (send.from) body.set('from', send.from);
  return {
    url: `https://${host}/version1/messaging`,
    headers: {
      apiKey: send.apiKey,
      Accept: 'application/json',
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: body.toString(),
  };
}

/**
 * Africa's Talking's delivery statuses as the four a volunteer needs to see. `Buffered` means the mobile
 * network holds the message (the phone is off or out of reach): it has left Africa's Talking, so it is
 * sent, and a later `Success` or `Failed` follows.
 */
const africasTalkingStates: Record<string, DeliveryState> = {
  Sent: 'sent',
  Submitted: 'sent',
  Buffered: 'sent',
  Success: 'delivered',
  Rejected: 'failed',
  Failed: 'failed',
  AbsentSubscriber: 'failed',
  Expired: 'failed',
};

/** A delivery report: `id` (as the send answered it), `status`, and `failureReason` when it failed. */
export function parseAfricasTalkingDelivery(form: FormFields): DeliveryReport {
  const providerId = field(form, 'id');
  const status = field(form, 'status');
  if (!providerId || !status) {
    throw new TallyError('malformed_message', "An Africa's Talking delivery report needs an id and a status");
  }
  const state = Object.hasOwn(africasTalkingStates, status) ? africasTalkingStates[status] : undefined;
  if (!state) {
    throw new TallyError('malformed_message', `"${status}" is not an Africa's Talking delivery status`);
  }
  const reason = field(form, 'failureReason');
  return { providerId, state, detail: reason ? `${status} (${reason})` : status };
}
