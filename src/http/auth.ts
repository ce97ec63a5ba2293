import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccountsService } from '../accounts/accounts.service.js';
import { type Actor, anonymous } from '../accounts/roles.js';
import { isDeviceToken } from '../sensors/devices.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
}

export const sessionCookie = 'tally_session';

export function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.toLowerCase().startsWith('bearer ')) return header.slice(7).trim() || undefined;
  return request.cookies[sessionCookie] || undefined;
}

/** Resolves the caller once per request, from `Authorization: Bearer` or the session cookie. */
export function registerAuthentication(app: FastifyInstance, accounts: AccountsService): void {
  app.decorateRequest('actor', null as never);
  app.addHook('onRequest', async (request) => {
    const token = tokenOf(request);
    // A device's token names a device, not a person: the sensor routes check it themselves.
    request.actor = token && !isDeviceToken(token) ? await accounts.authenticate(token) : anonymous;
  });
}

/** The rate-limit bucket: signed-in callers by account, everyone else by address. */
export function rateLimitKey(request: FastifyRequest): string {
  return request.actor.kind === 'user' ? `user:${request.actor.userId}` : `ip:${request.ip}`;
}
