import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TallyError } from '../errors.js';
import { httpProtocols } from './http.js';
import { type Lookup, OutboundPolicy, parseAllowedHosts } from './policy.js';
import { refusedText } from './refused.js';

function refusesWithTheOneProblem(run: () => unknown): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof TallyError);
    assert.equal(error.code, 'outbound_target_refused');
    assert.equal(error.status, 422);
    assert.equal(error.message, refusedText);
    return true;
  });
}

async function refusesLater(run: () => Promise<unknown>): Promise<void> {
  await assert.rejects(run, (error: unknown) => {
    assert.ok(error instanceof TallyError);
    assert.equal(error.code, 'outbound_target_refused');
    assert.equal(error.message, refusedText);
    return true;
  });
}

const resolvingTo =
  (...addresses: string[]): Lookup =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

const policy = new OutboundPolicy();

const refusedUrls = [
  ['mqtts://127.0.0.1;.thethings.network', 'a host cut at ";" by legacy parsers'],
  ['http://127.0.0.1/', 'dotted IPv4'],
  ['http://127.1/', 'short IPv4'],
  ['http://0x7f.0.0.1/', 'hex IPv4'],
  ['http://0177.0.0.1/', 'octal IPv4'],
  ['http://2130706433/', 'IPv4 as one number'],
  ['http://0x7f000001/', 'IPv4 as one hex number'],
  ['http://[::1]/', 'IPv6 loopback'],
  ['http://[::ffff:127.0.0.1]/', 'IPv4-mapped IPv6'],
  ['http://[::ffff:7f00:1]/', 'IPv4-mapped IPv6 in hex'],
  ['http://[fe80::1%25eth0]/', 'IPv6 with a zone'],
  ['http://example.123/', 'a numeric last label'],
  ['http://example.0x1f/', 'a hex last label'],
  ['http://foo.1e/', 'a last label starting with a digit'],
  ['http://example..org/', 'an empty label'],
  ['http://.example.org/', 'an empty first label'],
  ['http://example.org./', 'a trailing dot'],
  ['http://exa_mple.org/', 'an underscore'],
  ['http://-example.org/', 'a label starting with a hyphen'],
  ['http://user:pass@example.org/', 'userinfo'],
  ['http://example.org@127.0.0.1/', 'userinfo hiding the real host'],
  ['http://127.0.0.1#@example.org/', 'a fragment hiding the real host'],
  ['http://127.0.0.1\\@example.org/', 'a backslash'],
  ['http://example.org%2f@127.0.0.1/', 'a percent-encoded slash'],
  ['http://exam%70le.org/', 'percent-encoding in the host'],
  ['http://example.org:0/', 'port 0'],
  ['http://example.org:65536/', 'a port out of range'],
  ['http://example.org:80x/', 'a port that is not a number'],
  ['http://example.org/a b', 'a space'],
  ['http://example.org/\u00e9', 'a raw non-ASCII path'],
  [' http://example.org/', 'leading whitespace'],
  ['http://example.org/#frag', 'a fragment'],
  ['ftp://example.org/', 'another protocol'],
  ['file:///etc/passwd', 'a file URL'],
  ['http:/example.org/', 'one slash'],
  ['http://', 'no host'],
  ['//example.org/', 'no protocol'],
  ['http://ex\u0000ample.org/', 'a NUL'],
  ['http://xn--.org/', 'broken punycode'],
  [`http://${'a'.repeat(64)}.org/`, 'a label longer than 63'],
  [`http://${'a.'.repeat(127)}org/`, 'a name longer than 253'],
] as const;

for (const [url, why] of refusedUrls) {
  test(`${JSON.stringify(url)} is refused with the one problem (${why})`, () => {
    refusesWithTheOneProblem(() => policy.parseUrl(url, httpProtocols));
  });
}

test('a public DNS name is parsed into protocol, host, port and path', () => {
  assert.deepEqual(policy.parseUrl('https://API.Example.org:8443/v1/send?x=1&y=%20', httpProtocols), {
    protocol: 'https',
    host: 'api.example.org',
    port: 8443,
    path: '/v1/send?x=1&y=%20',
    literal: false,
  });
  assert.equal(policy.parseUrl('http://example.org', httpProtocols).port, 80);
  assert.equal(policy.parseUrl('http://example.org?a=1', httpProtocols).path, '/?a=1');
});

test('an internationalized name is read in punycode', () => {
  assert.equal(policy.parseUrl('https://bücher.example/', httpProtocols).host, 'xn--bcher-kva.example');
});

test('an IP literal the operator allowed is accepted, exactly as written and only on the port given', () => {
  const allowing = new OutboundPolicy(['127.0.0.1:13013', '[::1]', 'kannel.internal']);
  assert.equal(allowing.parseUrl('http://127.0.0.1:13013/cgi-bin/sendsms', httpProtocols).host, '127.0.0.1');
  assert.equal(allowing.parseUrl('http://[::1]:8080/', httpProtocols).host, '::1');
  refusesWithTheOneProblem(() => allowing.parseUrl('http://127.0.0.1:8080/', httpProtocols));
  refusesWithTheOneProblem(() => allowing.parseUrl('http://127.1:13013/', httpProtocols));
  refusesWithTheOneProblem(() => allowing.parseUrl('http://[::ffff:127.0.0.1]:13013/', httpProtocols));
});

test('separate host settings (IMAP, SMTP) are held to the same rule', () => {
  assert.equal(policy.parseHost('imap', 'Mail.Example.org', 993).host, 'mail.example.org');
  refusesWithTheOneProblem(() => policy.parseHost('imap', '127.0.0.1', 143));
  refusesWithTheOneProblem(() => policy.parseHost('smtp', 'mail.example.org;127.0.0.1', 25));
  refusesWithTheOneProblem(() => policy.parseHost('smtp', 'mail.example.org', 0));
});

test('a name resolving only to public addresses is reached at the checked address', async () => {
  const resolving = new OutboundPolicy([], resolvingTo('93.184.216.34', '2606:2800:220:1::1'));
  const resolved = await resolving.resolve(resolving.parseUrl('https://example.org/', httpProtocols));
  assert.equal(resolved.address, '93.184.216.34');
  assert.equal(resolved.family, 4);
  assert.equal(resolved.target.host, 'example.org');
});

test('a name with one private address among public ones is refused', async () => {
  const resolving = new OutboundPolicy([], resolvingTo('93.184.216.34', '10.0.0.3'));
  await refusesLater(() => resolving.resolve(resolving.parseUrl('https://example.org/', httpProtocols)));
});

test('a name resolving to an IPv4-mapped loopback address is refused', async () => {
  const resolving = new OutboundPolicy([], resolvingTo('::ffff:127.0.0.1'));
  await refusesLater(() => resolving.resolve(resolving.parseUrl('https://example.org/', httpProtocols)));
});

test('a name that does not resolve is refused with the same problem', async () => {
  const failing = new OutboundPolicy([], async () => {
    throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
  });
  await refusesLater(() => failing.resolve(failing.parseUrl('https://example.org/', httpProtocols)));
});

test('localhost is refused through the system resolver', async () => {
  await refusesLater(() => policy.resolve(policy.parseUrl('http://localhost:8080/', httpProtocols)));
});

test('localhost is reached when the operator allowed it', async () => {
  const allowing = new OutboundPolicy(['localhost']);
  const resolved = await allowing.resolve(allowing.parseUrl('http://localhost:8080/', httpProtocols));
  assert.match(resolved.address, /^(127\.0\.0\.1|::1)$/);
});

test('the operator allowlist reads names, IP addresses and either with a port, and refuses anything else', () => {
  assert.deepEqual(parseAllowedHosts(['Kannel.Internal', '10.0.0.5:13013', '[fd00::1]:25', '::1']), [
    { host: 'kannel.internal', port: null },
    { host: '10.0.0.5', port: 13013 },
    { host: 'fd00::1', port: 25 },
    { host: '::1', port: null },
  ]);
  for (const bad of ['http://x', 'a b', 'host:0', 'host:port', '127.1', '', '*.internal']) {
    assert.throws(() => parseAllowedHosts([bad]), new RegExp(bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  }
});
