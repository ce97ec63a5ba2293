import { Type } from 'typebox';
import { type Trust, trustLevels } from '../contacts/contacts.repository.js';
import { problemResponses } from '../http/schemas.js';
import type { TypedApp } from '../http/typed-app.js';
import { literalUnion, ReportFromMessageBody } from '../reports/reports.schemas.js';
import type { Services } from '../services.js';
import { inboundStatuses, type Message, outboundStatuses } from './message.js';
import type { SuggestedLocation } from './place-in-text.js';

export const MessageView = Type.Object(
  {
    id: Type.String(),
    number: Type.Integer({ description: 'The number the sender was told in the acknowledgement' }),
    channel: Type.String(),
    direction: Type.String({ description: 'inbound or outbound' }),
    contact: Type.Union([Type.String(), Type.Null()], {
      description: "The sender's contact id; the number or address itself is never shown",
    }),
    text: Type.String(),
    media: Type.Array(Type.String()),
    status: Type.String({ description: [...inboundStatuses, ...outboundStatuses].join(', ') }),
    status_detail: Type.Union([Type.String(), Type.Null()]),
    report_id: Type.Union([Type.String(), Type.Null()]),
    sent_at: Type.Union([Type.String(), Type.Null()]),
    received_at: Type.String(),
    suggested_location: Type.Union([
      Type.Object({
        lat: Type.Number(),
        lon: Type.Number(),
        name: Type.Union([Type.String(), Type.Null()]),
        confidence: Type.Number({
          description: '1 for coordinates written in the text; less for a place name',
        }),
        source: Type.String({ description: 'coordinates or gazetteer' }),
      }),
      Type.Null(),
    ]),
    suggested_categories: Type.Array(Type.String(), {
      description: 'Categories whose keywords the text holds',
    }),
  },
  { $id: 'Message' },
);

function toView(
  message: Message & { suggestedLocation?: SuggestedLocation | null; suggestedCategories?: string[] },
) {
  return {
    id: message.id,
    number: message.seq,
    channel: message.channelId,
    direction: message.direction,
    contact: message.contactId,
    text: message.text,
    media: message.media,
    status: message.status,
    status_detail: message.statusDetail,
    report_id: message.reportId,
    sent_at: message.sentAt,
    received_at: message.receivedAt,
    suggested_location: message.suggestedLocation ?? null,
    suggested_categories: message.suggestedCategories ?? [],
  };
}

const MessageListQuery = Type.Object(
  {
    direction: Type.Optional(literalUnion(['inbound', 'outbound'])),
    status: Type.Optional(literalUnion([...inboundStatuses, ...outboundStatuses])),
    channel: Type.Optional(Type.String()),
    contact: Type.Optional(Type.String()),
    before: Type.Optional(Type.Integer({ minimum: 1, description: 'Only messages numbered below this' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  { additionalProperties: false },
);

const MessageIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export function messagesRoutes(app: TypedApp, services: Services): void {
  app.post(
    '/api/v1/messages/:id/report',
    {
      schema: {
        tags: ['messages'],
        summary:
          'Make a report of a message (volunteers and up); what is not given is taken from the message',
        params: MessageIdParams,
        body: ReportFromMessageBody,
        response: {
          201: Type.Object({ message: MessageView, report: Type.Ref('Report') }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const made = await services.inbox.toReport(request.actor, request.params.id, request.body ?? {});
      return reply.code(201).send({ message: toView(made.message), report: made.report });
    },
  );
  app.post(
    '/api/v1/messages/:id/attach',
    {
      schema: {
        tags: ['messages'],
        summary: 'Attach a message to an existing report (volunteers and up)',
        params: MessageIdParams,
        body: Type.Object(
          { report_id: Type.String({ minLength: 1, maxLength: 64 }) },
          { additionalProperties: false },
        ),
        response: { 200: MessageView, ...problemResponses },
      },
    },
    async (request) =>
      toView(await services.inbox.attach(request.actor, request.params.id, request.body.report_id)),
  );
  app.post(
    '/api/v1/messages/:id/archive',
    {
      schema: {
        tags: ['messages'],
        summary: 'Archive a message as noise (volunteers and up); it stays stored',
        params: MessageIdParams,
        response: { 200: MessageView, ...problemResponses },
      },
    },
    async (request) => toView(await services.inbox.archive(request.actor, request.params.id)),
  );

  app.get(
    '/api/v1/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'The inbox: messages from every channel, newest first (volunteers and up)',
        querystring: MessageListQuery,
        response: { 200: Type.Object({ data: Type.Array(MessageView) }), ...problemResponses },
      },
    },
    async (request) => {
      const { query } = request;
      const messages = await services.inbox.list(request.actor, {
        direction: query.direction ?? null,
        status: query.status ?? null,
        channelId: query.channel ?? null,
        contactId: query.contact ?? null,
        beforeSeq: query.before ?? null,
        limit: query.limit ?? 100,
      });
      return { data: messages.map(toView) };
    },
  );
  app.post(
    '/api/v1/contacts/:id/trust',
    {
      schema: {
        tags: ['messages'],
        summary:
          'Trust a sender (their messages become pending reports directly), block them, or make them normal again (volunteers and up; on the public record)',
        params: MessageIdParams,
        body: Type.Object({ trust: literalUnion(trustLevels) }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await services.inbox.setTrust(request.actor, request.params.id, request.body.trust as Trust);
      return reply.code(204).send(null);
    },
  );
}
