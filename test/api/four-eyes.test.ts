import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Role } from '../../src/accounts/roles.js';
import type { App } from '../../src/app.js';
import { twilioSignature } from '../../src/messages/gateways/twilio.js';
import { buildTestApp, json, kiberaReport, type TestApp } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { contentOf, ledgerEntries } from '../helpers/ledger.js';
import { assertProblem, type Headers, type ReportJson, setStatus, submitReport } from '../helpers/reports.js';
import { type ImportJson, submittedLog } from '../helpers/sensors.js';

const driveLog = 'safecastapi-bgeigie_nyc.log';

function patchStatus(app: App, headers: Headers, id: string, status: string) {
  return app.inject({ method: 'PATCH', url: `/api/v1/reports/${id}`, headers, payload: { status } });
}

function decide(app: App, headers: Headers, id: string, verdict: 'approve' | 'reject') {
  return app.inject({
    method: 'POST',
    url: `/api/v1/sensors/imports/${id}/${verdict}`,
    headers,
    payload: { reason: 'Checked the track against the street map' },
  });
}

/** A report the given user submitted while signed in: their own work. */
async function ownReport(
  t: TestApp,
  role: Role = 'volunteer',
): Promise<{ author: Headers; report: ReportJson }> {
  const author = await t.as(role);
  return { author, report: await submitReport(t.app, kiberaReport, author) };
}

/** A drive log a volunteer logged and submitted themselves: their own work. */
async function ownDriveLog(t: TestApp): Promise<{ owner: Headers; log: ImportJson }> {
  const owner = await t.as('volunteer');
  return { owner, log: await submittedLog(t.app, owner, driveLog) };
}

forEachDatabase('four eyes on reports', (open) => {
  test('a volunteer may not publish a report they submitted: 403 own_work_review', async () => {
    const t = await buildTestApp(await open());
    const { author, report } = await ownReport(t);
    const problem = assertProblem(
      await patchStatus(t.app, author, report.id, 'published'),
      403,
      'own_work_review',
    );
    assert.match(problem.detail, /publish a report you submitted/);
    const after = json<ReportJson>(
      await t.app.inject({ url: `/api/v1/reports/${report.id}`, headers: author }),
    );
    assert.equal(after.status, 'pending');
  });

  test('a volunteer may not reject a report they submitted: 403 own_work_review', async () => {
    const t = await buildTestApp(await open());
    const { author, report } = await ownReport(t);
    assertProblem(await patchStatus(t.app, author, report.id, 'rejected'), 403, 'own_work_review');
  });

  test('an admin may not publish their own report either: the rule is the same for every role', async () => {
    const t = await buildTestApp(await open());
    const { author, report } = await ownReport(t, 'admin');
    assertProblem(await patchStatus(t.app, author, report.id, 'published'), 403, 'own_work_review');
  });

  test('another volunteer may publish a report someone else submitted', async () => {
    const t = await buildTestApp(await open());
    const { report } = await ownReport(t);
    const published = await setStatus(t.app, await t.as('volunteer'), report.id, 'published');
    assert.equal(published.status, 'published');
  });

  test('another volunteer may reject a report someone else submitted', async () => {
    const t = await buildTestApp(await open());
    const { report } = await ownReport(t);
    assert.equal((await setStatus(t.app, await t.as('volunteer'), report.id, 'rejected')).status, 'rejected');
  });

  test('the author may still edit and archive their own report', async () => {
    const t = await buildTestApp(await open());
    const { author, report } = await ownReport(t);
    await setStatus(t.app, await t.as('volunteer'), report.id, 'published');
    const edited = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/reports/${report.id}`,
      headers: author,
      payload: { title: 'Burst water pipe flooding the road (repaired at noon)' },
    });
    assert.equal(edited.statusCode, 200, edited.body);
    assert.equal((await setStatus(t.app, author, report.id, 'archived')).status, 'archived');
  });

  test('publishing again a rejected report of one’s own is refused too', async () => {
    const t = await buildTestApp(await open());
    const { author, report } = await ownReport(t);
    await setStatus(t.app, await t.as('volunteer'), report.id, 'rejected');
    assertProblem(await patchStatus(t.app, author, report.id, 'published'), 403, 'own_work_review');
  });

  test('with TALLY_ALLOW_SELF_REVIEW a volunteer may publish and reject their own reports', async () => {
    const t = await buildTestApp(await open(), { allowSelfReview: true });
    const first = await ownReport(t);
    assert.equal((await setStatus(t.app, first.author, first.report.id, 'published')).status, 'published');
    const second = await ownReport(t);
    assert.equal((await setStatus(t.app, second.author, second.report.id, 'rejected')).status, 'rejected');
  });
});

const authToken = 'f3b1c2d4e5a6978812345678abcdef01';

/** A text message from a member of the public, through a Twilio channel, as it lands in the inbox. */
async function receivedMessage(t: TestApp): Promise<string> {
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/v1/channels',
    headers: await t.as('coordinator'),
    payload: { id: 'twilio-ke', kind: 'twilio', secrets: { authToken } },
  });
  assert.equal(created.statusCode, 201, created.body);
  const url = '/api/v1/inbound/twilio/twilio-ke';
  const fields = {
    MessageSid: 'SM5f1d6d0e8c2a4b7f9e3a1c0d2b4f6a8e',
    AccountSid: 'AC0123456789abcdef0123456789abcdef',
    From: '+254722000111',
    To: '+254700000000',
    Body: 'Moto sokoni Kibera, karibu na lango la Olympic',
    NumMedia: '0',
  };
  const received = await t.app.inject({
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      host: 'tally.example.org',
      'x-twilio-signature': twilioSignature(authToken, `http://tally.example.org${url}`, fields),
    },
    payload: new URLSearchParams(fields).toString(),
  });
  assert.equal(received.statusCode, 200, received.body);
  const inbox = await t.app.inject({
    url: '/api/v1/messages?direction=inbound',
    headers: await t.as('volunteer'),
  });
  const id = json<{ data: { id: string }[] }>(inbox).data[0]?.id;
  assert.ok(id, inbox.body);
  return id;
}

forEachDatabase('four eyes on reports made from messages', (open) => {
  test('a volunteer may publish a report they made of someone else’s message: its author is the sender', async () => {
    const t = await buildTestApp(await open());
    const messageId = await receivedMessage(t);
    const volunteer = await t.as('volunteer');
    const made = await t.app.inject({
      method: 'POST',
      url: `/api/v1/messages/${messageId}/report`,
      headers: volunteer,
      payload: {},
    });
    assert.equal(made.statusCode, 201, made.body);
    const { report } = json<{ report: ReportJson }>(made);
    assert.equal(report.created_by, null);
    assert.equal((await setStatus(t.app, volunteer, report.id, 'published')).status, 'published');
  });
});

forEachDatabase('four eyes on drive logs', (open) => {
  test('a volunteer may not approve their own drive log: 403 own_work_review', async () => {
    const t = await buildTestApp(await open());
    const { owner, log } = await ownDriveLog(t);
    const problem = assertProblem(await decide(t.app, owner, log.id, 'approve'), 403, 'own_work_review');
    assert.match(problem.detail, /approve your own drive log/);
    const after = await t.app.inject({ url: `/api/v1/sensors/imports/${log.id}`, headers: owner });
    assert.equal(json<ImportJson>(after).status, 'submitted');
  });

  test('a volunteer may not reject their own drive log: 403 own_work_review', async () => {
    const t = await buildTestApp(await open());
    const { owner, log } = await ownDriveLog(t);
    assertProblem(await decide(t.app, owner, log.id, 'reject'), 403, 'own_work_review');
  });

  test('a coordinator may not approve their own drive log either', async () => {
    const t = await buildTestApp(await open());
    const owner = await t.as('coordinator');
    const log = await submittedLog(t.app, owner, driveLog);
    assertProblem(await decide(t.app, owner, log.id, 'approve'), 403, 'own_work_review');
  });

  test('another volunteer may approve or reject a volunteer’s drive log', async () => {
    const t = await buildTestApp(await open());
    const { log } = await ownDriveLog(t);
    const approved = await decide(t.app, await t.as('volunteer'), log.id, 'approve');
    assert.equal(approved.statusCode, 200, approved.body);
    assert.equal(json<ImportJson>(approved).status, 'approved');
    const other = await ownDriveLog(t);
    const rejected = await decide(t.app, await t.as('volunteer'), other.log.id, 'reject');
    assert.equal(json<ImportJson>(rejected).status, 'rejected');
  });

  test('with TALLY_ALLOW_SELF_REVIEW a volunteer may approve and reject their own drive logs', async () => {
    const t = await buildTestApp(await open(), { allowSelfReview: true });
    const first = await ownDriveLog(t);
    const approved = await decide(t.app, first.owner, first.log.id, 'approve');
    assert.equal(json<ImportJson>(approved).status, 'approved', approved.body);
    const second = await ownDriveLog(t);
    const rejected = await decide(t.app, second.owner, second.log.id, 'reject');
    assert.equal(json<ImportJson>(rejected).status, 'rejected', rejected.body);
  });
});

forEachDatabase('four eyes on the public record', (open) => {
  test('whether one may review one’s own work is in the settings recorded at start, and in /api/v1/config', async () => {
    const db = await open();
    const { app } = await buildTestApp(db);
    const recorded = async (on: App) =>
      (await ledgerEntries(on)).filter((entry) => entry.action === 'settings.changed').map(contentOf);
    assert.deepEqual(
      (await recorded(app)).map((settings) => settings.self_review_allowed),
      [false],
    );
    assert.equal(json(await app.inject({ url: '/api/v1/config' })).self_review_allowed, false);
    const { app: onePerson } = await buildTestApp(db, { allowSelfReview: true });
    assert.deepEqual(
      (await recorded(onePerson)).map((settings) => settings.self_review_allowed),
      [false, true],
    );
    assert.equal(json(await onePerson.inject({ url: '/api/v1/config' })).self_review_allowed, true);
  });
});
