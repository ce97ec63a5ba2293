import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Addresses no host name typed by a user may lead Tally to: this machine, its networks, and every range
 * that is not a public unicast destination. IPv6 forms that carry an IPv4 address (mapped, NAT64) are
 * judged by the IPv4 address they carry.
 */
const refusedV4 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
] as const) {
  refusedV4.addSubnet(network, prefix, 'ipv4');
}

const refusedV6 = new BlockList();
for (const [network, prefix] of [
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard-only
  ['2001::', 23], // IETF protocol assignments, Teredo (carries an IPv4 address)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4 (carries an IPv4 address)
  ['3fff::', 20], // documentation
  ['5f00::', 16], // segment routing SIDs
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local, deprecated
  ['ff00::', 8], // multicast
] as const) {
  refusedV6.addSubnet(network, prefix, 'ipv6');
}

/** The eight 16-bit groups of an IPv6 address, or null when it is none. */
export function ipv6Groups(address: string): number[] | null {
  if (!isIPv6(address)) return null;
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const bytes = dotted[1].split('.').map(Number);
    tail.push(((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0), ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0));
    text = text.slice(0, text.length - dotted[1].length);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const parse = (part: string) =>
    part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16));
  const gap = text.indexOf('::');
  let groups: number[];
  if (gap === -1) {
    groups = [...parse(text), ...tail];
  } else {
    const head = parse(text.slice(0, gap));
    const rest = [...parse(text.slice(gap + 2)), ...tail];
    groups = [...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest];
  }
  return groups.length === 8 && groups.every((group) => Number.isInteger(group) && group >= 0)
    ? groups
    : null;
}

function embeddedV4(high: number, low: number): string {
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

/** Whether Tally may connect to this address for a host a user typed: a public unicast address. */
export function isPublicAddress(address: string): boolean {
  if (isIPv4(address)) return !refusedV4.check(address, 'ipv4');
  const groups = ipv6Groups(address);
  if (!groups) return false;
  const [a, b, c, d, e, f, g, h] = groups as [number, number, number, number, number, number, number, number];
  if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0) {
    // ::ffff:a.b.c.d is that IPv4 address; ::a.b.c.d (IPv4-compatible, deprecated), :: and ::1 never public.
    return f === 0xffff ? isPublicAddress(embeddedV4(g, h)) : false;
  }
  // ::ffff:0:a.b.c.d (SIIT) carries an IPv4 address too.
  if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0xffff && f === 0) return false;
  // The NAT64 well-known prefix reaches the IPv4 address it carries.
  if (a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0) {
    return isPublicAddress(embeddedV4(g, h));
  }
  const plain = groups.map((group) => group.toString(16)).join(':');
  return !refusedV6.check(plain, 'ipv6');
}
