import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import type { App } from '../../src/app.js';
import { systemClock } from '../../src/clock.js';
import { openDatabase } from '../../src/db/database.js';
import type { JsonValue } from '../../src/ledger/canonical-json.js';
import { openCheckpoint, signCheckpoint } from '../../src/ledger/checkpoint.js';
import { loadOrCreateSigningKey } from '../../src/ledger/deployment-key.js';
import { makeChange, peaksToText } from '../../src/ledger/entry.js';
import { LedgerRepository } from '../../src/ledger/ledger.repository.js';
import { leafHash, MerkleAccumulator, verifyInclusion } from '../../src/ledger/merkle.js';
import { parseVerifierKey, signerFromPrivateKey, verifierKeyText } from '../../src/ledger/signed-note.js';
import { verifyLedger } from '../../src/ledger/verify.js';
import { MirrorRepository } from '../../src/mirror/mirror.repository.js';
import { projectRoot } from '../../src/paths.js';
import { createServices } from '../../src/services.js';
import { buildTestApp, json, kiberaReport, testConfig } from '../helpers/app.js';
import { forEachDatabase, type TestDb } from '../helpers/databases.js';
import { type EntryJson, ledgerPage } from '../helpers/ledger.js';
import {
  assertProblem,
  createCategory,
  type Headers,
  listReports,
  publishedReport,
  type ReportJson,
  setStatus,
  submitReport,
} from '../helpers/reports.js';
import { fetchText, mirrorApp, type Origin, originName, startOrigin, sync } from './origin.js';

async function inject(app: App, url: string, headers: Headers = {}) {
  const response = await app.inject({ url, headers });
  assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
  return response;
}

async function patch(app: App, headers: Headers, url: string, payload: Record<string, unknown>) {
  const response = await app.inject({ method: 'PATCH', url, headers, payload });
  assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
  return response.json<ReportJson>();
}

async function vote(app: App, headers: Headers, reportId: string, verdict: string, reason: string) {
  const response = await app.inject({
    method: 'POST',
    url: `/api/v1/reports/${reportId}/votes`,
    headers,
    payload: { verdict, reason },
  });
  assert.equal(response.statusCode, 201, `voting failed: ${response.body}`);
}

/**
 * What a deployment's record looks like after a few days: accounts, a category tree with a rename and a
 * deletion, reports published, edited, archived and rejected, one sensitive, one still pending, votes
 * (one cast before publication), a redaction of a phone number published by mistake, and SMS channels
 * added, one switched off and one deleted.
 */
async function makeRecord(origin: Origin) {
  const { app } = origin;
  const coordinator = await origin.as('coordinator');
  const volunteer = await origin.as('volunteer');
  const neighbour = await origin.as('volunteer');
  const water = await createCategory(app, coordinator, { name: 'Water' });
  const leaks = await createCategory(app, coordinator, { name: 'Leaks', parent_id: water.id });
  const roads = await createCategory(app, coordinator, { name: 'Roads' });
  const temporary = await createCategory(app, coordinator, { name: 'Temporary' });
  await app.inject({
    method: 'PATCH',
    url: `/api/v1/categories/${roads.id}`,
    headers: coordinator,
    payload: { name: 'Roads and paths' },
  });

  const pipe = await publishedReport(app, volunteer, {
    ...kiberaReport,
    categories: [leaks.id, temporary.id],
    fields: { water_source: 'pipe', household_phone: '+254700000001' },
  });
  const threat = await publishedReport(app, volunteer, {
    title: 'Threats at the water point',
    description: 'Men demanding money from women queueing for water.',
    location: { lat: -1.301234, lon: 36.784567 },
    sensitivity: 'coarse',
    categories: [water.id],
  });
  await patch(app, volunteer, `/api/v1/reports/${threat.id}`, { title: 'Extortion at the water point' });
  const flooded = await publishedReport(app, volunteer, {
    title: 'Road flooded at Olympic',
    location: { lat: -1.3101, lon: 36.7822 },
    categories: [roads.id],
  });
  await setStatus(app, volunteer, flooded.id, 'archived');
  const spam = await submitReport(app, { title: 'Buy cheap phones' });
  await setStatus(app, volunteer, spam.id, 'rejected');
  await submitReport(app, { title: 'Still waiting for review', contact: 'reporter@example.org' });
  const late = await submitReport(app, {
    title: 'Standpipe dry since Monday',
    location: { lat: -1.315, lon: 36.79 },
  });
  await vote(app, neighbour, late.id, 'confirm', 'Saw it myself this morning');
  await setStatus(app, volunteer, late.id, 'published');
  await vote(app, volunteer, pipe.id, 'confirm', 'Checked with the estate caretaker');
  await vote(app, neighbour, pipe.id, 'confirm', 'Photo matches the gate');

  const leaked = await publishedReport(app, volunteer, {
    title: 'Tap broken at the school',
    description: 'Call me on +254722000111',
    location: { lat: -1.3125, lon: 36.7801 },
  });
  await patch(app, volunteer, `/api/v1/reports/${leaked.id}`, { description: 'The school tap is broken' });
  const [leakedEntry] = json<{ entries: EntryJson[] }>(
    await inject(app, `/api/v1/reports/${leaked.id}/history`),
  ).entries;
  const redaction = await app.inject({
    method: 'POST',
    url: '/api/v1/ledger/redactions',
    headers: coordinator,
    payload: { entries: [leakedEntry!.index], reason: "The reporter's phone number was published" },
  });
  assert.equal(redaction.statusCode, 201, redaction.body);
  const removed = await app.inject({
    method: 'DELETE',
    url: `/api/v1/categories/${temporary.id}`,
    headers: coordinator,
  });
  assert.equal(removed.statusCode, 204, removed.body);
  for (const id of ['hotline', 'old-hotline']) {
    const added = await app.inject({
      method: 'POST',
      url: '/api/v1/channels',
      headers: coordinator,
      payload: {
        id,
        kind: 'kannel',
        secrets: { secret: 'kannel-secret-6e0a' },
        settings: { language: 'sw' },
      },
    });
    assert.equal(added.statusCode, 201, added.body);
  }
  const switched = await app.inject({
    method: 'PATCH',
    url: '/api/v1/channels/hotline',
    headers: coordinator,
    payload: { enabled: false },
  });
  assert.equal(switched.statusCode, 200, switched.body);
  const deleted = await app.inject({
    method: 'DELETE',
    url: '/api/v1/channels/old-hotline',
    headers: coordinator,
  });
  assert.equal(deleted.statusCode, 204, deleted.body);
  return { volunteer, pipe, threat, late, leaked, leakedEntry: leakedEntry!.index };
}

async function allEntries(app: App): Promise<EntryJson[]> {
  const collected: EntryJson[] = [];
  for (let start = 0; ; start += 1000) {
    const page = await ledgerPage(app, start, start + 1000);
    collected.push(...page.entries);
    if (start + 1000 >= page.tree_size) return collected;
  }
}

async function checkpointOf(app: App): Promise<string> {
  return (await inject(app, '/api/v1/ledger/checkpoint')).body;
}

/** An origin with a realistic record, and a mirror database that has synced it once. */
async function mirrored(t: TestContext, open: () => Promise<TestDb>) {
  const origin = await startOrigin(t);
  const record = await makeRecord(origin);
  const db = await open();
  await sync(db, origin.url);
  return { origin, record, db, mirror: await mirrorApp(db) };
}

/**
 * What an operator holding the database and the signing key can do to rewrite history: drop the entries
 * from `from` on, put the tree's head back where it was, forget the checkpoints above, append `entries`
 * and sign a checkpoint of the result with the deployment's real key.
 */
async function rewriteHistory(origin: Origin, from: number, entries: ReturnType<typeof makeChange>[]) {
  const { kysely, dialect } = origin.db;
  const ledger = new LedgerRepository(kysely, dialect);
  const kept = await ledger.range(0, from);
  const tree = new MerkleAccumulator();
  for (const entry of kept) tree.append(leafHash(entry.leaf));
  await kysely.deleteFrom('ledger_entries').where('idx', '>=', from).execute();
  await kysely
    .updateTable('ledger_head')
    .set({ size: tree.size, peaks: peaksToText(tree.peaks()) })
    .where('id', '=', 1)
    .execute();
  await kysely.deleteFrom('ledger_checkpoints').where('tree_size', '>', from).execute();
  await ledger.appendAlone(entries);
  const head = await ledger.head();
  const rootHash = MerkleAccumulator.resume(head.size, head.peaks).root();
  const signer = loadOrCreateSigningKey(origin.dataDir, originName);
  await ledger.saveCheckpoint({
    treeSize: head.size,
    rootHash,
    note: signCheckpoint({ origin: originName, treeSize: head.size, rootHash }, signer),
    createdAt: new Date().toISOString(),
  });
  return head.size;
}

/** A quiet edit of a report, as a rewritten history would slip in. */
function forgedEdit(report: ReportJson, title: string) {
  const { votes: _votes, ...state } = report;
  return makeChange(
    {
      action: 'report.edited',
      actor: 'operator',
      subject: `report:${report.id}`,
      time: new Date().toISOString(),
    },
    { ...state, title } as unknown as JsonValue,
  );
}

forEachDatabase('a mirror', (open) => {
  test('after a sync the mirror serves the checkpoint the origin signed, byte for byte', async (t) => {
    const { origin, mirror } = await mirrored(t, open);
    assert.equal(await checkpointOf(mirror), await fetchText(origin.url, '/api/v1/ledger/checkpoint'));
  });

  test("the mirror serves the origin's key and origin line", async (t) => {
    const { origin, mirror } = await mirrored(t, open);
    assert.deepEqual(
      json(await inject(mirror, '/api/v1/ledger/key')),
      json(await inject(origin.app, '/api/v1/ledger/key')),
    );
  });

  test("after a sync the mirror serves the origin's entries, redacted content included", async (t) => {
    const { origin, record, mirror } = await mirrored(t, open);
    const served = await allEntries(mirror);
    assert.deepEqual(served, await allEntries(origin.app));
    const redacted = served[record.leakedEntry]!;
    assert.equal(redacted.content, null);
    assert.equal(redacted.redacted, true);
  });

  test('the mirror lists the same published reports as the origin, with their public locations and categories', async (t) => {
    const { origin, record, mirror } = await mirrored(t, open);
    const expected = (await listReports(origin.app, 'limit=1000')).items;
    const listed = (await listReports(mirror, 'limit=1000')).items;
    assert.deepEqual(
      listed.map((report) => report.title),
      expected.map((report) => report.title),
    );
    assert.deepEqual(listed, expected);
    const threat = listed.find((report) => report.id === record.threat.id)!;
    assert.deepEqual(threat.location, { lat: -1.305, lon: 36.785, accuracy_m: 1000 });
  });

  test('a report on the mirror answers with the same public view as on the origin', async (t) => {
    const { origin, record, mirror } = await mirrored(t, open);
    for (const report of [record.pipe, record.threat, record.late, record.leaked]) {
      const url = `/api/v1/reports/${report.id}`;
      assert.deepEqual(json(await inject(mirror, url)), json(await inject(origin.app, url)));
    }
  });

  test('votes cast on the origin, before publication too, are on the mirror with the verification they led to', async (t) => {
    const { record, mirror } = await mirrored(t, open);
    const pipe = json<ReportJson>(await inject(mirror, `/api/v1/reports/${record.pipe.id}`));
    assert.equal(pipe.verification, 'verified');
    assert.deepEqual(
      pipe.votes.map((v) => v.reason),
      ['Checked with the estate caretaker', 'Photo matches the gate'],
    );
    const late = json<ReportJson>(await inject(mirror, `/api/v1/reports/${record.late.id}`));
    assert.deepEqual(
      late.votes.map((v) => v.verdict),
      ['confirm'],
    );
  });

  test("the mirror never holds a reporter's contact, exact sensitive place or private fields", async (t) => {
    const { record, db } = await mirrored(t, open);
    const rows = await db.kysely.selectFrom('reports').selectAll().execute();
    assert.ok(rows.every((row) => row.contact === null && row.created_by === null));
    const threat = rows.find((row) => row.id === record.threat.id)!;
    assert.deepEqual([threat.lat, threat.lon], [-1.305, 36.785]);
    const pipe = rows.find((row) => row.id === record.pipe.id)!;
    assert.deepEqual(JSON.parse(pipe.fields), { water_source: 'pipe' });
    const stored = JSON.stringify(await db.kysely.selectFrom('surveys').selectAll().execute());
    assert.equal(stored.includes('household_phone'), false);
  });

  test("the mirror's pending and rejected reports stay off it, as they are off the origin's record", async (t) => {
    const { db } = await mirrored(t, open);
    const titles = (await db.kysely.selectFrom('reports').select('title').execute()).map((row) => row.title);
    assert.equal(titles.includes('Still waiting for review'), false);
    assert.equal(titles.includes('Buy cheap phones'), false);
  });

  test('GET /api/v1/config on a mirror names the origin, its address and when it was synced, with its name and licence', async (t) => {
    const { origin, mirror } = await mirrored(t, open);
    const config = json<{
      name: string;
      license: { id: string };
      mirror_of: { origin: string; url: string; synced_at: string };
    }>(await inject(mirror, '/api/v1/config'));
    assert.equal(config.mirror_of.origin, originName);
    assert.equal(config.mirror_of.url, origin.url);
    assert.ok(Date.parse(config.mirror_of.synced_at) > Date.now() - 60_000);
    assert.equal(config.name, 'Kibera Water Watch');
    assert.equal(config.license.id, 'CC-BY-SA-4.0');
    assert.equal(json<{ mirror_of: unknown }>(await inject(origin.app, '/api/v1/config')).mirror_of, null);
  });

  test("the mirror's exports name the origin they were copied from, under the origin's licence", async (t) => {
    const { origin, mirror } = await mirrored(t, open);
    const geojson = await inject(mirror, '/api/v1/exports/reports.geojson');
    assert.match(String(geojson.headers.link), new RegExp(`<${origin.url}>; rel="via"`));
    assert.equal(geojson.headers['x-license'], 'CC-BY-SA-4.0');
    const collection = json<{
      name: string;
      mirror_of: { origin: string; url: string };
      features: { id: string }[];
    }>(geojson);
    assert.deepEqual(collection.mirror_of, { origin: originName, url: origin.url });
    assert.equal(collection.name, 'Kibera Water Watch reports');
    const originCollection = json<{ features: { id: string }[] }>(
      await inject(origin.app, '/api/v1/exports/reports.geojson'),
    );
    assert.deepEqual(
      collection.features.map((feature) => feature.id),
      originCollection.features.map((feature) => feature.id),
    );
    const kml = await inject(mirror, '/api/v1/exports/reports.kml');
    assert.ok(kml.body.includes(`<atom:link rel="via" href="${origin.url}"/>`));
    const csv = await inject(mirror, '/api/v1/exports/reports.csv');
    assert.match(String(csv.headers.link), /rel="via"/);
  });

  test('the mirror refuses every change with read_only_mirror', async (t) => {
    const { record, mirror } = await mirrored(t, open);
    const attempts = [
      { method: 'POST' as const, url: '/api/v1/reports', payload: { title: 'A new report' } },
      { method: 'PATCH' as const, url: `/api/v1/reports/${record.pipe.id}`, payload: { title: 'Edited' } },
      {
        method: 'POST' as const,
        url: `/api/v1/reports/${record.pipe.id}/votes`,
        payload: { verdict: 'confirm', reason: 'x' },
      },
      { method: 'DELETE' as const, url: '/api/v1/categories/anything' },
      {
        method: 'POST' as const,
        url: '/api/v1/auth/login',
        payload: { email: 'a@example.org', password: 'x' },
      },
    ];
    for (const attempt of attempts) {
      const problem = assertProblem(
        await mirror.inject({ ...attempt, headers: record.volunteer }),
        403,
        'read_only_mirror',
      );
      assert.match(problem.detail, new RegExp(originName));
    }
    assert.equal(
      (await listReports(mirror, 'limit=1000')).items.some((r) => r.title === 'A new report'),
      false,
    );
  });

  test('channels switched off and deleted at the origin are on the mirror’s log, and it holds no channel', async (t) => {
    const { db, mirror } = await mirrored(t, open);
    const actions = (await allEntries(mirror))
      .filter((entry) => entry.subject.startsWith('channel:'))
      .map((entry) => `${entry.action} ${entry.subject}`);
    assert.deepEqual(actions, [
      'channel.created channel:hotline',
      'channel.created channel:old-hotline',
      'channel.disabled channel:hotline',
      'channel.deleted channel:old-hotline',
    ]);
    assert.deepEqual(await db.kysely.selectFrom('channels').select('id').execute(), []);
  });

  test('tally ledger verify finds in the mirror database exactly what it finds in the origin database', async (t) => {
    const { origin, db } = await mirrored(t, open);
    const atMirror = await verifyLedger(db, await createServices(db, systemClock, testConfig()));
    const atOrigin = await verifyLedger(origin.db, origin.services);
    assert.deepEqual(atMirror.problems, atOrigin.problems);
    assert.equal(atMirror.treeSize, atOrigin.treeSize);
    assert.equal(atMirror.votesChecked, atOrigin.votesChecked);
    assert.ok(atMirror.entriesChecked > 0 && atMirror.checkpointsChecked > 0);
  });

  test('the mirror answers inclusion proofs that verify against the checkpoint the origin signed', async (t) => {
    const { origin, mirror } = await mirrored(t, open);
    const key = json<{ origin: string; verifier_key: string }>(
      await inject(origin.app, '/api/v1/ledger/key'),
    );
    const checkpoint = openCheckpoint(
      await checkpointOf(mirror),
      parseVerifierKey(key.verifier_key),
      key.origin,
    )!;
    for (const entry of await allEntries(mirror)) {
      const proof = json<{ hashes: string[] }>(
        await inject(
          mirror,
          `/api/v1/ledger/proofs/inclusion?index=${entry.index}&tree_size=${checkpoint.treeSize}`,
        ),
      );
      assert.ok(
        verifyInclusion(
          leafHash(Buffer.from(entry.leaf, 'base64')),
          entry.index,
          checkpoint.treeSize,
          proof.hashes.map((hash) => Buffer.from(hash, 'base64')),
          checkpoint.rootHash,
        ),
        `entry ${entry.index}`,
      );
    }
  });

  test('a second sync appends only the entries the origin added since', async (t) => {
    const { origin, record, db, mirror } = await mirrored(t, open);
    const before = await allEntries(mirror);
    const later = await publishedReport(origin.app, record.volunteer, {
      title: 'Kiosk tap leaking',
      location: { lat: -1.314, lon: 36.788 },
    });
    await patch(origin.app, record.volunteer, `/api/v1/reports/${later.id}`, {
      description: 'Fixed by Friday?',
    });
    origin.requests.length = 0;
    const result = await sync(db, origin.url);
    assert.equal(result.before, before.length);
    assert.equal(result.after, before.length + 2);
    const asked = origin.requests.filter((url) => url.startsWith('/api/v1/ledger/entries'));
    assert.deepEqual(asked, [`/api/v1/ledger/entries?start=${before.length}&end=${before.length + 2}`]);
    const after = await allEntries(mirror);
    assert.deepEqual(after.slice(0, before.length), before);
    assert.deepEqual(after, await allEntries(origin.app));
    assert.equal(await checkpointOf(mirror), await fetchText(origin.url, '/api/v1/ledger/checkpoint'));
    assert.deepEqual(
      (await listReports(mirror, 'limit=1000')).items,
      (await listReports(origin.app, 'limit=1000')).items,
    );
  });

  test('a sync with nothing new at the origin changes nothing but the time of the last sync', async (t) => {
    const { origin, db, mirror } = await mirrored(t, open);
    const checkpoint = await checkpointOf(mirror);
    const result = await sync(db, origin.url);
    assert.equal(result.after, result.before);
    assert.equal(await checkpointOf(mirror), checkpoint);
  });

  test('a sync after the origin rewrote its history is refused, and the mirror keeps serving what it verified', async (t) => {
    const { origin, record, db, mirror } = await mirrored(t, open);
    const verified = (await allEntries(mirror)).length;
    const checkpoint = await checkpointOf(mirror);
    const reports = (await listReports(mirror, 'limit=1000')).items;
    const from = verified - 4;
    const forged = Array.from({ length: 6 }, () => forgedEdit(record.pipe, 'Nothing happened here'));
    const rewritten = await rewriteHistory(origin, from, forged);
    assert.ok(rewritten > verified);
    // The rewritten log is signed with the real key: only its history gives it away.
    assert.ok(
      openCheckpoint(
        await fetchText(origin.url, '/api/v1/ledger/checkpoint'),
        parseVerifierKey(
          json<{ verifier_key: string }>(await inject(origin.app, '/api/v1/ledger/key')).verifier_key,
        ),
        originName,
      ),
    );

    await assert.rejects(sync(db, origin.url), (error: Error) => {
      assert.match(error.message, /history was rewritten or forked/);
      assert.match(error.message, new RegExp(`checkpoint of ${rewritten} entries`));
      assert.match(error.message, new RegExp(`the ${verified} entries this mirror verified`));
      return true;
    });
    assert.equal(await checkpointOf(mirror), checkpoint);
    assert.equal((await allEntries(mirror)).length, verified);
    assert.deepEqual((await listReports(mirror, 'limit=1000')).items, reports);
    const source = await new MirrorRepository(db.kysely).source();
    assert.match(source?.lastError ?? '', /history was rewritten or forked/);
  });

  test('a checkpoint for fewer entries than the mirror verified is refused as a rollback', async (t) => {
    const { origin, db, mirror } = await mirrored(t, open);
    const verified = (await allEntries(mirror)).length;
    const checkpoint = await checkpointOf(mirror);
    await rewriteHistory(origin, verified - 3, []);
    await assert.rejects(
      sync(db, origin.url),
      new RegExp(`checkpoint of ${verified - 3} entries, fewer than the ${verified}`),
    );
    assert.equal(await checkpointOf(mirror), checkpoint);
  });

  test('a checkpoint signed by another key is refused, and the mirror keeps serving what it verified', async (t) => {
    const { origin, record, db, mirror } = await mirrored(t, open);
    const checkpoint = await checkpointOf(mirror);
    const trusted = json<{ verifier_key: string }>(await inject(mirror, '/api/v1/ledger/key')).verifier_key;
    await origin.stop();
    // The same database and address, but a new data directory: a new signing key for the same log.
    const impostor = await startOrigin(t, { dbFile: origin.dbFile, port: origin.port });
    await publishedReport(impostor.app, record.volunteer, { title: 'Signed by someone else' });
    const served = json<{ verifier_key: string }>(
      await inject(impostor.app, '/api/v1/ledger/key'),
    ).verifier_key;
    assert.notEqual(served, trusted);

    await assert.rejects(sync(db, origin.url), (error: Error) => {
      assert.ok(error.message.includes(`is not signed by ${trusted}`), error.message);
      assert.ok(error.message.includes(`now serves the key ${served}`), error.message);
      return true;
    });
    assert.equal(await checkpointOf(mirror), checkpoint);
    assert.match((await new MirrorRepository(db.kysely).source())?.lastError ?? '', /is not signed by/);
  });

  test('a pinned key the origin does not sign with is refused at the first sync, and nothing is stored', async (t) => {
    const origin = await startOrigin(t);
    const db = await open();
    const other = signerFromPrivateKey(originName, generateKeyPairSync('ed25519').privateKey);
    const pinned = verifierKeyText(other.name, other.publicKey);
    await assert.rejects(
      sync(db, origin.url, pinned),
      new RegExp(`not the pinned ${pinned.replaceAll('+', '\\+')}`),
    );
    assert.equal(await new MirrorRepository(db.kysely).source(), undefined);
    assert.equal((await new LedgerRepository(db.kysely, db.dialect).head()).size, 0);
  });

  test('the key the origin serves is accepted when it is the pinned one', async (t) => {
    const origin = await startOrigin(t);
    const key = json<{ verifier_key: string }>(await inject(origin.app, '/api/v1/ledger/key')).verifier_key;
    const db = await open();
    const result = await sync(db, origin.url, key);
    assert.equal(result.firstSync, true);
    assert.equal((await new MirrorRepository(db.kysely).source())?.verifierKey, key);
  });

  test('a database with a public record of its own cannot become a mirror', async (t) => {
    const origin = await startOrigin(t);
    const db = await open();
    await buildTestApp(db);
    await assert.rejects(sync(db, origin.url), /already keeps a public record of its own/);
    assert.equal(await new MirrorRepository(db.kysely).source(), undefined);
  });

  test('an origin that cannot be reached fails the sync with its address, keeping the mirror as it was', async (t) => {
    const { origin, db, mirror } = await mirrored(t, open);
    const checkpoint = await checkpointOf(mirror);
    await origin.stop();
    await assert.rejects(sync(db, origin.url), new RegExp(`Could not reach ${origin.url}`));
    assert.equal(await checkpointOf(mirror), checkpoint);
    assert.match((await new MirrorRepository(db.kysely).source())?.lastError ?? '', /Could not reach/);
  });
});

const cli = path.join(projectRoot, 'src', 'cli', 'main.ts');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI without blocking this process, which serves the origin it pulls from. `until` resolves
 * when the output matches, for a command that runs until it is stopped.
 */
function tally(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: projectRoot,
    env: {
      ...process.env,
      TALLY_LOG_LEVEL: 'silent',
      TALLY_OUTBOUND_ALLOWED_HOSTS: '127.0.0.1,localhost',
      ...env,
    },
  });
  const run: Run = { status: null, stdout: '', stderr: '' };
  const waiting: { pattern: RegExp; resolve(): void }[] = [];
  const check = () => {
    for (const wait of [...waiting]) {
      if (wait.pattern.test(run.stdout)) {
        waiting.splice(waiting.indexOf(wait), 1);
        wait.resolve();
      }
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    run.stdout += chunk.toString('utf8');
    check();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    run.stderr += chunk.toString('utf8');
  });
  const done = new Promise<Run>((resolve) =>
    child.on('close', (status) => {
      run.status = status;
      resolve(run);
    }),
  );
  return {
    child,
    done,
    until(pattern: RegExp, timeoutMs = 20_000): Promise<void> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${pattern} in the output:\n${run.stdout}\n${run.stderr}`)),
          timeoutMs,
        );
        waiting.push({
          pattern,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        check();
      });
    },
  };
}

function tempDataDir(t: TestContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tally-mirror-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function storedCheckpointNote(dataDir: string): Promise<string | undefined> {
  const db = openDatabase({ sqlitePath: path.join(dataDir, 'tally.sqlite') });
  try {
    return (await new LedgerRepository(db.kysely, db.dialect).latestCheckpoint())?.note;
  } finally {
    await db.destroy();
  }
}

test('tally mirror URL stores the verified record in TALLY_DATA_DIR and exits 0', async (t) => {
  const origin = await startOrigin(t);
  await makeRecord(origin);
  const dataDir = tempDataDir(t);
  const run = await tally(['mirror', origin.url], { TALLY_DATA_DIR: dataDir }).done;
  assert.equal(run.status, 0, run.stderr);
  assert.match(
    run.stdout,
    new RegExp(`Now mirroring ${originName} from ${origin.url}: \\d+ entries verified and stored`),
  );
  assert.equal(await storedCheckpointNote(dataDir), await fetchText(origin.url, '/api/v1/ledger/checkpoint'));
  const db = openDatabase({ sqlitePath: path.join(dataDir, 'tally.sqlite') });
  t.after(() => db.destroy());
  const source = await new MirrorRepository(db.kysely).source();
  assert.equal(source?.origin, originName);
  assert.equal(source?.url, origin.url);
});

test('tally mirror exits 1 naming the keys when the origin does not sign with the --key given', async (t) => {
  const origin = await startOrigin(t);
  const dataDir = tempDataDir(t);
  const other = signerFromPrivateKey(originName, generateKeyPairSync('ed25519').privateKey);
  const pinned = verifierKeyText(other.name, other.publicKey);
  const run = await tally(['mirror', origin.url, '--key', pinned], { TALLY_DATA_DIR: dataDir }).done;
  assert.equal(run.status, 1);
  assert.ok(run.stderr.startsWith('tally: '), run.stderr);
  assert.ok(run.stderr.includes(`not the pinned ${pinned}`), run.stderr);
  assert.equal(await storedCheckpointNote(dataDir), undefined);
});

test('tally mirror --follow pulls again every interval until SIGTERM, then exits 0', async (t) => {
  const origin = await startOrigin(t);
  const volunteer = await origin.as('volunteer');
  await publishedReport(origin.app, volunteer, kiberaReport);
  const dataDir = tempDataDir(t);
  const following = tally(['mirror', origin.url, '--follow', '--interval', '0.2'], {
    TALLY_DATA_DIR: dataDir,
  });
  t.after(() => following.child.kill('SIGKILL'));
  await following.until(/Now mirroring/);
  await following.until(/up to date/);
  await publishedReport(origin.app, volunteer, { ...kiberaReport, title: 'A second report' });
  await following.until(/1 new entry verified and stored/);
  following.child.kill('SIGTERM');
  const run = await following.done;
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /Stopped\.\n$/);
  assert.equal(await storedCheckpointNote(dataDir), await fetchText(origin.url, '/api/v1/ledger/checkpoint'));
});
