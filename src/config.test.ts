import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

test('with no settings Tally listens on 8080 and keeps SQLite under ./data', () => {
  const config = loadConfig({});
  assert.equal(config.port, 8080);
  assert.equal(config.dataDir, path.resolve('data'));
  assert.equal(config.databaseUrl, null);
  assert.equal(config.reportsLicense.id, 'CC-BY-4.0');
});

test('DATABASE_URL switches to PostgreSQL', () => {
  assert.equal(
    loadConfig({ DATABASE_URL: 'postgres://tally@db/tally' }).databaseUrl,
    'postgres://tally@db/tally',
  );
});

test('a DATABASE_URL that is not PostgreSQL is refused', () => {
  assert.throws(
    () => loadConfig({ DATABASE_URL: 'mysql://db/tally' }),
    /DATABASE_URL must start with postgres/,
  );
});

test('a port out of range is refused naming the variable', () => {
  assert.throws(() => loadConfig({ TALLY_PORT: '70000' }), ConfigError);
  assert.throws(() => loadConfig({ TALLY_PORT: '70000' }), /TALLY_PORT must be between 0 and 65535/);
});

test('an unknown licence needs its URL', () => {
  assert.throws(() => loadConfig({ TALLY_REPORTS_LICENSE: 'Custom-1.0' }), /TALLY_REPORTS_LICENSE_URL/);
  const config = loadConfig({
    TALLY_REPORTS_LICENSE: 'Custom-1.0',
    TALLY_REPORTS_LICENSE_URL: 'https://example.org/licence',
  });
  assert.deepEqual(config.reportsLicense, {
    id: 'Custom-1.0',
    name: 'Custom-1.0',
    url: 'https://example.org/licence',
  });
});

test('a basemap tile URL must be a {z}/{x}/{y} template', () => {
  assert.throws(() => loadConfig({ TALLY_BASEMAP_TILE_URL: 'https://tiles.example.org/map.png' }), /\{z\}/);
  assert.equal(
    loadConfig({ TALLY_BASEMAP_TILE_URL: 'https://tiles.example.org/{z}/{x}/{y}.png' }).basemapTileUrl,
    'https://tiles.example.org/{z}/{x}/{y}.png',
  );
});

test('an unknown time zone is refused', () => {
  assert.throws(() => loadConfig({ TALLY_TIME_ZONE: 'Mars/Olympus' }), /TALLY_TIME_ZONE/);
});

test('feeds may reach only The Things Network’s and The Things Industries’ brokers unless told otherwise', () => {
  assert.deepEqual(loadConfig({}).feedBrokerHosts, ['*.thethings.network', '*.thethings.industries']);
});

test('the feed broker hosts are read as a comma-separated list of patterns', () => {
  const config = loadConfig({ TALLY_FEED_BROKER_HOSTS: 'Broker.Example.org, *.thethings.network' });
  assert.deepEqual(config.feedBrokerHosts, ['broker.example.org', '*.thethings.network']);
});

test('a feed broker host pattern that is not a host is refused', () => {
  assert.throws(
    () => loadConfig({ TALLY_FEED_BROKER_HOSTS: 'mqtt://broker.example.org' }),
    (error) => error instanceof ConfigError && /TALLY_FEED_BROKER_HOSTS/.test(error.message),
  );
});

test('no private host may be connected to unless TALLY_OUTBOUND_ALLOWED_HOSTS names it', () => {
  assert.deepEqual(loadConfig({}).outboundAllowedHosts, []);
  const config = loadConfig({
    TALLY_OUTBOUND_ALLOWED_HOSTS: 'Kannel.Internal:13013, 10.0.0.5, [fd00::1]:25',
  });
  assert.deepEqual(config.outboundAllowedHosts, ['kannel.internal:13013', '10.0.0.5', '[fd00::1]:25']);
});

test('an outbound allowed host that is not a host name or IP address is refused', () => {
  assert.throws(
    () => loadConfig({ TALLY_OUTBOUND_ALLOWED_HOSTS: 'http://kannel.internal' }),
    (error) => error instanceof ConfigError && /TALLY_OUTBOUND_ALLOWED_HOSTS/.test(error.message),
  );
});

test('one may not review one’s own work unless TALLY_ALLOW_SELF_REVIEW is true', () => {
  assert.equal(loadConfig({}).allowSelfReview, false);
  assert.equal(loadConfig({ TALLY_ALLOW_SELF_REVIEW: 'true' }).allowSelfReview, true);
  assert.equal(loadConfig({ TALLY_ALLOW_SELF_REVIEW: 'yes' }).allowSelfReview, false);
});
