import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { projectRoot } from '../../src/paths.js';
import { buildTestApp, kiberaReport } from '../helpers/app.js';
import { openTestDatabase } from '../helpers/databases.js';
import { publishedReport } from '../helpers/reports.js';

const run = promisify(execFile);
const script = path.join(projectRoot, 'docs', 'verify-deployment.mjs');

/** A deployment with a few public changes, listening on loopback so the script can fetch from it. */
async function listeningDeployment() {
  const db = await openTestDatabase('sqlite');
  const { app, as } = await buildTestApp(db);
  const volunteer = await as('volunteer');
  for (let i = 0; i < 5; i++)
    await publishedReport(app, volunteer, { ...kiberaReport, title: `Report ${i}` });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    db,
    async close() {
      await app.close();
      await db.destroy();
    },
  };
}

test('the stand-alone script in docs verifies a deployment with nothing but Node.js', async () => {
  const deployment = await listeningDeployment();
  try {
    const { stdout } = await run(process.execPath, [script, deployment.url]);
    assert.match(stdout, /^ok: .+, \d+ entries \(0 redacted\) match the checkpoint signed by /);
  } finally {
    await deployment.close();
  }
});

test('the stand-alone script fails when an entry was changed behind the deployment', async () => {
  const deployment = await listeningDeployment();
  try {
    await sql`UPDATE ledger_entries SET content = ${Buffer.from('{"title":"rewritten"}')} WHERE idx = 3`.execute(
      deployment.db.kysely,
    );
    const outcome = await run(process.execPath, [script, deployment.url]).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal(outcome.code, 1);
    assert.match(outcome.stderr, /entry 3: its content does not match the hash in its leaf/);
  } finally {
    await deployment.close();
  }
});
