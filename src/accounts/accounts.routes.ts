import { Type } from 'typebox';
import type { Config } from '../config.js';
import { sessionCookie, tokenOf } from '../http/auth.js';
import { problemResponses } from '../http/schemas.js';
import type { TypedApp } from '../http/typed-app.js';
import type { Services } from '../services.js';
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

export function accountsRoutes(app: TypedApp, services: Services, config: Config): void {
  const { accounts } = services;
  const secureCookie = config.publicUrl?.startsWith('https:') ?? false;
  app.addSchema(UserView);

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
      reply.setCookie(sessionCookie, issued.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        // Behind a proxy that ends TLS the request itself is plain http: the public address tells.
        secure: secureCookie || request.protocol === 'https',
        ...(issued.expiresAt ? { expires: new Date(issued.expiresAt) } : {}),
      });
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

  app.post(
    '/api/v1/auth/tokens',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Create an API token for scripts (shown once)',
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 120 }) },
          { additionalProperties: false },
        ),
        response: { 201: TokenAnswer, ...problemResponses },
      },
    },
    async (request, reply) => {
      const issued = await accounts.createApiToken(request.actor, request.body.name);
      return reply
        .code(201)
        .send({ token: issued.token, expires_at: issued.expiresAt, user: toUserView(issued.user) });
    },
  );
}
