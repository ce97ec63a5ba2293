import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { type App, buildApp } from '../../src/app.js';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { canonicalJson, type JsonValue } from '../../src/ledger/canonical-json.js';
import { type VerifyResult, verifyLedger } from '../../src/ledger/verify.js';
import { projectRoot } from '../../src/paths.js';
import { createServices } from '../../src/services.js';
import { SurveysRepository } from '../../src/surveys/surveys.repository.js';
import { buildTestApp, kiberaReport, type TestApp, testPassword } from '../helpers/app.js';
import { forEachDatabase, openTestDatabase, type TestDb } from '../helpers/databases.js';
import { type EntryJson, historyOf, ledgerEntries, ledgerPage } from '../helpers/ledger.js';
import {
  type CategoryJson,
  createCategory,
  type Headers,
  publishedReport,
  type ReportJson,
  setStatus,
  submitReport,
} from '../helpers/reports.js';

/** The entry that holds a report's current public state: its latest publish or edit. */
async function latestContentEntry(app: App, reportId: string): Promise<EntryJson> {
  const entry = (await historyOf(app, reportId))
    .filter((e) => e.action === 'report.published' || e.action === 'report.edited')
    .at(-1);
  assert.ok(entry, `report ${reportId} has no content entry`);
  return entry;
}

async function signCheckpoint(app: App): Promise<void> {
  const response = await app.inject({ url: '/api/v1/ledger/checkpoint' });
  assert.equal(response.statusCode, 200, response.body);
}

async function vote(app: App, headers: Headers, reportId: string, verdict: string): Promise<void> {
  const response = await app.inject({
    method: 'POST',
    url: `/api/v1/reports/${reportId}/votes`,
    headers,
    payload: { verdict, reason: 'I walked past it this morning' },
  });
  assert.equal(response.statusCode, 201, response.body);
}

interface RealisticRecord extends TestApp {
  /** Published, then confirmed by two volunteers (verified). */
  confirmed: ReportJson;
  /** Published, then edited: its first entry is superseded. */
  edited: ReportJson;
  archived: ReportJson;
  rejected: ReportJson;
  /** Never published, with one vote on it. */
  pending: ReportJson;
  roads: CategoryJson;
  coordinator: Headers;
}

/** A record as a deployment makes it: categories, publishing, edits, votes, archiving, a checkpoint. */
async function realisticRecord(db: TestDb): Promise<RealisticRecord> {
  const testApp = await buildTestApp(db);
  const { app, as } = testApp;
  const volunteer = await as('volunteer');
  const coordinator = await as('coordinator');
  const water = await createCategory(app, coordinator, { name: 'Water' });
  const pipes = await createCategory(app, coordinator, { name: 'Mabomba yaliyopasuka', parent_id: water.id });
  const roads = await createCategory(app, coordinator, { name: 'Roads' });
  const patched = await app.inject({
    method: 'PATCH',
    url: `/api/v1/categories/${roads.id}`,
    headers: coordinator,
    payload: {
      description: 'Blocked or flooded roads',
      color: '#aa3300',
      translations: { fr: { name: 'Routes coupées' } },
    },
  });
  assert.equal(patched.statusCode, 200, patched.body);
  const health = await createCategory(app, coordinator, { name: 'Health' });
  const deleted = await app.inject({
    method: 'DELETE',
    url: `/api/v1/categories/${health.id}`,
    headers: coordinator,
  });
  assert.ok(deleted.statusCode < 300, deleted.body);

  // Categories in the order a reporter picked them, which the database does not keep.
  const confirmed = await publishedReport(app, volunteer, {
    ...kiberaReport,
    categories: [pipes.id, water.id],
  });
  const edited = await publishedReport(app, volunteer, {
    ...kiberaReport,
    title: 'Road blocked',
    sensitivity: 'coarse',
    categories: [roads.id],
  });
  const edit = await app.inject({
    method: 'PATCH',
    url: `/api/v1/reports/${edited.id}`,
    headers: volunteer,
    payload: { title: 'Barabara imefungwa — mti umeanguka 🌳' },
  });
  assert.equal(edit.statusCode, 200, edit.body);
  const archived = await setStatus(
    app,
    volunteer,
    (await publishedReport(app, volunteer, { ...kiberaReport, title: 'Old flood' })).id,
    'archived',
  );
  const rejected = await setStatus(app, volunteer, (await submitReport(app, kiberaReport)).id, 'rejected');
  const pending = await submitReport(app, { ...kiberaReport, title: 'Not checked yet' });
  // Reports arrive anonymously, so the volunteer who published them may vote on them too.
  await vote(app, volunteer, confirmed.id, 'confirm');
  await vote(app, await as('volunteer'), confirmed.id, 'confirm');
  await vote(app, volunteer, pending.id, 'needs_info');
  await signCheckpoint(app);
  return { ...testApp, coordinator, confirmed, edited, archived, rejected, pending, roads };
}

async function addKannel(record: RealisticRecord, id: string): Promise<void> {
  const response = await record.app.inject({
    method: 'POST',
    url: '/api/v1/channels',
    headers: record.coordinator,
    payload: { id, kind: 'kannel', secrets: { secret: 'kannel-secret-3c9d' }, settings: { language: 'fr' } },
  });
  assert.equal(response.statusCode, 201, response.body);
}

async function switchChannel(record: RealisticRecord, id: string, enabled: boolean): Promise<void> {
  const response = await record.app.inject({
    method: 'PATCH',
    url: `/api/v1/channels/${id}`,
    headers: record.coordinator,
    payload: { enabled },
  });
  assert.equal(response.statusCode, 200, response.body);
}

function verify(record: TestApp): Promise<VerifyResult> {
  return verifyLedger(record.db, record.services);
}

function assertFailsAt(result: VerifyResult, index: number | null, message: RegExp): void {
  assert.equal(result.ok, false);
  assert.equal(result.firstBadIndex, index, JSON.stringify(result.problems, null, 2));
  assert.ok(
    result.problems.some((problem) => problem.index === index && message.test(problem.message)),
    `expected a problem at ${index} matching ${message}, got ${JSON.stringify(result.problems, null, 2)}`,
  );
}

async function contentBytes(db: TestDb, index: number): Promise<Buffer> {
  const row = await db.kysely
    .selectFrom('ledger_entries')
    .select('content')
    .where('idx', '=', index)
    .executeTakeFirstOrThrow();
  assert.ok(row.content);
  return Buffer.from(row.content);
}

/** A survey field the tests make private after reports used it. */
const peopleAffected = {
  key: 'people_affected',
  label: 'People affected',
  type: 'number' as const,
  required: false,
};

forEachDatabase('tally ledger verify', (open, kind) => {
  test('a record made through the API verifies, every part of it checked', async () => {
    const record = await realisticRecord(await open());
    const result = await verify(record);
    assert.deepEqual(result.problems, []);
    assert.equal(result.ok, true);
    assert.equal(result.firstBadIndex, null);
    const size = (await ledgerPage(record.app)).tree_size;
    assert.equal(result.treeSize, size);
    assert.equal(result.entriesChecked, size);
    assert.equal(result.checkpointsChecked, 1);
    assert.equal(result.reportsChecked, 5);
    assert.equal(result.votesChecked, 3);
    assert.equal(result.categoriesChecked, 3);
    // SQLite in memory cannot be opened twice, so only there is the log walked in the same transaction.
    assert.equal(result.parallel, kind === 'postgres');
  });

  test('deleting a category that published reports use keeps the record verifying', async () => {
    const record = await realisticRecord(await open());
    const deleted = await record.app.inject({
      method: 'DELETE',
      url: `/api/v1/categories/${record.roads.id}`,
      headers: record.coordinator,
    });
    assert.equal(deleted.statusCode, 204, deleted.body);
    assert.deepEqual((await verify(record)).problems, []);
  });

  test('a survey field made private, with the settings recorded again at start, keeps the record verifying', async () => {
    const db = await open();
    const surveys = new SurveysRepository(db.kysely);
    await surveys.setFields('default', [{ ...peopleAffected, private: false }]);
    const before = await buildTestApp(db);
    await publishedReport(before.app, await before.as('volunteer'), {
      ...kiberaReport,
      fields: { people_affected: 12 },
    });
    await surveys.setFields('default', [{ ...peopleAffected, private: true }]);
    const after = await buildTestApp(db);
    assert.deepEqual((await verify(after)).problems, []);
  });

  test('a survey field made private behind Tally’s back, with no settings entry, fails', async () => {
    const db = await open();
    const surveys = new SurveysRepository(db.kysely);
    await surveys.setFields('default', [{ ...peopleAffected, private: false }]);
    const record = await buildTestApp(db);
    const report = await publishedReport(record.app, await record.as('volunteer'), {
      ...kiberaReport,
      fields: { people_affected: 12 },
    });
    await surveys.setFields('default', [{ ...peopleAffected, private: true }]);
    assertFailsAt(await verify(record), (await latestContentEntry(record.app, report.id)).index, /fields/);
  });

  test('a role raised in the database behind the record fails naming the grant it contradicts', async () => {
    const record = await realisticRecord(await open());
    const entries = await ledgerEntries(record.app);
    const users = await record.db.kysely.selectFrom('users').select(['id', 'role']).execute();
    const volunteer = users.find((user) => user.role === 'volunteer')!;
    const grant = entries.find(
      (e) => e.subject === `account:${record.services.record.pseudonym(volunteer.id)}`,
    )!;
    await record.db.kysely
      .updateTable('users')
      .set({ role: 'admin' })
      .where('id', '=', volunteer.id)
      .execute();
    assertFailsAt(
      await verify(record),
      grant.index,
      /is admin in the database but the record says "volunteer"/,
    );
  });

  test('an account added to the database behind the record fails without naming an entry', async () => {
    const record = await realisticRecord(await open());
    await record.db.kysely
      .insertInto('users')
      .values({
        id: 'smuggled-admin',
        email: 'smuggled@example.org',
        display_name: null,
        role: 'admin',
        password_hash: 'x',
        created_at: new Date().toISOString(),
        disabled_at: null,
      })
      .execute();
    assertFailsAt(await verify(record), null, /has the role admin but the record never granted one/);
  });

  test('a role changed with tally user role keeps the record verifying', async () => {
    const record = await realisticRecord(await open());
    const [user] = await record.db.kysely
      .selectFrom('users')
      .select('email')
      .where('role', '=', 'volunteer')
      .execute();
    await record.services.accounts.setRole(user!.email, 'coordinator');
    assert.deepEqual((await verify(record)).problems, []);
  });

  test('a published report’s row changed behind Tally’s back fails naming its latest content entry', async () => {
    const record = await realisticRecord(await open());
    await sql`UPDATE reports SET title = ${'Nothing happened here'} WHERE id = ${record.edited.id}`.execute(
      record.db.kysely,
    );
    const entry = await latestContentEntry(record.app, record.edited.id);
    assert.equal(entry.action, 'report.edited');
    assertFailsAt(await verify(record), entry.index, /title in the database differs from the record/);
  });

  test('a published report moved on the public map behind Tally’s back fails naming its latest content entry', async () => {
    const record = await realisticRecord(await open());
    // The map, the list and the exports place a report by these columns, not by its exact location.
    await sql`UPDATE reports SET public_lat = ${-1.2921}, public_lon = ${36.8219} WHERE id = ${record.edited.id}`.execute(
      record.db.kysely,
    );
    const entry = await latestContentEntry(record.app, record.edited.id);
    assertFailsAt(
      await verify(record),
      entry.index,
      /public position in the database differs from the record/,
    );
  });

  test('a published report hidden behind Tally’s back fails naming its latest content entry', async () => {
    const record = await realisticRecord(await open());
    const entry = await latestContentEntry(record.app, record.confirmed.id);
    await sql`UPDATE reports SET status = 'pending' WHERE id = ${record.confirmed.id}`.execute(
      record.db.kysely,
    );
    assertFailsAt(
      await verify(record),
      entry.index,
      /pending in the database but the record says it is published/,
    );
  });

  test('a published report whose row is deleted fails naming its latest content entry', async () => {
    const record = await realisticRecord(await open());
    const entry = await latestContentEntry(record.app, record.edited.id);
    await sql`DELETE FROM reports WHERE id = ${record.edited.id}`.execute(record.db.kysely);
    assertFailsAt(await verify(record), entry.index, /published on the record but its row is gone/);
  });

  test('a report made public behind Tally’s back, with no entry at all, fails without naming one', async () => {
    const record = await realisticRecord(await open());
    await sql`UPDATE reports SET status = 'published' WHERE id = ${record.pending.id}`.execute(
      record.db.kysely,
    );
    assertFailsAt(
      await verify(record),
      null,
      new RegExp(`report:${record.pending.id} is published .* not on the record`),
    );
  });

  test('a verification state changed behind Tally’s back fails naming the vote that set it', async () => {
    const record = await realisticRecord(await open());
    await sql`UPDATE reports SET verification = 'unverified' WHERE id = ${record.confirmed.id}`.execute(
      record.db.kysely,
    );
    const lastVote = (await historyOf(record.app, record.confirmed.id))
      .filter((e) => e.action === 'vote.cast')
      .at(-1);
    assertFailsAt(await verify(record), lastVote!.index, /verification in the database is "unverified"/);
  });

  test('a vote changed in the database fails naming its entry', async () => {
    const record = await realisticRecord(await open());
    const [row] = await sql<{ id: string; ledger_index: number }>`
      SELECT id, ledger_index FROM votes WHERE report_id = ${record.confirmed.id} ORDER BY ledger_index`
      .execute(record.db.kysely)
      .then((result) => result.rows);
    await sql`UPDATE votes SET verdict = 'reject' WHERE id = ${row!.id}`.execute(record.db.kysely);
    assertFailsAt(await verify(record), Number(row!.ledger_index), /verdict in the database differs/);
  });

  test('a vote deleted from the database fails naming its entry', async () => {
    const record = await realisticRecord(await open());
    const [row] = await sql<{ id: string; ledger_index: number }>`
      SELECT id, ledger_index FROM votes WHERE report_id = ${record.pending.id}`
      .execute(record.db.kysely)
      .then((result) => result.rows);
    await sql`DELETE FROM votes WHERE id = ${row!.id}`.execute(record.db.kysely);
    assertFailsAt(
      await verify(record),
      Number(row!.ledger_index),
      /on the record but not in the votes table/,
    );
  });

  test('a category changed behind Tally’s back fails naming its latest entry', async () => {
    const record = await realisticRecord(await open());
    await sql`UPDATE categories SET name = ${'Sewage'} WHERE id = ${record.roads.id}`.execute(
      record.db.kysely,
    );
    const entries = await ledgerEntries(record.app);
    const latest = entries.filter((e) => e.subject === `category:${record.roads.id}`).at(-1);
    assert.equal(latest?.action, 'category.updated');
    assertFailsAt(await verify(record), latest.index, /name in the database differs from the record/);
  });

  test('channels switched off, on and deleted through the API keep the record verifying', async () => {
    const record = await realisticRecord(await open());
    await addKannel(record, 'kannel');
    await addKannel(record, 'old-kannel');
    await switchChannel(record, 'kannel', false);
    await switchChannel(record, 'kannel', true);
    const removed = await record.app.inject({
      method: 'DELETE',
      url: '/api/v1/channels/old-kannel',
      headers: record.coordinator,
    });
    assert.equal(removed.statusCode, 204, removed.body);
    const result = await verify(record);
    assert.deepEqual(result.problems, []);
    assert.equal(result.channelsChecked, 2);
  });

  test('a channel switched on again behind Tally’s back fails naming the entry that switched it off', async () => {
    const record = await realisticRecord(await open());
    await addKannel(record, 'kannel');
    await switchChannel(record, 'kannel', false);
    await sql`UPDATE channels SET enabled = 1 WHERE id = ${'kannel'}`.execute(record.db.kysely);
    const entries = await ledgerEntries(record.app);
    const latest = entries.filter((e) => e.subject === 'channel:kannel').at(-1);
    assert.equal(latest?.action, 'channel.disabled');
    assertFailsAt(await verify(record), latest.index, /channel:kannel enabled in the database differs/);
  });

  test('a deleted channel brought back in the database fails naming its deletion', async () => {
    const record = await realisticRecord(await open());
    await addKannel(record, 'kannel');
    const removed = await record.app.inject({
      method: 'DELETE',
      url: '/api/v1/channels/kannel',
      headers: record.coordinator,
    });
    assert.equal(removed.statusCode, 204, removed.body);
    await sql`UPDATE channels SET deleted_at = NULL, enabled = 1 WHERE id = ${'kannel'}`.execute(
      record.db.kysely,
    );
    const deletion = (await ledgerEntries(record.app)).find((e) => e.action === 'channel.deleted');
    assert.ok(deletion);
    assertFailsAt(
      await verify(record),
      deletion.index,
      /channel:kannel deleted, enabled in the database differ/,
    );
  });

  test('a channel added to the database behind the record fails without naming an entry', async () => {
    const record = await realisticRecord(await open());
    const now = new Date().toISOString();
    await record.db.kysely
      .insertInto('channels')
      .values({
        id: 'smuggled',
        kind: 'webhook',
        name: 'smuggled',
        settings: JSON.stringify({ values: {}, secretNames: [] }),
        secrets: '',
        enabled: 1,
        refused_requests: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
    assertFailsAt(await verify(record), null, /channel:smuggled is in the database but not on the record/);
  });

  test('changing an entry’s content bytes fails naming that entry', async () => {
    const record = await realisticRecord(await open());
    const [first] = await historyOf(record.app, record.edited.id);
    const content = JSON.parse((await contentBytes(record.db, first!.index)).toString('utf8')) as Record<
      string,
      JsonValue
    >;
    const forged = Buffer.from(canonicalJson({ ...content, title: 'Nothing to see' }), 'utf8');
    await record.db.kysely
      .updateTable('ledger_entries')
      .set({ content: forged })
      .where('idx', '=', first!.index)
      .execute();
    assertFailsAt(await verify(record), first!.index, /content's SHA-256 is not the one its leaf names/);
  });

  test('changing a leaf fails naming it, though every later hash then differs too', async () => {
    const record = await realisticRecord(await open());
    const [first] = await historyOf(record.app, record.edited.id);
    const row = await record.db.kysely
      .selectFrom('ledger_entries')
      .select('leaf')
      .where('idx', '=', first!.index)
      .executeTakeFirstOrThrow();
    const leaf = JSON.parse(Buffer.from(row.leaf).toString('utf8')) as Record<string, string>;
    const forged = Buffer.from(canonicalJson({ ...leaf, actor: 'anonymous' }), 'utf8');
    await record.db.kysely
      .updateTable('ledger_entries')
      .set({ leaf: forged })
      .where('idx', '=', first!.index)
      .execute();
    const result = await verify(record);
    assertFailsAt(result, first!.index, /its leaf says actor "anonymous"/);
    assert.ok(result.problems.some((problem) => /checkpoint/.test(problem.message)));
  });

  test('content removed without a redaction entry fails naming that entry', async () => {
    const record = await realisticRecord(await open());
    const [first] = await historyOf(record.app, record.edited.id);
    await sql`UPDATE ledger_entries SET content = NULL, redacted = 1 WHERE idx = ${first!.index}`.execute(
      record.db.kysely,
    );
    assertFailsAt(await verify(record), first!.index, /no record\.redacted entry after it names it/);
  });

  test('a redaction made through the API still verifies', async () => {
    const record = await realisticRecord(await open());
    const [first] = await historyOf(record.app, record.edited.id);
    const response = await record.app.inject({
      method: 'POST',
      url: '/api/v1/ledger/redactions',
      headers: record.coordinator,
      payload: { entries: [first!.index], reason: "The reporter's phone number was in the first version" },
    });
    assert.equal(response.statusCode, 201, response.body);
    await signCheckpoint(record.app);
    const result = await verify(record);
    assert.deepEqual(result.problems, []);
    assert.equal(result.checkpointsChecked, 2);
  });

  test('a tampered checkpoint fails naming the last entry of its tree', async () => {
    const record = await realisticRecord(await open());
    const checkpoint = await record.db.kysely
      .selectFrom('ledger_checkpoints')
      .selectAll()
      .executeTakeFirstOrThrow();
    const [, , root] = checkpoint.note.split('\n');
    const otherRoot = Buffer.alloc(32, 7);
    await record.db.kysely
      .updateTable('ledger_checkpoints')
      .set({ note: checkpoint.note.replace(`\n${root}\n`, `\n${otherRoot.toString('base64')}\n`) })
      .where('tree_size', '=', checkpoint.tree_size)
      .execute();
    assertFailsAt(
      await verify(record),
      Number(checkpoint.tree_size) - 1,
      /checkpoint of \d+ entries does not verify with this deployment's key/,
    );
  });

  test('walking the log in a worker beside the table comparison finds what one transaction finds', async (t) => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tally-verify-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    // SQLite in memory cannot be opened a second time; a file can, as in a deployment.
    let db = await open();
    if (kind === 'sqlite') {
      db = await openTestDatabase('sqlite', path.join(dataDir, 'tally.sqlite'));
      t.after(() => db.destroy());
    }
    const record = await realisticRecord(db);
    const entry = await latestContentEntry(record.app, record.edited.id);
    await sql`UPDATE reports SET title = ${'Nothing happened here'} WHERE id = ${record.edited.id}`.execute(
      db.kysely,
    );
    await sql`UPDATE ledger_entries SET content = NULL, redacted = 1 WHERE idx = ${entry.index - 1}`.execute(
      db.kysely,
    );
    const apart = await verifyLedger(db, record.services);
    const together = await verifyLedger(db, record.services, { parallel: false });
    assert.equal(apart.parallel, true);
    assert.equal(together.parallel, false);
    assert.deepEqual({ ...apart, parallel: false }, together);
    assertFailsAt(apart, entry.index - 1, /no record.redacted entry after it names it/);
    assert.ok(apart.problems.some((problem) => /title in the database differs/.test(problem.message)));
  });

  test('a log cut short after a signed checkpoint fails naming the first entry missing', async () => {
    const record = await realisticRecord(await open());
    const size = await record.services.ledger.size();
    await sql`DELETE FROM ledger_entries WHERE idx = ${size - 1}`.execute(record.db.kysely);
    const result = await verify(record);
    assertFailsAt(result, size - 1, /head says it holds \d+ entries/);
    assert.ok(
      result.problems.some((problem) => /signs more entries than the log holds/.test(problem.message)),
    );
  });
});

test('tally ledger verify exits 0 on a sound record, then 1 naming the entry after a tamper', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tally-verify-'));
  const env = { TALLY_DATA_DIR: dataDir, TALLY_LOG_LEVEL: 'silent' };
  const tally = (...options: string[]) =>
    spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(projectRoot, 'src', 'cli', 'main.ts'), 'ledger', 'verify', ...options],
      {
        cwd: projectRoot,
        env: { ...process.env, ...env },
        encoding: 'utf8',
      },
    );
  try {
    const db = openDatabase({ sqlitePath: path.join(dataDir, 'tally.sqlite') });
    let entry: number;
    let reportId: string;
    try {
      await migrateToLatest(db);
      const config = loadConfig(env, { webDir: null });
      const services = await createServices(db, systemClock, config);
      const app = await buildApp(config, { db, services, logger: false });
      await services.accounts.addUser({
        email: 'amina@example.org',
        password: testPassword,
        role: 'volunteer',
      });
      const { token } = await services.accounts.login('amina@example.org', testPassword);
      const report = await publishedReport(app, { authorization: `Bearer ${token}` }, kiberaReport);
      await signCheckpoint(app);
      reportId = report.id;
      entry = (await latestContentEntry(app, report.id)).index;
      await app.close();
    } finally {
      await db.destroy();
    }

    const sound = tally();
    assert.equal(sound.status, 0, sound.stdout + sound.stderr);
    assert.match(sound.stdout, /The public record verifies: \d+ entries, 1 signed checkpoint; 1 report/);
    assert.equal(JSON.parse(tally('--json').stdout).parallel, true);

    const tamper = openDatabase({ sqlitePath: path.join(dataDir, 'tally.sqlite') });
    await sql`UPDATE reports SET description = ${'All fine'} WHERE id = ${reportId}`.execute(tamper.kysely);
    await tamper.destroy();
    const tampered = tally();
    assert.equal(tampered.status, 1, tampered.stdout + tampered.stderr);
    assert.match(
      tampered.stdout,
      new RegExp(
        `entry ${entry} does not match: report:${reportId} description in the database differs from the record`,
      ),
    );
    assert.match(tampered.stdout, new RegExp(`the first bad entry is ${entry}\\.`));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
