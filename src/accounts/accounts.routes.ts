import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../config.js';
import { sessionCookie, tokenOf } from '../http/auth.js';
import { Id, problemResponses, Timestamp } from '../http/schemas.js';
import type { TypedApp } from '../http/typed-app.js';
import type { Services } from '../services.js';
import { maximumTokenDays, type OwnToken } from './accounts.service.js';
import { roles } from './roles.js';
import type { User } from './users.repository.js';

const UserView = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    display_name: Type.Union([Type.String(), Type.Null()]),
    role: Type.Union(roles.map((r) => Type.Literal(r))),
  },
  { $id: 'User' },
);

function toUserView(user: User) {
  return { id: user.id, email: user.email, display_name: user.displayName, role: user.role };
}

const TokenAnswer = Type.Object({
  token: Type.String(),
  expires_at: Type.Union([Type.String(), Type.Null()]),
  user: Type.Ref('User'),
});

const NewTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120, description: 'What the token is for' }),
    expires_in_days: Type.Optional(Type.Integer({ minimum: 1, maximum: maximumTokenDays })),
    expires_at: Type.Optional(
      Type.String({ maxLength: 64, description: 'RFC 3339; instead of expires_in_days' }),
    ),
  },
  { additionalProperties: false },
);

const NewTokenAnswer = Type.Object({
  id: Id,
  name: Type.Union([Type.String(), Type.Null()]),
  kind: Type.Literal('api'),
  token: Type.String({ description: 'Shown this once; Tally keeps only its hash' }),
  expires_at: Type.Union([Timestamp, Type.Null()]),
  user: Type.Ref('User'),
});

const OwnTokenView = Type.Object({
  id: Id,
  name: Type.Union([Type.String(), Type.Null()]),
  kind: Type.Union([Type.Literal('session'), Type.Literal('api')]),
  created_at: Timestamp,
  expires_at: Type.Union([Timestamp, Type.Null()]),
  last_used_at: Type.Union([Timestamp, Type.Null()], {
    description: 'When it last authenticated a request, to within five minutes',
  }),
  current: Type.Boolean({ description: 'Whether this request came with it' }),
});

function ownTokenView(token: OwnToken) {
  return {
    id: token.id,
    name: token.name,
    kind: token.kind,
    created_at: token.createdAt,
    expires_at: token.expiresAt,
    last_used_at: token.lastUsedAt,
    current: token.current,
  };
}

export function accountsRoutes(app: TypedApp, services: Services, config: Config): void {
  const { accounts } = services;
  const secureCookie = config.publicUrl?.startsWith('https:') ?? false;
  app.addSchema(UserView);
  const setSessionCookie = (
    request: FastifyRequest,
    reply: FastifyReply,
    issued: { token: string; expiresAt: string | null },
  ) =>
    reply.setCookie(sessionCookie, issued.token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      // Behind a proxy that ends TLS the request itself is plain http: the public address tells.
      secure: secureCookie || request.protocol === 'https',
      ...(issued.expiresAt ? { expires: new Date(issued.expiresAt) } : {}),
    });

  app.post(
    '/api/v1/auth/login',
    {
      config: { rateLimit: { max: config.loginAttemptsPerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['accounts'],
        summary: 'Sign in: a bearer token, and the same token as an httpOnly session cookie',
        body: Type.Object(
          { email: Type.String({ maxLength: 320 }), password: Type.String({ maxLength: 1024 }) },
          { additionalProperties: false },
        ),
        response: { 200: TokenAnswer, ...problemResponses },
      },
    },
    async (request, reply) => {
      const issued = await accounts.login(request.body.email, request.body.password);
      setSessionCookie(request, reply, issued);
      return { token: issued.token, expires_at: issued.expiresAt, user: toUserView(issued.user) };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    { schema: { tags: ['accounts'], summary: 'End this session', response: { 204: Type.Null() } } },
    async (request, reply) => {
      const token = tokenOf(request);
      if (token) await accounts.logout(token);
      return reply.clearCookie(sessionCookie, { path: '/' }).code(204).send(null);
    },
  );

  app.get(
    '/api/v1/auth/me',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Who the caller is',
        response: { 200: Type.Object({ user: Type.Ref('User') }), ...problemResponses },
      },
    },
    async (request) => ({ user: toUserView(await accounts.me(request.actor)) }),
  );

  const createToken = async (
    request: FastifyRequest & { body: { name: string; expires_in_days?: number; expires_at?: string } },
    reply: FastifyReply,
  ) => {
    const issued = await accounts.createApiToken(request.actor, {
      name: request.body.name,
      expiresInDays: request.body.expires_in_days,
      expiresAt: request.body.expires_at,
    });
    return reply.code(201).send({
      id: issued.id,
      name: request.body.name.trim() || null,
      kind: 'api' as const,
      token: issued.token,
      expires_at: issued.expiresAt,
      user: toUserView(issued.user),
    });
  };

  // The first path tokens were made at; kept for the scripts that use it.
  app.post(
    '/api/v1/auth/tokens',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Create an API token for scripts (shown once); the same as POST /api/v1/tokens',
        body: NewTokenBody,
        response: { 201: NewTokenAnswer, ...problemResponses },
      },
    },
    createToken,
  );

  app.get(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Your sessions and API tokens that still work, newest first (never the tokens themselves)',
        response: {
          200: Type.Object({ items: Type.Array(OwnTokenView), next_cursor: Type.Null() }),
          ...problemResponses,
        },
      },
    },
    async (request) => ({
      items: (await accounts.listTokens(request.actor)).map(ownTokenView),
      next_cursor: null,
    }),
  );

  app.post(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Create an API token for scripts (shown once); needs a session, not an API token',
        description:
          'Without `expires_in_days` or `expires_at` the token lasts until revoked. A caller authenticated by ' +
          'an API token is refused with `403 token_cannot_mint`.',
        body: NewTokenBody,
        response: { 201: NewTokenAnswer, ...problemResponses },
      },
    },
    createToken,
  );

  app.delete(
    '/api/v1/tokens/:id',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Revoke one of your sessions or API tokens; it stops working at once',
        params: Type.Object({ id: Id }),
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await accounts.revokeToken(request.actor, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Sign out everywhere: revoke every one of your sessions and API tokens, this one included',
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await accounts.revokeAllTokens(request.actor);
      return reply.clearCookie(sessionCookie, { path: '/' }).code(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/password',
    {
      config: { rateLimit: { max: config.loginAttemptsPerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['accounts'],
        summary:
          'Change your password: every session and token of yours ends, and a fresh session is returned',
        body: Type.Object(
          {
            current_password: Type.String({ maxLength: 1024 }),
            new_password: Type.String({ maxLength: 1024 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: TokenAnswer, ...problemResponses },
      },
    },
    async (request, reply) => {
      const issued = await accounts.changePassword(
        request.actor,
        request.body.current_password,
        request.body.new_password,
      );
      setSessionCookie(request, reply, issued);
      return { token: issued.token, expires_at: issued.expiresAt, user: toUserView(issued.user) };
    },
  );
}
