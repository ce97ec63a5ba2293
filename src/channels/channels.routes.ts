import { Type } from 'typebox';
import { problemResponses } from '../http/schemas.js';
import type { TypedApp } from '../http/typed-app.js';
import type { Services } from '../services.js';
import type { Channel } from './channel.js';
import { channelKinds } from './channel.js';

const ChannelView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  name: Type.String(),
  settings: Type.Record(Type.String(), Type.String()),
  secrets: Type.Array(Type.String(), { description: 'Which secrets are set; their values are never shown' }),
  enabled: Type.Boolean(),
  refused_requests: Type.Integer({
    description: 'Requests refused for a wrong or missing signature or secret',
  }),
  inbound_path: Type.String({ description: 'Where the gateway delivers messages' }),
  created_at: Type.String(),
});

function toView(channel: Channel) {
  return {
    id: channel.id,
    kind: channel.kind,
    name: channel.name,
    settings: channel.settings,
    secrets: channel.secretNames,
    enabled: channel.enabled,
    refused_requests: channel.refusedRequests,
    inbound_path: `/api/v1/inbound/${channel.kind}/${channel.id}`,
    created_at: channel.createdAt,
  };
}

const NewChannelBody = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 63 }),
    kind: Type.String({ description: `One of ${channelKinds.join(', ')}` }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    settings: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 2000 }))),
    secrets: Type.Record(Type.String(), Type.String({ minLength: 1, maxLength: 2000 })),
  },
  { additionalProperties: false },
);

const ChannelParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 63 }) });

const ChannelChange = Type.Object(
  {
    enabled: Type.Boolean({
      description: 'false switches the channel off: its gateway is refused, its queued messages wait',
    }),
  },
  { additionalProperties: false },
);

export function channelsRoutes(app: TypedApp, services: Services): void {
  app.get(
    '/api/v1/channels',
    {
      schema: {
        tags: ['messages'],
        summary: 'The SMS and chat channels (coordinators and up); secrets are never shown',
        response: { 200: Type.Object({ data: Type.Array(ChannelView) }), ...problemResponses },
      },
    },
    async (request) => ({ data: (await services.channels.list(request.actor)).map(toView) }),
  );
  app.post(
    '/api/v1/channels',
    {
      schema: {
        tags: ['messages'],
        summary: 'Add a channel (coordinators and up); its secrets are sealed and never shown again',
        body: NewChannelBody,
        response: { 201: ChannelView, ...problemResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).send(toView(await services.channels.add(request.actor, request.body))),
  );
  app.patch(
    '/api/v1/channels/:id',
    {
      schema: {
        tags: ['messages'],
        summary: 'Switch a channel off or on again (coordinators and up); on the public record',
        params: ChannelParams,
        body: ChannelChange,
        response: { 200: ChannelView, ...problemResponses },
      },
    },
    async (request) =>
      toView(await services.channels.setEnabled(request.actor, request.params.id, request.body.enabled)),
  );
  app.delete(
    '/api/v1/channels/:id',
    {
      schema: {
        tags: ['messages'],
        summary:
          'Delete a channel (coordinators and up): its secrets are erased, its messages stay, its id is not used again',
        params: ChannelParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await services.channels.remove(request.actor, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
