import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, type TestContext, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { latLngToCell } from 'h3-js';
import type { Role } from '../../src/accounts/roles.js';
import { type App, buildApp } from '../../src/app.js';
import { systemClock } from '../../src/clock.js';
import { webhookSignature } from '../../src/messages/gateways/signed-webhook.js';
import { twilioSignature } from '../../src/messages/gateways/twilio.js';
import { webDistDir } from '../../src/paths.js';
import { createServices } from '../../src/services.js';
import { SurveysRepository } from '../../src/surveys/surveys.repository.js';
import { testConfig, testPassword } from '../helpers/app.js';
import { forEachDatabase, type TestDb } from '../helpers/databases.js';
import { builtWebApp, registeredRoutes, stationaryLog } from './routes.js';

/**
 * Builds a deployment holding distinctive private data (a reporter's phone number, a contact e-mail, a private
 * survey answer, a sensitive report's exact place and name, a coarse station's exact position with its live
 * readings and an approved drive log), then reads every public output as an anonymous visitor, and the
 * server's log, and fails on any trace of them in any of the usual encodings.
 */

const phone = '+254722987654';
const email = 'wanjiru.hidden@example.org';
const privateAnswer = 'Nyokabi Gathoni';
const exactReport = { lat: -1.287654, lon: 36.812345 };
const exactPlaceName = 'Exact house 12 Ngong Road';
/** A fixed station at someone's home; a bGeigie writes minutes to four decimals, which these are exactly. */
const exactStation = { lat: -1.301235, lon: 36.774515 };
const ownerEmail = 'amani.station-owner@example.org';
const webhookSecret = 'privacy-webhook-secret-83c2';
const probeRequestId = 'privacy-audit-probe';
const twilioAuthToken = 'c4f2a9e1b7d3056f8e2a1c9b4d7e3f60';

type Place = { lat: number; lon: number };

/** A coordinate as exporters print it: rounded or cut to 4, 5 and 6 decimals. */
function coordinateForms(value: number): string[] {
  const forms = new Set<string>();
  for (const decimals of [4, 5, 6]) {
    forms.add(Math.abs(value).toFixed(decimals));
    const factor = 10 ** decimals;
    forms.add((Math.trunc(Math.abs(value) * factor) / factor).toFixed(decimals));
  }
  return [...forms];
}

/** The exact point as numbers and as the finest hexagon, unless that is the hexagon the public is shown. */
function placeForms(place: Place, publicPlace: Place | null): string[] {
  const forms = [...coordinateForms(place.lat), ...coordinateForms(place.lon)];
  const cell = latLngToCell(place.lat, place.lon, 9);
  if (!publicPlace || latLngToCell(publicPlace.lat, publicPlace.lon, 9) !== cell) forms.push(cell);
  return forms;
}

function textForms(value: string): string[] {
  return [
    ...new Set([value, encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2)]),
  ];
}

interface Secret {
  name: string;
  forms: string[];
}

interface Output {
  name: string;
  text: string;
}

/** Who the deployment is and what it holds, once per database. */
interface Audit {
  outputs: Output[];
  log: () => string;
  secrets: Record<string, Secret>;
  /** What volunteers see of the sensitive report and its owner of the station, to show the audit's forms match. */
  staffView: { report: string; station: string };
  /** The deployment, to ask it questions whose answers must not depend on a secret. */
  app: App;
  /** Outputs that carry a drive log's readings or summary. */
  driveLogOutputs: (output: Output) => boolean;
}

function captureLogs(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    }),
    text: () => chunks.join(''),
  };
}

/** The built web app if there is one, else the smallest app with every page. */
function webDir(t: TestContext): string {
  return existsSync(path.join(webDistDir, 'report.html')) ? webDistDir : builtWebApp(t);
}

async function expectOk(response: LightMyRequestResponse, what: string): Promise<Record<string, unknown>> {
  assert.ok(response.statusCode < 300, `${what} failed: ${response.statusCode} ${response.body}`);
  return String(response.headers['content-type']).includes('json') ? response.json() : {};
}

/** Sample parameters for every parameterised public GET route; a new one without a row fails the audit. */
type Samples = (known: Known) => string[];
interface Known {
  reportIds: string[];
  deviceIds: string[];
  importIds: string[];
  cellIds: string[];
  webFile: string;
}

const cellResolutions = [1, 3, 5, 7, 9];
const nairobi = '36.6,-1.45,37.0,-1.15';

const samples: Record<string, Samples> = {
  '/api/v1/reports': () => [
    '/api/v1/reports',
    `/api/v1/reports?bbox=${nairobi}`,
    '/api/v1/reports?q=Ngong',
    '/api/v1/reports?status=pending',
  ],
  '/api/v1/reports/:id': (known) => known.reportIds.map((id) => `/api/v1/reports/${id}`),
  '/api/v1/reports/:id/history': (known) => known.reportIds.map((id) => `/api/v1/reports/${id}/history`),
  '/api/v1/reports/:id/revisions': (known) => known.reportIds.map((id) => `/api/v1/reports/${id}/revisions`),
  '/reports/:id': (known) => known.reportIds.map((id) => `/reports/${id}`),
  '/api/v1/exports/reports.:format': () => [
    '/api/v1/exports/reports.csv?hxl=true',
    '/api/v1/exports/reports.geojson',
    '/api/v1/exports/reports.kml',
  ],
  '/api/v1/exports/readings.:format': () => [
    '/api/v1/exports/readings.csv?hxl=true&extra_columns=true',
    '/api/v1/exports/readings.geojson',
  ],
  '/api/v1/exports/cells.:format': () =>
    cellResolutions.flatMap((resolution) => [
      `/api/v1/exports/cells.csv?hxl=true&resolution=${resolution}`,
      `/api/v1/exports/cells.geojson?resolution=${resolution}`,
    ]),
  '/api/v1/sensors/cells': () =>
    cellResolutions.flatMap((resolution) => [
      `/api/v1/sensors/cells?bbox=${nairobi}&resolution=${resolution}`,
      `/api/v1/sensors/cells?bbox=-180,-90,180,90&resolution=${resolution}`,
    ]),
  '/api/v1/sensors/cells/:cell': (known) => known.cellIds.map((cell) => `/api/v1/sensors/cells/${cell}`),
  '/api/v1/sensors/devices': () => ['/api/v1/sensors/devices', '/api/v1/sensors/devices?mine=true'],
  '/api/v1/sensors/devices/:id': (known) => known.deviceIds.map((id) => `/api/v1/sensors/devices/${id}`),
  '/api/v1/sensors/devices/:id/series': (known) =>
    known.deviceIds.map((id) => `/api/v1/sensors/devices/${id}/series?quantity=radiation`),
  '/api/v1/sensors/imports': () => ['/api/v1/sensors/imports', '/api/v1/sensors/imports?status=approved'],
  '/api/v1/sensors/imports/:id': (known) => known.importIds.map((id) => `/api/v1/sensors/imports/${id}`),
  '/api/v1/sensors/imports/:id/track': (known) =>
    known.importIds.map((id) => `/api/v1/sensors/imports/${id}/track`),
  '/api/v1/ledger/entries': () => ['/api/v1/ledger/entries?start=0&end=1000'],
  '/api/v1/geo/places': () => ['/api/v1/geo/places?q=Ngong'],
  '/api/v1/categories/:id/keywords': () => ['/api/v1/categories/none/keywords'],
  '/api/v1/inbound/:kind/:channel': () => ['/api/v1/inbound/webhook/partner'],
  '/api/v1/inbound/:kind/:channel/delivery': () => ['/api/v1/inbound/kannel/partner/delivery'],
  '/api/docs/*': () => ['/api/docs/static/index.html'],
  '/*': (known) => [`/${known.webFile}`],
};

/** Outputs built from the answers of others: proofs for every entry, and every entry's content decoded. */
async function ledgerOutputs(app: App): Promise<Output[]> {
  const page = await app.inject({ url: '/api/v1/ledger/entries?start=0&end=1000' });
  const { tree_size: size, entries } = page.json<{
    tree_size: number;
    entries: { index: number; content: string | null }[];
  }>();
  const outputs: Output[] = [];
  for (const entry of entries) {
    if (entry.content) {
      outputs.push({
        name: `ledger entry ${entry.index} content (decoded)`,
        text: Buffer.from(entry.content, 'base64').toString('utf8'),
      });
    }
    const proof = await app.inject({
      url: `/api/v1/ledger/proofs/inclusion?index=${entry.index}&tree_size=${size}`,
    });
    outputs.push({ name: `inclusion proof of entry ${entry.index}`, text: proof.body });
  }
  return outputs;
}

async function buildAudit(t: TestContext, db: TestDb): Promise<Audit> {
  const logs = captureLogs();
  const config = testConfig({ webDir: webDir(t) });
  const services = await createServices(db, systemClock, config);
  const app = await buildApp(config, { db, services, logger: { level: 'info', stream: logs.stream } });
  t.after(() => app.close());
  // Surveys are read once and kept: the fields are defined before the first report.
  await new SurveysRepository(db.kysely).setFields('default', [
    { key: 'people_affected', label: 'People affected', type: 'number', required: false, private: false },
    { key: 'household_head', label: 'Head of household', type: 'text', required: false, private: true },
  ]);
  const as = async (role: Role, address = `${role}-${Math.random().toString(36).slice(2)}@example.org`) => {
    await services.accounts.addUser({ email: address, password: testPassword, role });
    return { authorization: `Bearer ${(await services.accounts.login(address, testPassword)).token}` };
  };
  const [volunteer, otherVolunteer, coordinator, owner] = [
    await as('volunteer'),
    await as('volunteer'),
    await as('coordinator'),
    await as('reporter', ownerEmail),
  ];
  const publish = async (id: string) =>
    expectOk(
      await app.inject({
        method: 'PATCH',
        url: `/api/v1/reports/${id}`,
        headers: otherVolunteer,
        payload: { status: 'published' },
      }),
      'publishing',
    );

  // A reporter's SMS through a signed gateway, made a report and published.
  await expectOk(
    await app.inject({
      method: 'POST',
      url: '/api/v1/channels',
      headers: coordinator,
      payload: { id: 'partner', kind: 'webhook', secrets: { secret: webhookSecret } },
    }),
    'adding the channel',
  );
  const sms = Buffer.from(
    JSON.stringify({ id: 'wa-PRIV-1', from: phone, text: 'Maji yamekatika Kawangware tangu jana' }),
  );
  await expectOk(
    await app.inject({
      method: 'POST',
      url: '/api/v1/inbound/webhook/partner',
      headers: {
        'content-type': 'application/json',
        'x-tally-signature': webhookSignature(webhookSecret, sms),
      },
      payload: sms,
    }),
    'the SMS',
  );
  const inbox = await expectOk(
    await app.inject({ url: '/api/v1/messages?direction=inbound', headers: volunteer }),
    'the inbox',
  );
  const [message] = inbox.data as { id: string }[];
  assert.ok(message);
  const fromSms = (
    await expectOk(
      await app.inject({
        method: 'POST',
        url: `/api/v1/messages/${message.id}/report`,
        headers: volunteer,
        payload: { location: { lat: -1.2832, lon: 36.7503 } },
      }),
      'making a report of the SMS',
    )
  ).report as { id: string };
  await publish(fromSms.id);
  // The same reporter again, by Twilio, signed over the public URL and the form.
  await expectOk(
    await app.inject({
      method: 'POST',
      url: '/api/v1/channels',
      headers: coordinator,
      payload: { id: 'twilio-ke', kind: 'twilio', secrets: { authToken: twilioAuthToken } },
    }),
    'adding the Twilio channel',
  );
  const twilioSms = {
    MessageSid: 'SM7c0e5d1a9b3f4e2d8c6a0b1f2e3d4c5b',
    AccountSid: 'AC0123456789abcdef0123456789abcdef',
    From: phone,
    To: '+254700000000',
    Body: 'Moto sokoni Kibera, karibu na lango la Olympic',
    NumMedia: '0',
  };
  await expectOk(
    await app.inject({
      method: 'POST',
      url: '/api/v1/inbound/twilio/twilio-ke',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        host: 'tally.example.org',
        'x-twilio-signature': twilioSignature(
          twilioAuthToken,
          'http://tally.example.org/api/v1/inbound/twilio/twilio-ke',
          twilioSms,
        ),
      },
      payload: new URLSearchParams(twilioSms).toString(),
    }),
    'the Twilio SMS',
  );

  // A sensitive web report with a contact, a private answer and its exact place: published, voted on,
  // edited, and its first published text redacted.
  const sensitive = (await expectOk(
    await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { 'x-tally-client': 'web' },
      payload: {
        title: 'Family sheltering after an eviction',
        description: 'Two adults and four children; they fear being found.',
        location: { ...exactReport, name: exactPlaceName },
        sensitivity: 'coarse',
        author_name: 'Wanjiru',
        contact: email,
        fields: { people_affected: 6, household_head: privateAnswer },
      },
    }),
    'the sensitive report',
  )) as { id: string };
  await publish(sensitive.id);
  await expectOk(
    await app.inject({
      method: 'POST',
      url: `/api/v1/reports/${sensitive.id}/votes`,
      headers: volunteer,
      payload: { verdict: 'confirm', reason: 'Visited; the family is there' },
    }),
    'the vote',
  );
  await expectOk(
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/reports/${sensitive.id}`,
      headers: volunteer,
      payload: { description: 'A family of six needs shelter.' },
    }),
    'the edit',
  );
  const history = await expectOk(
    await app.inject({ url: `/api/v1/reports/${sensitive.id}/history` }),
    'the history',
  );
  const firstText = (history.entries as { index: number; action: string }[]).find(
    (entry) => entry.action === 'report.published',
  );
  assert.ok(firstText);
  await expectOk(
    await app.inject({
      method: 'POST',
      url: '/api/v1/ledger/redactions',
      headers: coordinator,
      payload: { entries: [firstText.index], reason: 'Too much detail about the family' },
    }),
    'the redaction',
  );
  const pending = (await expectOk(
    await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      payload: { title: 'Not yet checked', location: exactReport, contact: email },
    }),
    'the pending report',
  )) as { id: string };

  // A fixed station at a home, shown coarsely, with live readings and an approved drive log of its own.
  const registered = await expectOk(
    await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/devices',
      headers: owner,
      payload: {
        name: 'Home station',
        model: 'bGeigie Nano',
        sensor: 'LND 7317',
        cpm_per_unit: 334,
        mobility: 'fixed',
        location: exactStation,
        location_precision: 'coarse',
      },
    }),
    'registering the station',
  );
  const station = registered.device as { id: string; location: Place };
  const token = registered.token as string;
  const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
  await expectOk(
    await app.inject({
      method: 'POST',
      url: '/api/v1/sensors/readings',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        readings: [
          { captured_at: minutesAgo(3), cpm: 36 },
          // The station's own GPS: the exact place again, which the public must not learn from it either.
          { captured_at: minutesAgo(2), cpm: 38, ...exactStation },
        ],
      },
    }),
    'the live readings',
  );
  const log = stationaryLog('4281', exactStation, new Date(Date.now() - 6 * 3600_000), 24);
  const imported = await expectOk(
    await app.inject({
      method: 'POST',
      url: `/api/v1/sensors/imports?file_name=home.log&device_id=${station.id}`,
      headers: { ...owner, 'content-type': 'application/octet-stream' },
      payload: log,
    }),
    'importing the drive log',
  );
  assert.equal(imported.accepted, 24, 'every line of the log is read');
  await expectOk(
    await app.inject({
      method: 'POST',
      url: `/api/v1/sensors/imports/${imported.id}/submit`,
      headers: owner,
      payload: { name: 'A day at home' },
    }),
    'submitting the drive log',
  );
  await expectOk(
    await app.inject({
      method: 'POST',
      url: `/api/v1/sensors/imports/${imported.id}/approve`,
      headers: volunteer,
      payload: {},
    }),
    'approving the drive log',
  );

  // Every public GET route, as an anonymous visitor, with samples for its parameters.
  const cellIds = new Set<string>();
  for (const resolution of cellResolutions) {
    const cells = await app.inject({
      url: `/api/v1/sensors/cells?bbox=-180,-90,180,90&resolution=${resolution}`,
    });
    for (const feature of cells.json<{ features: { id: string }[] }>().features) cellIds.add(feature.id);
  }
  const dir = config.webDir ?? '';
  const known: Known = {
    reportIds: [fromSms.id, sensitive.id, pending.id],
    deviceIds: [station.id],
    importIds: [String(imported.id)],
    cellIds: [...cellIds],
    webFile:
      readdirSync(dir).find((file) => !file.endsWith('.html') && statSync(path.join(dir, file)).isFile()) ??
      '',
  };
  const outputs: Output[] = [];
  const unsampled: string[] = [];
  for (const route of registeredRoutes(app).filter((r) => r.method === 'GET')) {
    const sample = samples[route.url];
    if (!sample && /[:*]/.test(route.url)) {
      unsampled.push(`add sample parameters for GET ${route.url}`);
      continue;
    }
    for (const url of sample ? sample(known) : [route.url]) {
      const response = await app.inject({ url });
      assert.ok(response.statusCode < 500, `GET ${url} failed: ${response.statusCode} ${response.body}`);
      outputs.push({ name: `GET ${url}`, text: `${JSON.stringify(response.headers)}\n${response.body}` });
    }
  }
  assert.deepEqual(unsampled, [], 'public GET routes the audit does not know how to call');
  outputs.push(...(await ledgerOutputs(app)));

  // The finest hexagon at the station's door holds nothing public. Asked by its id, which the answer and the
  // log then echo, so the probe's own request is left out of what is searched.
  const doorCell = latLngToCell(exactStation.lat, exactStation.lon, 9);
  const probe = await app.inject({
    url: `/api/v1/sensors/cells/${doorCell}`,
    headers: { 'x-request-id': probeRequestId },
  });
  if (probe.statusCode !== 404) {
    outputs.push({ name: `GET /api/v1/sensors/cells/${doorCell} (${probe.statusCode})`, text: doorCell });
  }
  const staffView = {
    report: (await app.inject({ url: `/api/v1/reports/${sensitive.id}`, headers: volunteer })).body,
    station: (await app.inject({ url: `/api/v1/sensors/devices/${station.id}`, headers: owner })).body,
  };

  const publicReport = await expectOk(
    await app.inject({ url: `/api/v1/reports/${sensitive.id}` }),
    'the report',
  );
  const reportShown = publicReport.location as Place;
  const secrets: Record<string, Secret> = {
    phone: { name: 'the reporter’s phone number', forms: ['722987654'] },
    email: { name: 'the contact e-mail', forms: textForms(email).concat('wanjiru.hidden') },
    privateField: { name: 'the private survey answer', forms: textForms(privateAnswer).concat('Gathoni') },
    reportPlace: { name: 'the sensitive report’s exact place', forms: placeForms(exactReport, reportShown) },
    reportPlaceName: { name: 'the sensitive report’s place name', forms: textForms(exactPlaceName) },
    stationPlace: {
      name: 'the coarse station’s exact position',
      forms: placeForms(exactStation, station.location),
    },
    credentials: {
      name: 'tokens and secrets',
      forms: [token, webhookSecret, twilioAuthToken, ownerEmail, volunteer.authorization.slice(7)],
    },
  };
  // The forms must not be what the public is rightly shown, or the audit would cry wolf.
  const shownText = JSON.stringify([reportShown, station.location]);
  for (const secret of [secrets.reportPlace, secrets.stationPlace]) {
    for (const form of secret?.forms ?? [])
      assert.ok(!shownText.includes(form), `${form} is also a public value`);
  }
  return {
    outputs,
    staffView,
    app,
    log: () =>
      logs
        .text()
        .split('\n')
        .filter((line) => !line.includes(`"reqId":"${probeRequestId}"`))
        .join('\n'),
    secrets,
    driveLogOutputs: (output) =>
      /\/exports\/(readings|cells)|\/sensors\/imports|\/sensors\/cells/.test(output.name),
  };
}

function traces(outputs: Output[], secret: Secret | undefined): string[] {
  assert.ok(secret);
  return outputs.flatMap((output) =>
    secret.forms.filter((form) => output.text.includes(form)).map((form) => `${output.name}: "${form}"`),
  );
}

forEachDatabase('the privacy of every public output', (open) => {
  let audit: Audit;
  const cleanups: (() => unknown)[] = [];
  before(async () => {
    // The hooks a test context would run at its end, run when the suite ends instead.
    const context = { after: (cleanup: () => unknown) => cleanups.push(cleanup) } as unknown as TestContext;
    audit = await buildAudit(context, await open());
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  const nowhere =
    (key: string, pick: (output: Output) => boolean = () => true) =>
    () => {
      const secret = audit.secrets[key];
      assert.deepEqual(traces(audit.outputs.filter(pick), secret), [], `${secret?.name} is public`);
    };

  test('the reporter’s phone number is in no public output', nowhere('phone'));
  test('a report’s contact e-mail is in no public output', nowhere('email'));
  test('a private survey answer is in no public output', nowhere('privateField'));
  test('a sensitive report’s exact place is in no public output', nowhere('reportPlace'));
  test('a sensitive report’s place name is in no public output', nowhere('reportPlaceName'));
  test('tokens, gateway secrets and owners’ e-mails are in no public output', nowhere('credentials'));
  test(
    'a coarse station’s exact position is in no public output but its drive log’s',
    nowhere('stationPlace', (output) => !audit.driveLogOutputs(output)),
  );
  test(
    'a coarse station’s exact position is not in its drive log’s readings, track, summary or cells',
    nowhere('stationPlace', (output) => audit.driveLogOutputs(output)),
  );

  test('the audit looks for what is really stored: staff and owners see each private value', () => {
    for (const [key, seen] of [
      ['email', audit.staffView.report],
      ['privateField', audit.staffView.report],
      ['reportPlace', audit.staffView.report],
      ['reportPlaceName', audit.staffView.report],
      ['stationPlace', audit.staffView.station],
    ] as const) {
      const secret = audit.secrets[key];
      assert.ok(
        secret?.forms.some((form) => seen.includes(form)),
        `no form of ${secret?.name} in what staff see`,
      );
    }
  });

  test('searching the public reports for a private value or around an exact place finds nothing', async () => {
    const { lat, lon } = exactReport;
    const around = [lon - 0.0005, lat - 0.0005, lon + 0.0005, lat + 0.0005].join(',');
    const found: string[] = [];
    for (const query of ['q=Ngong', 'q=Gathoni', 'q=wanjiru.hidden', 'q=722987654', `bbox=${around}`]) {
      // The query itself is logged, as any visitor's would be: the probe's lines are not searched.
      const response = await audit.app.inject({
        url: `/api/v1/reports?${query}`,
        headers: { 'x-request-id': probeRequestId },
      });
      const items = response.json<{ items: { title: string }[] }>().items;
      if (items.length > 0) found.push(`${query}: ${items.map((item) => item.title).join(', ')}`);
    }
    assert.deepEqual(found, [], 'public searches that answer according to private data');
  });

  test('the server log holds none of the private data', () => {
    const log: Output[] = [{ name: 'the server log', text: audit.log() }];
    assert.match(log[0]?.text ?? '', /"reqId"/, 'the log was captured');
    const found = Object.values(audit.secrets).flatMap((secret) => traces(log, secret));
    assert.deepEqual(found, [], 'private data in the server log');
  });
});
