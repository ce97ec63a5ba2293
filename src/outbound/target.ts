import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { OutboundRefused } from './refused.js';

/**
 * A place to connect to, parsed once from what a person typed. Clients are handed these parts, never the
 * URL text: a second parser could read another host out of it.
 */
export interface Target {
  /** Without the colon: `https`, `mqtts`, `imap` … */
  protocol: string;
  /** A lower-case DNS name, or an IP literal (without brackets) that the operator allowed. */
  host: string;
  port: number;
  /** Path and query, starting with `/`; `/` when none was given. */
  path: string;
  /** Whether `host` is an IP literal. */
  literal: boolean;
}

const maxNameLength = 253;
const label = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// A last label of digits, or 0x…, is read as an IPv4 number by WHATWG URL; a top-level domain starts with a letter.
const lastLabel = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Whether `host` is a plain DNS name: letters, digits and hyphens in non-empty labels, not IP-like. */
export function isDnsName(host: string): boolean {
  if (host.length === 0 || host.length > maxNameLength) return false;
  const labels = host.split('.');
  const last = labels[labels.length - 1] ?? '';
  return labels.every((each) => label.test(each)) && lastLabel.test(last) && !/^0x/.test(last);
}

/**
 * A host as typed, lower-cased and in punycode, or null when it is neither a DNS name nor an IP literal.
 * `literal` tells which; IP literals in brackets lose them.
 */
export function normalizeHost(raw: string): { host: string; literal: boolean } | null {
  if (raw.startsWith('[') && raw.endsWith(']')) {
    const inner = raw.slice(1, -1).toLowerCase();
    return isIP(inner) === 6 && !inner.includes('%') ? { host: inner, literal: true } : null;
  }
  const lower = raw.toLowerCase();
  if (isIP(lower) === 4) return { host: lower, literal: true };
  if (isIP(lower) === 6) return lower.includes('%') ? null : { host: lower, literal: true };
  // Only printable ASCII other than what separates URL parts reaches IDNA; the result is checked again after.
  if (
    [...raw].some(
      (character) => character <= ' ' || character === '\u007f' || '/\\?#@:[]%;,'.includes(character),
    )
  ) {
    return null;
  }
  const ascii = domainToASCII(lower);
  return ascii && isDnsName(ascii) ? { host: ascii, literal: false } : null;
}

// scheme://host[:port][/path][?query]: no userinfo, no fragment, no backslash, no whitespace.
const urlShape =
  /^([a-z][a-z0-9+.-]*):\/\/(\[[0-9a-f:.]+\]|[^/?#@\\[\]:\s]+)(?::(\d{1,5}))?([/?][^#\s\\@]*)?$/iu;
// Path and query characters that read alike in every URL parser: RFC 3986 unreserved, sub-delims, ':', '/', '?', '%'.
const pathShape = /^[A-Za-z0-9\-._~!$&'()*+,;=:/?%]*$/;

export function parsePort(raw: string | undefined, fallback: number): number | null {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,5}$/.test(raw)) return null;
  const port = Number(raw);
  return port >= 1 && port <= 65535 ? port : null;
}

/**
 * Parses a URL a person typed into a `Target`, refusing (with the one fixed problem) whatever is not
 * `scheme://dns-name-or-ip[:port][/path][?query]` with one of `protocols` (name → default port). The parts
 * are cross-checked with WHATWG URL, so nothing accepted reads as another host there.
 */
export function parseTargetUrl(raw: string, protocols: Readonly<Record<string, number>>): Target {
  const match = urlShape.exec(raw);
  if (!match) throw new OutboundRefused();
  const [, scheme = '', rawHost = '', rawPort, rawPath = ''] = match;
  const protocol = scheme.toLowerCase();
  const defaultPort = protocols[protocol];
  if (defaultPort === undefined || !pathShape.test(rawPath)) throw new OutboundRefused();
  const host = normalizeHost(rawHost);
  const port = parsePort(rawPort, defaultPort);
  if (!host || port === null) throw new OutboundRefused();
  const path = rawPath === '' ? '/' : rawPath.startsWith('?') ? `/${rawPath}` : rawPath;
  let whatwg: URL;
  try {
    whatwg = new URL(raw);
  } catch {
    throw new OutboundRefused();
  }
  const whatwgHost = whatwg.hostname.replace(/^\[(.*)\]$/, '$1');
  if (whatwgHost !== host.host && !(host.literal && isIP(whatwgHost) === isIP(host.host))) {
    throw new OutboundRefused();
  }
  if (whatwg.username || whatwg.password) throw new OutboundRefused();
  return { protocol, host: host.host, port, path, literal: host.literal };
}

/** A host and port typed as separate settings (an IMAP or SMTP server). */
export function hostTarget(protocol: string, rawHost: string, port: number): Target {
  const host = normalizeHost(rawHost.trim());
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) throw new OutboundRefused();
  return { protocol, host: host.host, port, path: '/', literal: host.literal };
}

/** The target as URL text, for showing and storing: built from the checked parts. */
export function formatTarget(target: Target, defaultPort?: number): string {
  const host = target.literal && target.host.includes(':') ? `[${target.host}]` : target.host;
  const port = target.port === defaultPort ? '' : `:${target.port}`;
  return `${target.protocol}://${host}${port}${target.path === '/' ? '' : target.path}`;
}
