import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { TallyError } from '../errors.js';
import { sessionCookie } from './auth.js';

/**
 * Browsers send the session cookie with whatever a page on any site makes them send: a form posting a file,
 * an empty POST, a text/plain body need no permission from Tally. So a change made by the cookie must show
 * that it comes from one of Tally's own pages. Scripts authenticate with `Authorization: Bearer`, which
 * another site cannot make a browser send, and are not checked.
 */

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

type Site = 'same' | 'cross' | 'unknown';

/** Who the browser says sent the request: `Origin`, else `Sec-Fetch-Site`, else `Referer`. */
function siteOf(request: FastifyRequest, publicOrigin: string | null): Site {
  const matches = (address: string): boolean => {
    let url: URL;
    try {
      url = new URL(address);
    } catch {
      return false;
    }
    if (url.origin === publicOrigin) return true;
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    // Behind a proxy that ends TLS the request looks like http while the page was https: the host decides.
    try {
      return url.host === new URL(`${url.protocol}//${request.host}`).host;
    } catch {
      return false;
    }
  };
  const { origin, referer } = request.headers;
  const fetchSite = request.headers['sec-fetch-site'];
  // `null` is an opaque origin (a sandboxed frame, a privacy setting): the other headers may still tell.
  if (origin && origin !== 'null') return matches(origin) ? 'same' : 'cross';
  if (fetchSite) return fetchSite === 'same-origin' ? 'same' : 'cross';
  if (referer) return matches(referer) ? 'same' : 'cross';
  return origin === 'null' ? 'cross' : 'unknown';
}

/** Whether the session cookie is what makes this request someone's (a person's or a device's). */
function signedInByCookie(request: FastifyRequest, isDeviceToken: (token: string) => boolean): boolean {
  if (request.headers.authorization?.toLowerCase().startsWith('bearer ')) return false;
  const cookie = request.cookies[sessionCookie];
  if (!cookie) return false;
  return request.actor.kind === 'user' || isDeviceToken(cookie);
}

/**
 * Registered after authentication, which it reads. `isDeviceToken` tells a device's token from a person's
 * session: both are cookies a browser may carry.
 */
export function registerSameOriginCheck(
  app: FastifyInstance,
  config: Config,
  isDeviceToken: (token: string) => boolean,
): void {
  const publicOrigin = config.publicUrl ? new URL(config.publicUrl).origin : null;
  app.addHook('onRequest', async (request) => {
    if (safeMethods.has(request.method)) return;
    // Another site signing a visitor in to its own account would have them file reports as someone else.
    const signingIn = request.routeOptions.url === '/api/v1/auth/login';
    if (!signingIn && !signedInByCookie(request, isDeviceToken)) return;
    const site = siteOf(request, publicOrigin);
    // A script signing in sends none of a browser's headers; a cookie always comes from a browser.
    if (site === 'same' || (site === 'unknown' && signingIn)) return;
    throw new TallyError(
      'cross_site_request',
      site === 'unknown'
        ? 'A change signed in by the session cookie must say where it comes from (Origin); scripts send Authorization: Bearer'
        : 'Only pages of this deployment may make this change with its session cookie',
    );
  });
}
