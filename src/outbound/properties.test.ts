import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { test } from 'node:test';
import { parse as legacyParse } from 'node:url';
import fc from 'fast-check';
import { TallyError } from '../errors.js';
import { httpProtocols } from './http.js';
import { OutboundPolicy } from './policy.js';
import { refusedText } from './refused.js';
import { isDnsName, type Target } from './target.js';

const policy = new OutboundPolicy();
/** Fixed so that a failure reproduces; fast-check prints the seed and the shrunk counterexample. */
const seed = 20261208;
const protocols = { ...httpProtocols, mqtt: 1883, mqtts: 8883 };

/** Parses, answering the target or null when refused; anything else thrown fails the property. */
function attempt(run: () => Target): Target | null {
  try {
    return run();
  } catch (error) {
    assert.ok(error instanceof TallyError, `threw ${String(error)}`);
    assert.equal(error.code, 'outbound_target_refused');
    assert.equal(error.message, refusedText);
    return null;
  }
}

// Characters that split or hide hosts in one URL parser or another.
const tricky = fc.constantFrom(
  ...'abcxyz019-._;:@/\\?#%[]! \t\u0000\u3002\uff0e\u00e9ABC'.split(''),
  '0x',
  '127',
  '::',
  '%2e',
  '%40',
  'xn--',
  '.com',
  '.thethings.network',
);
const trickyText = fc.array(tricky, { maxLength: 40 }).map((parts) => parts.join(''));
const scheme = fc.constantFrom('http', 'https', 'HTTP', 'mqtt', 'mqtts', 'ftp', 'javascript', 'h\ttp');
const urlLike = fc
  .tuple(scheme, fc.constantFrom('://', ':/', ':\\\\', '://user@', ':///'), trickyText, trickyText)
  .map(([s, sep, host, rest]) => `${s}${sep}${host}${rest}`);

const anyInput = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.webUrl(), urlLike);

function assertReadAlike(raw: string, target: Target): void {
  assert.equal(isIP(target.host), 0, `${raw} was accepted as the IP literal ${target.host}`);
  assert.ok(isDnsName(target.host), `${raw} gave the host ${target.host}`);
  const whatwg = new URL(raw);
  assert.equal(whatwg.hostname, target.host, `WHATWG URL reads another host in ${raw}`);
  assert.equal(whatwg.username + whatwg.password, '');
  const legacy = legacyParse(raw);
  assert.equal(legacy.hostname, target.host, `url.parse reads another host in ${raw}`);
  assert.equal(legacy.auth, null, `url.parse reads credentials in ${raw}`);
  const legacyPort =
    legacy.port === null ? protocols[target.protocol as keyof typeof protocols] : Number(legacy.port);
  assert.equal(legacyPort, target.port, `url.parse reads another port in ${raw}`);
}

test('no input crashes the URL check: each is a target or the one problem', () => {
  fc.assert(
    fc.property(anyInput, (raw) => {
      attempt(() => policy.parseUrl(raw, protocols));
    }),
    { numRuns: 5000, seed },
  );
});

test('whatever the URL check accepts is a DNS name that WHATWG URL and url.parse read alike', () => {
  fc.assert(
    fc.property(anyInput, (raw) => {
      const target = attempt(() => policy.parseUrl(raw, protocols));
      if (target) assertReadAlike(raw, target);
    }),
    { numRuns: 5000, seed },
  );
});

test('well-formed URLs on DNS names are accepted and read alike by both parsers', () => {
  // Hyphens in the third and fourth places are reserved for IDNA (`xn--`): such a label is a name only when
  // its punycode is valid, which WHATWG URL and the check refuse otherwise.
  const label = fc
    .stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/)
    .filter((text) => text.slice(2, 4) !== '--');
  const tld = fc.stringMatching(/^[a-z][a-z0-9]{1,5}$/);
  const name = fc
    .tuple(fc.array(label, { minLength: 1, maxLength: 4 }), tld)
    .map(([labels, top]) => [...labels, top].join('.'));
  const path = fc.stringMatching(/^(\/[A-Za-z0-9._~!$&'()*+,;=:-]{0,10}){0,3}(\?[A-Za-z0-9=&]{0,10})?$/);
  const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
  fc.assert(
    fc.property(fc.constantFrom('http', 'https', 'mqtt', 'mqtts'), name, port, path, (s, host, p, rest) => {
      const raw = `${s}://${host}${p === undefined ? '' : `:${p}`}${rest}`;
      const target = attempt(() => policy.parseUrl(raw, protocols));
      assert.ok(target, `${raw} was refused`);
      assertReadAlike(raw, target);
    }),
    { numRuns: 2000, seed },
  );
});

test('no IP literal in any notation is accepted as a host', () => {
  const byte = fc.integer({ min: 0, max: 255 });
  const notation = fc.constantFrom(
    (n: number) => String(n),
    (n: number) => `0x${n.toString(16)}`,
    (n: number) => `0${n.toString(8)}`,
  );
  const dotted = fc
    .tuple(fc.array(fc.tuple(byte, notation), { minLength: 1, maxLength: 4 }))
    .map(([parts]) => parts.map(([n, write]) => write(n)).join('.'));
  const whole = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), notation).map(([n, write]) => write(n));
  const v6 = fc.ipV6().map((address) => `[${address}]`);
  const v4mapped = fc.ipV4().map((address) => `[::ffff:${address}]`);
  fc.assert(
    fc.property(fc.oneof(dotted, whole, fc.ipV4(), fc.ipV4Extended(), v6, v4mapped), (host) => {
      assert.equal(
        attempt(() => policy.parseUrl(`http://${host}/`, protocols)),
        null,
        host,
      );
      assert.equal(
        attempt(() => policy.parseHost('imap', host, 143)),
        null,
        host,
      );
    }),
    { numRuns: 3000, seed },
  );
});

test('no host setting crashes the check, and what it accepts is a DNS name', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), trickyText, fc.domain()), (host) => {
      const target = attempt(() => policy.parseHost('smtp', host, 25));
      if (target) assert.ok(isDnsName(target.host) && isIP(target.host) === 0, host);
    }),
    { numRuns: 3000, seed },
  );
});
