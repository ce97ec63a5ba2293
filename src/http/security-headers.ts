import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';

/**
 * The headers that tell browsers what Tally's answers may do, set in one place for every response (pages,
 * files, API, errors). Pages load scripts, styles and everything else only from this deployment (plus the
 * basemap's tile server when one is set), so a script slipped into a report's text has nowhere to run from.
 */

/** Pages other sites may show in a frame, when TALLY_EMBED_ORIGINS names them. */
const embeddablePages = new Set(['/', '/reports/:id']);

/**
 * Pages whose address names a report or whose links carry ids: other sites are not told where a reader
 * came from. `same-origin` rather than `no-referrer`, because under `no-referrer` browsers send `Origin: null`
 * with the page's own POSTs, which the same-site check would then have to take on trust.
 */
const pagesWithIds = new Set(['/reports/:id', '/volunteer', '/sensors', '/account']);

type Directives = Record<string, string[]>;

function policy(directives: Directives): string {
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

function tileOrigin(config: Config): string[] {
  return config.basemapTileUrl ? [new URL(config.basemapTileUrl).origin] : [];
}

export interface SecurityPolicies {
  /** The web app's pages and the files they load (a worker script is bound by the policy it is served with). */
  page: string;
  /** The same for the pages other sites may frame. */
  embeddablePage: string;
  /** The API documentation: Swagger UI sets styles inline. */
  apiDocs: string;
  /** API answers are data, never pages: nothing in them may load or run. */
  api: string;
}

export function securityPolicies(config: Config): SecurityPolicies {
  const tiles = tileOrigin(config);
  const page: Directives = {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:', 'blob:', ...tiles],
    'connect-src': ["'self'", ...tiles],
    // MapLibre draws in a worker, from its own file or a blob.
    'worker-src': ["'self'", 'blob:'],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
  const embedders = config.embedOrigins.length > 0 ? config.embedOrigins : ["'none'"];
  return {
    page: policy(page),
    embeddablePage: policy({ ...page, 'frame-ancestors': embedders }),
    apiDocs: policy({
      ...page,
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'worker-src': ["'none'"],
    }),
    api: policy({ 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] }),
  };
}

function isApi(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || request.url === '/api';
}

function isApiDocs(request: FastifyRequest): boolean {
  return request.url === '/api/docs' || /^\/api\/docs[/?#]/.test(request.url);
}

/** Sets the headers on a reply; also called for what Fastify refuses before routing, where no hook runs. */
export function securityHeaders(config: Config): (request: FastifyRequest, reply: FastifyReply) => void {
  const policies = securityPolicies(config);
  return (request, reply) => {
    // Browsers must not guess a type: an export or a report's text is never run as a page or script.
    reply.header('x-content-type-options', 'nosniff');
    const route = request.routeOptions?.url;
    const page = !isApi(request) && route !== undefined;
    const embeddable = page && embeddablePages.has(route) && config.embedOrigins.length > 0;
    reply.header(
      'content-security-policy',
      isApiDocs(request)
        ? policies.apiDocs
        : isApi(request)
          ? policies.api
          : embeddable
            ? policies.embeddablePage
            : policies.page,
    );
    // For browsers that predate frame-ancestors; it cannot name several sites, so embeddable pages go without.
    if (!embeddable) reply.header('x-frame-options', 'DENY');
    reply.header(
      'referrer-policy',
      page && pagesWithIds.has(route) ? 'same-origin' : 'strict-origin-when-cross-origin',
    );
  };
}
