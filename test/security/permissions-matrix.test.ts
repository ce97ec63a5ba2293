import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { Role } from '../../src/accounts/roles.js';
import { webhookSignature } from '../../src/messages/gateways/signed-webhook.js';
import { buildTestApp, type TestApp, testPassword } from '../helpers/app.js';
import { forEachDatabase, type TestDb } from '../helpers/databases.js';
import { sensorSample } from '../helpers/sensors.js';
import {
  builtWebApp,
  isApiDocsViewer,
  type RegisteredRoute,
  registeredRoutes,
  stationaryLog,
  webPageFiles,
} from './routes.js';

/**
 * Who may call each route, written once for every route the app registers: a route without a row, or a row
 * without a route, fails the first test. Each row builds a request that reaches the permission decision,
 * seeding a fresh resource per call, so one caller's change never decides another's answer.
 */

/**
 * `allowed`: any 2xx, or a 4xx about the input (400, 409, 413, 415, 422). `hidden`: 404, or 422
 * `unknown_device`, answered so that a caller learns nothing of what is not theirs.
 */
type Outcome = 'allowed' | 'unauthenticated' | 'forbidden' | 'hidden';

const staffRoles = ['reporter', 'volunteer', 'coordinator', 'admin'] as const satisfies readonly Role[];
type Caller = 'anonymous' | (typeof staffRoles)[number];
type Expect = Record<Caller, Outcome>;
type Headers = Record<string, string>;

const everyone: Expect = {
  anonymous: 'allowed',
  reporter: 'allowed',
  volunteer: 'allowed',
  coordinator: 'allowed',
  admin: 'allowed',
};

/** Signed in with at least `role`: 401 for nobody, 403 below. */
function atLeast(role: Role): Expect {
  const rank = staffRoles.indexOf(role);
  return {
    anonymous: 'unauthenticated',
    reporter: rank <= 0 ? 'allowed' : 'forbidden',
    volunteer: rank <= 1 ? 'allowed' : 'forbidden',
    coordinator: 'allowed',
    admin: 'allowed',
  };
}

const signedIn = atLeast('reporter');

/** A resource of someone else: its owner and coordinators may; others are told it does not exist. */
const ownerOrCoordinator: Expect = {
  anonymous: 'unauthenticated',
  reporter: 'hidden',
  volunteer: 'hidden',
  coordinator: 'allowed',
  admin: 'allowed',
};

/** What a request needs: its concrete URL (with query), body and, for the device caller, its token. */
interface RequestSpec {
  url?: string;
  payload?: unknown;
  headers?: Headers;
  /** Sent instead of a person's token when the caller is the device itself. */
  deviceHeaders?: Headers;
}

interface Who {
  caller: Caller | 'owner' | 'device';
  role: Role | null;
  email: string | null;
}

interface Case {
  name?: string;
  /** Builds the request; `owner` owns whatever it seeds (the caller itself in the owner's call). */
  request?: (world: World, owner: Headers, who: Who) => Promise<RequestSpec> | RequestSpec;
  expect: Expect;
  /** The resource's owner, signed in with that role, calling about their own resource. */
  owner?: { role: Role; outcome: Outcome };
  /** The device itself, with its own token. */
  device?: Outcome;
}

interface World extends TestApp {
  /** A unique number, for names and ids that must not clash between calls. */
  next(): number;
  volunteer: Headers;
  coordinator: Headers;
  /** Someone else: owns what is seeded for callers who are not its owner. */
  stranger: Headers;
}

/** A channel of its own for each call, as switching it off or deleting it changes it for the next caller. */
async function seedChannel(world: World): Promise<string> {
  const id = `kannel-${world.next()}`;
  await ok(
    await world.app.inject({
      method: 'POST',
      url: '/api/v1/channels',
      headers: world.coordinator,
      payload: { id, kind: 'kannel', secrets: { secret: 'kannel-secret-19af' } },
    }),
    'a channel',
  );
  return id;
}

async function ok(response: LightMyRequestResponse, what: string): Promise<Record<string, unknown>> {
  assert.ok(response.statusCode < 300, `seeding ${what} failed: ${response.statusCode} ${response.body}`);
  return response.body ? response.json() : {};
}

/** A new user with the caller's role, signed in, for calls that end the caller's sessions. */
async function freshSession(world: World, who: Who, kind: 'session' | 'api' = 'session'): Promise<Headers> {
  if (!who.role) return {};
  const email = `${who.role}-${world.next()}@example.org`;
  await world.services.accounts.addUser({ email, password: testPassword, role: who.role });
  const session = {
    authorization: `Bearer ${(await world.services.accounts.login(email, testPassword)).token}`,
  };
  if (kind === 'session') return session;
  const made = await world.app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    headers: session,
    payload: { name: 'A script' },
  });
  return { authorization: `Bearer ${(await ok(made, 'an API token')).token}` };
}

const seed = {
  async report(world: World, by: Headers = {}, extra: Record<string, unknown> = {}) {
    const response = await world.app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: by,
      payload: {
        title: `Borehole pump broken ${world.next()}`,
        location: { lat: -1.2921, lon: 36.8219 },
        ...extra,
      },
    });
    return (await ok(response, 'a report')) as { id: string };
  },
  async published(world: World, by: Headers = {}) {
    const report = await seed.report(world, by);
    await ok(
      await world.app.inject({
        method: 'PATCH',
        url: `/api/v1/reports/${report.id}`,
        headers: world.volunteer,
        payload: { status: 'published' },
      }),
      'publishing a report',
    );
    return report;
  },
  async category(world: World) {
    const response = await world.app.inject({
      method: 'POST',
      url: '/api/v1/categories',
      headers: world.coordinator,
      payload: { name: `Water ${world.next()}` },
    });
    return (await ok(response, 'a category')) as { id: string };
  },
  /** A message from a new sender through the signed webhook channel, as the inbox lists it. */
  async message(world: World) {
    const n = world.next();
    const body = Buffer.from(
      JSON.stringify({
        id: `wa-${n}`,
        from: `+25470${String(n).padStart(7, '0')}`,
        text: `Bridge down ${n}`,
      }),
    );
    await ok(
      await world.app.inject({
        method: 'POST',
        url: '/api/v1/inbound/webhook/partner',
        headers: {
          'content-type': 'application/json',
          'x-tally-signature': webhookSignature(webhookSecret, body),
        },
        payload: body,
      }),
      'an inbound message',
    );
    const inbox = await world.app.inject({
      url: '/api/v1/messages?direction=inbound',
      headers: world.volunteer,
    });
    const messages = (await ok(inbox, 'the inbox')).data as { id: string; text: string; contact: string }[];
    const message = messages.find((m) => m.text === `Bridge down ${n}`);
    assert.ok(message, 'the seeded message is in the inbox');
    return message;
  },
  async device(world: World, owner: Headers, extra: Record<string, unknown> = {}) {
    const response = await world.app.inject({
      method: 'POST',
      url: '/api/v1/sensors/devices',
      headers: owner,
      payload: {
        name: `Rooftop counter ${world.next()}`,
        model: 'bGeigie Nano',
        sensor: 'LND 7317',
        mobility: 'fixed',
        location: { lat: -1.2833, lon: 36.8167 },
        location_precision: 'exact',
        ...extra,
      },
    });
    return (await ok(response, 'a device')) as { device: { id: string }; token: string };
  },
  async import(world: World, owner: Headers) {
    const n = world.next();
    const { device } = await seed.device(world, owner);
    const log = stationaryLog(
      String(4000 + n),
      { lat: -1.2833, lon: 36.8167 },
      new Date(Date.UTC(2026, 10, 1, 0, n)),
      3,
    );
    const response = await world.app.inject({
      method: 'POST',
      url: `/api/v1/sensors/imports?file_name=drive-${n}.log&device_id=${device.id}`,
      headers: { ...owner, 'content-type': 'application/octet-stream' },
      payload: log,
    });
    return (await ok(response, 'an import')) as { id: string };
  },
  async submittedImport(world: World, owner: Headers) {
    const item = await seed.import(world, owner);
    await ok(
      await world.app.inject({
        method: 'POST',
        url: `/api/v1/sensors/imports/${item.id}/submit`,
        headers: owner,
        payload: { name: 'Drive' },
      }),
      'submitting an import',
    );
    return item;
  },
  async feed(world: World, owner: Headers) {
    const response = await world.app.inject({
      method: 'POST',
      url: '/api/v1/sensors/feeds',
      headers: owner,
      payload: feedBody(world.next()),
    });
    return (await ok(response, 'a feed')) as { id: string };
  },
  async localPlace(world: World) {
    const name = `Gikomba market ${world.next()}`;
    const response = await world.app.inject({
      method: 'POST',
      url: '/api/v1/geo/local-places',
      headers: world.coordinator,
      payload: { name, lat: -1.2864, lon: 36.8327 },
    });
    const places = (await ok(response, 'a local place')).items as { id: string; name: string }[];
    return places.find((place) => place.name === name)!;
  },
};

const webhookSecret = 'matrix-webhook-secret-4c1d';

function feedBody(n: number) {
  return {
    kind: 'ttn-v3',
    url: 'mqtts://eu1.cloud.thethings.network:8883',
    topic: `v3/matrix-${n}@ttn/devices/+/up`,
    username: `matrix-${n}@ttn`,
    password: 'NNSXS.MATRIXKEY',
  };
}

/** A TTN v3 uplink (the real sample) from a device registered under a name of its own. */
function ttnV3Uplink(deviceId: string) {
  const sample = sensorSample('ttn-v3-uplink-cayennelpp.json') as {
    end_device_ids: { device_id: string; application_ids: { application_id: string } };
  };
  return { ...sample, end_device_ids: { ...sample.end_device_ids, device_id: deviceId } };
}

function ttnV2Uplink(deviceId: string) {
  const sample = sensorSample('ttn-v2-uplink-sbhome.json') as Record<string, unknown>;
  return { ...sample, dev_id: deviceId, metadata: { time: new Date(Date.now() - 60_000).toISOString() } };
}

function safecastRecord(urn: string) {
  const [first] = sensorSample('safecastapi-device_stories.json') as Record<string, unknown>[];
  return { ...first, device_urn: urn };
}

const station = { mobility: 'fixed', location: { lat: -1.2833, lon: 36.8167 }, location_precision: 'exact' };

/** The published report every public read is about. */
const aPublishedReport = async (world: World) => seed.published(world);

const table: Record<string, Case | Case[]> = {
  // System and the API's own description.
  'GET /api/v1/health': { expect: everyone },
  'GET /api/v1/config': { expect: everyone },
  'GET /api/v1/openapi.json': { expect: everyone },

  // Accounts.
  'POST /api/v1/auth/login': {
    request: () => ({ payload: { email: loginEmail, password: testPassword } }),
    expect: everyone,
  },
  'POST /api/v1/auth/logout': {
    // A session of the caller's own, so that ending it leaves the caller's other calls signed in.
    request: async (world, _owner, who) =>
      who.email
        ? {
            headers: {
              authorization: `Bearer ${(await world.services.accounts.login(who.email, testPassword)).token}`,
            },
          }
        : {},
    expect: everyone,
  },
  'GET /api/v1/auth/me': { expect: signedIn },
  'POST /api/v1/auth/tokens': { request: () => ({ payload: { name: 'A script' } }), expect: signedIn },
  'GET /api/v1/tokens': { expect: signedIn },
  'POST /api/v1/tokens': [
    { name: 'with a session', request: () => ({ payload: { name: 'A script' } }), expect: signedIn },
    {
      name: 'with an API token',
      // A script's token cannot make more of itself.
      request: async (world, _owner, who) => ({
        headers: await freshSession(world, who, 'api'),
        payload: { name: 'Another script' },
      }),
      expect: {
        ...atLeast('reporter'),
        reporter: 'forbidden',
        volunteer: 'forbidden',
        coordinator: 'forbidden',
        admin: 'forbidden',
      },
    },
  ],
  'DELETE /api/v1/tokens/:id': {
    request: async (world, owner) => {
      const made = await world.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: owner,
        payload: { name: 'To revoke' },
      });
      return { url: `/api/v1/tokens/${(await ok(made, 'an API token')).id}` };
    },
    expect: {
      ...atLeast('reporter'),
      reporter: 'hidden',
      volunteer: 'hidden',
      coordinator: 'hidden',
      admin: 'hidden',
    },
    owner: { role: 'reporter', outcome: 'allowed' },
  },
  'DELETE /api/v1/tokens': {
    // Signing out everywhere ends every session of the caller: each call is a user of its own.
    request: async (world, _owner, who) => ({ headers: await freshSession(world, who) }),
    expect: signedIn,
  },
  'POST /api/v1/auth/password': {
    request: async (world, _owner, who) => ({
      headers: await freshSession(world, who),
      payload: { current_password: testPassword, new_password: 'a new and longer passphrase 2026' },
    }),
    expect: signedIn,
  },

  // Reports.
  'POST /api/v1/reports': {
    request: (world) => ({ payload: { title: `Market fire ${world.next()}` } }),
    expect: everyone,
  },
  'GET /api/v1/reports': [
    { name: 'published ones', expect: everyone },
    {
      name: 'pending ones',
      request: () => ({ url: '/api/v1/reports?status=pending' }),
      // A filter nobody but staff may use: refused outright, even before signing in.
      expect: { ...atLeast('volunteer'), anonymous: 'forbidden' },
    },
  ],
  'GET /api/v1/reports/:id': [
    {
      name: 'published',
      request: async (world) => ({ url: `/api/v1/reports/${(await aPublishedReport(world)).id}` }),
      expect: everyone,
    },
    {
      name: 'pending',
      request: async (world, owner) => ({ url: `/api/v1/reports/${(await seed.report(world, owner)).id}` }),
      expect: { ...atLeast('volunteer'), anonymous: 'hidden', reporter: 'hidden' },
      owner: { role: 'reporter', outcome: 'hidden' },
    },
  ],
  'PATCH /api/v1/reports/:id': [
    {
      name: 'an edit',
      request: async (world, owner) => ({
        url: `/api/v1/reports/${(await seed.report(world, owner)).id}`,
        payload: { title: `Corrected title ${world.next()}` },
      }),
      expect: atLeast('volunteer'),
    },
    {
      name: 'publishing',
      request: async (world, owner) => ({
        url: `/api/v1/reports/${(await seed.report(world, owner)).id}`,
        payload: { status: 'published' },
      }),
      expect: atLeast('volunteer'),
      // Four eyes: nobody publishes what they submitted themselves.
      owner: { role: 'volunteer', outcome: 'forbidden' },
    },
  ],
  'GET /api/v1/reports/:id/revisions': {
    request: async (world) => ({ url: `/api/v1/reports/${(await aPublishedReport(world)).id}/revisions` }),
    expect: atLeast('volunteer'),
  },
  'GET /api/v1/reports/:id/history': [
    {
      name: 'published',
      request: async (world) => ({ url: `/api/v1/reports/${(await aPublishedReport(world)).id}/history` }),
      expect: everyone,
    },
    {
      name: 'pending',
      request: async (world) => ({ url: `/api/v1/reports/${(await seed.report(world)).id}/history` }),
      expect: { ...atLeast('volunteer'), anonymous: 'hidden', reporter: 'hidden' },
    },
  ],
  'POST /api/v1/reports/:id/votes': {
    request: async (world, owner) => ({
      url: `/api/v1/reports/${(await seed.published(world, owner)).id}/votes`,
      payload: { verdict: 'confirm', reason: 'Saw it on the way to work' },
    }),
    expect: atLeast('volunteer'),
    owner: { role: 'volunteer', outcome: 'forbidden' },
  },

  // Categories.
  'GET /api/v1/categories': { expect: everyone },
  'POST /api/v1/categories': {
    request: (world) => ({ payload: { name: `Roads ${world.next()}` } }),
    expect: atLeast('coordinator'),
  },
  'PATCH /api/v1/categories/:id': {
    request: async (world) => ({
      url: `/api/v1/categories/${(await seed.category(world)).id}`,
      payload: { description: 'Broken pipes and dry taps' },
    }),
    expect: atLeast('coordinator'),
  },
  'DELETE /api/v1/categories/:id': {
    request: async (world) => ({ url: `/api/v1/categories/${(await seed.category(world)).id}` }),
    expect: atLeast('coordinator'),
  },
  'GET /api/v1/categories/:id/keywords': {
    request: async (world) => ({ url: `/api/v1/categories/${(await seed.category(world)).id}/keywords` }),
    expect: atLeast('volunteer'),
  },
  'PUT /api/v1/categories/:id/keywords': {
    request: async (world) => ({
      url: `/api/v1/categories/${(await seed.category(world)).id}/keywords`,
      payload: { keywords: ['maji', 'water'] },
    }),
    expect: atLeast('coordinator'),
  },

  // Open data.
  'GET /api/v1/exports/reports.:format': {
    request: () => ({ url: '/api/v1/exports/reports.csv' }),
    expect: everyone,
  },
  'GET /api/v1/exports/readings.:format': {
    request: () => ({ url: '/api/v1/exports/readings.csv' }),
    expect: everyone,
  },
  'GET /api/v1/exports/cells.:format': {
    request: () => ({ url: '/api/v1/exports/cells.geojson' }),
    expect: everyone,
  },

  // Places.
  'GET /api/v1/geo/places': { request: () => ({ url: '/api/v1/geo/places?q=Nairobi' }), expect: everyone },
  'GET /api/v1/geo/local-places': { expect: atLeast('volunteer') },
  'POST /api/v1/geo/local-places': {
    request: (world) => ({ payload: { name: `Toi market ${world.next()}`, lat: -1.3128, lon: 36.7842 } }),
    expect: atLeast('coordinator'),
  },
  'DELETE /api/v1/geo/local-places/:id': {
    request: async (world) => ({ url: `/api/v1/geo/local-places/${(await seed.localPlace(world)).id}` }),
    expect: atLeast('coordinator'),
  },

  // The public record.
  'GET /api/v1/ledger/checkpoint': { expect: everyone },
  'GET /api/v1/ledger/key': { expect: everyone },
  'GET /api/v1/ledger/entries': {
    request: () => ({ url: '/api/v1/ledger/entries?start=0&end=1' }),
    expect: everyone,
  },
  'GET /api/v1/ledger/proofs/inclusion': {
    request: () => ({ url: '/api/v1/ledger/proofs/inclusion?index=0&tree_size=2' }),
    expect: everyone,
  },
  'GET /api/v1/ledger/proofs/consistency': {
    request: () => ({ url: '/api/v1/ledger/proofs/consistency?first=1&second=2' }),
    expect: everyone,
  },
  'POST /api/v1/ledger/redactions': {
    // The published text of a report, replaced since by an edit: what a redaction is for.
    request: async (world) => {
      const report = await aPublishedReport(world);
      await ok(
        await world.app.inject({
          method: 'PATCH',
          url: `/api/v1/reports/${report.id}`,
          headers: world.volunteer,
          payload: { description: 'Edited' },
        }),
        'editing a report',
      );
      const history = await world.app.inject({ url: `/api/v1/reports/${report.id}/history` });
      const entries = (await ok(history, 'a history')).entries as { index: number; action: string }[];
      const published = entries.find((entry) => entry.action === 'report.published');
      assert.ok(published, 'the report has a report.published entry');
      return { payload: { entries: [published.index], reason: 'A name was published by mistake' } };
    },
    expect: atLeast('coordinator'),
  },

  // The inbox.
  'GET /api/v1/messages': { expect: atLeast('volunteer') },
  'POST /api/v1/messages/:id/report': {
    request: async (world) => ({
      url: `/api/v1/messages/${(await seed.message(world)).id}/report`,
      payload: {},
    }),
    expect: atLeast('volunteer'),
  },
  'POST /api/v1/messages/:id/attach': {
    request: async (world) => ({
      url: `/api/v1/messages/${(await seed.message(world)).id}/attach`,
      payload: { report_id: (await aPublishedReport(world)).id },
    }),
    expect: atLeast('volunteer'),
  },
  'POST /api/v1/messages/:id/archive': {
    request: async (world) => ({ url: `/api/v1/messages/${(await seed.message(world)).id}/archive` }),
    expect: atLeast('volunteer'),
  },
  'POST /api/v1/contacts/:id/trust': {
    request: async (world) => ({
      url: `/api/v1/contacts/${(await seed.message(world)).contact}/trust`,
      payload: { trust: 'trusted' },
    }),
    expect: atLeast('volunteer'),
  },
  'GET /api/v1/channels': { expect: atLeast('coordinator') },
  'POST /api/v1/channels': {
    request: (world) => ({
      payload: { id: `kannel-${world.next()}`, kind: 'kannel', secrets: { secret: 'kannel-secret-19af' } },
    }),
    expect: atLeast('coordinator'),
  },
  'PATCH /api/v1/channels/:id': {
    request: async (world) => ({
      url: `/api/v1/channels/${await seedChannel(world)}`,
      payload: { enabled: false },
    }),
    expect: atLeast('coordinator'),
  },
  'DELETE /api/v1/channels/:id': {
    request: async (world) => ({ url: `/api/v1/channels/${await seedChannel(world)}` }),
    expect: atLeast('coordinator'),
  },

  // Sensors: devices.
  'POST /api/v1/sensors/devices': {
    request: (world) => ({
      payload: {
        name: `Balcony counter ${world.next()}`,
        model: 'bGeigie Nano',
        sensor: 'LND 7317',
        ...station,
      },
    }),
    expect: signedIn,
  },
  'GET /api/v1/sensors/devices': [
    { name: 'all', expect: everyone },
    { name: 'mine', request: () => ({ url: '/api/v1/sensors/devices?mine=true' }), expect: signedIn },
  ],
  'GET /api/v1/sensors/devices/:id': {
    request: async (world, owner) => ({
      url: `/api/v1/sensors/devices/${(await seed.device(world, owner)).device.id}`,
    }),
    expect: everyone,
    owner: { role: 'reporter', outcome: 'allowed' },
  },
  'PATCH /api/v1/sensors/devices/:id': {
    request: async (world, owner) => ({
      url: `/api/v1/sensors/devices/${(await seed.device(world, owner)).device.id}`,
      payload: { name: 'Renamed counter' },
    }),
    expect: ownerOrCoordinator,
    owner: { role: 'reporter', outcome: 'allowed' },
  },
  'POST /api/v1/sensors/devices/:id/token': {
    request: async (world, owner) => ({
      url: `/api/v1/sensors/devices/${(await seed.device(world, owner)).device.id}/token`,
    }),
    expect: ownerOrCoordinator,
    owner: { role: 'reporter', outcome: 'allowed' },
  },
  'GET /api/v1/sensors/devices/:id/series': {
    request: async (world, owner) => ({
      url: `/api/v1/sensors/devices/${(await seed.device(world, owner)).device.id}/series`,
    }),
    expect: everyone,
    owner: { role: 'reporter', outcome: 'allowed' },
  },

  // Sensors: readings in. A device's token names the device, not a person: people's tokens are refused.
  'POST /api/v1/sensors/readings': {
    request: async (world, owner) => {
      const { token } = await seed.device(world, owner);
      return {
        payload: { readings: [{ captured_at: new Date(Date.now() - 60_000).toISOString(), cpm: 41 }] },
        deviceHeaders: { authorization: `Bearer ${token}` },
      };
    },
    expect: {
      anonymous: 'unauthenticated',
      reporter: 'unauthenticated',
      volunteer: 'unauthenticated',
      coordinator: 'unauthenticated',
      admin: 'unauthenticated',
    },
    owner: { role: 'reporter', outcome: 'unauthenticated' },
    device: 'allowed',
  },
  'POST /api/v1/sensors/airrohr': {
    request: async (world, owner) => {
      const name = `esp8266-${world.next()}`;
      const { token } = await seed.device(world, owner, {
        model: 'airrohr',
        sensor: 'SDS011',
        quantity: 'pm2_5',
        network: 'airrohr',
        external_id: name,
      });
      return {
        headers: { 'x-sensor': name },
        payload: {
          software_version: 'NRZ-2018-121C',
          sensordatavalues: [{ value_type: 'SDS_P2', value: '1.05' }],
        },
        deviceHeaders: {
          authorization: `Basic ${Buffer.from(`station:${token}`).toString('base64')}`,
          'x-sensor': name,
        },
      };
    },
    expect: {
      anonymous: 'unauthenticated',
      reporter: 'unauthenticated',
      volunteer: 'unauthenticated',
      coordinator: 'unauthenticated',
      admin: 'unauthenticated',
    },
    owner: { role: 'reporter', outcome: 'unauthenticated' },
    device: 'allowed',
  },
  // Relayed by a person: the owner (with an API token in the network's webhook) or a coordinator.
  'POST /api/v1/sensors/ttn/v3': {
    request: async (world, owner) => {
      const name = `cayenne-${world.next()}`;
      await seed.device(world, owner, {
        sensor: 'BME280',
        quantity: 'temperature',
        network: 'ttn',
        external_id: `sensebox-cayenne/${name}`,
      });
      return { payload: ttnV3Uplink(name) };
    },
    expect: ownerOrCoordinator,
    owner: { role: 'reporter', outcome: 'allowed' },
  },
  'POST /api/v1/sensors/ttn/v2': {
    request: async (world, owner) => {
      const name = `sbhome-${world.next()}`;
      await seed.device(world, owner, {
        sensor: 'HDC1080',
        quantity: 'temperature',
        network: 'ttn',
        external_id: `sensebox-ifgi/${name}`,
        payload_format: 'sensebox-home',
      });
      return { payload: ttnV2Uplink(name) };
    },
    expect: ownerOrCoordinator,
    owner: { role: 'reporter', outcome: 'allowed' },
  },
  'POST /api/v1/sensors/safecast': {
    request: async (world, owner) => {
      const urn = `note:dev:86447504${world.next()}`;
      await seed.device(world, owner, {
        model: 'Safecast device',
        sensor: 'PMS5003',
        quantity: 'pm2_5',
        mobility: 'mobile',
        location: null,
        network: 'safecast',
        external_id: urn,
      });
      return { payload: safecastRecord(urn) };
    },
    expect: ownerOrCoordinator,
    owner: { role: 'reporter', outcome: 'allowed' },
  },

  // Sensors: drive logs.
  'POST /api/v1/sensors/imports': {
    request: async (world, _owner, who) => {
      const n = world.next();
      const log = stationaryLog(
        String(7000 + n),
        { lat: -1.2833, lon: 36.8167 },
        new Date(Date.UTC(2026, 9, 1, 0, n)),
        3,
      );
      return {
        url: `/api/v1/sensors/imports?file_name=own-${n}-${who.caller}.log`,
        headers: { 'content-type': 'application/octet-stream' },
        payload: log,
      };
    },
    expect: signedIn,
  },
  'GET /api/v1/sensors/imports': [
    { name: 'approved ones', expect: everyone },
    {
      name: 'awaiting review',
      request: () => ({ url: '/api/v1/sensors/imports?status=submitted' }),
      expect: atLeast('volunteer'),
    },
    { name: 'mine', request: () => ({ url: '/api/v1/sensors/imports?mine=true' }), expect: signedIn },
  ],
  'GET /api/v1/sensors/imports/:id': {
    request: async (world, owner) => ({
      url: `/api/v1/sensors/imports/${(await seed.import(world, owner)).id}`,
    }),
    expect: { ...atLeast('volunteer'), anonymous: 'hidden', reporter: 'hidden' },
    owner: { role: 'reporter', outcome: 'allowed' },
  },
  'GET /api/v1/sensors/imports/:id/track': {
    request: async (world, owner) => ({
      url: `/api/v1/sensors/imports/${(await seed.import(world, owner)).id}/track`,
    }),
    expect: { ...atLeast('volunteer'), anonymous: 'hidden', reporter: 'hidden' },
    owner: { role: 'reporter', outcome: 'allowed' },
  },
  'POST /api/v1/sensors/imports/:id/submit': {
    request: async (world, owner) => ({
      url: `/api/v1/sensors/imports/${(await seed.import(world, owner)).id}/submit`,
      payload: { name: 'Morning drive' },
    }),
    // Staff may read it but only its owner submits it.
    expect: {
      anonymous: 'unauthenticated',
      reporter: 'hidden',
      volunteer: 'forbidden',
      coordinator: 'forbidden',
      admin: 'forbidden',
    },
    owner: { role: 'reporter', outcome: 'allowed' },
  },
  'POST /api/v1/sensors/imports/:id/approve': {
    request: async (world, owner) => ({
      url: `/api/v1/sensors/imports/${(await seed.submittedImport(world, owner)).id}/approve`,
      payload: {},
    }),
    expect: atLeast('volunteer'),
    owner: { role: 'volunteer', outcome: 'forbidden' },
  },
  'POST /api/v1/sensors/imports/:id/reject': {
    request: async (world, owner) => ({
      url: `/api/v1/sensors/imports/${(await seed.submittedImport(world, owner)).id}/reject`,
      payload: { reason: 'The tube was not connected' },
    }),
    expect: atLeast('volunteer'),
    owner: { role: 'volunteer', outcome: 'forbidden' },
  },

  // Sensors: feeds.
  'POST /api/v1/sensors/feeds': {
    request: (world) => ({ payload: feedBody(world.next()) }),
    expect: signedIn,
  },
  'GET /api/v1/sensors/feeds': { expect: signedIn },
  'DELETE /api/v1/sensors/feeds/:id': {
    request: async (world, owner) => ({ url: `/api/v1/sensors/feeds/${(await seed.feed(world, owner)).id}` }),
    expect: ownerOrCoordinator,
    owner: { role: 'reporter', outcome: 'allowed' },
  },

  // Sensors: the map.
  'GET /api/v1/sensors/quantities': { expect: everyone },
  'GET /api/v1/sensors/cells': {
    request: () => ({ url: '/api/v1/sensors/cells?bbox=36.7,-1.4,36.9,-1.2&resolution=7' }),
    expect: everyone,
  },
  'GET /api/v1/sensors/cells/:cell': {
    request: async (world) => {
      const cells = await world.app.inject({
        url: '/api/v1/sensors/cells?bbox=36.7,-1.4,36.9,-1.2&resolution=9',
      });
      const [cell] = (await ok(cells, 'the cells')).features as { id: string }[];
      assert.ok(cell, 'a cell holds the seeded readings');
      return { url: `/api/v1/sensors/cells/${cell.id}` };
    },
    expect: everyone,
  },

  // The web app's pages (one per page of web/, public HTML that asks the API for its data) and files.
  ...Object.fromEntries(
    webPageFiles
      .filter((file) => file !== 'report-page.html')
      .map((file) => [
        `GET /${file === 'index.html' ? '' : file.replace(/\.html$/, '')}`,
        { expect: everyone },
      ]),
  ),
  'GET /report': { expect: everyone },
  'POST /report': {
    request: (world) => ({
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ title: `Street light out ${world.next()}` }).toString(),
    }),
    expect: everyone,
  },
  'GET /reports/:id': {
    request: async (world) => ({ url: `/reports/${(await aPublishedReport(world)).id}` }),
    expect: everyone,
  },
  'GET /*': { request: () => ({ url: '/assets/index-abc123.js' }), expect: everyone },
};

/**
 * Gateways deliver with the channel's signature or shared secret, not a person's role: whoever calls, a
 * request without them is refused. One existing channel of each kind is asked.
 */
const gatewayRoutes: Record<string, RequestSpec> = {
  'POST /api/v1/inbound/:kind/:channel': {
    url: '/api/v1/inbound/webhook/partner',
    headers: { 'content-type': 'application/json', 'x-tally-signature': 'sha256=00' },
    payload: { id: 'forged-1', from: '+254700000001', text: 'Forged' },
  },
  'GET /api/v1/inbound/:kind/:channel': {
    url: '/api/v1/inbound/kannel/kannel?from=%2B254700000001&text=Forged&secret=wrong',
  },
  'POST /api/v1/inbound/:kind/:channel/status': {
    url: '/api/v1/inbound/kannel/kannel/status?secret=wrong&id=1&status=1',
  },
  'POST /api/v1/inbound/:kind/:channel/delivery': {
    url: '/api/v1/inbound/kannel/kannel/delivery?secret=wrong&id=1&status=1',
  },
  'GET /api/v1/inbound/:kind/:channel/delivery': {
    url: '/api/v1/inbound/kannel/kannel/delivery?id=1&status=1',
  },
};

const loginEmail = 'signs-in@example.org';

const keyOf = (route: RegisteredRoute) => `${route.method} ${route.url}`;

function outcomeOf(response: LightMyRequestResponse): Outcome | string {
  const status = response.statusCode;
  const code =
    response.body && response.headers['content-type']?.toString().includes('json')
      ? (response.json() as { code?: string }).code
      : undefined;
  if (status >= 200 && status < 300) return 'allowed';
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 404 || (status === 422 && code === 'unknown_device')) return 'hidden';
  if ([400, 409, 413, 415, 422].includes(status)) return 'allowed';
  return `${status} ${code ?? ''}`.trim();
}

async function world(testApp: TestApp): Promise<World> {
  let counter = 0;
  const built: World = {
    ...testApp,
    next: () => ++counter,
    volunteer: await testApp.as('volunteer'),
    coordinator: await testApp.as('coordinator'),
    stranger: await testApp.as('reporter'),
  };
  await testApp.services.accounts.addUser({ email: loginEmail, password: testPassword, role: 'reporter' });
  for (const channel of [
    { id: 'partner', kind: 'webhook', secrets: { secret: webhookSecret } },
    { id: 'kannel', kind: 'kannel', secrets: { secret: 'kannel-secret-7d1e' } },
  ]) {
    await ok(
      await testApp.app.inject({
        method: 'POST',
        url: '/api/v1/channels',
        headers: built.coordinator,
        payload: channel,
      }),
      `the ${channel.kind} channel`,
    );
  }
  // Readings for the map's cells, from an exact fixed station.
  const { token } = await seed.device(built, built.stranger);
  await ok(
    await testApp.app.inject({
      method: 'POST',
      url: '/api/v1/sensors/readings',
      headers: { authorization: `Bearer ${token}` },
      payload: { readings: [{ captured_at: new Date(Date.now() - 120_000).toISOString(), cpm: 38 }] },
    }),
    'a reading',
  );
  return built;
}

async function buildMatrixApp(t: TestContext, db: TestDb) {
  return buildTestApp(db, {
    webDir: builtWebApp(t),
    anonymousReportsPerMinute: 100_000,
    authenticatedReportsPerMinute: 100_000,
    loginAttemptsPerMinute: 100_000,
    senderMessagesPerMinute: 100_000,
    importAutoApproval: {
      enabled: false,
      minApprovedImports: 3,
      requirePositiveCpm: true,
      maxCpm: 5000,
      minGpsFixShare: 0.9,
    },
  });
}

forEachDatabase('the permissions of every route', (open) => {
  test('every registered route has a row in the permissions table, and every row a registered route', async (t) => {
    const { app } = await buildMatrixApp(t, await open());
    const routes = registeredRoutes(app);
    const heads = routes.filter((route) => route.method === 'HEAD');
    const gets = new Set(routes.filter((route) => route.method === 'GET').map((route) => route.url));
    for (const head of heads) assert.ok(gets.has(head.url), `HEAD ${head.url} has no GET to be derived from`);
    const audited = routes.filter((route) => route.method !== 'HEAD' && !isApiDocsViewer(route));
    const rows = new Set([...Object.keys(table), ...Object.keys(gatewayRoutes)]);
    const missing = audited.map(keyOf).filter((key) => !rows.has(key));
    assert.deepEqual(
      missing.map((key) => `add a row for ${key}`),
      [],
      'routes without a row in test/security/permissions-matrix.test.ts',
    );
    const known = new Set(audited.map(keyOf));
    const stale = [...rows].filter((key) => !known.has(key));
    assert.deepEqual(
      stale.map((key) => `remove the row for ${key}: no such route`),
      [],
      'rows for routes the app no longer registers',
    );
  });

  test('every route answers every caller as its row says', async (t) => {
    const testApp = await buildMatrixApp(t, await open());
    const built = await world(testApp);
    const callers: Record<Caller, { headers: Headers; email: string | null }> = {
      anonymous: { headers: {}, email: null },
      reporter: { headers: {}, email: null },
      volunteer: { headers: {}, email: null },
      coordinator: { headers: {}, email: null },
      admin: { headers: {}, email: null },
    };
    const owners = new Map<Role, { headers: Headers; email: string }>();
    const user = async (role: Role) => {
      const email = `${role}-${built.next()}@example.org`;
      await testApp.services.accounts.addUser({ email, password: testPassword, role });
      const { token } = await testApp.services.accounts.login(email, testPassword);
      return { headers: { authorization: `Bearer ${token}` }, email };
    };
    for (const role of staffRoles) callers[role] = await user(role);
    for (const role of staffRoles) owners.set(role, await user(role));

    const wrong: string[] = [];
    for (const [key, rowCases] of Object.entries(table)) {
      const [method, url] = key.split(' ') as [string, string];
      for (const one of Array.isArray(rowCases) ? rowCases : [rowCases]) {
        const calls: { who: Who; headers: Headers; owner: Headers; expected: Outcome }[] = [];
        for (const caller of ['anonymous', ...staffRoles] as const) {
          calls.push({
            who: { caller, role: caller === 'anonymous' ? null : caller, email: callers[caller].email },
            headers: callers[caller].headers,
            owner: built.stranger,
            expected: one.expect[caller],
          });
        }
        if (one.owner) {
          const owner = owners.get(one.owner.role)!;
          calls.push({
            who: { caller: 'owner', role: one.owner.role, email: owner.email },
            headers: owner.headers,
            owner: owner.headers,
            expected: one.owner.outcome,
          });
        }
        if (one.device) {
          calls.push({
            who: { caller: 'device', role: null, email: null },
            headers: {},
            owner: built.stranger,
            expected: one.device,
          });
        }
        for (const call of calls) {
          const spec = one.request ? await one.request(built, call.owner, call.who) : {};
          const headers = {
            ...(call.who.caller === 'device' ? spec.deviceHeaders : call.headers),
            ...spec.headers,
            ...(call.who.caller === 'device' ? spec.deviceHeaders : {}),
          };
          const response = await testApp.app.inject({
            method: method as 'GET',
            url: spec.url ?? url,
            headers,
            ...(spec.payload !== undefined ? { payload: spec.payload as string } : {}),
          });
          const got = outcomeOf(response);
          if (got !== call.expected) {
            wrong.push(
              `${key}${one.name ? ` (${one.name})` : ''} as ${call.who.caller}${call.who.caller === 'owner' ? ` (${call.who.role})` : ''}: expected ${call.expected}, got ${got} — ${response.statusCode} ${response.body.slice(0, 160)}`,
            );
          }
          // HEAD is derived from GET: asked the same, it must answer the same.
          if (method === 'GET' && call.who.caller !== 'owner') {
            const head = await testApp.app.inject({ method: 'HEAD', url: spec.url ?? url, headers });
            if (head.statusCode !== response.statusCode) {
              wrong.push(`HEAD ${url} as ${call.who.caller}: ${head.statusCode}, GET ${response.statusCode}`);
            }
          }
        }
      }
    }
    assert.deepEqual(wrong, [], 'callers answered otherwise than the permissions table says');
  });

  test('a gateway request without the channel’s signature or secret is refused, whoever sends it', async (t) => {
    const testApp = await buildMatrixApp(t, await open());
    const built = await world(testApp);
    const wrong: string[] = [];
    for (const [key, spec] of Object.entries(gatewayRoutes)) {
      const [method] = key.split(' ') as [string];
      for (const headers of [{}, built.coordinator]) {
        const response = await testApp.app.inject({
          method: method as 'GET',
          url: spec.url!,
          headers: { ...headers, ...spec.headers },
          ...(spec.payload !== undefined ? { payload: spec.payload as string } : {}),
        });
        const code = response.statusCode === 403 ? (response.json() as { code: string }).code : '';
        if (code !== 'invalid_signature')
          wrong.push(`${key}: ${response.statusCode} ${response.body.slice(0, 160)}`);
      }
    }
    assert.deepEqual(wrong, [], 'gateway requests that were not refused as unsigned');
  });
});
