/**
 * What a sensor feed's broker publishes: The Things Stack v3 uplinks (`v3/{app}@ttn/devices/+/up`), the
 * retired The Things Network v2 uplinks (`+/devices/+/up`), or Safecast's real-time device records.
 */
export const feedKinds = ['ttn-v3', 'ttn-v2', 'safecast'] as const;
export type FeedKind = (typeof feedKinds)[number];

export function isFeedKind(value: string): value is FeedKind {
  return (feedKinds as readonly string[]).includes(value);
}

/**
 * An MQTT broker Tally reads uplinks from on a device owner's behalf; what arrives is stored for the owner's
 * devices only. The password is sealed in the database and is never part of a feed once added.
 */
export interface SensorFeed {
  id: string;
  ownerId: string;
  kind: FeedKind;
  url: string;
  /** A subscription filter, wildcards allowed. */
  topic: string;
  username: string | null;
  hasPassword: boolean;
  enabled: boolean;
  lastMessageAt: string | null;
  /** Why the last message was refused or the broker could not be read; null once a message is stored. */
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * Whether a feed may connect to a broker on this host. Each pattern is a host name (`broker.example.org`), a
 * domain with every host under it (`*.thethings.network`) or `*` for any host. Without this a signed-in user
 * could make the server open connections to any address it can reach, inside its own network too.
 */
export function brokerHostAllowed(hostname: string, patterns: readonly string[]): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return patterns.some((pattern) => {
    if (pattern === '*') return true;
    if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
    return host === pattern;
  });
}
