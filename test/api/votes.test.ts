import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { App } from '../../src/app.js';
import { LedgerRepository } from '../../src/ledger/ledger.repository.js';
import { ReportsRepository } from '../../src/reports/reports.repository.js';
import { buildTestApp, json, kiberaReport, type TestApp } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { csvRecords } from '../helpers/formats.js';
import { contentOf, ledgerEntries } from '../helpers/ledger.js';
import {
  assertProblem,
  type Headers,
  listedTitles,
  publishedReport,
  type ReportJson,
  setStatus,
  submitReport,
} from '../helpers/reports.js';

interface Volunteer {
  headers: Headers;
  id: string;
  email: string;
}

/** A fresh volunteer with the account id and e-mail the public must never see. */
async function volunteer(t: TestApp): Promise<Volunteer> {
  const headers = await t.as('volunteer');
  const { user } = json<{ user: { id: string; email: string } }>(
    await t.app.inject({ url: '/api/v1/auth/me', headers }),
  );
  return { headers, id: user.id, email: user.email };
}

function castVote(app: App, headers: Headers, reportId: string, verdict: string, reason = 'Checked on site') {
  return app.inject({
    method: 'POST',
    url: `/api/v1/reports/${reportId}/votes`,
    headers,
    payload: { verdict, reason },
  });
}

/** Casts a vote that must be accepted; returns the report as the answer shows it. */
async function vote(
  app: App,
  headers: Headers,
  reportId: string,
  verdict: string,
  reason?: string,
): Promise<ReportJson> {
  const response = await castVote(app, headers, reportId, verdict, reason);
  assert.equal(response.statusCode, 201, response.body);
  return json<ReportJson>(response);
}

forEachDatabase('peer verification by votes', (open) => {
  test('two confirmations from different volunteers verify a report', async () => {
    const t = await buildTestApp(await open());
    const report = await publishedReport(t.app, await t.as('volunteer'), kiberaReport);
    const first = await vote(t.app, await t.as('volunteer'), report.id, 'confirm');
    assert.equal(first.verification, 'unverified');
    const second = await vote(t.app, await t.as('coordinator'), report.id, 'confirm');
    assert.equal(second.verification, 'verified');
    assert.deepEqual(
      second.votes.map((v) => v.verdict),
      ['confirm', 'confirm'],
    );
  });

  test('a confirmation and a rejection put a report in dispute', async () => {
    const t = await buildTestApp(await open());
    const report = await publishedReport(t.app, await t.as('volunteer'), kiberaReport);
    await vote(t.app, await t.as('volunteer'), report.id, 'confirm');
    const answer = await vote(t.app, await t.as('volunteer'), report.id, 'reject', 'The road is dry today');
    assert.equal(answer.verification, 'disputed');
  });

  test('a request for more information counts neither for nor against a report', async () => {
    const t = await buildTestApp(await open());
    const report = await publishedReport(t.app, await t.as('volunteer'), kiberaReport);
    await vote(t.app, await t.as('volunteer'), report.id, 'confirm');
    const answer = await vote(t.app, await t.as('volunteer'), report.id, 'needs_info', 'Which gate?');
    assert.equal(answer.verification, 'unverified');
  });

  test('the verification threshold setting decides how many confirmations verify', async () => {
    const t = await buildTestApp(await open(), { verificationThreshold: 3 });
    const report = await publishedReport(t.app, await t.as('volunteer'), kiberaReport);
    await vote(t.app, await t.as('volunteer'), report.id, 'confirm');
    const second = await vote(t.app, await t.as('volunteer'), report.id, 'confirm');
    assert.equal(second.verification, 'unverified');
    const third = await vote(t.app, await t.as('volunteer'), report.id, 'confirm');
    assert.equal(third.verification, 'verified');
  });

  test('a volunteer who votes twice on a report is refused with 409 already_voted', async () => {
    const t = await buildTestApp(await open());
    const report = await publishedReport(t.app, await t.as('volunteer'), kiberaReport);
    const headers = await t.as('volunteer');
    await vote(t.app, headers, report.id, 'confirm');
    assertProblem(await castVote(t.app, headers, report.id, 'confirm'), 409, 'already_voted');
    const stored = json<ReportJson>(await t.app.inject({ url: `/api/v1/reports/${report.id}` }));
    assert.equal(stored.votes.length, 1);
    assert.equal(stored.verification, 'unverified');
  });

  test('two votes sent at the same moment by one volunteer end in one 201 and one 409', async () => {
    const t = await buildTestApp(await open());
    const report = await publishedReport(t.app, await t.as('volunteer'), kiberaReport);
    const headers = await t.as('volunteer');
    const answers = await Promise.all([
      castVote(t.app, headers, report.id, 'confirm'),
      castVote(t.app, headers, report.id, 'reject'),
    ]);
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [201, 409]);
    const refused = answers.find((a) => a.statusCode === 409);
    assertProblem(refused!, 409, 'already_voted');
    const entries = (await ledgerEntries(t.app)).filter((e) => e.action === 'vote.cast');
    assert.equal(entries.length, 1);
  });

  test('two volunteers voting at the same moment are both counted', async () => {
    const t = await buildTestApp(await open());
    const report = await publishedReport(t.app, await t.as('volunteer'), kiberaReport);
    const [first, second] = [await t.as('volunteer'), await t.as('volunteer')];
    await Promise.all([vote(t.app, first, report.id, 'confirm'), vote(t.app, second, report.id, 'confirm')]);
    const stored = json<ReportJson>(await t.app.inject({ url: `/api/v1/reports/${report.id}` }));
    assert.equal(stored.votes.length, 2);
    assert.equal(stored.verification, 'verified');
    const states = (await ledgerEntries(t.app))
      .filter((e) => e.action === 'vote.cast')
      .map((e) => contentOf(e).verification);
    assert.deepEqual(states, ['unverified', 'verified']);
  });

  test('a volunteer may not vote on a report they submitted themselves', async () => {
    const t = await buildTestApp(await open());
    const headers = await t.as('volunteer');
    const own = await submitReport(t.app, kiberaReport, headers);
    const problem = assertProblem(await castVote(t.app, headers, own.id, 'confirm'), 403, 'vote_not_allowed');
    assert.match(problem.detail, /you submitted/);
  });

  test('an anonymous caller must sign in to vote', async () => {
    const t = await buildTestApp(await open());
    const report = await publishedReport(t.app, await t.as('volunteer'), kiberaReport);
    assertProblem(await castVote(t.app, {}, report.id, 'confirm'), 401, 'unauthenticated');
  });

  test('a reporter may not vote', async () => {
    const t = await buildTestApp(await open());
    const report = await publishedReport(t.app, await t.as('volunteer'), kiberaReport);
    assertProblem(await castVote(t.app, await t.as('reporter'), report.id, 'confirm'), 403, 'forbidden');
  });

  test('a verdict other than confirm, reject or needs_info is refused naming the verdict', async () => {
    const t = await buildTestApp(await open());
    const report = await publishedReport(t.app, await t.as('volunteer'), kiberaReport);
    const response = await castVote(t.app, await t.as('volunteer'), report.id, 'approve');
    assertProblem(response, 400, 'validation_failed', '/verdict');
  });

  test('a blank reason is refused naming the reason', async () => {
    const t = await buildTestApp(await open());
    const report = await publishedReport(t.app, await t.as('volunteer'), kiberaReport);
    const response = await castVote(t.app, await t.as('volunteer'), report.id, 'confirm', ' \n\t ');
    assertProblem(response, 400, 'validation_failed', '/reason');
  });

  test('a reason is stored without the spaces around it', async () => {
    const t = await buildTestApp(await open());
    const report = await publishedReport(t.app, await t.as('volunteer'), kiberaReport);
    const answer = await vote(t.app, await t.as('volunteer'), report.id, 'confirm', '  Saw it myself \n');
    assert.equal(answer.votes[0]?.reason, 'Saw it myself');
  });

  test('a vote on a report that does not exist is 404 report_not_found', async () => {
    const t = await buildTestApp(await open());
    const response = await castVote(t.app, await t.as('volunteer'), 'no-such-report', 'confirm');
    assertProblem(response, 404, 'report_not_found');
  });

  test('votes on rejected and archived reports are refused with a reason', async () => {
    const t = await buildTestApp(await open());
    const editor = await t.as('volunteer');
    const rejected = await submitReport(t.app, kiberaReport);
    await setStatus(t.app, editor, rejected.id, 'rejected');
    const archived = await publishedReport(t.app, editor, kiberaReport);
    await setStatus(t.app, editor, archived.id, 'archived');
    const voter = await t.as('volunteer');
    for (const [id, status] of [
      [rejected.id, 'rejected'],
      [archived.id, 'archived'],
    ] as const) {
      const problem = assertProblem(await castVote(t.app, voter, id, 'confirm'), 403, 'vote_not_allowed');
      assert.match(problem.detail, new RegExp(`is ${status}`));
    }
  });

  test('each vote is a vote.cast entry naming the voter by pseudonym, with the state after it', async () => {
    const t = await buildTestApp(await open());
    const report = await publishedReport(t.app, await t.as('volunteer'), kiberaReport);
    const first = await volunteer(t);
    const second = await volunteer(t);
    await vote(t.app, first.headers, report.id, 'confirm', 'Saw the water myself');
    await vote(t.app, second.headers, report.id, 'reject', 'Pipe was fixed at noon');
    const cast = (await ledgerEntries(t.app)).filter((e) => e.action === 'vote.cast');
    assert.deepEqual(
      cast.map((entry) => ({ subject: entry.subject, actor: entry.actor, content: contentOf(entry) })),
      [first, second].map((who, i) => {
        const pseudonym = t.services.record.pseudonym(who.id);
        return {
          subject: `report:${report.id}`,
          actor: pseudonym,
          content: {
            report_id: report.id,
            voter: pseudonym,
            verdict: i === 0 ? 'confirm' : 'reject',
            reason: i === 0 ? 'Saw the water myself' : 'Pipe was fixed at noon',
            verification: i === 0 ? 'unverified' : 'disputed',
          },
        };
      }),
    );
  });

  test('the public sees votes under pseudonyms and never an e-mail or account id', async () => {
    const t = await buildTestApp(await open());
    const report = await publishedReport(t.app, await t.as('volunteer'), kiberaReport);
    const voters = [await volunteer(t), await volunteer(t)];
    for (const who of voters) await vote(t.app, who.headers, report.id, 'confirm', 'Checked on site');
    const response = await t.app.inject({ url: `/api/v1/reports/${report.id}` });
    const shown = json<ReportJson>(response);
    assert.deepEqual(
      shown.votes.map((v) => v.voter),
      voters.map((who) => t.services.record.pseudonym(who.id)),
    );
    for (const v of shown.votes) {
      assert.deepEqual(Object.keys(v).sort(), ['created_at', 'reason', 'verdict', 'voter']);
      assert.match(v.voter, /^p-[0-9a-f]{16}$/);
    }
    const listed = await t.app.inject({ url: '/api/v1/reports' });
    for (const body of [response.body, listed.body]) {
      for (const who of voters) {
        assert.equal(body.includes(who.email), false);
        assert.equal(body.includes(who.id), false);
      }
    }
  });

  test('every report in a listing carries its own votes, oldest first', async () => {
    const t = await buildTestApp(await open());
    const editor = await t.as('volunteer');
    const quiet = await publishedReport(t.app, editor, { title: 'Nobody checked this' });
    const checked = await publishedReport(t.app, editor, { title: 'Checked twice' });
    await vote(t.app, await t.as('volunteer'), checked.id, 'needs_info', 'First look');
    await vote(t.app, await t.as('volunteer'), checked.id, 'confirm', 'Second look');
    const { items } = json<{ items: ReportJson[] }>(await t.app.inject({ url: '/api/v1/reports' }));
    const byId = new Map(items.map((item) => [item.id, item]));
    assert.deepEqual(byId.get(quiet.id)?.votes, []);
    assert.deepEqual(
      byId.get(checked.id)?.votes.map((v) => v.reason),
      ['First look', 'Second look'],
    );
  });

  test('the list filters by verification state, and refuses a state that does not exist', async () => {
    const t = await buildTestApp(await open());
    const editor = await t.as('volunteer');
    const verified = await publishedReport(t.app, editor, { title: 'Verified' });
    const disputed = await publishedReport(t.app, editor, { title: 'Disputed' });
    await publishedReport(t.app, editor, { title: 'Unverified' });
    const [a, b] = [await t.as('volunteer'), await t.as('volunteer')];
    await vote(t.app, a, verified.id, 'confirm');
    await vote(t.app, b, verified.id, 'confirm');
    await vote(t.app, a, disputed.id, 'confirm');
    await vote(t.app, b, disputed.id, 'reject');
    assert.deepEqual(await listedTitles(t.app, 'verification=verified'), ['Verified']);
    assert.deepEqual(await listedTitles(t.app, 'verification=disputed'), ['Disputed']);
    assert.deepEqual(await listedTitles(t.app, 'verification=unverified'), ['Unverified']);
    assertProblem(
      await t.app.inject({ url: '/api/v1/reports?verification=confirmed' }),
      400,
      'validation_failed',
      'query/verification',
    );
  });

  test('exports filter by verification state too', async () => {
    const t = await buildTestApp(await open());
    const editor = await t.as('volunteer');
    const verified = await publishedReport(t.app, editor, { title: 'Verified' });
    await publishedReport(t.app, editor, { title: 'Unverified' });
    await vote(t.app, await t.as('volunteer'), verified.id, 'confirm');
    await vote(t.app, await t.as('volunteer'), verified.id, 'confirm');
    const response = await t.app.inject({ url: '/api/v1/exports/reports.csv?verification=verified' });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(
      csvRecords(response.body).map((record) => record.title),
      ['Verified'],
    );
    assertProblem(
      await t.app.inject({ url: '/api/v1/exports/reports.csv?verification=maybe' }),
      400,
      'validation_failed',
      'query/verification',
    );
  });

  test('a vote on a pending report counts, and the public still gets 404 for it', async () => {
    const t = await buildTestApp(await open());
    const pending = await submitReport(t.app, kiberaReport);
    await vote(t.app, await t.as('volunteer'), pending.id, 'confirm');
    const answer = await vote(t.app, await t.as('volunteer'), pending.id, 'confirm');
    assert.equal(answer.status, 'pending');
    assert.equal(answer.verification, 'verified');
    assertProblem(await t.app.inject({ url: `/api/v1/reports/${pending.id}` }), 404, 'report_not_found');
    assert.deepEqual(await listedTitles(t.app, 'verification=verified'), []);
  });

  test('a volunteer gets the staff view of the report in the answer to a vote', async () => {
    const t = await buildTestApp(await open());
    const report = await publishedReport(t.app, await t.as('volunteer'), kiberaReport);
    const answer = await vote(t.app, await t.as('volunteer'), report.id, 'confirm');
    assert.equal(answer.contact, kiberaReport.contact);
  });

  test('a vote changes neither the revision nor the time the report was last edited', async () => {
    const t = await buildTestApp(await open());
    const report = await publishedReport(t.app, await t.as('volunteer'), kiberaReport);
    const answer = await vote(t.app, await t.as('volunteer'), report.id, 'confirm');
    assert.equal(answer.revision, report.revision);
    assert.equal(answer.updated_at, report.updated_at);
  });

  test("an edit after votes records the report's state on the record without its votes", async () => {
    const t = await buildTestApp(await open());
    const editor = await t.as('volunteer');
    const report = await publishedReport(t.app, editor, kiberaReport);
    await vote(t.app, await t.as('volunteer'), report.id, 'confirm');
    await vote(t.app, await t.as('volunteer'), report.id, 'confirm');
    const edited = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/reports/${report.id}`,
      headers: editor,
      payload: { title: 'Burst pipe' },
    });
    assert.equal(edited.statusCode, 200, edited.body);
    assert.equal(json<ReportJson>(edited).votes.length, 2);
    const entry = (await ledgerEntries(t.app)).find((e) => e.action === 'report.edited');
    assert.ok(entry);
    const content = contentOf(entry);
    assert.equal('votes' in content, false);
    assert.equal(content.verification, 'verified');
  });

  test('an edit prepared before a vote changed the verification state is not saved over it', async () => {
    const t = await buildTestApp(await open());
    const report = await publishedReport(t.app, await t.as('volunteer'), kiberaReport);
    const repository = new ReportsRepository(
      t.db.kysely,
      t.db.dialect,
      new LedgerRepository(t.db.kysely, t.db.dialect),
    );
    const stale = await repository.findById(report.id);
    assert.ok(stale);
    await vote(t.app, await t.as('volunteer'), report.id, 'confirm');
    await vote(t.app, await t.as('volunteer'), report.id, 'reject');
    const saved = await repository.update(
      { ...stale, title: 'Burst pipe', revision: stale.revision + 1 },
      stale.revision,
      null,
    );
    assert.equal(saved, false);
    const stored = json<ReportJson>(await t.app.inject({ url: `/api/v1/reports/${report.id}` }));
    assert.equal(stored.verification, 'disputed');
    assert.equal(stored.title, kiberaReport.title);
  });
});
