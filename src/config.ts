import path from 'node:path';
import { parseAllowedHosts } from './outbound/policy.js';
import { webDistDir } from './paths.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface License {
  id: string;
  name: string;
  url: string;
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** `null` means the embedded SQLite database at `<dataDir>/tally.sqlite`. */
  databaseUrl: string | null;
  publicUrl: string | null;
  name: string;
  reportsLicense: License;
  basemapTileUrl: string | null;
  basemapAttribution: string | null;
  defaultCenter: { lat: number; lon: number };
  defaultZoom: number;
  logLevel: LogLevel;
  bodyLimitBytes: number;
  /** Reports an anonymous client address may submit per minute. */
  anonymousReportsPerMinute: number;
  /** Reports a signed-in user or API token may submit per minute. */
  authenticatedReportsPerMinute: number;
  loginAttemptsPerMinute: number;
  trustProxy: boolean;
  /**
   * The sites allowed to show the public map and a report's page in a frame (`https://host[:port]`), or `*` for
   * any site. Empty: no site may frame any page.
   */
  embedOrigins: string[];
  /** IANA zone in which times typed into the no-JavaScript report form are read. */
  timeZone: string;
  /**
   * The public record's origin line (names the log in its checkpoints). Null: the one recorded at first
   * start, else derived from TALLY_PUBLIC_URL, else from the host name.
   */
  ledgerOrigin: string | null;
  /** Confirmations from distinct volunteers that make a report `verified`. */
  verificationThreshold: number;
  /**
   * Whether one may publish or reject one's own report and approve or reject one's own drive log. Off: another
   * volunteer must (four eyes), whatever one's role; only a one-person deployment has nobody else to ask.
   */
  allowSelfReview: boolean;
  /** Messages one sender may send a minute before the rest are kept unanswered, out of the inbox. */
  senderMessagesPerMinute: number;
  /** Messages one channel may deliver a minute before its gateway is told to slow down (429). */
  channelMessagesPerMinute: number;
  /**
   * The countries the deployment serves (ISO 3166-1 alpha-2), first the one local phone numbers are read
   * in; place names in messages are looked for in these.
   */
  countries: string[];
  /** The licence of sensor readings and their aggregates (CC0, as Safecast publishes, unless changed). */
  readingsLicense: License;
  /** When a submitted drive log is approved without waiting for a volunteer (Safecast's rules, as settings). */
  importAutoApproval: ImportAutoApproval;
  /** An MQTT broker where devices publish readings to `tally/devices/{id}/readings`; null: none. */
  mqttUrl: string | null;
  /**
   * Whether this process subscribes to the MQTT broker and the owners' feeds. Behind a load balancer exactly
   * one process should: brokers hand a persistent session to one client at a time.
   */
  mqttIngest: boolean;
  /**
   * The brokers owners' feeds may connect to: host names, `*.domain` for every host under a domain, or `*`.
   * The Things Network's and The Things Industries' clouds unless changed.
   */
  feedBrokerHosts: string[];
  /**
   * The private hosts and IP addresses Tally may connect to when a channel, feed or mirror names them (a local
   * Kannel, an internal mail server): `host` or `host:port`. Every other target must be a public DNS name.
   */
  outboundAllowedHosts: string[];
  /** Where the built web app lives; absent in tests that need no pages. */
  webDir: string | null;
}

export interface ImportAutoApproval {
  enabled: boolean;
  /** The owner already had this many drive logs approved by volunteers. */
  minApprovedImports: number;
  /** Every good line counts more than zero: a dead tube logs zeros. */
  requirePositiveCpm: boolean;
  /** No line counts more than this: beyond it a volunteer should look. */
  maxCpm: number;
  /** At least this share of lines had a GPS fix. */
  minGpsFixShare: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const knownLicenses: Record<string, License> = {
  'CC-BY-4.0': {
    id: 'CC-BY-4.0',
    name: 'Creative Commons Attribution 4.0 International',
    url: 'https://creativecommons.org/licenses/by/4.0/',
  },
  'CC-BY-SA-4.0': {
    id: 'CC-BY-SA-4.0',
    name: 'Creative Commons Attribution-ShareAlike 4.0 International',
    url: 'https://creativecommons.org/licenses/by-sa/4.0/',
  },
  'CC0-1.0': {
    id: 'CC0-1.0',
    name: 'Creative Commons Zero v1.0 Universal',
    url: 'https://creativecommons.org/publicdomain/zero/1.0/',
  },
  'ODbL-1.0': {
    id: 'ODbL-1.0',
    name: 'Open Data Commons Open Database License v1.0',
    url: 'https://opendatacommons.org/licenses/odbl/1-0/',
  },
};

type Env = Record<string, string | undefined>;

function integer(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${key} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max)
    throw new ConfigError(`${key} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function decimal(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(`${key} must be a number between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

function text(env: Env, key: string): string | null {
  const raw = env[key]?.trim();
  return raw ? raw : null;
}

function url(env: Env, key: string, protocols: string[]): string | null {
  const raw = text(env, key);
  if (raw === null) return null;
  let parsed: URL;
  try {
    // Tile templates carry {z}/{x}/{y}, which URL accepts as path text.
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${key} must be a URL, got "${raw}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${key} must start with ${protocols.join(' or ')}, got "${raw}"`);
  }
  return raw;
}

function license(env: Env, prefix = 'TALLY_REPORTS_LICENSE', fallback = 'CC-BY-4.0'): License {
  const id = text(env, prefix) ?? fallback;
  const known = knownLicenses[id];
  if (known) return known;
  const licenseUrl = url(env, `${prefix}_URL`, ['http:', 'https:']);
  if (!licenseUrl) {
    throw new ConfigError(
      `${prefix} "${id}" is not one of ${Object.keys(knownLicenses).join(', ')}; ` +
        `set ${prefix}_URL to use another licence`,
    );
  }
  return { id, name: text(env, `${prefix}_NAME`) ?? id, url: licenseUrl };
}

function importAutoApproval(env: Env): ImportAutoApproval {
  return {
    enabled: (text(env, 'TALLY_IMPORT_AUTO_APPROVE') ?? 'true') === 'true',
    minApprovedImports: integer(env, 'TALLY_IMPORT_AUTO_APPROVE_MIN_IMPORTS', 3, 0, 1_000_000),
    requirePositiveCpm: true,
    maxCpm: integer(env, 'TALLY_IMPORT_AUTO_APPROVE_MAX_CPM', 5_000, 1, 100_000_000),
    minGpsFixShare: decimal(env, 'TALLY_IMPORT_AUTO_APPROVE_GPS_SHARE', 0.9, 0, 1),
  };
}

function timeZone(env: Env): string {
  const zone = text(env, 'TALLY_TIME_ZONE') ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new ConfigError(`TALLY_TIME_ZONE must be an IANA time zone such as Africa/Nairobi, got "${zone}"`);
  }
  return zone;
}

const defaultFeedBrokerHosts = ['*.thethings.network', '*.thethings.industries'];

function feedBrokerHosts(env: Env): string[] {
  const value = text(env, 'TALLY_FEED_BROKER_HOSTS');
  if (value === null) return defaultFeedBrokerHosts;
  const patterns = value.split(',').map((pattern) => pattern.trim().toLowerCase());
  const bad = patterns.find(
    (pattern) => !/^(\*|(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\])$/.test(pattern),
  );
  if (bad !== undefined) {
    throw new ConfigError(
      `TALLY_FEED_BROKER_HOSTS must be host names, *.domain or *, separated by commas; got "${bad}"`,
    );
  }
  return patterns;
}

function outboundAllowedHosts(env: Env): string[] {
  const value = text(env, 'TALLY_OUTBOUND_ALLOWED_HOSTS');
  if (value === null) return [];
  const entries = value.split(',').map((entry) => entry.trim().toLowerCase());
  try {
    parseAllowedHosts(entries);
  } catch (error) {
    throw new ConfigError(`TALLY_OUTBOUND_ALLOWED_HOSTS: ${(error as Error).message}`);
  }
  return entries;
}

function embedOrigins(env: Env): string[] {
  const value = text(env, 'TALLY_EMBED_ORIGINS');
  if (value === null) return [];
  const origins = value.split(',').map((entry) => entry.trim().toLowerCase().replace(/\/$/, ''));
  // They are written into a Content-Security-Policy header as they are, so nothing else may pass.
  const bad = origins.find(
    (entry) => entry !== '*' && !/^https?:\/\/(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/.test(entry),
  );
  if (bad !== undefined) {
    throw new ConfigError(
      `TALLY_EMBED_ORIGINS must be origins such as https://news.example.org, separated by commas, or *; got "${bad}"`,
    );
  }
  return origins;
}

function countries(env: Env): string[] {
  const value = text(env, 'TALLY_COUNTRIES');
  if (value === null) return [];
  const codes = value.split(',').map((code) => code.trim().toUpperCase());
  const bad = codes.find((code) => !/^[A-Z]{2}$/.test(code));
  if (bad !== undefined) {
    throw new ConfigError(
      `TALLY_COUNTRIES must be two-letter country codes separated by commas, e.g. KE,UG; got "${value}"`,
    );
  }
  return codes;
}

function origin(env: Env): string | null {
  const value = text(env, 'TALLY_LEDGER_ORIGIN');
  // It names the signing key too, where spaces and '+' separate parts.
  if (value !== null && /[\s+]/u.test(value)) {
    throw new ConfigError(
      `TALLY_LEDGER_ORIGIN must be one word without spaces or "+", e.g. example.org/tally, got "${value}"`,
    );
  }
  return value;
}

const logLevels: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads and checks the whole configuration once, at start, so a bad value stops Tally with a clear message. */
export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const logLevel = (text(env, 'TALLY_LOG_LEVEL') ?? 'info') as LogLevel;
  if (!logLevels.includes(logLevel)) {
    throw new ConfigError(`TALLY_LOG_LEVEL must be one of ${logLevels.join(', ')}, got "${logLevel}"`);
  }
  const tileUrl = url(env, 'TALLY_BASEMAP_TILE_URL', ['http:', 'https:']);
  if (tileUrl && !['{z}', '{x}', '{y}'].every((part) => tileUrl.includes(part))) {
    throw new ConfigError('TALLY_BASEMAP_TILE_URL must contain {z}, {x} and {y}');
  }
  const config: Config = {
    port: integer(env, 'TALLY_PORT', 8080, 0, 65535),
    host: text(env, 'TALLY_HOST') ?? '0.0.0.0',
    dataDir: path.resolve(text(env, 'TALLY_DATA_DIR') ?? './data'),
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    publicUrl: url(env, 'TALLY_PUBLIC_URL', ['http:', 'https:']),
    name: text(env, 'TALLY_NAME') ?? 'Tally',
    reportsLicense: license(env),
    basemapTileUrl: tileUrl,
    basemapAttribution: text(env, 'TALLY_BASEMAP_ATTRIBUTION'),
    defaultCenter: {
      lat: decimal(env, 'TALLY_MAP_CENTER_LAT', 0, -90, 90),
      lon: decimal(env, 'TALLY_MAP_CENTER_LON', 20, -180, 180),
    },
    defaultZoom: decimal(env, 'TALLY_MAP_ZOOM', 2, 0, 22),
    logLevel,
    bodyLimitBytes: integer(env, 'TALLY_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 1024 * 1024 * 1024),
    anonymousReportsPerMinute: integer(env, 'TALLY_RATE_LIMIT_ANONYMOUS', 20, 1, 10_000_000),
    authenticatedReportsPerMinute: integer(env, 'TALLY_RATE_LIMIT_AUTHENTICATED', 600, 1, 10_000_000),
    loginAttemptsPerMinute: integer(env, 'TALLY_RATE_LIMIT_LOGIN', 10, 1, 10_000_000),
    trustProxy: (text(env, 'TALLY_TRUST_PROXY') ?? 'false') === 'true',
    embedOrigins: embedOrigins(env),
    timeZone: timeZone(env),
    ledgerOrigin: origin(env),
    verificationThreshold: integer(env, 'TALLY_VERIFICATION_THRESHOLD', 2, 1, 100),
    allowSelfReview: (text(env, 'TALLY_ALLOW_SELF_REVIEW') ?? 'false') === 'true',
    countries: countries(env),
    senderMessagesPerMinute: integer(env, 'TALLY_SENDER_MESSAGES_PER_MINUTE', 10, 1, 1_000_000),
    channelMessagesPerMinute: integer(env, 'TALLY_CHANNEL_MESSAGES_PER_MINUTE', 300_000, 1, 100_000_000),
    readingsLicense: license(env, 'TALLY_READINGS_LICENSE', 'CC0-1.0'),
    importAutoApproval: importAutoApproval(env),
    mqttUrl: url(env, 'TALLY_MQTT_URL', ['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:']),
    mqttIngest: (text(env, 'TALLY_MQTT_INGEST') ?? 'true') === 'true',
    feedBrokerHosts: feedBrokerHosts(env),
    outboundAllowedHosts: outboundAllowedHosts(env),
    webDir: webDistDir,
  };
  return { ...config, ...overrides };
}
