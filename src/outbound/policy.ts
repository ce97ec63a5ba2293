import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isPublicAddress } from './addresses.js';
import { OutboundRefused } from './refused.js';
import { hostTarget, normalizeHost, parsePort, parseTargetUrl, type Target } from './target.js';

/** Resolves a name to every address it has, like `dns.lookup(name, { all: true })`. */
export type Lookup = (host: string) => Promise<{ address: string; family: number }[]>;

const systemLookup: Lookup = (host) => dnsLookup(host, { all: true, verbatim: true });

/** Where to connect: the checked address itself, with the name for TLS and `Host`. */
export interface Resolved {
  target: Target;
  address: string;
  family: 4 | 6;
}

interface AllowedHost {
  host: string;
  /** Null: any port. */
  port: number | null;
}

/**
 * Reads `TALLY_OUTBOUND_ALLOWED_HOSTS`' entries (`host`, `host:port`, `[v6]`, `[v6]:port`), or throws naming the
 * bad one.
 */
export function parseAllowedHosts(entries: readonly string[]): AllowedHost[] {
  return entries.map((entry) => {
    const text = entry.trim();
    const bracketed = /^(\[[^\]]+\])(?::(\d+))?$/.exec(text);
    const plain = isIP(text) === 6 ? [text, text, undefined] : /^([^:]+)(?::(\d+))?$/.exec(text);
    const [, rawHost, rawPort] = bracketed ?? plain ?? [];
    const host = rawHost === undefined ? null : normalizeHost(rawHost);
    const port = rawPort === undefined ? null : parsePort(rawPort, 0);
    if (!host || (rawPort !== undefined && port === null))
      throw new Error(`"${entry}" is not a host name, an IP address, or either with :port`);
    return { host: host.host, port };
  });
}

/**
 * The one rule for every connection Tally opens to a host someone typed (a sensor feed's broker, a channel's
 * gateway or mail server, a mirrored deployment): a public DNS name, checked again at connect time on every
 * address it resolves to, and then reached at the checked address itself. Private and loopback targets, and
 * IP literals, only when the operator named them in `TALLY_OUTBOUND_ALLOWED_HOSTS`.
 */
export class OutboundPolicy {
  private readonly allowed: AllowedHost[];

  constructor(
    allowedHosts: readonly string[] = [],
    private readonly lookup: Lookup = systemLookup,
  ) {
    this.allowed = parseAllowedHosts(allowedHosts);
  }

  /** Whether the operator named this host (on this port, or on any). */
  isAllowed(target: Target): boolean {
    return this.allowed.some(
      (entry) => entry.host === target.host && (entry.port === null || entry.port === target.port),
    );
  }

  /**
   * A URL's target, without resolving it: for checking what is stored (a feed, a channel setting). Refuses
   * with the one problem what could never be connected to.
   */
  parseUrl(raw: string, protocols: Readonly<Record<string, number>>): Target {
    return this.checked(parseTargetUrl(raw, protocols));
  }

  /** A host and port typed apart (IMAP, SMTP), checked like `parseUrl`. */
  parseHost(protocol: string, host: string, port: number): Target {
    return this.checked(hostTarget(protocol, host, port));
  }

  /**
   * Resolves the target now and answers the address to connect to, or refuses when any address it resolves
   * to is not public (unless the operator allowed the host). A name that does not resolve is refused too:
   * the caller learns nothing either way.
   */
  async resolve(target: Target): Promise<Resolved> {
    this.checked(target);
    const allowed = this.isAllowed(target);
    if (target.literal) {
      return { target, address: target.host, family: isIP(target.host) === 6 ? 6 : 4 };
    }
    let addresses: { address: string; family: number }[];
    try {
      addresses = await this.lookup(target.host);
    } catch {
      throw new OutboundRefused();
    }
    const first = addresses[0];
    if (!first) throw new OutboundRefused();
    if (!allowed && !addresses.every(({ address }) => isPublicAddress(address))) throw new OutboundRefused();
    return { target, address: first.address, family: isIP(first.address) === 6 ? 6 : 4 };
  }

  private checked(target: Target): Target {
    if (target.literal && !this.isAllowed(target)) throw new OutboundRefused();
    return target;
  }
}
