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
import { createServices } from '../../src/services.js';

const cli = path.join(projectRoot, 'src', 'cli', 'main.ts');

function tally(args: string[], env: Record<string, string>, input?: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: projectRoot,
    env: { ...process.env, TALLY_LOG_LEVEL: 'silent', ...env },
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

async function canLogIn(dataDir: string, email: string, password: string): Promise<string> {
  const db = openDatabase({ sqlitePath: path.join(dataDir, 'tally.sqlite') });
  try {
    const { accounts } = await createServices(db, systemClock, loadConfig({ TALLY_DATA_DIR: dataDir }));
    const issued = await accounts.login(email, password);
    return issued.user.role;
  } finally {
    await db.destroy();
  }
}

test(
  'tally user add creates an account that can sign in with its role',
  withDataDir(async (dataDir) => {
    const result = tally(
      ['user', 'add', 'Amina@Example.org', '--role', 'volunteer', '--password', 'a long enough password'],
      { TALLY_DATA_DIR: dataDir },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Created volunteer amina@example\.org/);
    assert.equal(await canLogIn(dataDir, 'amina@example.org', 'a long enough password'), 'volunteer');
  }),
);

test(
  'tally user add reads the password from standard input with --password-stdin',
  withDataDir(async (dataDir) => {
    const result = tally(
      ['user', 'add', 'lead@example.org', '--role', 'admin', '--password-stdin'],
      { TALLY_DATA_DIR: dataDir },
      'stdin secret phrase\n',
    );
    assert.equal(result.status, 0, result.stderr);
    assert.equal(await canLogIn(dataDir, 'lead@example.org', 'stdin secret phrase'), 'admin');
  }),
);

test(
  'tally user add refuses an unknown role and says which roles exist',
  withDataDir((dataDir) => {
    const result = tally(
      ['user', 'add', 'x@example.org', '--role', 'king', '--password', 'a long enough password'],
      {
        TALLY_DATA_DIR: dataDir,
      },
    );
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /admin, coordinator|Allowed choices/);
  }),
);

test(
  'tally user add refuses a second account with the same e-mail',
  withDataDir((dataDir) => {
    const args = [
      'user',
      'add',
      'twice@example.org',
      '--role',
      'volunteer',
      '--password',
      'a long enough password',
    ];
    assert.equal(tally(args, { TALLY_DATA_DIR: dataDir }).status, 0);
    const again = tally(args, { TALLY_DATA_DIR: dataDir });
    assert.equal(again.status, 2);
    assert.match(again.stderr, /already has an account/);
  }),
);

test(
  'a bad setting stops tally with a message naming the variable',
  withDataDir((dataDir) => {
    const result = tally(['migrate'], { TALLY_DATA_DIR: dataDir, TALLY_PORT: 'eighty' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /TALLY_PORT must be a whole number/);
  }),
);

test(
  'tally migrate applies the migrations once, then reports the database is up to date',
  withDataDir((dataDir) => {
    const first = tally(['migrate'], { TALLY_DATA_DIR: dataDir });
    assert.equal(first.status, 0);
    assert.match(first.stdout, /Applied: 2026-11-25T19-40-initial/);
    const again = tally(['migrate'], { TALLY_DATA_DIR: dataDir });
    assert.equal(again.status, 0);
    assert.match(again.stdout, /up to date/);
  }),
);

test(
  'tally channel add takes its secrets from standard input, and tally channel list never shows them',
  withDataDir((dataDir) => {
    const env = { TALLY_DATA_DIR: dataDir };
    const added = tally(
      ['channel', 'add', 'twilio-ke', '--kind', 'twilio', '--setting', 'language=sw', '--secrets-stdin'],
      env,
      '{"authToken":"f3b1c2d4e5a6978812345678abcdef01"}',
    );
    assert.equal(added.status, 0, added.stderr);
    assert.match(added.stdout, /gateways deliver to \/api\/v1\/inbound\/twilio\/twilio-ke/);
    const listed = tally(['channel', 'list'], env);
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /^twilio-ke\ttwilio\ttwilio-ke\tsecrets: authToken\trefused: 0$/m);
    assert.doesNotMatch(listed.stdout, /f3b1c2d4/);
  }),
);

test(
  'tally channel disable switches a channel off, tally channel enable on again, and tally channel list shows which',
  withDataDir((dataDir) => {
    const env = { TALLY_DATA_DIR: dataDir };
    const added = tally(['channel', 'add', 'kannel', '--kind', 'kannel', '--secret', 'secret=k-7d1e'], env);
    assert.equal(added.status, 0, added.stderr);
    const disabled = tally(['channel', 'disable', 'kannel'], env);
    assert.equal(disabled.status, 0, disabled.stderr);
    assert.match(disabled.stdout, /Channel kannel is switched off/);
    assert.match(tally(['channel', 'list'], env).stdout, /^kannel\t.*\tswitched off$/m);
    const enabled = tally(['channel', 'enable', 'kannel'], env);
    assert.equal(enabled.status, 0, enabled.stderr);
    assert.doesNotMatch(tally(['channel', 'list'], env).stdout, /switched off/);
  }),
);

test(
  'tally channel remove deletes a channel: it leaves the list and its id cannot be added again',
  withDataDir((dataDir) => {
    const env = { TALLY_DATA_DIR: dataDir };
    tally(['channel', 'add', 'kannel', '--kind', 'kannel', '--secret', 'secret=k-7d1e'], env);
    const removed = tally(['channel', 'remove', 'kannel'], env);
    assert.equal(removed.status, 0, removed.stderr);
    assert.match(removed.stdout, /Deleted channel kannel/);
    assert.doesNotMatch(tally(['channel', 'list'], env).stdout, /kannel/);
    const again = tally(['channel', 'add', 'kannel', '--kind', 'kannel', '--secret', 'secret=k-7d1e'], env);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /deleted/);
  }),
);

test(
  'tally channel disable of a channel that does not exist says so and exits 2',
  withDataDir((dataDir) => {
    const result = tally(['channel', 'disable', 'nowhere'], { TALLY_DATA_DIR: dataDir });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /No channel "nowhere"/);
  }),
);

test(
  'tally channel add without a secret the gateway needs says which and exits 2',
  withDataDir((dataDir) => {
    const result = tally(['channel', 'add', 'kannel', '--kind', 'kannel'], { TALLY_DATA_DIR: dataDir });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /secrets\/secret/);
  }),
);
