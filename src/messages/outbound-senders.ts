/**
 * Handing an outbound message to its channel's gateway, under the outbound policy (`src/outbound`). Each
 * sender answers with the gateway's id for the message (what its delivery reports will name) or throws a
 * `SendFailure` saying whether trying again later may help.
 */
import type { Channel, ChannelKind } from '../channels/channel.js';
import { OutboundUnreachable, outboundRequest } from '../outbound/http.js';
import type { OutboundPolicy } from '../outbound/policy.js';
import { isOutboundRefused, refusedText } from '../outbound/refused.js';
import { isNetworkError } from '../outbound/sockets.js';
import { mailboxSettings, sendMail } from './email/mailbox.js';
import { africasTalkingSendRequest } from './gateways/africas-talking.js';
import { frontlineSendRequest } from './gateways/frontlinesms.js';
import { kannelDeliveryUrl, kannelSendUrl } from './gateways/kannel.js';
import { signatureHeader, webhookSignature } from './gateways/signed-webhook.js';
import type { DeliveryState } from './gateways/twilio.js';
import { vonageSendForm } from './gateways/vonage.js';

export class SendFailure extends Error {
  constructor(
    message: string,
    /** False when the gateway refused the message itself: trying again would only be refused again. */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'SendFailure';
  }
}

export interface Outgoing {
  /** Tally's id for the message. */
  id: string;
  to: string;
  text: string;
}

export interface HandedOver {
  providerId: string;
  state: DeliveryState;
  detail: string;
}

export interface SendContext {
  channel: Channel;
  secrets: Record<string, string>;
  /** Where the gateway reaches this Tally for delivery reports: the public URL's origin. */
  publicBase: string;
  /** Where the gateway may be: a public host, or one the operator allowed. */
  outbound: OutboundPolicy;
}

type Sender = (message: Outgoing, context: SendContext) => Promise<HandedOver>;

function setting(context: SendContext, name: string): string {
  const value = context.channel.settings[name];
  if (!value)
    throw new SendFailure(`the ${context.channel.kind} channel has no "${name}" setting to send with`, false);
  return value;
}

function secret(context: SendContext, name: string): string {
  const value = context.secrets[name];
  if (!value)
    throw new SendFailure(`the ${context.channel.kind} channel has no "${name}" secret to send with`, false);
  return value;
}

interface CallInit {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | Buffer;
}

async function call(
  context: SendContext,
  url: string,
  init: CallInit,
): Promise<{ status: number; body: string }> {
  let response: { status: number; body: Buffer };
  try {
    response = await outboundRequest(context.outbound, url, {
      ...init,
      timeoutMs: 30_000,
      // Each redirect's target is checked like the first.
      maxRedirects: 5,
    });
  } catch (error) {
    if (isOutboundRefused(error)) throw new SendFailure(refusedText, false);
    // How the connection failed (refused, reset, timed out) is not told: it would map the network.
    if (error instanceof OutboundUnreachable) {
      throw new SendFailure(`the gateway could not be reached (${error.message})`, true);
    }
    throw new SendFailure('the gateway could not be reached', true);
  }
  const body = response.body.toString('utf8');
  if (response.status >= 500 || response.status === 429) {
    throw new SendFailure(`the gateway answered ${response.status}: ${body.slice(0, 200)}`, true);
  }
  if (response.status >= 400) {
    throw new SendFailure(
      `the gateway refused the message (${response.status}): ${body.slice(0, 200)}`,
      false,
    );
  }
  return { status: response.status, body };
}

function jsonOf(body: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(body) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function callbackUrl(context: SendContext, what: string): string {
  return `${context.publicBase}/api/v1/inbound/${context.channel.kind}/${context.channel.id}/${what}`;
}

const senders: Partial<Record<ChannelKind, Sender>> = {
  kannel: async (message, context) => {
    const dlrUrl = kannelDeliveryUrl(
      `${callbackUrl(context, 'delivery')}?secret=${secret(context, 'secret')}`,
      message.id,
    );
    const { body } = await call(
      context,
      kannelSendUrl({
        baseUrl: setting(context, 'sendsmsUrl'),
        username: setting(context, 'username'),
        password: secret(context, 'password'),
        to: message.to,
        text: message.text,
        from: context.channel.settings.number,
        dlrUrl,
      }),
      { method: 'GET' },
    );
    // Kannel's delivery reports carry the id put in the dlr-url: Tally's own.
    return { providerId: message.id, state: 'queued', detail: body.trim() };
  },
  twilio: async (message, context) => {
    const accountSid = setting(context, 'accountSid');
    const base = context.channel.settings.apiBaseUrl ?? 'https://api.twilio.com';
    const { body } = await call(context, `${base}/2010-04-01/Accounts/${accountSid}/Messages.json`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${accountSid}:${secret(context, 'authToken')}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        To: message.to,
        From: setting(context, 'number'),
        Body: message.text,
        StatusCallback: callbackUrl(context, 'status'),
      }).toString(),
    });
    const sid = jsonOf(body).sid;
    if (typeof sid !== 'string') throw new SendFailure('Twilio answered without a message sid', true);
    return { providerId: sid, state: 'queued', detail: String(jsonOf(body).status ?? 'queued') };
  },
  africastalking: async (message, context) => {
    const request = africasTalkingSendRequest({
      username: setting(context, 'username'),
      apiKey: secret(context, 'apiKey'),
      to: message.to,
      message: message.text,
      from: context.channel.settings.number,
    });
    const base = context.channel.settings.apiBaseUrl;
    const url = base ? `${base}${new URL(request.url).pathname}` : request.url;
    const { body } = await call(context, url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
    });
    const data = jsonOf(body).SMSMessageData as
      | { Recipients?: { messageId?: string; status?: string }[] }
      | undefined;
    const recipient = data?.Recipients?.[0];
    if (!recipient?.messageId || recipient.messageId === 'None') {
      throw new SendFailure(
        `Africa's Talking did not take the message: ${recipient?.status ?? body.slice(0, 200)}`,
        false,
      );
    }
    return { providerId: recipient.messageId, state: 'sent', detail: recipient.status ?? 'Sent' };
  },
  frontlinesms: async (message, context) => {
    const request = frontlineSendRequest({
      url: setting(context, 'url'),
      apiKey: secret(context, 'apiKey'),
      to: message.to,
      message: message.text,
    });
    await call(context, request.url, { method: 'POST', headers: request.headers, body: request.body });
    return { providerId: message.id, state: 'sent', detail: 'taken by FrontlineSMS' };
  },
  vonage: async (message, context) => {
    const base = context.channel.settings.apiBaseUrl ?? 'https://rest.nexmo.com';
    const { body } = await call(context, `${base}/sms/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: vonageSendForm({
        apiKey: setting(context, 'apiKey'),
        apiSecret: secret(context, 'apiSecret'),
        from: setting(context, 'number'),
        to: message.to,
        text: message.text,
        callback: `${callbackUrl(context, 'delivery')}?secret=${context.secrets.secret ?? ''}`,
      }),
    });
    const first = (
      jsonOf(body).messages as { status?: string; 'message-id'?: string; 'error-text'?: string }[] | undefined
    )?.[0];
    if (first?.status !== '0' || !first['message-id']) {
      // Status 1 is Vonage's "throttled": worth another try; the others are refusals.
      throw new SendFailure(
        `Vonage did not take the message: ${first?.['error-text'] ?? body.slice(0, 200)}`,
        first?.status === '1',
      );
    }
    return { providerId: first['message-id'], state: 'sent', detail: 'taken by Vonage' };
  },
  email: async (message, context) => {
    const subject = context.channel.settings.replySubject ?? context.channel.name;
    try {
      const id = await sendMail(
        context.outbound,
        mailboxSettings(context.channel, context.secrets),
        message.to,
        subject,
        message.text,
      );
      return { providerId: id, state: 'sent', detail: 'taken by the SMTP server' };
    } catch (error) {
      if (isOutboundRefused(error)) throw new SendFailure(refusedText, false);
      if (isNetworkError(error)) throw new SendFailure('the SMTP server could not be reached', true);
      // SMTP's 5xx answers are final (no such mailbox, refused); everything else may pass later.
      const code = (error as { responseCode?: number }).responseCode;
      throw new SendFailure(
        `the SMTP server did not take the e-mail: ${(error as Error).message}`,
        !(code && code >= 500),
      );
    }
  },
  webhook: async (message, context) => {
    const body = Buffer.from(JSON.stringify({ id: message.id, to: message.to, text: message.text }));
    await call(context, setting(context, 'replyUrl'), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [signatureHeader]: webhookSignature(secret(context, 'secret'), body),
      },
      body,
    });
    return { providerId: message.id, state: 'sent', detail: 'taken by the webhook' };
  },
};

/** Whether Tally pushes this channel's messages to it (SMSSync phones instead come and fetch theirs). */
export function canPush(kind: ChannelKind): boolean {
  return senders[kind] !== undefined;
}

export function send(message: Outgoing, context: SendContext): Promise<HandedOver> {
  const sender = senders[context.channel.kind];
  if (!sender)
    throw new SendFailure(`Tally does not push messages to ${context.channel.kind} channels`, false);
  return sender(message, context);
}
