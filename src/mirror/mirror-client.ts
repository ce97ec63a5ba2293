import { type OutboundResponse, OutboundUnreachable, outboundRequest } from '../outbound/http.js';
import type { OutboundPolicy } from '../outbound/policy.js';
import { isOutboundRefused, refusedText } from '../outbound/refused.js';
import { MirrorError } from './mirror-error.js';

/** An entry as another deployment's `GET /api/v1/ledger/entries` serves it; nothing in it is trusted yet. */
export interface RemoteEntry {
  index: number;
  time: string;
  action: string;
  subject: string;
  actor: string;
  /** Base64 of the leaf bytes. */
  leaf: string;
  /** Base64 of the content bytes, or null once redacted there. */
  content: string | null;
  redacted: boolean;
}

export interface RemoteKey {
  origin: string;
  verifierKey: string;
}

/** The most entries the API hands out per request. */
export const entriesPageSize = 1000;

// Long enough for a page of large entries over a slow link, short enough that a hung origin is noticed.
const requestTimeoutMs = 60_000;
// A page of a thousand entries with their content stays far below this.
const largestAnswerBytes = 256 * 1024 * 1024;
const followedRedirects = 5;

/** The deployment's address as given, without a trailing slash; its API lives under it. */
export function normalizeOriginUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new MirrorError(
      `"${raw}" is not a URL; give the address of a Tally deployment, e.g. https://tally.example.org`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MirrorError(`"${raw}" is not an http or https address`);
  }
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRemoteEntry(value: unknown): value is RemoteEntry {
  if (!isObject(value)) return false;
  return (
    Number.isSafeInteger(value.index) &&
    ['time', 'action', 'subject', 'actor', 'leaf'].every((key) => typeof value[key] === 'string') &&
    (value.content === null || typeof value.content === 'string') &&
    typeof value.redacted === 'boolean'
  );
}

/** Reads the public record of another Tally over its read API. Shapes are checked here; meaning is not. */
export class MirrorClient {
  readonly baseUrl: string;

  constructor(
    url: string,
    /** The origin must be a public host, or one the operator allowed (`TALLY_OUTBOUND_ALLOWED_HOSTS`). */
    private readonly outbound: OutboundPolicy,
    private readonly signal?: AbortSignal,
  ) {
    this.baseUrl = normalizeOriginUrl(url);
  }

  async key(): Promise<RemoteKey> {
    const body = await this.getJson('/api/v1/ledger/key');
    if (!isObject(body) || typeof body.origin !== 'string' || typeof body.verifier_key !== 'string') {
      throw this.malformed('/api/v1/ledger/key', 'no origin and verifier_key');
    }
    return { origin: body.origin, verifierKey: body.verifier_key };
  }

  async checkpoint(): Promise<string> {
    return (await this.get('/api/v1/ledger/checkpoint')).body.toString('utf8');
  }

  /** Entries [start, end); the origin may send fewer than asked (its page size), never others. */
  async entries(start: number, end: number): Promise<RemoteEntry[]> {
    const path = `/api/v1/ledger/entries?start=${start}&end=${end}`;
    const body = await this.getJson(path);
    if (!isObject(body) || !Array.isArray(body.entries)) throw this.malformed(path, 'no entries array');
    const entries: unknown[] = body.entries;
    const bad = entries.findIndex((entry) => !isRemoteEntry(entry));
    if (bad !== -1) throw this.malformed(path, `entry ${start + bad} lacks a field or has the wrong type`);
    return entries as RemoteEntry[];
  }

  async consistencyProof(first: number, second: number): Promise<Buffer[]> {
    const path = `/api/v1/ledger/proofs/consistency?first=${first}&second=${second}`;
    const body = await this.getJson(path);
    if (
      !isObject(body) ||
      !Array.isArray(body.hashes) ||
      !body.hashes.every((hash: unknown) => typeof hash === 'string')
    ) {
      throw this.malformed(path, 'no hashes array');
    }
    return (body.hashes as string[]).map((hash) => Buffer.from(hash, 'base64'));
  }

  private async getJson(path: string): Promise<unknown> {
    const response = await this.get(path);
    try {
      return JSON.parse(response.body.toString('utf8')) as unknown;
    } catch {
      throw this.malformed(path, 'not JSON');
    }
  }

  private async get(path: string): Promise<OutboundResponse> {
    const url = `${this.baseUrl}${path}`;
    let response: OutboundResponse;
    try {
      response = await outboundRequest(this.outbound, url, {
        headers: { accept: 'application/json, text/plain;q=0.9' },
        timeoutMs: requestTimeoutMs,
        ...(this.signal ? { signal: this.signal } : {}),
        maxRedirects: followedRedirects,
        maxBodyBytes: largestAnswerBytes,
      });
    } catch (error) {
      if (isOutboundRefused(error)) throw new MirrorError(`Could not reach ${url}: ${refusedText}`);
      const reason =
        error instanceof OutboundUnreachable && error.timedOut
          ? `no answer within ${requestTimeoutMs / 1000} s`
          : (error as Error).message;
      throw new MirrorError(`Could not reach ${url}: ${reason}`);
    }
    if (response.status < 200 || response.status > 299) {
      const text = response.body.toString('utf8');
      let detail = text.slice(0, 300);
      try {
        const problem = JSON.parse(text) as { detail?: unknown };
        if (typeof problem.detail === 'string') detail = problem.detail;
      } catch {
        // Not a problem document: the start of the body says enough.
      }
      throw new MirrorError(`${url} answered ${response.status}${detail ? `: ${detail}` : ''}`);
    }
    return response;
  }

  private malformed(path: string, what: string): MirrorError {
    return new MirrorError(`${this.baseUrl}${path} is not a Tally public record answer (${what})`);
  }
}
