import { Type } from 'typebox';
import { Id, problemResponses, Timestamp } from '../http/schemas.js';
import type { TypedApp } from '../http/typed-app.js';
import type { Services } from '../services.js';
import { feedKinds, type SensorFeed } from './sensor-feed.js';

const FeedView = Type.Object({
  id: Id,
  owner_id: Id,
  kind: Type.String(),
  url: Type.String(),
  topic: Type.String(),
  username: Type.Union([Type.String(), Type.Null()]),
  has_password: Type.Boolean({ description: 'Whether a password is set; it is never shown' }),
  enabled: Type.Boolean(),
  last_message_at: Type.Union([Timestamp, Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()], {
    description: 'Why the last message was refused or the broker could not be read',
  }),
  created_at: Timestamp,
  updated_at: Timestamp,
});

function feedView(feed: SensorFeed) {
  return {
    id: feed.id,
    owner_id: feed.ownerId,
    kind: feed.kind,
    url: feed.url,
    topic: feed.topic,
    username: feed.username,
    has_password: feed.hasPassword,
    enabled: feed.enabled,
    last_message_at: feed.lastMessageAt,
    last_error: feed.lastError,
    created_at: feed.createdAt,
    updated_at: feed.updatedAt,
  };
}

const NewFeedBody = Type.Object(
  {
    kind: Type.String({ description: `One of ${feedKinds.join(', ')}` }),
    url: Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'The broker, e.g. mqtts://eu1.cloud.thethings.network:8883',
    }),
    topic: Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'What to subscribe to, e.g. v3/my-app@ttn/devices/+/up (v2: my-app/devices/+/up)',
    }),
    username: Type.Optional(
      Type.Union([Type.String({ maxLength: 200 }), Type.Null()], { description: 'e.g. my-app@ttn' }),
    ),
    password: Type.Optional(
      Type.Union([Type.String({ maxLength: 2000 }), Type.Null()], {
        description: 'e.g. an API key of the application; sealed and never shown again',
      }),
    ),
  },
  { additionalProperties: false },
);

const FeedParams = Type.Object({ id: Id });

/** Brokers Tally reads a device owner's uplinks from, such as The Things Network's MQTT server. */
export function feedsRoutes(app: TypedApp, services: Services): void {
  app.post(
    '/api/v1/sensors/feeds',
    {
      schema: {
        tags: ['sensors'],
        summary:
          'Have Tally read your devices’ uplinks from an MQTT broker; the password is never shown again',
        description:
          'Register each device first with network `ttn` (external_id `application-id/device-id`) or `safecast`. ' +
          'Only your own devices’ readings are stored from the feed. The broker (`mqtt://` or `mqtts://`) must be ' +
          'a public host name: IP addresses and hosts inside the network are refused (`outbound_target_refused`) ' +
          'unless the operator allows them in TALLY_OUTBOUND_ALLOWED_HOSTS.',
        body: NewFeedBody,
        response: { 201: FeedView, ...problemResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).send(feedView(await services.feeds.add(request.actor, request.body))),
  );

  app.get(
    '/api/v1/sensors/feeds',
    {
      schema: {
        tags: ['sensors'],
        summary: 'Your sensor feeds (every feed, for coordinators), with their last message and error',
        response: { 200: Type.Object({ data: Type.Array(FeedView) }), ...problemResponses },
      },
    },
    async (request) => ({ data: (await services.feeds.list(request.actor)).map(feedView) }),
  );

  app.delete(
    '/api/v1/sensors/feeds/:id',
    {
      schema: {
        tags: ['sensors'],
        summary: 'Stop reading a sensor feed and forget it',
        params: FeedParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await services.feeds.remove(request.actor, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
