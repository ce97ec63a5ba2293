/**
 * Where SMS and chat gateways deliver messages: `/api/v1/inbound/{kind}/{channel}`. Each request is checked
 * to come from the channel's gateway (a signature or the shared secret, compared in constant time), read in
 * that gateway's exact format, stored raw, and only then answered in the gateway's own way (TwiML for
 * Twilio, a text body for Kannel, SMSSync's JSON). A refused request is counted on its channel.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { type ChannelKind, isChannelKind } from '../channels/channel.js';
import type { ChannelWithSecrets } from '../channels/channels.service.js';
import type { Config } from '../config.js';
import { TallyError } from '../errors.js';
import { decodeUtf8, parseForm } from '../http/body-parsers.js';
import type { TypedApp } from '../http/typed-app.js';
import type { Services } from '../services.js';
import { parseAfricasTalkingDelivery, parseAfricasTalkingInbound } from './gateways/africas-talking.js';
import { isFrontlineSecret, parseFrontlineInbound } from './gateways/frontlinesms.js';
import type { FormFields, InboundMessage } from './gateways/inbound-message.js';
import { isKannelSecret, kannelReply, parseKannelDelivery, parseKannelInbound } from './gateways/kannel.js';
import { isSignedWebhook, parseWebhookMessage, signatureHeader } from './gateways/signed-webhook.js';
import {
  acceptSentUuids,
  isSmsSyncSecret,
  parseSmsSyncInbound,
  parseSmsSyncResults,
  smsSyncAnswer,
  smsSyncTask as smsSyncTaskAnswer,
  smsSyncUuids,
} from './gateways/smssync.js';
import {
  type DeliveryReport,
  isSignedByTwilio,
  parseTwilioInbound,
  parseTwilioStatus,
  twiml,
} from './gateways/twilio.js';
import {
  isSignedByVonage,
  parseVonageDelivery,
  parseVonageInbound,
  type VonageSignatureMethod,
} from './gateways/vonage.js';

/** A gateway's request, in every form an adapter may need it. */
interface GatewayRequest {
  /** The URL the gateway called, as it saw it (Twilio signs it). */
  url: string;
  query: FormFields;
  /** The body's fields, for a form post. */
  form: FormFields;
  /** The body, for a JSON post. */
  json: unknown;
  raw: Buffer;
  headers: FastifyRequest['headers'];
}

interface Gateway {
  isAuthentic(
    request: GatewayRequest,
    secrets: Record<string, string>,
    now: Date,
    settings: Record<string, string>,
  ): boolean;
  parse(request: GatewayRequest): InboundMessage;
  /** The answer to the gateway; `to` is the sender, for gateways that need replies addressed. */
  answer(reply: FastifyReply, replies: string[], secrets: Record<string, string>, to: string): FastifyReply;
}

function header(request: GatewayRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function one(fields: FormFields, name: string): string | undefined {
  const value = fields[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The fields of a form post or of the query, whichever the gateway used. */
function fieldsOf(request: GatewayRequest): FormFields {
  return Object.keys(request.form).length > 0 ? request.form : request.query;
}

const received = (reply: FastifyReply) => reply.code(200).send({ received: true });

/** Gateways that deliver to Tally over HTTP; an e-mail channel's mailbox is read by Tally instead. */
const gateways: Partial<Record<ChannelKind, Gateway>> = {
  twilio: {
    isAuthentic: (request, secrets) =>
      isSignedByTwilio(
        secrets.authToken ?? '',
        request.url,
        request.form,
        header(request, 'x-twilio-signature'),
      ),
    parse: (request) => parseTwilioInbound(request.form),
    answer: (reply, replies) => reply.type('text/xml; charset=utf-8').send(twiml(replies)),
  },
  smssync: {
    isAuthentic: (request, secrets) => isSmsSyncSecret(secrets.secret ?? '', one(request.form, 'secret')),
    parse: (request) => parseSmsSyncInbound(request.form),
    // The phone sends the replies itself; each gets an id of its own, as SMSSync wants.
    answer: (reply, replies, secrets, to) =>
      reply.send(
        smsSyncAnswer({
          success: true,
          replies: replies.map((message) => ({ to, message, uuid: randomUUID() })),
          secret: secrets.secret,
        }),
      ),
  },
  frontlinesms: {
    isAuthentic: (request, secrets) => {
      const body = (request.json ?? request.form) as FormFields;
      return isFrontlineSecret(
        secrets.secret ?? '',
        typeof body?.secret === 'string' ? body.secret : undefined,
      );
    },
    parse: (request) => parseFrontlineInbound(request.json ?? request.form),
    answer: received,
  },
  africastalking: {
    isAuthentic: (request, secrets) => isKannelSecret(secrets.secret ?? '', one(request.query, 'secret')),
    parse: (request) => parseAfricasTalkingInbound(request.form),
    answer: received,
  },
  vonage: {
    isAuthentic: (request, secrets, now, settings) => {
      const fields = fieldsOf(request);
      if (secrets.signatureSecret) {
        const method = (settings.signatureMethod ?? 'md5hash') as VonageSignatureMethod;
        return isSignedByVonage(fields, secrets.signatureSecret, method, now);
      }
      return isKannelSecret(secrets.secret ?? '', one(request.query, 'secret'));
    },
    parse: (request) => {
      const { secret: _secret, ...fields } = fieldsOf(request);
      return parseVonageInbound(fields);
    },
    answer: (reply) => reply.code(204).send(),
  },
  kannel: {
    isAuthentic: (request, secrets) => isKannelSecret(secrets.secret ?? '', one(request.query, 'secret')),
    parse: (request) => parseKannelInbound(request.query),
    answer: (reply, replies) => reply.type('text/plain; charset=utf-8').send(kannelReply(replies)),
  },
  webhook: {
    isAuthentic: (request, secrets) =>
      isSignedWebhook(secrets.secret ?? '', request.raw, header(request, signatureHeader)),
    parse: (request) => parseWebhookMessage(request.json),
    answer: received,
  },
};

/** Delivery reports, where the gateway sends them: authenticated as its inbound messages are. */
const deliveryReports: Partial<Record<ChannelKind, (request: GatewayRequest) => DeliveryReport>> = {
  twilio: (request) => parseTwilioStatus(request.form),
  kannel: (request) => parseKannelDelivery(request.query),
  africastalking: (request) => parseAfricasTalkingDelivery(request.form),
  vonage: (request) => parseVonageDelivery(fieldsOf(request)),
};

/** The URL the gateway called: behind a proxy, the public URL's origin with the path it asked for. */
function calledUrl(request: FastifyRequest, config: Config): string {
  if (config.publicUrl) return new URL(request.url, new URL(config.publicUrl).origin).href;
  return `${request.protocol}://${request.host}${request.url}`;
}

/** What is kept of the request as received: its fields, without the shared secret that authenticated it. */
function rawOf(request: GatewayRequest): unknown {
  const { secret: _query, ...query } = request.query;
  if (request.json !== null) {
    if (request.json && typeof request.json === 'object' && !Array.isArray(request.json)) {
      const { secret: _body, ...body } = request.json as Record<string, unknown>;
      return { query, body };
    }
    return { query, body: request.json };
  }
  const { secret: _form, ...form } = request.form;
  return { query, form };
}

function gatewayRequest(request: FastifyRequest, config: Config): GatewayRequest {
  const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const type = String(request.headers['content-type'] ?? '')
    .split(';')[0]
    ?.trim();
  let form: FormFields = {};
  let json: unknown = null;
  if (raw.length > 0 && type === 'application/x-www-form-urlencoded') {
    form = parseForm(decodeUtf8(raw));
  } else if (raw.length > 0 && type === 'application/json') {
    try {
      // A NUL character becomes U+FFFD, as in form fields (see `field`): PostgreSQL's text cannot hold it.
      json = JSON.parse(decodeUtf8(raw), (_key, value) =>
        typeof value === 'string' ? value.replaceAll('\u0000', '\ufffd') : value,
      );
    } catch (error) {
      if (error instanceof TallyError) throw error;
      throw new TallyError('malformed_json', `The body is not valid JSON: ${(error as Error).message}`);
    }
  }
  return {
    url: calledUrl(request, config),
    query: request.query as FormFields,
    form,
    json,
    raw,
    headers: request.headers,
  };
}

const InboundParams = Type.Object({
  kind: Type.String({ description: `One of ${Object.keys(gateways).join(', ')}` }),
  channel: Type.String({ description: "The channel's id" }),
});

export function inboundRoutes(app: TypedApp, services: Services, config: Config): void {
  /**
   * The rest of SMSSync's protocol: the phone fetching messages to send (`task=send`, with the secret),
   * saying which it sent (`task=sent`: the app sends no secret, so only ids this server handed to this
   * channel's phone count), and asking for and giving delivery results (`task=result`).
   */
  const smsSyncTask = async (
    task: string,
    parts: GatewayRequest,
    channel: ChannelWithSecrets,
    reply: FastifyReply,
  ): Promise<FastifyReply> => {
    const channelId = channel.channel.id;
    const secret = channel.secrets.secret ?? '';
    if (task === 'send') {
      if (!isSmsSyncSecret(secret, one(parts.query, 'secret') ?? one(parts.form, 'secret'))) {
        await services.channels.countRefused(channelId);
        throw new TallyError(
          'invalid_signature',
          `The request is not signed by the smssync channel "${channelId}"`,
        );
      }
      return reply.send(smsSyncTaskAnswer(await services.outbox.fetchForPhone(channelId), secret));
    }
    if (task === 'sent') {
      const named = (parts.json as { queued_messages?: unknown } | null)?.queued_messages;
      const candidates = Array.isArray(named)
        ? named.filter((id): id is string => typeof id === 'string')
        : [];
      const ours = await services.outbox.fetchedFrom(channelId, candidates);
      const accepted = acceptSentUuids(parts.json, ours);
      for (const uuid of accepted) {
        await services.outbox.delivered(channelId, {
          providerId: uuid,
          state: 'sent',
          detail: 'sent by the phone',
        });
      }
      return reply.send(smsSyncUuids(accepted));
    }
    if (task === 'result' && parts.raw.length === 0) {
      return reply.send(smsSyncUuids(await services.outbox.awaitingResult(channelId)));
    }
    if (task === 'result') {
      const results = parseSmsSyncResults(parts.json);
      const ours = await services.outbox.fetchedFrom(
        channelId,
        results.map((result) => result.uuid),
      );
      for (const result of results) {
        if (!ours.has(result.uuid)) continue;
        await services.outbox.delivered(channelId, {
          providerId: result.uuid,
          state: result.state,
          detail: result.detail,
        });
      }
      return reply.send(
        smsSyncUuids(results.filter((result) => ours.has(result.uuid)).map((result) => result.uuid)),
      );
    }
    throw new TallyError('malformed_message', `"${task}" is not an SMSSync task`);
  };

  app.register(async (scope) => {
    // Gateways sign the exact bytes they send, so bodies reach the handler unparsed.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      ['application/x-www-form-urlencoded', 'application/json'],
      { parseAs: 'buffer' },
      (_request, body, done) => done(null, body),
    );

    const handle = async (request: FastifyRequest, reply: FastifyReply) => {
      const { kind, channel: channelId } = request.params as { kind: string; channel: string };
      const gateway = isChannelKind(kind) ? gateways[kind] : undefined;
      if (!isChannelKind(kind) || !gateway) throw new TallyError('not_found', `No gateway of kind "${kind}"`);
      const channel = await services.channels.forGatewayRequest(channelId, kind);
      const parts = gatewayRequest(request, config);
      const task = one(parts.query, 'task');
      if (kind === 'smssync' && task) return smsSyncTask(task, parts, channel, reply);
      if (!gateway.isAuthentic(parts, channel.secrets, new Date(), channel.channel.settings)) {
        await services.channels.countRefused(channelId);
        request.log.warn(
          { channel: channelId, kind },
          'refused a gateway request: wrong or missing signature or secret',
        );
        throw new TallyError(
          'invalid_signature',
          `The request is not signed by the ${kind} channel "${channelId}"`,
        );
      }
      const inbound = gateway.parse(parts);
      const { replies, duplicate, message } = await services.inbox.receive(
        channel.channel,
        inbound,
        rawOf(parts),
      );
      request.log.info({ channel: channelId, message: message.id, duplicate }, 'message received');
      return gateway.answer(reply, replies, channel.secrets, inbound.from);
    };

    const schema = {
      tags: ['messages'],
      summary: 'Receive a message from an SMS or chat gateway (the channel’s signature or secret required)',
      params: InboundParams,
      hide: false,
    };
    scope.post('/api/v1/inbound/:kind/:channel', { schema }, handle);
    scope.get('/api/v1/inbound/:kind/:channel', { schema }, handle);

    const handleReport = async (request: FastifyRequest, reply: FastifyReply) => {
      const { kind, channel: channelId } = request.params as { kind: string; channel: string };
      const parse = isChannelKind(kind) ? deliveryReports[kind] : undefined;
      if (!isChannelKind(kind) || !parse)
        throw new TallyError('not_found', `No delivery reports for "${kind}"`);
      const channel = await services.channels.forGatewayRequest(channelId, kind);
      const parts = gatewayRequest(request, config);
      if (!gateways[kind]?.isAuthentic(parts, channel.secrets, new Date(), channel.channel.settings)) {
        await services.channels.countRefused(channelId);
        throw new TallyError(
          'invalid_signature',
          `The request is not signed by the ${kind} channel "${channelId}"`,
        );
      }
      const report = parse(parts);
      const known = await services.outbox.delivered(channelId, report);
      request.log.info({ channel: channelId, state: report.state, known }, 'delivery report');
      // A report on a message this channel never sent is no error of the gateway's: acknowledged, noted.
      return reply.code(204).send();
    };
    const reportSchema = {
      tags: ['messages'],
      summary:
        'Receive a delivery report for an outbound message (Twilio status callbacks, Kannel dlr-url, …)',
      params: InboundParams,
    };
    scope.post('/api/v1/inbound/:kind/:channel/status', { schema: reportSchema }, handleReport);
    scope.post('/api/v1/inbound/:kind/:channel/delivery', { schema: reportSchema }, handleReport);
    scope.get('/api/v1/inbound/:kind/:channel/delivery', { schema: reportSchema }, handleReport);
  });
}
