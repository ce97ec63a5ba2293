import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { App } from '../../src/app.js';
import { type Checkpoint, openCheckpoint } from '../../src/ledger/checkpoint.js';
import { sha256Hex } from '../../src/ledger/leaf.js';
import { leafHash, verifyConsistency, verifyInclusion } from '../../src/ledger/merkle.js';
import { parseVerifierKey } from '../../src/ledger/signed-note.js';
import { buildTestApp, json, kiberaReport } from '../helpers/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { contentOf, type EntryJson, historyOf, ledgerEntries, ledgerPage } from '../helpers/ledger.js';
import {
  assertProblem,
  createCategory,
  publishedReport,
  setStatus,
  submitReport,
} from '../helpers/reports.js';

interface KeyJson {
  origin: string;
  verifier_key: string;
  public_key: string;
}

async function signedCheckpoint(app: App) {
  const key = json<KeyJson>(await app.inject({ url: '/api/v1/ledger/key' }));
  const response = await app.inject({ url: '/api/v1/ledger/checkpoint' });
  assert.equal(response.statusCode, 200);
  assert.match(String(response.headers['content-type']), /^text\/plain/);
  const checkpoint = openCheckpoint(response.body, parseVerifierKey(key.verifier_key), key.origin);
  assert.ok(checkpoint, `the checkpoint must verify with the published key:\n${response.body}`);
  return checkpoint;
}

/** The API's consistency proof from `before` to `after` verifies against both signed roots. */
async function assertConsistent(app: App, before: Checkpoint, after: Checkpoint): Promise<void> {
  const proof = json<{ hashes: string[] }>(
    await app.inject({
      url: `/api/v1/ledger/proofs/consistency?first=${before.treeSize}&second=${after.treeSize}`,
    }),
  );
  const hashes = proof.hashes.map((h) => Buffer.from(h, 'base64'));
  assert.ok(verifyConsistency(before.treeSize, after.treeSize, before.rootHash, after.rootHash, hashes));
}

forEachDatabase('the public record', (open) => {
  test('publishing a report appends a leaf whose bytes name the public content by its hash', async () => {
    const { app, as } = await buildTestApp(await open());
    const report = await publishedReport(app, await as('volunteer'), kiberaReport);
    const [entry] = (await ledgerEntries(app)).filter((e) => e.subject === `report:${report.id}`);
    assert.ok(entry);
    assert.equal(entry.action, 'report.published');
    assert.match(entry.actor, /^p-[0-9a-f]{16}$/);
    const leaf = JSON.parse(Buffer.from(entry.leaf, 'base64').toString('utf8'));
    const content = Buffer.from(entry.content!, 'base64');
    assert.deepEqual(leaf, {
      action: 'report.published',
      actor: entry.actor,
      content_sha256: sha256Hex(content),
      subject: `report:${report.id}`,
      time: entry.time,
    });
    assert.equal(contentOf(entry).title, kiberaReport.title);
  });

  test("the record never holds a reporter's contact", async () => {
    const { app, as } = await buildTestApp(await open());
    await publishedReport(app, await as('volunteer'), kiberaReport);
    const decoded = (await ledgerEntries(app))
      .map((e) => (e.content ? Buffer.from(e.content, 'base64').toString('utf8') : ''))
      .join('\n');
    assert.equal(decoded.includes(kiberaReport.contact), false);
  });

  test('a pending report and its edits stay off the record until it is published', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    const report = await submitReport(app, kiberaReport);
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/reports/${report.id}`,
      headers: volunteer,
      payload: { title: 'Pipe' },
    });
    assert.deepEqual(
      (await ledgerEntries(app)).filter((e) => e.subject.startsWith('report:')),
      [],
    );
  });

  test('edits, rejection and archiving of a published report are each an entry', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    const report = await publishedReport(app, volunteer, kiberaReport);
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/reports/${report.id}`,
      headers: volunteer,
      payload: { title: 'Burst pipe' },
    });
    await setStatus(app, volunteer, report.id, 'archived');
    const other = await submitReport(app, kiberaReport);
    await setStatus(app, volunteer, other.id, 'rejected');
    const actions = (await ledgerEntries(app))
      .filter((e) => e.subject.startsWith('report:'))
      .map((e) => [e.action, e.subject === `report:${report.id}` ? 'first' : 'second']);
    assert.deepEqual(actions, [
      ['report.published', 'first'],
      ['report.edited', 'first'],
      ['report.archived', 'first'],
      ['report.rejected', 'second'],
    ]);
  });

  test('category changes and role grants are on the record', async () => {
    const { app, as } = await buildTestApp(await open());
    const category = await createCategory(app, await as('coordinator'), { name: 'Water' });
    const actions = (await ledgerEntries(app)).map((e) => e.action);
    assert.ok(actions.includes('role.granted'));
    const created = (await ledgerEntries(app)).find((e) => e.subject === `category:${category.id}`);
    assert.equal(created?.action, 'category.created');
    assert.equal(contentOf(created!).name, 'Water');
  });

  test('the checkpoint is signed by the published key and its root is that of the entries', async () => {
    const { app, as } = await buildTestApp(await open());
    await publishedReport(app, await as('volunteer'), kiberaReport);
    const checkpoint = await signedCheckpoint(app);
    const all = await ledgerEntries(app);
    assert.equal(checkpoint.treeSize, all.length);
    const last = all.at(-1)!;
    const proof = json<{ hashes: string[]; leaf_hash: string }>(
      await app.inject({
        url: `/api/v1/ledger/proofs/inclusion?index=${last.index}&tree_size=${checkpoint.treeSize}`,
      }),
    );
    const hash = leafHash(Buffer.from(last.leaf, 'base64'));
    assert.equal(proof.leaf_hash, hash.toString('base64'));
    assert.ok(
      verifyInclusion(
        hash,
        last.index,
        checkpoint.treeSize,
        proof.hashes.map((h) => Buffer.from(h, 'base64')),
        checkpoint.rootHash,
      ),
    );
  });

  test('every entry has an inclusion proof that verifies against the checkpoint', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    for (let i = 0; i < 6; i++)
      await publishedReport(app, volunteer, { ...kiberaReport, title: `Report ${i}` });
    const checkpoint = await signedCheckpoint(app);
    for (const entry of await ledgerEntries(app)) {
      const proof = json<{ hashes: string[] }>(
        await app.inject({
          url: `/api/v1/ledger/proofs/inclusion?index=${entry.index}&tree_size=${checkpoint.treeSize}`,
        }),
      );
      const hashes = proof.hashes.map((h) => Buffer.from(h, 'base64'));
      assert.ok(
        verifyInclusion(
          leafHash(Buffer.from(entry.leaf, 'base64')),
          entry.index,
          checkpoint.treeSize,
          hashes,
          checkpoint.rootHash,
        ),
        `entry ${entry.index}`,
      );
    }
  });

  test('an earlier checkpoint is proved a prefix of the later one', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    await publishedReport(app, volunteer, kiberaReport);
    const before = await signedCheckpoint(app);
    for (let i = 0; i < 5; i++)
      await publishedReport(app, volunteer, { ...kiberaReport, title: `Later ${i}` });
    const after = await signedCheckpoint(app);
    assert.ok(after.treeSize > before.treeSize);
    await assertConsistent(app, before, after);
  });

  test('a proof for a tree larger than the log is refused with a clear error', async () => {
    const { app } = await buildTestApp(await open());
    const response = await app.inject({ url: '/api/v1/ledger/proofs/inclusion?index=0&tree_size=999' });
    assertProblem(response, 400, 'ledger_out_of_range');
  });

  test('a range that ends before it starts is refused', async () => {
    const { app } = await buildTestApp(await open());
    assertProblem(
      await app.inject({ url: '/api/v1/ledger/entries?start=5&end=2' }),
      400,
      'ledger_out_of_range',
    );
  });

  test('a redaction removes old content, keeps the leaf, and is itself an entry', async () => {
    const { app, as } = await buildTestApp(await open());
    const volunteer = await as('volunteer');
    const leaked = await publishedReport(app, volunteer, {
      ...kiberaReport,
      description: 'Call me on +254722000111',
    });
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/reports/${leaked.id}`,
      headers: volunteer,
      payload: { description: 'Water running since 6am' },
    });
    const history = await historyOf(app, leaked.id);
    const before = await signedCheckpoint(app);
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/ledger/redactions',
      headers: await as('coordinator'),
      payload: { entries: [history[0]!.index], reason: "The reporter's phone number was published" },
    });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(json<EntryJson>(response).action, 'record.redacted');
    const [redacted] = (await ledgerPage(app, history[0]!.index, history[0]!.index + 1)).entries;
    assert.equal(redacted?.content, null);
    assert.equal(redacted?.redacted, true);
    assert.equal(redacted?.leaf, history[0]!.leaf);
    const after = await signedCheckpoint(app);
    await assertConsistent(app, before, after);
  });

  test("a report's current public state cannot be redacted", async () => {
    const { app, as } = await buildTestApp(await open());
    const report = await publishedReport(app, await as('volunteer'), kiberaReport);
    const [entry] = await historyOf(app, report.id);
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/ledger/redactions',
      headers: await as('coordinator'),
      payload: { entries: [entry!.index], reason: 'oops' },
    });
    assertProblem(response, 409, 'redaction_not_allowed');
  });

  test('volunteers may not redact', async () => {
    const { app, as } = await buildTestApp(await open());
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/ledger/redactions',
      headers: await as('volunteer'),
      payload: { entries: [0], reason: 'oops' },
    });
    assertProblem(response, 403, 'forbidden');
  });

  test('the key endpoint names the origin and a verifier key that matches the public key', async () => {
    const { app } = await buildTestApp(await open());
    const key = json<KeyJson>(await app.inject({ url: '/api/v1/ledger/key' }));
    const verifier = parseVerifierKey(key.verifier_key);
    assert.equal(verifier.name, key.origin);
    assert.equal(Buffer.from(verifier.publicKey).toString('base64'), key.public_key);
  });
});

forEachDatabase('public settings on the record', (open) => {
  test('the settings the public sees are recorded at start, and again only when they change', async () => {
    const db = await open();
    await buildTestApp(db);
    const { app } = await buildTestApp(db);
    const recorded = () =>
      ledgerEntries(app).then((all) => all.filter((e) => e.action === 'settings.changed'));
    assert.equal((await recorded()).length, 1);
    assert.equal(contentOf((await recorded())[0]!).verification_threshold, 2);
    const { app: relicensed } = await buildTestApp(db, {
      reportsLicense: {
        id: 'CC0-1.0',
        name: 'CC0',
        url: 'https://creativecommons.org/publicdomain/zero/1.0/',
      },
    });
    const after = (await ledgerEntries(relicensed)).filter((e) => e.action === 'settings.changed');
    assert.equal(after.length, 2);
    assert.deepEqual(contentOf(after[1]!).reports_license, {
      id: 'CC0-1.0',
      name: 'CC0',
      url: 'https://creativecommons.org/publicdomain/zero/1.0/',
    });
  });
});
