import { Type } from 'typebox';
import { problemResponses } from '../http/schemas.js';
import type { TypedApp } from '../http/typed-app.js';
import { literalUnion } from '../reports/reports.schemas.js';
import type { Services } from '../services.js';
import { inboundStatuses, type Message, outboundStatuses } from './message.js';

export const MessageView = Type.Object(
  {
    id: Type.String(),
    number: Type.Integer({ description: 'The number the sender was told in the acknowledgement' }),
    channel: Type.String(),
    direction: literalUnion(['inbound', 'outbound']),
    contact: Type.Union([Type.String(), Type.Null()], {
      description: "The sender's contact id; the number or address itself is never shown",
    }),
    text: Type.String(),
    media: Type.Array(Type.String()),
    status: literalUnion([...inboundStatuses, ...outboundStatuses]),
    status_detail: Type.Union([Type.String(), Type.Null()]),
    report_id: Type.Union([Type.String(), Type.Null()]),
    sent_at: Type.Union([Type.String(), Type.Null()]),
    received_at: Type.String(),
  },
  { $id: 'Message' },
);

function toView(message: Message) {
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
  };
}

const MessageListQuery = Type.Object(
  {
    status: Type.Optional(literalUnion([...inboundStatuses, ...outboundStatuses])),
    channel: Type.Optional(Type.String()),
    contact: Type.Optional(Type.String()),
    before: Type.Optional(Type.Integer({ minimum: 1, description: 'Only messages numbered below this' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  { additionalProperties: false },
);

export function messagesRoutes(app: TypedApp, services: Services): void {
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
        status: query.status ?? null,
        channelId: query.channel ?? null,
        contactId: query.contact ?? null,
        beforeSeq: query.before ?? null,
        limit: query.limit ?? 100,
      });
      return { data: messages.map(toView) };
    },
  );
}
