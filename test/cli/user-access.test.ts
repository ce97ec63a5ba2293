import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { projectRoot } from '../../src/paths.js';
import { createServices, type Services } from '../../src/services.js';

const cli = path.join(projectRoot, 'src', 'cli', 'main.ts');
const password = 'a long enough password';

function tally(args: string[], dataDir: string, input?: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: projectRoot,
    env: { ...process.env, TALLY_LOG_LEVEL: 'silent', TALLY_DATA_DIR: dataDir },
    input,
    encoding: 'utf8',
  });
}

function withDataDir(run: (dataDir: string) => Promise<void> | void) {
  return async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tally-cli-'));
    try {
      await run(dataDir);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
}

/** Runs `work` over the data directory's database, closed again before the next command. */
async function withServices<T>(dataDir: string, work: (services: Services) => Promise<T>): Promise<T> {
  const db = openDatabase({ sqlitePath: path.join(dataDir, 'tally.sqlite') });
  try {
    return await work(await createServices(db, systemClock, loadConfig({ TALLY_DATA_DIR: dataDir })));
  } finally {
    await db.destroy();
  }
}

/** Adds amina@example.org with the CLI and signs her in: her session token. */
async function aminaSignedIn(dataDir: string): Promise<string> {
  const added = tally(
    ['user', 'add', 'amina@example.org', '--role', 'volunteer', '--password', password],
    dataDir,
  );
  assert.equal(added.status, 0, added.stderr);
  return withServices(
    dataDir,
    async ({ accounts }) => (await accounts.login('amina@example.org', password)).token,
  );
}

async function actorKind(dataDir: string, token: string): Promise<string> {
  return withServices(dataDir, async ({ accounts }) => (await accounts.authenticate(token)).kind);
}

async function loginFails(dataDir: string, withPassword: string): Promise<boolean> {
  return withServices(dataDir, async ({ accounts }) => {
    try {
      await accounts.login('amina@example.org', withPassword);
      return false;
    } catch {
      return true;
    }
  });
}

test(
  'tally user deactivate revokes the account’s sessions at once and it can no longer sign in',
  withDataDir(async (dataDir) => {
    const session = await aminaSignedIn(dataDir);
    const result = tally(['user', 'deactivate', 'Amina@Example.org'], dataDir);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /amina@example\.org is deactivated/);
    assert.equal(await actorKind(dataDir, session), 'anonymous');
    assert.equal(await loginFails(dataDir, password), true);
  }),
);

test(
  'tally user list marks a deactivated account',
  withDataDir(async (dataDir) => {
    await aminaSignedIn(dataDir);
    tally(['user', 'deactivate', 'amina@example.org'], dataDir);
    const listed = tally(['user', 'list'], dataDir);
    assert.match(listed.stdout, /^amina@example\.org\tvolunteer\t\S+\tdeactivated /m);
  }),
);

test(
  'tally ledger verify still passes after a deactivation and a reactivation',
  withDataDir(async (dataDir) => {
    await aminaSignedIn(dataDir);
    assert.equal(tally(['user', 'deactivate', 'amina@example.org'], dataDir).status, 0);
    assert.equal(tally(['user', 'activate', 'amina@example.org'], dataDir).status, 0);
    const verified = tally(['ledger', 'verify'], dataDir);
    assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  }),
);

test(
  'tally user activate lets a deactivated account sign in again',
  withDataDir(async (dataDir) => {
    await aminaSignedIn(dataDir);
    tally(['user', 'deactivate', 'amina@example.org'], dataDir);
    const result = tally(['user', 'activate', 'amina@example.org'], dataDir);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(await loginFails(dataDir, password), false);
  }),
);

test(
  'tally user deactivate of an unknown account exits 2 naming it',
  withDataDir((dataDir) => {
    const result = tally(['user', 'deactivate', 'nobody@example.org'], dataDir);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /No account nobody@example\.org/);
  }),
);

test(
  'tally user password --password-stdin sets the password and revokes every session',
  withDataDir(async (dataDir) => {
    const session = await aminaSignedIn(dataDir);
    const result = tally(
      ['user', 'password', 'amina@example.org', '--password-stdin'],
      dataDir,
      'a new phrase here\n',
    );
    assert.equal(result.status, 0, result.stderr);
    assert.equal(await actorKind(dataDir, session), 'anonymous');
    assert.equal(await loginFails(dataDir, password), true);
    assert.equal(await loginFails(dataDir, 'a new phrase here'), false);
  }),
);

test(
  'tally user password refuses a password shorter than ten characters and keeps the old one',
  withDataDir(async (dataDir) => {
    const session = await aminaSignedIn(dataDir);
    const result = tally(['user', 'password', 'amina@example.org', '--password-stdin'], dataDir, 'short\n');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /at least 10 characters/);
    assert.equal(await actorKind(dataDir, session), 'user');
  }),
);
