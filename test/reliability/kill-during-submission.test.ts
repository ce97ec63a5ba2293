import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../src/db/database.js';
import { LedgerRepository } from '../../src/ledger/ledger.repository.js';
import { projectRoot } from '../../src/paths.js';
import { ReportsRepository } from '../../src/reports/reports.repository.js';

function startTally(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(projectRoot, 'src', 'cli', 'main.ts'), 'serve'],
    {
      cwd: projectRoot,
      env: {
        ...process.env,
        TALLY_DATA_DIR: dataDir,
        TALLY_PORT: '0',
        TALLY_HOST: '127.0.0.1',
        TALLY_LOG_LEVEL: 'silent',
        TALLY_RATE_LIMIT_ANONYMOUS: '1000000',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let said = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(said);
      if (match?.[1]) resolve({ child, url: match[1] });
    });
    child.once('exit', (code) => reject(new Error(`tally exited with ${code}: ${said}`)));
  });
}

test('kill -9 in the middle of a stream of submissions loses no report that was acknowledged', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tally-kill-'));
  try {
    const { child, url } = await startTally(dataDir);
    const acknowledged: string[] = [];
    let killed = false;
    const sender = async () => {
      for (let n = 0; !killed; n++) {
        try {
          const response = await fetch(`${url}/api/v1/reports`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ title: `Checkpoint queue ${n}`, location: { lat: 9.03, lon: 38.74 } }),
          });
          if (response.status === 201) acknowledged.push(((await response.json()) as { id: string }).id);
        } catch {
          return; // the server is gone: whatever was not answered was not acknowledged
        }
      }
    };
    const senders = Array.from({ length: 12 }, sender);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    killed = true;
    await exited;
    await Promise.all(senders);
    assert.ok(
      acknowledged.length > 50,
      `only ${acknowledged.length} reports were acknowledged before the kill`,
    );

    const db = openDatabase({ sqlitePath: path.join(dataDir, 'tally.sqlite') });
    try {
      const reports = new ReportsRepository(
        db.kysely,
        db.dialect,
        new LedgerRepository(db.kysely, db.dialect),
      );
      const lost: string[] = [];
      for (const id of acknowledged) if (!(await reports.findById(id))) lost.push(id);
      assert.deepEqual(lost, [], 'every acknowledged report is in the database after the crash');
    } finally {
      await db.destroy();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
