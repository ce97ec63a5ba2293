import http from 'node:http';
import https from 'node:https';
import type { OutboundPolicy, Resolved } from './policy.js';

export interface OutboundRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Redirects followed, each target checked like the first; 0 (the default) answers the redirect itself. */
  maxRedirects?: number;
  /** The most body bytes read; more is an error. */
  maxBodyBytes?: number;
}

export interface OutboundResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered, after redirects. */
  url: string;
}

/** The target could not be reached or did not answer in time; deliberately without the network's reason. */
export class OutboundUnreachable extends Error {
  constructor(readonly timedOut: boolean) {
    super(timedOut ? 'no answer in time' : 'could not be reached');
    this.name = 'OutboundUnreachable';
  }
}

export const httpProtocols = { http: 80, https: 443 } as const;

const defaultTimeoutMs = 30_000;
const defaultMaxBodyBytes = 4 * 1024 * 1024;

function once(
  resolved: Resolved,
  request: OutboundRequest,
  deadline: AbortSignal,
): Promise<OutboundResponse> {
  const { target, address, family } = resolved;
  const secure = target.protocol === 'https';
  const hostHeader =
    target.port === (secure ? 443 : 80)
      ? target.host
      : `${target.literal && target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const options: https.RequestOptions = {
    // The checked address, not the name: a second lookup could answer another address.
    host: address,
    family,
    port: target.port,
    path: target.path,
    method: request.method ?? 'GET',
    headers: {
      ...request.headers,
      host: hostHeader,
      ...(body ? { 'content-length': String(body.length) } : {}),
    },
    agent: false,
    signal: deadline,
    ...(secure && !target.literal ? { servername: target.host } : {}),
  };
  const limit = request.maxBodyBytes ?? defaultMaxBodyBytes;
  return new Promise((resolve, reject) => {
    const outgoing = (secure ? https : http).request(options, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          response.destroy(new Error(`the answer is larger than ${limit} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
          url: '',
        }),
      );
      response.on('error', (error) =>
        reject(error.message.startsWith('the answer') ? error : failure(deadline)),
      );
    });
    outgoing.on('error', () => reject(failure(deadline)));
    outgoing.end(body);
  });
}

function failure(deadline: AbortSignal): OutboundUnreachable {
  return new OutboundUnreachable(
    deadline.aborted && deadline.reason instanceof DOMException && deadline.reason.name === 'TimeoutError',
  );
}

/**
 * One HTTP(S) request to a URL someone typed, under the outbound policy: the URL is parsed once, its host
 * resolved and checked, and the request sent to the checked address with the name as `Host` and TLS server
 * name. Refused targets throw the policy's problem before any connection; redirects are checked the same way.
 */
export async function outboundRequest(
  policy: OutboundPolicy,
  url: string,
  request: OutboundRequest = {},
): Promise<OutboundResponse> {
  const timeout = AbortSignal.timeout(request.timeoutMs ?? defaultTimeoutMs);
  const deadline = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  let current = url;
  let asked = request;
  for (let hop = 0; ; hop++) {
    const target = policy.parseUrl(current, httpProtocols);
    const response = await once(await policy.resolve(target), asked, deadline);
    const location = response.headers.location;
    if (response.status >= 300 && response.status < 400 && location && hop < (request.maxRedirects ?? 0)) {
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        return { ...response, url: current };
      }
      current = next.href;
      // As browsers and fetch do: 303, and 301 or 302 after a POST, are followed with a GET without the body.
      const method = (asked.method ?? 'GET').toUpperCase();
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === 'POST')
      ) {
        const { body: _dropped, ...rest } = asked;
        asked = { ...rest, method: 'GET' };
      }
      continue;
    }
    return { ...response, url: current };
  }
}
